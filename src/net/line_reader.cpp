#include "net/line_reader.h"

#include <algorithm>

namespace postamt::net {
namespace {
constexpr size_t kChunk = 16 * 1024;
}  // namespace

LineReader::LineReader(Connection& connection, size_t max_discard)
    : connection_(connection), max_discard_(max_discard) {}

void LineReader::compact() {
  if (start_ == buffer_.size()) {
    buffer_.clear();
    start_ = 0;
    // A large literal must not pin its memory for the rest of the session.
    if (buffer_.capacity() > 4 * kChunk) buffer_.shrink_to_fit();
  } else if (start_ > kChunk && start_ * 2 > buffer_.size()) {
    buffer_.erase(0, start_);
    start_ = 0;
  }
}

awaitable<Result<void>> LineReader::fill(std::chrono::steady_clock::time_point deadline) {
  auto remaining = deadline - std::chrono::steady_clock::now();
  if (remaining <= Duration::zero()) co_return Error{ErrorKind::timeout, "read timed out"};
  compact();
  size_t old = buffer_.size();
  buffer_.resize(old + kChunk);
  auto n = co_await connection_.read_some(std::span<char>(buffer_.data() + old, kChunk), remaining);
  buffer_.resize(old + (n ? *n : 0));
  if (!n) co_return n.error();
  co_return Result<void>{};
}

awaitable<Result<Line>> LineReader::read_line(size_t max_bytes, Duration timeout,
                                              Duration line_timeout) {
  auto deadline = deadline_after(timeout);
  bool line_started = false;
  for (;;) {
    // Once the line's first octet is here, the rest must follow within line_timeout,
    // however it trickles in (the idle wait before it does not count).
    if (!line_started && (buffered() > 0 || overlong_)) {
      line_started = true;
      deadline = std::min(deadline, deadline_after(line_timeout));
    }
    if (failed_) {
      co_return Error{ErrorKind::invalid, "unterminated line too long"};
    }
    const char* begin = buffer_.data() + start_;
    const char* end = buffer_.data() + buffer_.size();
    if (overlong_) {
      const char* lf = std::find(begin, end, '\n');
      if (lf != end) {
        overlong_dropped_ += static_cast<size_t>(lf + 1 - begin);
        start_ += static_cast<size_t>(lf + 1 - begin);
        overlong_ = false;
        co_return Error{ErrorKind::limit, "line too long"};
      }
      overlong_dropped_ += buffered();
      start_ = buffer_.size();
      if (overlong_dropped_ > max_discard_) {
        failed_ = true;
        continue;
      }
    } else {
      const char* lf = std::find(begin + scanned_, end, '\n');
      if (lf != end) {
        size_t length = static_cast<size_t>(lf - begin);
        LineEnding ending = LineEnding::bare_lf;
        if (length > 0 && begin[length - 1] == '\r') {
          ending = LineEnding::crlf;
          --length;
        }
        std::string text;
        if (length <= max_bytes) text.assign(begin, length);
        start_ += static_cast<size_t>(lf + 1 - begin);
        scanned_ = 0;
        if (length > max_bytes) co_return Error{ErrorKind::limit, "line too long"};
        co_return Line{std::move(text), ending};
      }
      scanned_ = buffered();
      // One byte of slack: a CR at the end may still turn out to be part of CRLF.
      if (buffered() > max_bytes + 1) {
        overlong_ = true;
        overlong_dropped_ = buffered();
        start_ = buffer_.size();
        scanned_ = 0;
        if (overlong_dropped_ > max_discard_) {
          failed_ = true;
          continue;
        }
      }
    }
    auto filled = co_await fill(deadline);
    if (!filled) {
      if (filled.error().kind == ErrorKind::closed) {
        // A partial line at EOF is never handed out as if it were complete.
        start_ = buffer_.size();
        scanned_ = 0;
        overlong_ = false;
      }
      co_return filled.error();
    }
  }
}

awaitable<Result<std::string>> LineReader::read_exact(size_t n, size_t max_bytes,
                                                      Duration timeout) {
  if (n > max_bytes) co_return Error{ErrorKind::limit, "literal too large"};
  auto deadline = deadline_after(timeout);
  while (buffered() < n) {
    auto filled = co_await fill(deadline);
    if (!filled) co_return filled.error();
  }
  std::string out(buffer_.data() + start_, n);
  start_ += n;
  scanned_ = 0;
  co_return out;
}

awaitable<Result<std::string>> LineReader::read_at_most(size_t max_bytes, Duration timeout) {
  if (max_bytes == 0) co_return Error{ErrorKind::invalid, "read_at_most needs max_bytes > 0"};
  if (buffered() == 0) {
    auto filled = co_await fill(deadline_after(timeout));
    if (!filled) co_return filled.error();
  }
  size_t n = std::min(buffered(), max_bytes);
  std::string out(buffer_.data() + start_, n);
  start_ += n;
  scanned_ = 0;
  co_return out;
}

size_t LineReader::discard_buffered() {
  size_t n = buffered();
  buffer_.clear();
  start_ = 0;
  scanned_ = 0;
  overlong_ = false;
  overlong_dropped_ = 0;
  return n;
}

}  // namespace postamt::net
