// libFuzzer target: arbitrary bytes, in fuzzer-chosen pieces, through the HTTP session
// over a MemoryConnection with a fake handler. Checks: every response starts with
// "HTTP/1.1 ", the session ends, and no handler call sees a body over its body_limit.
// Input: [piece][limit][data...].
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/server.h"
#include "net/testing/memory_connection.h"
#include "net/testing/run.h"

namespace {

using postamt::http::Handler;
using postamt::http::Peer;
using postamt::http::Request;
using postamt::http::Response;
using postamt::net::testing::MemoryConnection;

class CheckingHandler final : public Handler {
 public:
  size_t limit = 0;
  size_t calls = 0;
  size_t body_limit(const Request& head) const override {
    if (!head.body.empty()) abort();
    return limit;
  }
  postamt::net::awaitable<Response> handle(Request request, Peer peer) override {
    ++calls;
    if (request.body.size() > limit) abort();
    Response r;
    r.with("Content-Type", "text/plain");
    r.body = request.method;
    co_return r;
  }
};

// Walks the responses the session wrote, each framed by its Content-Length: every one
// starts with "HTTP/1.1 " and has a complete head.
void check_output(std::string_view out) {
  size_t at = 0;
  while (at < out.size()) {
    if (out.substr(at, 9) != "HTTP/1.1 ") abort();
    size_t end = out.find("\r\n\r\n", at);
    if (end == std::string_view::npos) abort();
    std::string_view head = out.substr(at, end + 2 - at);
    at = end + 4;
    constexpr std::string_view kLength = "\r\nContent-Length: ";
    size_t field = head.find(kLength);
    if (field == std::string_view::npos) continue;  // 100, 204, or no body
    size_t value = field + kLength.size();
    size_t length = std::strtoul(
        std::string(head.substr(value, head.find('\r', value) - value)).c_str(), nullptr, 10);
    // A HEAD response announces a body it does not send; the next response follows.
    if (out.substr(at, 9) == "HTTP/1.1 " || at == out.size()) continue;
    at += length;
  }
  if (at != out.size()) abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  if (size < 2) return 0;
  size_t piece = bytes[0] % 32;  // 0: one chunk
  CheckingHandler handler;
  handler.limit = bytes[1] * 4;
  std::string_view data(reinterpret_cast<const char*>(bytes + 2), size - 2);

  postamt::http::Services services;
  services.handler = &handler;
  services.limits.max_header_bytes = 512;
  services.cors_origins = {"https://app.example"};
  boost::asio::io_context io;
  MemoryConnection conn;
  conn.feed_script(data, piece);
  // Throws std::logic_error (and so fails) if the session does not end.
  postamt::net::testing::run_to_completion(
      io, postamt::http::run_session(conn, postamt::net::SessionContext{"http"}, &services));
  if (!conn.closed()) abort();
  check_output(conn.written());
  return 0;
}
