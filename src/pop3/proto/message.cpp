#include "pop3/proto/message.h"

namespace postamt::pop3::proto {

namespace {

// Calls fn(line) for each line of `stored` without its line end (LF or CRLF). A final
// line without a line end counts; an empty message has no lines. fn returns false to
// stop.
template <class Fn>
void for_each_line(std::string_view stored, Fn fn) {
  size_t pos = 0;
  while (pos < stored.size()) {
    size_t nl = stored.find('\n', pos);
    size_t end = nl == std::string_view::npos ? stored.size() : nl;
    std::string_view line = stored.substr(pos, end - pos);
    if (nl != std::string_view::npos && !line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!fn(line)) return;
    pos = nl == std::string_view::npos ? stored.size() : nl + 1;
  }
}

}  // namespace

std::string message_payload(std::string_view stored) {
  std::string out;
  out.reserve(stored.size() + stored.size() / 32 + 2);
  for_each_line(stored, [&](std::string_view line) {
    out.append(line);
    out += "\r\n";
    return true;
  });
  return out;
}

uint64_t message_octets(std::string_view stored) {
  uint64_t n = 0;
  for_each_line(stored, [&](std::string_view line) {
    n += line.size() + 2;
    return true;
  });
  return n;
}

std::string top_payload(std::string_view stored, uint64_t body_lines) {
  std::string out;
  bool in_body = false;
  uint64_t sent = 0;
  for_each_line(stored, [&](std::string_view line) {
    if (in_body) {
      if (sent == body_lines) return false;
      ++sent;
    } else if (line.empty()) {
      in_body = true;
    }
    out.append(line);
    out += "\r\n";
    return true;
  });
  return out;
}

}  // namespace postamt::pop3::proto
