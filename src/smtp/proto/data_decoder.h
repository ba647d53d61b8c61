// The DATA body decoder (RFC 5321 §4.1.1.4, §4.5.2): removes dot-stuffing and finds
// the end of the mail data, fed in pieces of any size.
//
// Smuggling (CVE-2023-51766 family): the data ends ONLY at <CRLF>.<CRLF>, with both
// line ends being exactly CR LF. "\n.\n", "\r.\r", "\n.\r\n", "\r\n.\n" and every
// other mix of bare CR / bare LF around a dot are message content, never the end.
// Likewise only a real CRLF starts a line for dot-unstuffing.
//
// RFC 5321 §2.3.8: CR and LF must only occur together as CRLF in mail data. Bare ones
// are counted; the caller picks what to do via BareLineEnds:
//   reject     keep the octets as received; data_rejection() then answers 550 5.6.0
//              after the terminator.
//   normalize  store each bare CR or bare LF as CRLF and accept the message. A bare line
//              end then also starts a line for dot-unstuffing (clients that send LF
//              files, e.g. Python's smtplib, stuff a dot after every LF), but never for
//              the end: a lone "." after a bare line end is content, kept as ".".
//
// NUL octets are counted; data_rejection() refuses them (550 5.6.0): without
// BINARYMIME (RFC 3030) mail data must not carry NUL (RFC 5321 §4.1.1.4 / RFC 6152
// §3), and a next hop that drops NUL could see a different message.
//
// One decoder per DATA transaction; not thread-safe; no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "smtp/proto/reply.h"

namespace postamt::smtp::proto {

// RFC 5321 §4.5.3.1.6: a text line is at most 1000 octets including CRLF, not
// counting a leading dot added for transparency.
inline constexpr size_t kMaxTextLineOctets = 1000;

enum class BareLineEnds { reject, normalize };

struct DataDecoderOptions {
  uint64_t max_message_octets = 0;  // 0 = no limit; counted after unstuffing, CRLF included
  size_t max_line_octets = kMaxTextLineOctets;  // including CRLF; 0 = no limit
  BareLineEnds bare_line_ends = BareLineEnds::reject;
};

class DataDecoder {
 public:
  explicit DataDecoder(DataDecoderOptions options);

  // Decodes `input` and appends the message octets to `out` (CRLF line ends, dots
  // unstuffed, the final CRLF before "." included, the ".\r\n" terminator not).
  // Returns the number of input octets consumed: input.size() while the terminator
  // has not been seen; when it is seen, the count through its final LF. The octets
  // after that belong to the next (pipelined) command. Once done(), feed() consumes
  // nothing and returns 0.
  //
  // Once the message exceeds max_message_octets, exactly its first max_message_octets
  // octets have been appended and nothing more is (the decoder keeps scanning for the
  // terminator and counting), so the caller can answer 552 5.3.4 at the end. `out`
  // may be flushed and cleared by the caller between calls.
  size_t feed(std::string_view input, std::string& out);

  bool done() const { return state_ == State::done; }

  // Octets of message data seen so far (after unstuffing and normalisation), whether
  // or not they were stored.
  uint64_t message_octets() const { return message_octets_; }
  bool too_large() const { return too_large_; }
  // Some text line exceeded max_line_octets.
  bool line_too_long() const { return line_too_long_; }
  uint64_t bare_cr_count() const { return bare_cr_; }
  uint64_t bare_lf_count() const { return bare_lf_; }
  uint64_t bare_line_ends() const { return bare_cr_ + bare_lf_; }
  uint64_t nul_count() const { return nul_; }
  BareLineEnds bare_line_end_policy() const { return options_.bare_line_ends; }

 private:
  enum class State {
    line_start,  // after a real CRLF (or at the start of the data)
    in_line,
    cr,      // saw CR inside a line
    dot,     // saw "." at line start
    dot_cr,  // saw ".\r" at line start
    // Only under normalize: after a bare line end, a line starts for unstuffing only.
    soft_line_start,
    soft_dot,  // saw "." there
    done,
  };

  void emit(std::string_view bytes, std::string& out);
  void text(std::string_view run, std::string& out);  // content octets, no CR/LF
  void line_end(std::string& out);                    // a real CRLF
  void bare(char c, std::string& out);                // a bare CR or LF
  State after_bare() const;                           // the state a bare line end leaves
  bool normalizing() const { return options_.bare_line_ends == BareLineEnds::normalize; }

  DataDecoderOptions options_;
  State state_ = State::line_start;
  uint64_t message_octets_ = 0;
  size_t line_octets_ = 0;  // content octets of the current line, CRLF excluded
  uint64_t bare_cr_ = 0;
  uint64_t bare_lf_ = 0;
  uint64_t nul_ = 0;
  bool too_large_ = false;
  bool line_too_long_ = false;
};

// The one mapping from a finished decoder to the reply that refuses the message, or
// nullopt when the message may be accepted. Requires done(). In order of precedence:
//   too_large()                            552 5.3.4 (RFC 5321 §4.5.3.1.10, RFC 1870)
//   line_too_long()                        554 5.6.0 (§4.5.3.1.6)
//   nul_count() != 0                       550 5.6.0
//   bare line ends under reject            550 5.6.0 (§2.3.8)
std::optional<Reply> data_rejection(const DataDecoder& decoder);

}  // namespace postamt::smtp::proto
