#include "http/server.h"

// g++ 12 reports -Wmismatched-new-delete for Asio's coroutine frame allocator in large
// coroutines (a false positive: Asio pairs its own operator new/delete).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

// One of the two files that include Beast, with response.cpp (docs/architecture.md, Build
// time).
#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <exception>
#include <limits>
#include <optional>

#include "base/log.h"
#include "base/strings.h"
#include "http/wire.h"

namespace postamt::http {
namespace {

namespace bhttp = boost::beast::http;
using Parser = bhttp::request_parser<bhttp::string_body>;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// How long one BodyStream::next may wait before the session looks at shutdown again.
constexpr net::Duration kStreamPollWait = 1s;
// Octets asked of the connection per read.
constexpr size_t kReadChunk = 16 * 1024;
// Bodies up to this size go out in the same write as the head.
constexpr size_t kSingleWriteBody = 16 * 1024;

enum class Persistence { keep_alive, close };

// What reading one request ended with.
struct Incoming {
  enum class Kind { request, refusal, closed };
  Kind kind = Kind::closed;
  Request request;
  unsigned version = 11;  // 10 * major + minor, as Beast reports it
  Persistence persistence = Persistence::close;
  bool head_parsed = false;  // request.method and .path are known
  int status = 0;            // refusal: what to answer
  std::string detail;        // refusal: why, for the client and the log
};

// The request facts the access log needs after the request itself went to the handler.
struct LogLine {
  std::string method;
  std::string path;
  unsigned version = 11;
  bool head_parsed = false;
};

Response problem_response(int status, std::string_view detail) {
  Response r;
  r.status = status;
  r.headers.push_back({"Content-Type", "application/problem+json"});
  r.body = detail::problem_json(status, detail);
  return r;
}

// Statuses whose responses never carry content (RFC 9110 §15.3.5, §15.4.5).
bool without_content(int status) {
  return status == 204 || status == 304;
}

// Beast refuses every version but 1.0 and 1.1 as malformed; a well-formed other one
// deserves 505 (RFC 9110 §15.6.6). `pending` starts with the request line.
bool unsupported_version(std::string_view pending) {
  size_t end = pending.find("\r\n");
  if (end == std::string_view::npos) return false;
  auto version = detail::request_line_version(pending.substr(0, end));
  return version && *version != 10 && *version != 11;
}

class Session {
 public:
  Session(net::Connection& conn, net::SessionContext context, const Services& services)
      : conn_(conn), ctx_(std::move(context)), s_(services) {}

  net::awaitable<void> run();

 private:
  enum class ReadStep { got_bytes, timed_out, closed };

  net::awaitable<ReadStep> read_more(std::optional<Clock::time_point> deadline);
  net::awaitable<Incoming> read_request();
  net::awaitable<Incoming> read_body(Parser& parser, Incoming in,
                                     std::optional<Clock::time_point> deadline);
  // Answers one complete request; returns whether the connection stays open.
  net::awaitable<Persistence> answer(Incoming in);
  net::awaitable<Response> call_handler(Request request, LogLine line);
  net::awaitable<Persistence> send(Response response, LogLine line, Persistence persistence);
  net::awaitable<size_t> send_stream(BodyStream& stream, unsigned version);
  net::awaitable<void> run_upgraded(Upgraded& upgraded);
  net::awaitable<bool> write(std::string_view data);
  void log_access(const LogLine& line, int status, size_t body_bytes, std::string_view user) const;
  const std::string& remote_ip() const { return conn_.remote().address; }

