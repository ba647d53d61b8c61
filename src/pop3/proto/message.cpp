#include "pop3/proto/message.h"

#include <algorithm>
#include <cstring>

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
  // Each line costs its content plus CRLF: a stored CRLF costs nothing extra, a bare LF
  // one octet, a last line without line end two. Counted with memchr, since this runs
  // for every message at login and before every RETR.
  uint64_t n = stored.size();
  const char* begin = stored.data();
  const char* end = begin + stored.size();
  for (const char* p = begin; p < end;) {
    const void* found = std::memchr(p, '\n', static_cast<size_t>(end - p));
    if (!found) {
      n += 2;
      break;
    }
    const char* nl = static_cast<const char*>(found);
    if (nl == begin || nl[-1] != '\r') ++n;
    p = nl + 1;
  }
  return n;
}

void RetrEncoder::append_next(std::string& out, size_t max_octets) {
  size_t budget = max_octets;
  while (budget > 0) {
    if (!pending_.empty()) {
      size_t k = std::min(budget, pending_.size());
      out.append(pending_.substr(0, k));
      pending_.remove_prefix(k);
      budget -= k;
      continue;
    }
    if (phase_ == Phase::done) return;
    if (phase_ == Phase::line_start) {
      if (pos_ == stored_.size()) {
        phase_ = Phase::done;
        pending_ = ".\r\n";  // RFC 1939 §3: the terminator on a line of its own
        continue;
      }
      const void* found = std::memchr(stored_.data() + pos_, '\n', stored_.size() - pos_);
      if (found) {
        size_t nl = static_cast<size_t>(static_cast<const char*>(found) - stored_.data());
        next_line_ = nl + 1;
        // A CR is a line end only together with the LF after it; a lone CR is content.
        content_end_ = nl > pos_ && stored_[nl - 1] == '\r' ? nl - 1 : nl;
      } else {
        next_line_ = stored_.size();
        content_end_ = stored_.size();  // a last line without line end still gets CRLF
      }
      phase_ = Phase::content;
      if (stored_[pos_] == '.') pending_ = ".";  // RFC 1939 §3 byte-stuffing
      continue;
    }
    size_t k = std::min(budget, content_end_ - pos_);
    out.append(stored_.substr(pos_, k));
    pos_ += k;
    budget -= k;
    if (pos_ == content_end_) {
      pos_ = next_line_;
      pending_ = "\r\n";
      phase_ = Phase::line_start;
    }
  }
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
