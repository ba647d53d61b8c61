#include "smtp/server/session.h"

#include <fmt/format.h>

#include <iterator>
#include <random>
#include <variant>

#include "base/log.h"
#include "base/strings.h"
#include "metrics/catalog.h"
#include "smtp/server/dispatch.h"
#include "smtp/server/session_impl.h"

namespace postamt::smtp::server {

namespace {
constexpr std::string_view kLog = "smtpd";
}

std::string random_queue_id() {
  return delivery::new_queue_id();
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

bool Session::from_trusted_network() const {
  const std::string& ip = connection_->remote().address;
  for (const auto& network : options_.trusted_networks)
    if (network.contains(ip)) return true;
  return false;
}

void Session::log_reject(std::string_view command, const Reply& reply, std::string_view from,
                         std::string_view to) const {
  std::string text = fmt::format("{}", reply.code);
  if (reply.enhanced) text += " " + reply.enhanced->to_string();
  for (const auto& line : reply.lines) text += " " + line;
  std::string envelope = fmt::format("from=<{}>", from);
  if (!to.empty()) envelope += fmt::format(" to=<{}>", to);
  const std::string line =
      fmt::format("reject: {} from {}: {}; {} proto={} helo=<{}>", command, client_name(), text,
                  envelope, greeting_ == Greeting::ehlo ? "ESMTP" : "SMTP", helo_.value_or(""));
  if (transaction_ && !transaction_->recipients.empty())
    log::message(log::Level::info, kLog, transaction_->queue_id, "{}", line);
  else
    log::info(kLog, "NOQUEUE: {}", line);
}

net::awaitable<Result<void>> Session::send(Reply reply) {
  last_reply_code_ = reply.code;
  // The bytes must outlive the awaited write (net/connection.h).
  const std::string wire = proto::encode_reply(reply);
  auto write = connection_->write(wire, options_.limits.command_timeout);
  co_return co_await std::move(write);
}

net::awaitable<Next> Session::answer(Reply reply) {
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
    auto read = reader_.read_line(options_.limits.max_auth_line - 2,
                                  options_.limits.command_timeout, options_.limits.line_timeout);
    auto line = co_await std::move(read);
    Next next = Next::proceed;
    if (!line) {
      next = co_await read_error(line.error());
    } else {
      const metrics::Stopwatch watch;
      command_name_ = "unknown";
      next = co_await handle_line(std::move(*line));
      static constexpr std::string_view kClasses[] = {"1xx", "2xx", "3xx", "4xx", "5xx"};
      const int reply_class = last_reply_code_ / 100;
      metrics::catalog()
          .commands
          .with({"smtp", command_name_,
                 reply_class >= 1 && reply_class <= 5 ? kClasses[reply_class - 1] : "5xx"})
          .observe(watch.seconds());
    }
    if (next == Next::close) break;
  }
  log::info(kLog, "disconnect from {}", client_name());
  connection_->close();
}

net::awaitable<Next> Session::read_error(Error error) {
  if (error.kind == ErrorKind::limit) {
    Reply r = make_reply(500, code::kSyntaxError, "Line too long");
    co_return co_await answer(std::move(r));
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
    co_return co_await answer(std::move(r));
  }
  const bool is_auth = istarts_with(line.text, "AUTH ") || iequals(line.text, "AUTH");
  if (!is_auth && line.text.size() + 2 > options_.limits.max_command_line) {
    Reply r = make_reply(500, code::kSyntaxError, "Line too long");
    co_return co_await answer(std::move(r));
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
    co_return co_await answer(std::move(r));
  }
  // Metric names of the commands, in proto::Command's order.
  static constexpr std::string_view kNames[] = {"EHLO", "HELO", "MAIL",     "RCPT", "DATA",
                                                "BDAT", "RSET", "NOOP",     "QUIT", "VRFY",
                                                "EXPN", "HELP", "STARTTLS", "AUTH"};
  static_assert(std::size(kNames) == std::variant_size_v<proto::Command>);
  command_name_ = kNames[parsed->index()];
  auto dispatched = dispatch(*this, std::move(*parsed));
  co_return co_await std::move(dispatched);
}

auth::PlaintextMechanisms Session::plaintext_mechanisms() const {
  return auth::plaintext_mechanisms(options_.plaintext, connection_->trust());
}

std::string Session::new_queue_id() const {
  return options_.queue_id ? options_.queue_id() : random_queue_id();
}

}  // namespace detail
}  // namespace postamt::smtp::server
