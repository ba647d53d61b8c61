#include "base/log.h"
#include "smtp/server/commands/commands.h"

namespace postamt::smtp::server::commands {

net::awaitable<Next> starttls(Session& session, proto::Starttls) {
  namespace code = proto::code;
  if (session.is_tls()) {
    auto answered =
        session.answer(proto::make_reply(503, code::kBadCommand, "TLS is already active"));
    co_return co_await std::move(answered);
  }
  if (session.options_.starttls != StartTlsOffer::offered) {
    auto answered =
        session.answer(proto::make_reply(454, code::kTempAuthFailure, "TLS not available"));
    co_return co_await std::move(answered);
  }
  auto sent = session.send(proto::make_reply(220, code::kOk, "Ready to start TLS"));
  if (!co_await std::move(sent)) co_return Next::close;
  // RFC 3207 §4.2 (CVE-2011-0411): bytes pipelined after STARTTLS arrived in plaintext.
  const size_t dropped = session.reader_.discard_buffered();
  if (dropped != 0)
    log::info("smtpd", "discarded {} bytes pipelined after STARTTLS from {}", dropped,
              session.client_name());
  auto handshake = session.connection_->start_tls(session.options_.limits.tls_timeout);
  auto done = co_await std::move(handshake);
  if (!done) {
    log::info("smtpd", "STARTTLS failed from {}: {}", session.client_name(), done.error().message);
    co_return Next::close;
  }
  // RFC 3207 §4.2: forget everything learnt before the handshake.
  session.helo_.reset();
  session.user_.reset();
  session.reset_transaction();
  co_return Next::proceed;
}

}  // namespace postamt::smtp::server::commands
