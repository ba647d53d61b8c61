#include "imap/proto/command_reader.h"

#include <algorithm>
#include <optional>

#include "base/strings.h"
#include "imap/proto/chars.h"

namespace postamt::imap::proto {

namespace {

constexpr size_t kTailKeep = 32;  // enough for "~{" + 20 digits + "+}"

// Recognises a literal marker at the end of a line piece: "{n}", "{n+}", "~{n}",
// "~{n+}" (RFC 9051 §9 literal, RFC 7888 §8, RFC 4466 literal8). A number too large
// for 64 bits is reported as UINT64_MAX so that limit checks reject it.
std::optional<LiteralAnnouncement> find_marker(std::string_view line) {
  if (line.empty() || line.back() != '}') return std::nullopt;
  size_t end = line.size() - 1;
  LiteralAnnouncement lit;
  if (end > 0 && line[end - 1] == '+') {
    lit.sync = LiteralSync::non_synchronizing;
    --end;
  }
  size_t digits_end = end;
  while (end > 0 && chars::is_digit(line[end - 1])) --end;
  if (end == digits_end || end == 0 || line[end - 1] != '{') return std::nullopt;
  std::string_view digits = line.substr(end, digits_end - end);
  auto n = parse_u64(digits);
  lit.size = n ? *n : UINT64_MAX;
  if (end >= 2 && line[end - 2] == '~') lit.form = LiteralForm::binary;
  return lit;
}

}  // namespace

void CommandReader::feed(std::string_view bytes) {
  if (in_pos_ == in_.size()) {
    in_.clear();
  } else if (in_pos_ > 0) {
    in_.erase(0, in_pos_);
  }
  in_pos_ = 0;
  in_.append(bytes);
}

std::string CommandReader::take_command() {
  return std::move(ready_);
}

void CommandReader::start_command() {
  cmd_.clear();
  line_start_ = 0;
  fresh_ = true;
}

std::string CommandReader::current_tag() const {
  size_t sp = cmd_.find(' ');
  if (sp == std::string::npos || sp == 0) return {};
  std::string_view tag(cmd_.data(), sp);
  if (!std::all_of(tag.begin(), tag.end(), chars::is_tag_char)) return {};
  return std::string(tag);
}

CommandReader::Event CommandReader::fail(ReadErrorKind kind, Recovery recovery,
                                         std::string message) {
  error_ = ReadError{kind, recovery, raw_line_ ? std::string() : current_tag(), std::move(message),
                     raw_line_ ? std::string() : command_name()};
  start_command();
  raw_line_ = false;
  if (recovery == Recovery::close) state_ = State::closed;
  return Event::error;
}

void CommandReader::accept_literal() {
  if (state_ != State::awaiting_answer || literal_.large) return;
  remaining_ = literal_.size;
  state_ = State::literal;
}

void CommandReader::stream_literal() {
  if (state_ != State::awaiting_answer || !literal_.large) return;
  // Replace the marker (before the CRLF just appended) with an empty literal.
  const size_t open = cmd_.rfind('{');
  cmd_.resize(open);
  cmd_ += "{0}\r\n";
  remaining_ = literal_.size;
  state_ = State::streaming;
}

void CommandReader::refuse_literal() {
  if (state_ != State::awaiting_answer || !literal_.large) return;
  error_pending_ = true;
  if (literal_.sync == LiteralSync::synchronizing) {
    // The client waits for "+" and will never send these octets.
    fail(ReadErrorKind::literal_too_large, Recovery::resync, "Literal too large");
    state_ = State::line;
    return;
  }
  // RFC 7888 §4: read and drop the octets, or say BYE and close.
  Recovery recovery = literal_.size <= limits_.max_discard ? Recovery::resync : Recovery::close;
  fail(ReadErrorKind::literal_too_large, recovery, "Literal too large");
  if (recovery == Recovery::resync) {
    remaining_ = literal_.size;
    state_ = State::discard_literal;
  }
}

std::string CommandReader::take_literal_data() {
  return std::move(piece_);
}

std::string CommandReader::command_name() const {
  size_t sp = cmd_.find(' ');
  if (sp == std::string::npos) return {};
  size_t end = cmd_.find_first_of(" \r\n", sp + 1);
  return ascii_upper(std::string_view(cmd_).substr(
      sp + 1, end == std::string::npos ? std::string::npos : end - sp - 1));
}

void CommandReader::reject_literal() {
  if (state_ != State::awaiting_answer) return;
  start_command();
  state_ = State::line;
}

CommandReader::Event CommandReader::on_literal_marker(const LiteralAnnouncement& lit) {
  literal_ = lit;
  uint64_t limit = limits_.max_literal;
  if (lit.sync == LiteralSync::non_synchronizing &&
      limits_.non_sync == NonSyncLiterals::literal_minus)
    limit = std::min<uint64_t>(limit, kLiteralMinusMax);
  ReadErrorKind kind = ReadErrorKind::literal_too_large;
  bool over = lit.size > limit;
  if (!over && lit.size > limits_.max_inline_literal) {
    // Never held: the session streams it or refuses it (stream_literal, refuse_literal).
    literal_.large = true;
    state_ = State::awaiting_answer;
    return Event::literal_announced;
  }
  if (!over &&
      lit.size > limits_.max_command - std::min<uint64_t>(cmd_.size(), limits_.max_command)) {
    kind = ReadErrorKind::command_too_large;
    over = true;
  }
  std::string message =
      kind == ReadErrorKind::literal_too_large ? "Literal too large" : "Command too large";
  if (lit.sync == LiteralSync::synchronizing) {
    // The client waits for "+" and will never send these octets.
    if (over) {
      Event e = fail(kind, Recovery::resync, std::move(message));
      state_ = State::line;
      return e;
    }
    state_ = State::awaiting_answer;
    return Event::literal_announced;
  }
  if (over) {
    // RFC 7888 §4: read and drop the octets, or say BYE and close.
    Recovery recovery = lit.size <= limits_.max_discard ? Recovery::resync : Recovery::close;
    Event e = fail(kind, recovery, std::move(message));
    if (recovery == Recovery::resync) {
      remaining_ = lit.size;
      state_ = State::discard_literal;
    }
    return e;
  }
  remaining_ = lit.size;
  state_ = State::literal;
  return Event::need_more;  // caller of on_literal_marker keeps looping
}

CommandReader::Event CommandReader::finish_line(size_t line_end) {
  // line_end indexes the LF in in_; the piece is already in cmd_.
  in_pos_ = line_end + 1;
  if (cmd_.size() > line_start_ && cmd_.back() == '\r') cmd_.pop_back();
  if (cmd_.size() - line_start_ > limits_.max_line) {
    state_ = State::line;
    return fail(ReadErrorKind::line_too_long, Recovery::resync, "Command line too long");
  }
  if (raw_line_) {
    raw_line_ = false;
    ready_ = std::move(cmd_);
    start_command();
    return Event::line;
  }
  auto lit = find_marker(std::string_view(cmd_).substr(line_start_));
  if (!lit) {
    ready_ = std::move(cmd_);
    start_command();
    return Event::command;
  }
  cmd_ += "\r\n";
  return on_literal_marker(*lit);
}

CommandReader::Event CommandReader::next() {
  if (error_pending_) {
    error_pending_ = false;
    return Event::error;
  }
  for (;;) {
    size_t avail = in_.size() - in_pos_;
    switch (state_) {
      case State::closed:
        return Event::error;
      case State::awaiting_answer:
        return Event::literal_announced;
      case State::line: {
        if (avail == 0) return Event::need_more;
        size_t lf = in_.find('\n', in_pos_);
        size_t chunk_end = lf == std::string::npos ? in_.size() : lf;
        size_t chunk = chunk_end - in_pos_;
        if (fresh_) {
          // Limits change between commands only (e.g. after LOGIN).
          limits_ = next_limits_;
          fresh_ = false;
        }
        // +1 leaves room for the CR that may precede a LF not yet received.
        if (cmd_.size() - line_start_ + chunk > limits_.max_line + 1) {
          // Keep what fits so that the tag can still be reported; the rest is skipped.
          size_t fits = limits_.max_line + 1 - (cmd_.size() - line_start_);
          cmd_.append(in_, in_pos_, fits);
          in_pos_ += fits;
          discard_tail_.clear();
          Event e = fail(ReadErrorKind::line_too_long, Recovery::resync, "Command line too long");
          state_ = State::discard_line;
          return e;
        }
        if (cmd_.size() + chunk > limits_.max_command) {
          discard_tail_.clear();
          Event e = fail(ReadErrorKind::command_too_large, Recovery::resync, "Command too large");
          state_ = State::discard_line;
          return e;
        }
        cmd_.append(in_, in_pos_, chunk);
        in_pos_ = chunk_end;
        if (lf == std::string::npos) return Event::need_more;
        Event e = finish_line(lf);
        if (e != Event::need_more) return e;
        break;
      }
      case State::streaming: {
        size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, avail));
        if (take == 0) return Event::need_more;
        piece_.assign(in_, in_pos_, take);
        in_pos_ += take;
        remaining_ -= take;
        if (remaining_ == 0) {
          line_start_ = cmd_.size();
          state_ = State::line;
        }
        return Event::literal_data;
      }
      case State::literal: {
        size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, avail));
        cmd_.append(in_, in_pos_, take);
        in_pos_ += take;
        remaining_ -= take;
        if (remaining_ > 0) return Event::need_more;
        line_start_ = cmd_.size();
        state_ = State::line;
        break;
      }
      case State::discard_line: {
        if (avail == 0) return Event::need_more;
        size_t lf = in_.find('\n', in_pos_);
        size_t chunk_end = lf == std::string::npos ? in_.size() : lf;
        std::string_view chunk(in_.data() + in_pos_, chunk_end - in_pos_);
        if (chunk.size() >= kTailKeep) {
          discard_tail_.assign(chunk.substr(chunk.size() - kTailKeep));
        } else {
          discard_tail_.append(chunk);
          if (discard_tail_.size() > kTailKeep)
            discard_tail_.erase(0, discard_tail_.size() - kTailKeep);
        }
        in_pos_ = chunk_end;
        if (lf == std::string::npos) return Event::need_more;
        in_pos_ = lf + 1;
        if (!discard_tail_.empty() && discard_tail_.back() == '\r') discard_tail_.pop_back();
        auto lit = find_marker(discard_tail_);
        discard_tail_.clear();
        if (lit && lit->sync == LiteralSync::non_synchronizing) {
          if (lit->size > limits_.max_discard) {
            error_ = ReadError{ReadErrorKind::command_too_large, Recovery::close, error_.tag,
                               "Command too large", error_.command};
            state_ = State::closed;
            return Event::error;
          }
          remaining_ = lit->size;
          state_ = State::discard_literal;
        } else {
          state_ = State::line;
        }
        break;
      }
      case State::discard_literal: {
        size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, avail));
        in_pos_ += take;
        remaining_ -= take;
        if (remaining_ > 0) return Event::need_more;
        state_ = State::discard_line;
        break;
      }
    }
  }
}

}  // namespace postamt::imap::proto
