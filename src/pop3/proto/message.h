// Stored message -> the exact RETR/TOP payload and the STAT/LIST size (RFC 1939 §7,
// §11).
//
// Stored messages may use bare LF or CRLF line ends, mixed, and may lack a final line
// end. The payload is the message in canonical form: every line ends in CRLF,
// including the last one. A CR is a line end only together with the LF after it; a
// lone CR stays content. The payload is NOT dot-stuffed: multiline_payload() in
// response.h does that. The size reported by STAT/LIST is the payload size, i.e. the
// size with CRLF line ends before byte-stuffing, as RFC 1939 §11 asks.
//
// Pure functions, callable from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace postamt::pop3::proto {

// The RETR payload. Empty for an empty message.
std::string message_payload(std::string_view stored);

// message_payload(stored).size(), computed without building the payload.
uint64_t message_octets(std::string_view stored);

// The body of a RETR response in wire form, produced in one pass over `stored` and
// handed out in pieces of bounded size, so that a large message never needs a second
// copy of itself in memory (RFC 1939 §7 RETR, §3 multi-line responses).
//
// The concatenation of all pieces is exactly what follows the status line in
// multiline_payload(status, message_payload(stored)) (response.h): the canonical-CRLF
// payload, dot-stuffed, then ".\r\n". A piece boundary may fall anywhere (inside a
// line, between the CR and LF the encoder emits, inside the terminator); only the
// concatenation is meaningful.
//
// Requires: the bytes behind `stored` stay valid and unchanged while the encoder is
// used. Not thread-safe; a value, movable between threads between calls.
class RetrEncoder {
 public:
  explicit RetrEncoder(std::string_view stored) : stored_(stored) {}

  // Appends the next wire octets to `out`: at least one and at most `max_octets`
  // (which must be >= 1) unless done(), nothing once done().
  void append_next(std::string& out, size_t max_octets);
  // Everything including the terminator has been appended.
  bool done() const { return phase_ == Phase::done && pending_.empty(); }

 private:
  enum class Phase { line_start, content, done };
  std::string_view stored_;
  size_t pos_ = 0;            // next stored octet to emit or examine
  size_t content_end_ = 0;    // end of the current line's content (a CR before LF excluded)
  size_t next_line_ = 0;      // where the next line starts (after its LF)
  std::string_view pending_;  // literal octets ("." / CRLF / terminator) still to emit
  Phase phase_ = Phase::line_start;
};

// The TOP payload (RFC 1939 §7): the header lines, the empty line that ends them, and
// the first `body_lines` lines of the body (all of them if there are fewer). A
// message without an empty line is all header and comes out whole.
std::string top_payload(std::string_view stored, uint64_t body_lines);

}  // namespace postamt::pop3::proto
