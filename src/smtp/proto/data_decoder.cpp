#include "smtp/proto/data_decoder.h"

namespace postamt::smtp::proto {

DataDecoder::DataDecoder(DataDecoderOptions options) : options_(options) {}

void DataDecoder::emit(std::string_view bytes, std::string& out) {
  uint64_t before = message_octets_;
  message_octets_ += bytes.size();
  if (options_.max_message_octets != 0 && message_octets_ > options_.max_message_octets) {
    // Store exactly the first max_message_octets octets, however the input was
    // chunked, so what the caller holds never depends on network timing.
    if (!too_large_) out.append(bytes.substr(0, options_.max_message_octets - before));
    too_large_ = true;
    return;
  }
  out.append(bytes);
}

void DataDecoder::text(std::string_view run, std::string& out) {
  for (size_t at = run.find('\0'); at != std::string_view::npos; at = run.find('\0', at + 1))
    ++nul_;
  line_octets_ += run.size();
  if (options_.max_line_octets != 0 && line_octets_ + 2 > options_.max_line_octets)
    line_too_long_ = true;
  emit(run, out);
}

void DataDecoder::line_end(std::string& out) {
  line_octets_ = 0;
  emit("\r\n", out);
}

void DataDecoder::bare(char c, std::string& out) {
  if (c == '\r') {
    ++bare_cr_;
  } else {
    ++bare_lf_;
  }
  line_octets_ = 0;
  if (options_.bare_line_ends == BareLineEnds::normalize) {
    emit("\r\n", out);
  } else {
    emit(std::string_view(&c, 1), out);
  }
}

DataDecoder::State DataDecoder::after_bare() const {
  return normalizing() ? State::soft_line_start : State::in_line;
}

size_t DataDecoder::feed(std::string_view input, std::string& out) {
  if (state_ == State::done) return 0;
  size_t i = 0;
  const size_t n = input.size();
  // Each branch either consumes input[i] (++i) or changes state and lets the next
  // iteration look at the same octet again.
  while (i < n) {
    char c = input[i];
    switch (state_) {
      case State::line_start:
        if (c == '.') {
          state_ = State::dot;
          ++i;
        } else {
          state_ = State::in_line;
        }
        break;
      case State::in_line: {
        if (c == '\r') {
          state_ = State::cr;
          ++i;
        } else if (c == '\n') {
          bare('\n', out);
          state_ = after_bare();
          ++i;
        } else {
          size_t j = i;
          while (j < n && input[j] != '\r' && input[j] != '\n') ++j;
          text(input.substr(i, j - i), out);
          i = j;
        }
        break;
      }
      case State::cr:
        if (c == '\n') {
          line_end(out);
          state_ = State::line_start;
          ++i;
        } else {
          bare('\r', out);
          state_ = after_bare();
        }
        break;
      case State::dot:
        // RFC 5321 §4.5.2: a leading dot with more on the line is removed.
        if (c == '\r') {
          state_ = State::dot_cr;
          ++i;
        } else {
          // Normalised, ".\n" is a line holding a dot: content, like ".\r\n" is not.
          if (c == '\n' && normalizing()) text(".", out);
          state_ = State::in_line;
        }
        break;
      case State::dot_cr:
        if (c == '\n') {
          state_ = State::done;
          return i + 1;
        }
        // ".\r" then something else: the dot was stuffing, the CR is bare; normalised,
        // the CR ends a line that holds the dot.
        if (normalizing()) text(".", out);
        bare('\r', out);
        state_ = after_bare();
        break;
      case State::soft_line_start:
        if (c == '.') {
          state_ = State::soft_dot;
          ++i;
        } else {
          state_ = State::in_line;
        }
        break;
      case State::soft_dot:
        // Not a real line start: a lone dot is content, never the end (smuggling).
        if (c == '\r' || c == '\n') text(".", out);
        state_ = State::in_line;
        break;
      case State::done:
        return i;
    }
  }
  return n;
}

std::optional<Reply> data_rejection(const DataDecoder& decoder) {
  if (decoder.too_large())
    return make_reply(552, code::kMessageTooBig, "Message size exceeds fixed maximum");
  if (decoder.line_too_long())
    return make_reply(554, code::kMediaError, "Message has a text line that is too long");
  if (decoder.nul_count() != 0)
    return make_reply(550, code::kMediaError, "Message contains NUL octets");
  if (decoder.bare_line_ends() != 0 && decoder.bare_line_end_policy() == BareLineEnds::reject)
    return make_reply(550, code::kMediaError, "Message contains bare CR or LF");
  return std::nullopt;
}

}  // namespace postamt::smtp::proto