  net::Connection& conn_;
  net::SessionContext ctx_;
  const Services& s_;
  std::string buffer_;  // received, not yet parsed: the rest of a request or the next one
  std::array<char, kReadChunk> chunk_{};
};

net::awaitable<bool> Session::write(std::string_view data) {
  auto written = co_await conn_.write(data, s_.limits.write_timeout);
  if (!written) {
    log::info(ctx_.service, "write to {} failed: {}", remote_ip(), written.error().message);
    co_return false;
  }
  co_return true;
}

net::awaitable<Session::ReadStep> Session::read_more(std::optional<Clock::time_point> deadline) {
  net::Duration timeout = s_.limits.idle_timeout;
  if (deadline) {
    auto now = Clock::now();
    if (now >= *deadline) co_return ReadStep::timed_out;
    timeout = *deadline - now;
  }
  auto got = co_await conn_.read_some(std::span<char>(chunk_.data(), chunk_.size()), timeout);
  if (!got) {
    if (got.error().kind == ErrorKind::timeout) co_return ReadStep::timed_out;
    co_return ReadStep::closed;
  }
  buffer_.append(chunk_.data(), *got);
  co_return ReadStep::got_bytes;
}

net::awaitable<Incoming> Session::read_request() {
  Incoming in;
  auto refuse = [&in](int status, std::string detail) {
    in.kind = Incoming::Kind::refusal;
    in.status = status;
    in.detail = std::move(detail);
    in.persistence = Persistence::close;
  };
  Parser parser;
  parser.header_limit(static_cast<std::uint32_t>(
      std::min<size_t>(s_.limits.max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
  // The handler chooses the body limit once it has seen the head (below).
  parser.body_limit(boost::none);
  parser.eager(false);

  // Pipelined bytes already started this request.
  std::optional<Clock::time_point> deadline;
  size_t head_bytes = 0;
  while (!parser.is_header_done()) {
    if (head_bytes == 0) {
      // RFC 9112 §2.2: empty lines before a request line are ignored.
      size_t blank = buffer_.find_first_not_of("\r\n");
      buffer_.erase(0, blank == std::string::npos ? buffer_.size() : blank);
    }
    if (!buffer_.empty()) {
      if (!deadline) deadline = Clock::now() + s_.limits.request_timeout;
      boost::beast::error_code ec;
      size_t used = parser.put(boost::asio::buffer(buffer_.data(), buffer_.size()), ec);
      buffer_.erase(0, used);
      head_bytes += used;
      if (ec == bhttp::error::header_limit) {
        refuse(431, "the request head is over the size limit");
        co_return in;
      }
      if (ec == bhttp::error::bad_version && unsupported_version(buffer_)) {
        refuse(505, "only HTTP/1.0 and HTTP/1.1 are supported");
        co_return in;
      }
      if (ec && ec != bhttp::error::need_more) {
        refuse(400, ec.message());
        co_return in;
      }
      if (parser.is_header_done()) break;
      if (head_bytes + buffer_.size() > s_.limits.max_header_bytes) {
        refuse(431, "the request head is over the size limit");
        co_return in;
      }
    }
    ReadStep step = co_await read_more(deadline);
    if (step == ReadStep::timed_out && deadline) {
      refuse(408, "the request was not complete in time");
      co_return in;
    }
    if (step != ReadStep::got_bytes) co_return in;  // idle or gone: close without a word
  }

  const auto& msg = parser.get();
  Request& request = in.request;
  request.method = std::string(msg.method_string());
  request.target = std::string(msg.target());
  detail::split_target(request.target, request.path, request.query);
  for (const auto& field : msg)
    request.headers.push_back({std::string(field.name_string()), std::string(field.value())});
  in.head_parsed = true;
  in.version = msg.version();  // 10 or 11: Beast takes no other
  request.version = in.version;
  // RFC 9112 §3.2: exactly one Host in an HTTP/1.1 request.
  if (in.version >= 11 && msg.count(bhttp::field::host) != 1) {
    refuse(400, "an HTTP/1.1 request needs exactly one Host field");
    co_return in;
  }
  if (auto coding = request.header("Transfer-Encoding")) {
    // RFC 9112 §6.1, §6.3: chunked must be the final coding; no other is understood.
    if (!parser.chunked()) {
      refuse(400, "chunked must be the final transfer coding");
      co_return in;
    }
    if (!iequals(trim(*coding), "chunked") || msg.count(bhttp::field::transfer_encoding) != 1) {
      refuse(501, "no transfer coding but chunked is supported");
      co_return in;
    }
  }
  in.persistence = parser.keep_alive() ? Persistence::keep_alive : Persistence::close;
  co_return co_await read_body(parser, std::move(in), deadline);
}

net::awaitable<Incoming> Session::read_body(Parser& parser, Incoming in,
                                            std::optional<Clock::time_point> deadline) {
  auto refuse = [&in](int status, std::string detail) {
    in.kind = Incoming::Kind::refusal;
    in.status = status;
    in.detail = std::move(detail);
    in.persistence = Persistence::close;
  };
  size_t limit = 0;
  try {
    limit = s_.handler->body_limit(in.request);
  } catch (const std::exception& e) {
    log::error(ctx_.service, "body_limit failed for {} {}: {}", in.request.method, in.request.path,
               e.what());
    refuse(500, "the server could not handle the request");
    co_return in;
  }
  if (auto length = parser.content_length(); length && *length > limit) {
    refuse(413, fmt::format("the body of {} octets is over the limit of {}", *length, limit));
    co_return in;
  }
  // RFC 9110 §10.1.1: 100 only to HTTP/1.1 clients, and only when the body is wanted.
  auto expect = in.request.header("Expect");
  if (expect && in.version >= 11 && !parser.is_done() &&
      detail::has_token(*expect, "100-continue")) {
    if (!co_await write("HTTP/1.1 100 Continue\r\n\r\n")) {
      in.kind = Incoming::Kind::closed;
      co_return in;
    }
  }
  parser.body_limit(static_cast<std::uint64_t>(limit));
  parser.eager(true);
  // After need_more inside a chunk header or trailer, Beast (1.81, parse_chunk_header)
  // asserts that the next offer holds at least 5 octets ("0\r\n\r\n"); a last chunk and
  // its trailer are never shorter, so waiting for them costs nothing.
  size_t offer_at = 1;
  while (!parser.is_done()) {
    if (buffer_.size() >= offer_at) {
      boost::beast::error_code ec;
      size_t used = parser.put(boost::asio::buffer(buffer_.data(), buffer_.size()), ec);
      buffer_.erase(0, used);
      offer_at = ec == bhttp::error::need_more ? std::max<size_t>(5, buffer_.size() + 1) : 1;
      if (ec == bhttp::error::body_limit) {
        refuse(413, fmt::format("the body is over the limit of {} octets", limit));
        co_return in;
      }
      if (ec && ec != bhttp::error::need_more) {
        refuse(400, ec.message());
        co_return in;
      }
      if (parser.is_done()) break;
    }
    ReadStep step = co_await read_more(deadline);
    if (step == ReadStep::timed_out) {
      refuse(408, "the request was not complete in time");
      co_return in;
    }
    if (step == ReadStep::closed) {
      in.kind = Incoming::Kind::closed;
      co_return in;
    }
  }
  in.request.body = std::move(parser.get().body());
  in.kind = Incoming::Kind::request;
  co_return in;
}

net::awaitable<Response> Session::call_handler(Request request, LogLine line) {
  std::optional<Response> response;
  std::string failure;
  try {
    Peer peer{conn_.remote(), ctx_.service, conn_.trust()};
    auto task = s_.handler->handle(std::move(request), std::move(peer));
    response.emplace(co_await std::move(task));
  } catch (const std::exception& e) {
    failure = e.what();
  } catch (...) {
    failure = "unknown exception";
  }
  if (response) {
    const bool switching = response->status == 101;
    if ((response->status < 200 && !switching) || response->status > 599)
      failure = fmt::format("status {} out of range", response->status);
    if (switching != (response->upgrade != nullptr))
      failure = "a 101 response needs an upgraded protocol and only it may have one";
    // RFC 9110 §7.8: an Upgrade in an HTTP/1.0 request is ignored.
    if (switching && line.version < 11) failure = "a 101 response to an HTTP/1.0 request";
    for (const auto& h : response->headers)
      if (!detail::valid_field_name(h.name) || !detail::valid_field_value(h.value))
        failure = "a header field with an invalid name or value";
  }
  if (!failure.empty()) {
    log::error(ctx_.service, "handler failed for {} {}: {}", line.method, line.path, failure);
    co_return problem_response(500, "the server could not handle the request");
  }
  co_return std::move(*response);
}

net::awaitable<Persistence> Session::answer(Incoming in) {
  LogLine line{in.request.method, in.request.path, in.version, true};
  std::optional<std::string> origin;
  if (!s_.cors_origins.empty()) origin = detail::allowed_origin(in.request, s_.cors_origins);
  Response response;
  if (origin && detail::is_preflight(in.request)) {
    // Fetch standard, CORS protocol: the session answers an allowed preflight itself.
    response.status = 204;
    response.with("Access-Control-Allow-Origin", *origin)
        .with("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
        .with("Access-Control-Allow-Headers", "Authorization, Content-Type, Accept")
        .with("Access-Control-Max-Age", "600")
        .with("Vary", "Origin");
  } else {
    auto task = call_handler(std::move(in.request), line);
    response = co_await std::move(task);
    if (origin) response.with("Access-Control-Allow-Origin", *origin).with("Vary", "Origin");
  }
  co_return co_await send(std::move(response), line, in.persistence);
}

net::awaitable<Persistence> Session::send(Response response, LogLine line,
                                          Persistence persistence) {
  auto now = s_.wall_clock ? s_.wall_clock() : std::chrono::system_clock::now();
  std::vector<Header> fields;
  fields.push_back({"Date", detail::http_date(now)});
  const bool upgrading = response.upgrade != nullptr;
  for (auto& h : response.headers) {
    // The session frames the message; a handler's Connection: close is honoured. A 101
    // keeps the handler's Connection: Upgrade (RFC 9110 §7.8).
    if (iequals(h.name, "Connection") && !upgrading) {
      if (detail::has_token(h.value, "close")) persistence = Persistence::close;
      continue;
    }
    if (iequals(h.name, "Content-Length") || iequals(h.name, "Transfer-Encoding") ||
        iequals(h.name, "Date") || iequals(h.name, "Keep-Alive"))
      continue;
    fields.push_back(std::move(h));
  }
  detail::add_security_headers(
      fields, conn_.is_tls() ? ConnectionSecurity::tls : ConnectionSecurity::plain);
  const bool head = line.method == "HEAD";
  const bool streamed = response.stream != nullptr;
  const bool no_content = without_content(response.status);
  if (streamed || conn_.shutdown_requested()) persistence = Persistence::close;
  if (upgrading) {
    // RFC 9110 §15.2: a 1xx response has no content and no framing fields; the
    // connection belongs to the upgraded protocol from the empty line on.
    std::string wire = detail::encode_head(response.status, fields);
    bool written = co_await write(wire);
    log_access(line, response.status, 0, response.log_user);
    if (written) co_await run_upgraded(*response.upgrade);
    co_return Persistence::close;
  }
  if (no_content) {
    // RFC 9110 §8.6: no Content-Length in a 204.
  } else if (streamed) {
    // RFC 9112 §7: no chunked coding towards an HTTP/1.0 client; its body ends at close.
    if (line.version >= 11) fields.push_back({"Transfer-Encoding", "chunked"});
  } else {
    // RFC 9110 §9.3.2: HEAD gets the Content-Length a GET would.
    fields.push_back({"Content-Length", std::to_string(response.body.size())});
  }
  if (persistence == Persistence::close)
    fields.push_back({"Connection", "close"});
  else if (line.version == 10)
    fields.push_back({"Connection", "keep-alive"});  // RFC 9112 §9.3

  std::string wire = detail::encode_head(response.status, fields);
  const bool send_body = !head && !no_content && !streamed;
  size_t body_bytes = send_body ? response.body.size() : 0;
  bool ok = true;
  if (send_body && response.body.size() <= kSingleWriteBody) {
    wire += response.body;
    ok = co_await write(wire);
  } else {
    ok = co_await write(wire);
    if (ok && send_body) ok = co_await write(response.body);
  }
  if (ok && streamed && !head) {
    auto task = send_stream(*response.stream, line.version);
    body_bytes = co_await std::move(task);
  }
  log_access(line, response.status, body_bytes, response.log_user);
  if (!ok) co_return Persistence::close;
  co_return persistence;
}

net::awaitable<size_t> Session::send_stream(BodyStream& stream, unsigned version) {
  const bool chunked = version >= 11;
  size_t sent = 0;
  while (!conn_.shutdown_requested()) {
    std::optional<std::string> piece;
    bool failed = false;
    try {
      auto task = stream.next(kStreamPollWait);
      piece = co_await std::move(task);
    } catch (const std::exception& e) {
      log::error(ctx_.service, "stream to {} failed: {}", remote_ip(), e.what());
      failed = true;
    }
    if (failed || !piece) break;
    if (piece->empty()) continue;  // an empty chunk would end the body (RFC 9112 §7.1)
    std::string data = chunked ? fmt::format("{:x}\r\n{}\r\n", piece->size(), *piece) : *piece;
    // A write failure is how a peer that went away shows itself.
    if (!co_await write(data)) co_return sent;
    sent += piece->size();
  }
  if (chunked) co_await write("0\r\n\r\n");
  co_return sent;
}

net::awaitable<void> Session::run_upgraded(Upgraded& upgraded) {
  // Octets the client sent after its request (its first frames) are the new protocol's.
  std::string already_read = std::move(buffer_);
  buffer_.clear();
  try {
    auto task = upgraded.run(conn_, std::move(already_read));
    co_await std::move(task);
  } catch (const std::exception& e) {
    log::error(ctx_.service, "upgraded connection of {} failed: {}", remote_ip(), e.what());
  }
}

void Session::log_access(const LogLine& line, int status, size_t body_bytes,
                         std::string_view user) const {
  std::string_view who = user.empty() ? std::string_view("-") : user;
  if (!line.head_parsed) {
    log::info(ctx_.service, "{} \"-\" {} {} user={}", remote_ip(), status, body_bytes, who);
    return;
  }
  log::info(ctx_.service, "{} \"{} {} HTTP/{}.{}\" {} {} user={}", remote_ip(), line.method,
            line.path, line.version / 10, line.version % 10, status, body_bytes, who);
}

net::awaitable<void> Session::run() {
  if (ctx_.admission != net::Admission::accepted) {
    log::info(ctx_.service, "refused {}: too many connections", remote_ip());
    Response refusal = problem_response(503, "too many connections, try again later");
    refusal.with("Retry-After", "5");
    auto task = send(std::move(refusal), LogLine{}, Persistence::close);
    co_await std::move(task);
    conn_.close();
    co_return;
  }
  for (;;) {
    if (conn_.shutdown_requested()) break;
    auto reading = read_request();
    Incoming in = co_await std::move(reading);
    if (in.kind == Incoming::Kind::closed) break;
    if (in.kind == Incoming::Kind::refusal) {
      LogLine line{in.request.method, in.request.path, in.version, in.head_parsed};
      log::info(ctx_.service, "refused request from {}: {}", remote_ip(), in.detail);
      auto task = send(problem_response(in.status, in.detail), line, Persistence::close);
      co_await std::move(task);
      break;
    }
    auto answering = answer(std::move(in));
    if (co_await std::move(answering) == Persistence::close) break;
  }
  conn_.close();
}

}  // namespace

net::awaitable<void> run_session(net::Connection& connection, net::SessionContext context,
                                 const Services* services) {
  Session session(connection, std::move(context), *services);
  co_await session.run();
}

}  // namespace postamt::http
