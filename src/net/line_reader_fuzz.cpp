// libFuzzer target: LineReader over a MemoryConnection with fuzzer-chosen chunking and
// line limit, compared with a direct reference split of the same bytes.
// Input: [max_bytes][chunk][data...].
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "net/line_reader.h"
#include "net/testing/memory_connection.h"
#include "net/testing/run.h"

namespace {

using postamt::ErrorKind;
using postamt::net::LineEnding;
using postamt::net::LineReader;
using postamt::net::testing::MemoryConnection;

// "L:<text>" for a CRLF line, "B:<text>" for a bare-LF line, "limit", then "timeout".
std::vector<std::string> reference(const std::string& data, size_t max_bytes) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t lf = data.find('\n'); lf != std::string::npos; lf = data.find('\n', start)) {
    std::string text = data.substr(start, lf - start);
    bool crlf = !text.empty() && text.back() == '\r';
    if (crlf) text.pop_back();
    out.push_back(text.size() > max_bytes ? "limit" : (crlf ? "L:" : "B:") + text);
    start = lf + 1;
  }
  out.push_back("timeout");
  return out;
}

std::vector<std::string> actual(const std::string& data, size_t max_bytes, size_t chunk,
                                size_t max_discard) {
  boost::asio::io_context io;
  MemoryConnection conn;
  conn.feed_in_pieces(data, chunk);
  LineReader reader(conn, max_discard);
  std::vector<std::string> out;
  for (;;) {
    auto line = postamt::net::testing::run_to_completion(
        io, reader.read_line(max_bytes, std::chrono::seconds(1)));
    if (line) {
      if (line->text.size() > max_bytes || line->text.find('\n') != std::string::npos) abort();
      out.push_back((line->ending == LineEnding::crlf ? "L:" : "B:") + line->text);
      continue;
    }
    if (reader.buffered() > max_bytes + 1 + 16 * 1024) abort();
    switch (line.error().kind) {
      case ErrorKind::limit:
        out.push_back("limit");
        continue;
      case ErrorKind::timeout:
        out.push_back("timeout");
        return out;
      case ErrorKind::invalid:
        out.push_back("invalid");
        return out;
      default:
        abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  if (size < 2) return 0;
  size_t max_bytes = bytes[0] % 64;
  size_t chunk = 1 + bytes[1] % 16;
  std::string data(reinterpret_cast<const char*>(bytes + 2), size - 2);
  // With a discard cap above the input size, the reader must agree with the reference.
  if (actual(data, max_bytes, chunk, data.size() + 1) != reference(data, max_bytes)) abort();
  // With a small cap, only the invariants inside actual() are checked.
  (void)actual(data, max_bytes, chunk, 32);
  return 0;
}
