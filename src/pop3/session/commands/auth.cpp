#include "auth/sasl.h"
#include "base/base64.h"
#include "pop3/proto/response.h"
#include "pop3/session/commands/commands.h"

namespace postamt::pop3::commands {

net::awaitable<Next> auth(Session& session, proto::Auth command) {
  if (!command.mechanism) {
    std::vector<std::string> names;
    for (auto n :
         auth::offered_mechanisms(session.plaintext_mechanisms(), auth::ScramSupport::disabled))
      names.emplace_back(n);
    std::string listing = proto::multiline("SASL mechanisms follow", names);
    co_return co_await session.reply(std::move(listing));
  }
  auth::MechanismOptions options;
  auto mechanism =
      auth::create_mechanism(*command.mechanism, session.plaintext_mechanisms(), options);
  if (!mechanism) {
    std::string e = proto::err(mechanism.error().kind == ErrorKind::permission
                                   ? std::string(kPlaintextRefused)
                                   : "unsupported authentication mechanism");
    co_return co_await session.reply(std::move(e));
  }
  std::optional<std::string> initial;
  if (command.initial_response) {
    auto decoded = auth::decode_initial_response(*command.initial_response);
    if (!decoded) {
      std::string e = proto::err("initial response is not valid base64");
      co_return co_await session.reply(std::move(e));
    }
    initial = std::move(*decoded);
  }
  auth::SaslStep step = (*mechanism)->start(initial);
  for (;;) {
    if (auto* challenge = std::get_if<auth::Challenge>(&step)) {
      std::string prompt = proto::continuation(base64::encode(challenge->data));
      if (co_await session.reply(std::move(prompt)) == Next::close) co_return Next::close;
      auto line = co_await session.reader_.read_line(session.s_.limits.max_sasl_line_octets,
                                                     session.s_.limits.idle_timeout,
                                                     session.s_.limits.line_timeout);
      if (!line) {
        if (line.error().kind != ErrorKind::limit) co_return Next::close;
        std::string e = proto::err("authentication response too long");
        co_return co_await session.reply(std::move(e));
      }
      auto decoded = auth::decode_sasl_line(line->text);
      if (!decoded) {
        std::string e = proto::err("authentication response is not valid base64");
        co_return co_await session.reply(std::move(e));
      }
      if (std::holds_alternative<auth::SaslCancel>(*decoded)) {
        // RFC 5034 §4: "*" cancels the exchange with -ERR.
        std::string e = proto::err("authentication cancelled");
        co_return co_await session.reply(std::move(e));
      }
      step = (*mechanism)->step(std::get<std::string>(*decoded));
      continue;
    }
    if (auto* check = std::get_if<auth::CheckPassword>(&step)) {
      std::string name((*mechanism)->name());
      co_return co_await login(session, std::move(check->authcid), std::move(check->password),
                               std::move(name));
    }
    if (auto* failure = std::get_if<auth::Failure>(&step)) {
      if (failure->error.kind == ErrorKind::auth_failed ||
          failure->error.kind == ErrorKind::permission) {
        std::string name((*mechanism)->name());
        co_return co_await failed_login(session, std::string(), std::move(name));
      }
      std::string e = proto::err(failure->error.message);
      co_return co_await session.reply(std::move(e));
    }
    // SCRAM is not offered, so no mechanism asks for a verifier or decides by itself.
    std::string e = proto::err("authentication failed", proto::ResponseCode::sys_perm);
    co_return co_await session.reply(std::move(e));
  }
}

}  // namespace postamt::pop3::commands
