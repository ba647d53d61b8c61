#include "base/log.h"
#include "pop3/proto/response.h"
#include "pop3/session/commands/commands.h"

namespace postamt::pop3::commands {

net::awaitable<Next> stls(Session& session, proto::Stls) {
  if (session.conn_.is_tls()) {
    std::string e = proto::err("TLS is already active");
    co_return co_await session.reply(std::move(e));
  }
  if (session.s_.stls == StlsSupport::unavailable) {
    std::string e = proto::err("TLS is not available");
    co_return co_await session.reply(std::move(e));
  }
  std::string ok = proto::ok("begin TLS negotiation");
  if (co_await session.reply(std::move(ok)) == Next::close) co_return Next::close;
  // RFC 2595 §4 / CVE-2011-0411: commands pipelined after STLS arrived in plaintext and
  // must not be run as if they came over TLS.
  size_t dropped = session.reader_.discard_buffered();
  if (dropped)
    log::info(session.ctx_.service, "dropped {} plaintext bytes pipelined after STLS from {}",
              dropped, session.remote_ip());
  auto tls = co_await session.conn_.start_tls(session.s_.limits.tls_handshake_timeout);
  if (!tls) {
    log::info(session.ctx_.service, "TLS handshake with {} failed: {}", session.remote_ip(),
              tls.error().message);
    co_return Next::close;
  }
  session.user_.reset();
  co_return Next::keep_going;
}

}  // namespace postamt::pop3::commands
