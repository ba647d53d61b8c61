#include "pop3/session/session.h"

// g++ 12 reports -Wmismatched-new-delete for Asio's coroutine frame allocator in large
// coroutines (a false positive: Asio pairs its own operator new/delete).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#include <iterator>
#include <variant>

#include "base/log.h"
#include "mail/flags.h"
#include "metrics/catalog.h"
#include "pop3/proto/response.h"
#include "pop3/session/dispatch.h"
#include "pop3/session/session_impl.h"

namespace postamt::pop3 {
namespace detail {

using proto::ResponseCode;

namespace {

// Metric names of the commands, in proto::Command's order.
constexpr std::string_view kCommandNames[] = {"USER", "PASS", "STAT", "LIST", "RETR",
                                              "DELE", "NOOP", "RSET", "QUIT", "TOP",
                                              "UIDL", "CAPA", "AUTH", "STLS"};
static_assert(std::size(kCommandNames) == std::variant_size_v<proto::Command>);

}  // namespace

net::awaitable<Next> Session::reply(std::string text) {
  if (!command_ok_ && (text.starts_with("+OK") || text.starts_with("-ERR")))
    command_ok_ = text.starts_with("+OK");
  auto written = co_await conn_.write(text, s_.limits.write_timeout);
  if (!written) {
    log::info(ctx_.service, "write to {} failed: {}", remote_ip(), written.error().message);
    co_return Next::close;
  }
  co_return Next::keep_going;
}

net::awaitable<Next> Session::bad_command(std::string text) {
  if (++bad_commands_ >= s_.limits.max_bad_commands) {
    log::info(ctx_.service, "too many bad commands from {}", remote_ip());
    std::string bye = proto::err("too many bad commands, closing connection");
    co_await reply(std::move(bye));
    co_return Next::close;
  }
  co_return co_await reply(std::move(text));
}

void Session::log_end(std::string_view how) const {
  if (account_)
    log::info(ctx_.service, "disconnect from {}: {}, user=<{}> retr={} deleted={}", remote_ip(),
              how, account_->address, retrieved_, expunged_);
  else
    log::info(ctx_.service, "disconnect from {}: {}", remote_ip(), how);
}

net::awaitable<void> Session::run() {
  if (ctx_.admission != net::Admission::accepted) {
    log::info(ctx_.service, "refused {}: too many connections", remote_ip());
    std::string refusal = proto::err("too many connections", ResponseCode::sys_temp);
    co_await reply(std::move(refusal));
    co_return;
  }
  log::info(ctx_.service, "connect from {}{}", remote_ip(), conn_.is_tls() ? " (TLS)" : "");
  std::string greeting = proto::ok("Postamt POP3 server ready");
  if (co_await reply(std::move(greeting)) == Next::close) co_return;

  // The limit counts the CRLF (RFC 2449 §4); LineReader's max_bytes does not.
  const size_t max_text = s_.limits.max_command_line_octets - 2;
  const auto login_deadline = std::chrono::steady_clock::now() + s_.limits.login_timeout;
  for (;;) {
    if (conn_.shutdown_requested()) break;
    // Before login the wait ends at the login deadline, which traffic does not move.
    const auto started = std::chrono::steady_clock::now();
    net::Duration wait = s_.limits.idle_timeout;
    if (state_ == State::authorization)
      wait = std::min(wait, std::chrono::duration_cast<net::Duration>(login_deadline - started));
    auto line = co_await reader_.read_line(max_text, wait, s_.limits.line_timeout);
    if (!line) {
      ErrorKind kind = line.error().kind;
      if (kind == ErrorKind::limit) {
        std::string e = proto::err("command line too long");
        if (co_await bad_command(std::move(e)) == Next::close) {
          log_end("too many bad commands");
          co_return;
        }
        continue;
      }
      if (conn_.shutdown_requested()) break;
      if (kind == ErrorKind::timeout) {
        // RFC 1939 §3: autologout; the session does not enter UPDATE.
        const auto now = std::chrono::steady_clock::now();
        std::string_view why = "idle timeout";
        std::string e = proto::err("autologout: idle for too long");
        // Which deadline ended the wait: the login deadline when it capped the wait (or
        // has passed), the line's when a line had begun, else the idle timeout.
        const bool login_bound = state_ == State::authorization && wait < s_.limits.idle_timeout;
        if (state_ == State::authorization &&
            (now >= login_deadline || (login_bound && reader_.buffered() == 0))) {
          why = "login timeout";
          e = proto::err("login time exceeded, closing connection");
        } else if (reader_.buffered() > 0) {
          why = "line timeout";
          e = proto::err("command line not completed in time, closing connection");
        }
        co_await reply(std::move(e));
        log_end(why);
        co_return;
      }
      if (kind == ErrorKind::invalid) {
        std::string e = proto::err("command line too long, closing connection");
        co_await reply(std::move(e));
      }
      log_end(line.error().message);
      co_return;
    }
    auto command = proto::parse_command(line->text);
    Next next = Next::keep_going;
    const metrics::Stopwatch watch;
    const std::string_view name = command ? kCommandNames[command->index()] : "unknown";
    command_ok_.reset();
    if (!command) {
      std::string e = proto::err(command.error().message);
      next = co_await bad_command(std::move(e));
    } else {
      auto dispatched = dispatch(*this, std::move(*command));
      next = co_await std::move(dispatched);
    }
    metrics::catalog()
        .commands.with({"pop3", name, command_ok_.value_or(false) ? "ok" : "err"})
        .observe(watch.seconds());
    if (next == Next::close) {
      log_end("closed");
      co_return;
    }
  }
  std::string bye = proto::err("server shutting down", ResponseCode::sys_temp);
  co_await reply(std::move(bye));
  log_end("server shutting down");
}

net::awaitable<void> Session::flag_retrieved(DeletedMessages deleted) {
  if (seen_flagged_ || !maildrop_) co_return;
  seen_flagged_ = true;
  std::vector<Uid> uids = maildrop_->retrieved_uids(deleted);
  if (uids.empty()) co_return;
  // So that IMAP shows the messages as read. A message expunged meanwhile is simply
  // not there to flag.
  store::Store* store = s_.store;
  MailboxId mailbox = maildrop_->mailbox();
  auto flagged_work = [store, mailbox, uids]() {
    return mail::add_system_flags(*store, mailbox, uids, SystemFlags{SystemFlag::seen});
  };
  auto flagged_task = s_.runtime->run_blocking(std::move(flagged_work));
  auto flagged = co_await std::move(flagged_task);
  if (!flagged)
    log::warning(ctx_.service, "user=<{}>: cannot set \\Seen on {} retrieved messages: {}",
                 account_->address, uids.size(), flagged.error().message);
}

net::awaitable<void> Session::release_lock() {
  if (!lock_) co_return;
  MaildropLock* lock = &*lock_;
  auto released_task = s_.runtime->run_blocking([lock] { return lock->release(); });
  auto released = co_await std::move(released_task);
  lock_.reset();
  if (!released)
    log::warning(ctx_.service, "user=<{}>: releasing the maildrop lock failed, retried later: {}",
                 account_->address, released.error().message);
}

net::awaitable<void> Session::finish() {
  co_await flag_retrieved(DeletedMessages::include);
  co_await release_lock();
}

}  // namespace detail

net::awaitable<void> run_session(net::Connection& connection, net::SessionContext context,
                                 const Services* services) {
  detail::Session session(connection, std::move(context), *services);
  co_await session.run();
  co_await session.finish();
}

}  // namespace postamt::pop3
