#include "auth/auth_log.h"
#include "auth/sasl.h"
#include "base/base64.h"
#include "base/log.h"
#include "mail/login.h"
#include "smtp/server/commands/commands.h"

namespace postamt::smtp::server::commands {
namespace {

using proto::make_reply;
namespace code = proto::code;
constexpr std::string_view kLog = "smtpd";

net::awaitable<Next> auth_failed(Session& session, std::string mechanism, std::string user) {
  auth::log_auth_failure(session.context_.service, user, session.connection_->remote().address,
                         mechanism);
  const auto delay =
      session.services_.auth_failures->record_failure(session.connection_->remote().address, user);
  if (delay.count() > 0) {
    auto wait = net::sleep(delay);
    co_await std::move(wait);
  }
  Reply r = make_reply(535, code::kBadCredentials, "Authentication credentials invalid");
  co_return co_await session.answer(std::move(r));
}

net::awaitable<Next> check_password(Session& session, std::string mechanism, std::string authcid,
                                    std::string password) {
  store::Store* store = session.services_.delivery.store;
  auto lookup =
      session.services_.runtime->run_blocking([store, authcid, password]() -> Result<std::string> {
        auto account = mail::verify_login(*store, authcid, password);
        if (!account) return account.error();
        return account->address;
      });
  auto verified = co_await std::move(lookup);
  if (!verified) {
    if (verified.error().kind == ErrorKind::temporary || verified.error().kind == ErrorKind::io) {
      log::warning(kLog, "auth lookup failed for {}: {}", session.client_name(),
                   verified.error().message);
      Reply r = make_reply(454, code::kTempAuthFailure, "Temporary authentication failure");
      co_return co_await session.answer(std::move(r));
    }
    co_return co_await auth_failed(session, mechanism, authcid);
  }
  session.services_.auth_failures->record_success(session.connection_->remote().address, authcid);
  auth::count_login_success(session.context_.service);
  session.user_ = std::move(*verified);
  log::info(kLog, "{}: sasl_method={}, sasl_username={}", session.client_name(), mechanism,
            *session.user_);
  Reply ok = make_reply(235, code::kAuthSucceeded, "Authentication successful");
  co_return co_await session.answer(std::move(ok));
}

}  // namespace

net::awaitable<Next> auth(Session& session, proto::Auth command) {
  auto created = auth::create_mechanism(command.mechanism, session.plaintext_mechanisms(),
                                        auth::MechanismOptions{});
  if (!created) {
    Reply r = created.error().kind == ErrorKind::permission
                  ? make_reply(538, code::kEncryptionRequired,
                               "Encryption required for requested authentication mechanism")
                  : make_reply(504, code::kBadArguments, "Unrecognized authentication type");
    co_return co_await session.answer(std::move(r));
  }
  auto mechanism = std::move(*created);
  std::optional<std::string> initial;
  if (command.initial_response) {
    auto decoded = auth::decode_initial_response(*command.initial_response);
    if (!decoded) {
      Reply r = make_reply(501, code::kSyntaxError, "Invalid base64 in initial response");
      co_return co_await session.answer(std::move(r));
    }
    initial = std::move(*decoded);
  }
  auth::SaslStep step =
      initial ? mechanism->start(std::string_view(*initial)) : mechanism->start(std::nullopt);
  while (auto* challenge = std::get_if<auth::Challenge>(&step)) {
    Reply r;
    r.code = 334;
    r.lines.push_back(base64::encode(challenge->data));
    if (!co_await session.send(std::move(r))) co_return Next::close;
    auto read = session.reader_.read_line(session.options_.limits.max_auth_line - 2,
                                          session.options_.limits.command_timeout,
                                          session.options_.limits.line_timeout);
    auto line = co_await std::move(read);
    if (!line) {
      if (line.error().kind != ErrorKind::limit)
        co_return co_await session.read_error(line.error());
      Reply too_long = make_reply(500, code::kAuthLineTooLong, "Authentication line too long");
      co_return co_await session.answer(std::move(too_long));
    }
    auto decoded = auth::decode_sasl_line(line->text);
    if (!decoded) {
      Reply bad = make_reply(501, code::kSyntaxError, "Invalid base64 in response");
      co_return co_await session.answer(std::move(bad));
    }
    if (std::holds_alternative<auth::SaslCancel>(*decoded)) {
      Reply cancelled = make_reply(501, proto::EnhancedCode{5, 0, 0}, "Authentication cancelled");
      co_return co_await session.answer(std::move(cancelled));
    }
    step = mechanism->step(std::get<std::string>(*decoded));
  }
  const std::string name(mechanism->name());
  if (auto* check = std::get_if<auth::CheckPassword>(&step))
    co_return co_await check_password(session, name, check->authcid, check->password);
  const auto* failure = std::get_if<auth::Failure>(&step);
  if (failure && failure->error.kind == ErrorKind::invalid) {
    Reply r = make_reply(501, code::kSyntaxError, "Malformed authentication response");
    co_return co_await session.answer(std::move(r));
  }
  if (failure && failure->error.kind == ErrorKind::limit) {
    Reply r = make_reply(500, code::kAuthLineTooLong, "Authentication response too long");
    co_return co_await session.answer(std::move(r));
  }
  // SCRAM is not offered, so only failures (proxy authorisation, internal) end here.
  auto failed = auth_failed(session, name, "");
  co_return co_await std::move(failed);
}

}  // namespace postamt::smtp::server::commands
