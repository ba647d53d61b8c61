#include "smtp/server/session.h"

#include <fmt/format.h>

#include <random>

#include "auth/auth_log.h"
#include "auth/password.h"
#include "auth/sasl.h"
#include "base/base64.h"
#include "base/log.h"
#include "base/strings.h"
#include "mail/login.h"
#include "smtp/server/session_impl.h"

namespace postamt::smtp::server {

namespace {
constexpr std::string_view kLog = "smtpd";
}

std::string random_queue_id() {
  static constexpr std::string_view kAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  thread_local std::mt19937_64 generator{std::random_device{}()};
  std::uniform_int_distribution<size_t> pick(0, kAlphabet.size() - 1);
  std::string id(12, '0');
  for (char& c : id) c = kAlphabet[pick(generator)];
  return id;
}

net::awaitable<void> run_session(std::unique_ptr<net::Connection> connection,
                                 net::SessionContext context, Services services, Options options) {
  detail::Session session(std::move(connection), std::move(context), services, std::move(options));
  co_await session.run();
}

namespace detail {

using proto::make_reply;
namespace code = proto::code;

Session::Session(std::unique_ptr<net::Connection> connection, net::SessionContext context,
                 Services services, Options options)
    : connection_(std::move(connection)),
      context_(std::move(context)),
      services_(services),
      options_(std::move(options)),
      reader_(*connection_) {}

std::string Session::client_name() const {
  return fmt::format("unknown[{}]", connection_->remote().address);
}

net::awaitable<Result<void>> Session::send(Reply reply) {
  // The bytes must outlive the awaited write (net/connection.h).
  const std::string wire = proto::encode_reply(reply);
  auto write = connection_->write(wire, options_.limits.command_timeout);
  co_return co_await std::move(write);
}

net::awaitable<Next> Session::send_counting(Reply reply) {
  const bool failure = reply.code >= 400;
  auto sent = co_await send(std::move(reply));
  if (!sent) co_return Next::close;
  if (failure && ++errors_ >= options_.limits.max_errors) {
    log::info(kLog, "too many errors from {}", client_name());
    Reply bye = make_reply(421, code::kTempAuthFailure,
                           fmt::format("{} Error: too many errors", options_.hostname));
    co_await send(std::move(bye));
    co_return Next::close;
  }
  co_return Next::proceed;
}

net::awaitable<void> Session::run() {
  if (context_.admission != net::Admission::accepted) {
    // RFC 5321 §3.8: 421 when the service is not available for this client.
    Reply busy = make_reply(421, code::kTempAuthFailure,
                            fmt::format("{} Error: too many connections", options_.hostname));
    co_await send(std::move(busy));
    connection_->close();
    co_return;
  }
  log::info(kLog, "connect from {}", client_name());
  Reply greeting;
  greeting.code = 220;
  greeting.lines.push_back(fmt::format("{} ESMTP Postamt", options_.hostname));
  auto sent = co_await send(std::move(greeting));
  while (sent) {
    // Room for an AUTH line (RFC 4954 §4); other commands are held to max_command_line.
    auto read =
        reader_.read_line(options_.limits.max_auth_line - 2, options_.limits.command_timeout);
    auto line = co_await std::move(read);
    Next next = Next::proceed;
    if (!line) {
      next = co_await read_error(line.error());
    } else {
      next = co_await handle_line(std::move(*line));
    }
    if (next == Next::close) break;
  }
  log::info(kLog, "disconnect from {}", client_name());
  connection_->close();
}

net::awaitable<Next> Session::read_error(Error error) {
  if (error.kind == ErrorKind::limit) {
    Reply r = make_reply(500, code::kSyntaxError, "Line too long");
    co_return co_await send_counting(std::move(r));
  }
  if (connection_->shutdown_requested()) {
    Reply r = make_reply(
        421, code::kShuttingDown,
        fmt::format("{} Service shutting down, closing transmission channel", options_.hostname));
    co_await send(std::move(r));
  } else if (error.kind == ErrorKind::timeout) {
    log::info(kLog, "timeout after command from {}", client_name());
    Reply r = make_reply(421, proto::EnhancedCode{4, 4, 2},
                         fmt::format("{} Error: timeout exceeded", options_.hostname));
    co_await send(std::move(r));
  } else if (error.kind == ErrorKind::invalid) {
    Reply r = make_reply(421, code::kSyntaxError,
                         fmt::format("{} Error: line too long, closing", options_.hostname));
    co_await send(std::move(r));
  }
  co_return Next::close;
}

net::awaitable<Next> Session::handle_line(net::Line line) {
  if (line.ending == net::LineEnding::bare_lf) {
    // RFC 5321 §2.3.8: commands end with CRLF; a bare LF is refused, not guessed at.
    Reply r = make_reply(500, code::kSyntaxError, "Command line must end with CRLF");
    co_return co_await send_counting(std::move(r));
  }
  const bool is_auth = istarts_with(line.text, "AUTH ") || iequals(line.text, "AUTH");
  if (!is_auth && line.text.size() + 2 > options_.limits.max_command_line) {
    Reply r = make_reply(500, code::kSyntaxError, "Line too long");
    co_return co_await send_counting(std::move(r));
  }
  proto::ParseOptions parse;
  parse.offered.size = true;
  parse.offered.body_8bitmime = true;
  parse.offered.smtputf8 = true;
  parse.offered.dsn = true;
  parse.offered.auth = true;
  if (transaction_ && transaction_->params.smtputf8)
    parse.utf8_recipients = proto::Utf8Addresses::accepted;
  auto parsed = proto::parse_command(line.text, parse);
  if (!parsed) {
    Reply r = proto::error_reply(parsed.error());
    co_return co_await send_counting(std::move(r));
  }
  co_return co_await dispatch(std::move(*parsed));
}

net::awaitable<Next> Session::dispatch(proto::Command command) {
  Reply reply;
  if (auto* ehlo = std::get_if<proto::Ehlo>(&command)) {
    reply = on_ehlo(*ehlo);
  } else if (auto* helo = std::get_if<proto::Helo>(&command)) {
    reply = on_helo(*helo);
  } else if (auto* mail = std::get_if<proto::Mail>(&command)) {
    reply = co_await on_mail(std::move(*mail));
  } else if (auto* rcpt = std::get_if<proto::Rcpt>(&command)) {
    reply = co_await on_rcpt(std::move(*rcpt));
  } else if (std::holds_alternative<proto::Data>(command)) {
    co_return co_await on_data();
  } else if (auto* bdat = std::get_if<proto::Bdat>(&command)) {
    co_return co_await on_bdat(*bdat);
  } else if (std::holds_alternative<proto::Rset>(command)) {
    reset_transaction();
    reply = make_reply(250, code::kOk, "Ok");
  } else if (std::holds_alternative<proto::Noop>(command)) {
    reply = make_reply(250, code::kOk, "Ok");
  } else if (std::holds_alternative<proto::Quit>(command)) {
    Reply bye = make_reply(221, code::kOk, "Bye");
    co_await send(std::move(bye));
    co_return Next::close;
  } else if (std::holds_alternative<proto::Vrfy>(command)) {
    // RFC 5321 §3.5.3: 252 without disclosing whether the user exists.
    reply = make_reply(252, code::kCannotVerify,
                       "Cannot VRFY user, but will accept message and attempt delivery");
  } else if (std::holds_alternative<proto::Expn>(command)) {
    reply = make_reply(502, code::kBadCommand, "EXPN is not supported");
  } else if (std::holds_alternative<proto::Help>(command)) {
    reply = make_reply(214, code::kOk,
                       "Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP "
                       "STARTTLS AUTH");
  } else if (std::holds_alternative<proto::Starttls>(command)) {
    co_return co_await on_starttls();
  } else if (auto* auth = std::get_if<proto::Auth>(&command)) {
    co_return co_await on_auth(std::move(*auth));
  }
  co_return co_await send_counting(std::move(reply));
}

auth::PlaintextMechanisms Session::plaintext_mechanisms() const {
  return auth::plaintext_mechanisms(options_.plaintext, connection_->trust());
}

Reply Session::on_ehlo(const proto::Ehlo& ehlo) {
  // RFC 5321 §4.1.4: EHLO resets the mail transaction.
  reset_transaction();
  helo_ = ehlo.domain;
  greeting_ = Greeting::ehlo;
  proto::ServerExtensions ext;
  ext.size = options_.limits.max_message_size;
  ext.chunking = true;
  ext.smtputf8 = true;
  ext.dsn = true;
  ext.starttls = !is_tls() && options_.starttls == StartTlsOffer::offered;
  if (plaintext_mechanisms() == auth::PlaintextMechanisms::allowed && !user_) {
    for (auto name :
         auth::offered_mechanisms(auth::PlaintextMechanisms::allowed, auth::ScramSupport::disabled))
      ext.auth_mechanisms.emplace_back(name);
  }
  return proto::ehlo_reply(options_.hostname, "Hello " + ehlo.domain, ext);
}

Reply Session::on_helo(const proto::Helo& helo) {
  reset_transaction();
  helo_ = helo.domain;
  greeting_ = Greeting::helo;
  Reply r;
  r.code = 250;
  r.lines.push_back(options_.hostname);
  return r;
}

net::awaitable<Next> Session::on_starttls() {
  if (is_tls()) {
    Reply r = make_reply(503, code::kBadCommand, "TLS is already active");
    co_return co_await send_counting(std::move(r));
  }
  if (options_.starttls != StartTlsOffer::offered) {
    Reply r = make_reply(454, code::kTempAuthFailure, "TLS not available");
    co_return co_await send_counting(std::move(r));
  }
  Reply ready = make_reply(220, code::kOk, "Ready to start TLS");
  auto sent = co_await send(std::move(ready));
  if (!sent) co_return Next::close;
  // RFC 3207 §4.2 (CVE-2011-0411): bytes pipelined after STARTTLS arrived in plaintext.
  const size_t dropped = reader_.discard_buffered();
  if (dropped != 0)
    log::info(kLog, "discarded {} bytes pipelined after STARTTLS from {}", dropped, client_name());
  auto handshake = connection_->start_tls(options_.limits.tls_timeout);
  auto done = co_await std::move(handshake);
  if (!done) {
    log::info(kLog, "STARTTLS failed from {}: {}", client_name(), done.error().message);
    co_return Next::close;
  }
  // RFC 3207 §4.2: forget everything learnt before the handshake.
  helo_.reset();
  user_.reset();
  reset_transaction();
  co_return Next::proceed;
}

net::awaitable<Next> Session::on_auth(proto::Auth command) {
  if (!helo_ || greeting_ != Greeting::ehlo) {
    Reply r = make_reply(503, code::kBadCommand, "Send EHLO first");
    co_return co_await send_counting(std::move(r));
  }
  if (user_) {
    Reply r = make_reply(503, code::kBadCommand, "Already authenticated");
    co_return co_await send_counting(std::move(r));
  }
  if (transaction_) {
    Reply r = make_reply(503, code::kBadCommand, "AUTH is not allowed during a mail transaction");
    co_return co_await send_counting(std::move(r));
  }
  auto created =
      auth::create_mechanism(command.mechanism, plaintext_mechanisms(), auth::MechanismOptions{});
  if (!created) {
    Reply r = created.error().kind == ErrorKind::permission
                  ? make_reply(538, code::kEncryptionRequired,
                               "Encryption required for requested authentication mechanism")
                  : make_reply(504, code::kBadArguments, "Unrecognized authentication type");
    co_return co_await send_counting(std::move(r));
  }
  auto mechanism = std::move(*created);
  std::optional<std::string> initial;
  if (command.initial_response) {
    auto decoded = auth::decode_initial_response(*command.initial_response);
    if (!decoded) {
      Reply r = make_reply(501, code::kSyntaxError, "Invalid base64 in initial response");
      co_return co_await send_counting(std::move(r));
    }
    initial = std::move(*decoded);
  }
  auth::SaslStep step =
      initial ? mechanism->start(std::string_view(*initial)) : mechanism->start(std::nullopt);
  while (auto* challenge = std::get_if<auth::Challenge>(&step)) {
    Reply r;
    r.code = 334;
    r.lines.push_back(base64::encode(challenge->data));
    if (!co_await send(std::move(r))) co_return Next::close;
    auto read =
        reader_.read_line(options_.limits.max_auth_line - 2, options_.limits.command_timeout);
    auto line = co_await std::move(read);
    if (!line) {
      if (line.error().kind != ErrorKind::limit) co_return co_await read_error(line.error());
      Reply too_long = make_reply(500, code::kAuthLineTooLong, "Authentication line too long");
      co_return co_await send_counting(std::move(too_long));
    }
    auto decoded = auth::decode_sasl_line(line->text);
    if (!decoded) {
      Reply bad = make_reply(501, code::kSyntaxError, "Invalid base64 in response");
      co_return co_await send_counting(std::move(bad));
    }
    if (std::holds_alternative<auth::SaslCancel>(*decoded)) {
      Reply cancelled = make_reply(501, proto::EnhancedCode{5, 0, 0}, "Authentication cancelled");
      co_return co_await send_counting(std::move(cancelled));
    }
    step = mechanism->step(std::get<std::string>(*decoded));
  }
  const std::string name(mechanism->name());
  if (auto* check = std::get_if<auth::CheckPassword>(&step))
    co_return co_await check_password(name, check->authcid, check->password);
  const auto* failure = std::get_if<auth::Failure>(&step);
  if (failure && failure->error.kind == ErrorKind::invalid) {
    Reply r = make_reply(501, code::kSyntaxError, "Malformed authentication response");
    co_return co_await send_counting(std::move(r));
  }
  if (failure && failure->error.kind == ErrorKind::limit) {
    Reply r = make_reply(500, code::kAuthLineTooLong, "Authentication response too long");
    co_return co_await send_counting(std::move(r));
  }
  // SCRAM is not offered, so only failures (proxy authorisation, internal) end here.
  co_return co_await auth_failed(name, "");
}

net::awaitable<Next> Session::check_password(std::string mechanism, std::string authcid,
                                             std::string password) {
  store::Store* store = services_.store;
  auto lookup =
      services_.runtime->run_blocking([store, authcid, password]() -> Result<std::string> {
        auto account = mail::verify_login(*store, authcid, password);
        if (!account) return account.error();
        return account->address;
      });
  auto verified = co_await std::move(lookup);
  if (!verified) {
    if (verified.error().kind == ErrorKind::temporary || verified.error().kind == ErrorKind::io) {
      log::warning(kLog, "auth lookup failed for {}: {}", client_name(), verified.error().message);
      Reply r = make_reply(454, code::kTempAuthFailure, "Temporary authentication failure");
      co_return co_await send_counting(std::move(r));
    }
    co_return co_await auth_failed(mechanism, authcid);
  }
  services_.auth_failures->record_success(connection_->remote().address, authcid);
  user_ = std::move(*verified);
  log::info(kLog, "{}: sasl_method={}, sasl_username={}", client_name(), mechanism, *user_);
  Reply ok = make_reply(235, code::kAuthSucceeded, "Authentication successful");
  co_return co_await send_counting(std::move(ok));
}

net::awaitable<Next> Session::auth_failed(std::string mechanism, std::string user) {
  auth::log_auth_failure(context_.service, user, connection_->remote().address, mechanism);
  const auto delay = services_.auth_failures->record_failure(connection_->remote().address, user);
  if (delay.count() > 0) {
    auto wait = net::sleep(delay);
    co_await std::move(wait);
  }
  Reply r = make_reply(535, code::kBadCredentials, "Authentication credentials invalid");
  co_return co_await send_counting(std::move(r));
}

}  // namespace detail
}  // namespace postamt::smtp::server
