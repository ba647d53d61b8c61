// Client side: parses server replies (RFC 5321 §4.2) fed in pieces, for the outbound
// queue, and reads the extensions out of an EHLO reply (RFC 5321 §4.1.1.1).
//
// One parser per connection; not thread-safe; no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "smtp/proto/reply.h"

namespace postamt::smtp::proto {

// RFC 5321 §4.5.3.1.5 sets 512 octets per reply line, but real servers send longer
// ones; the parser accepts up to this many (CRLF included) before failing.
inline constexpr size_t kMaxReplyLineOctets = 4096;
// A reply with more lines than this is refused rather than buffered without end.
inline constexpr size_t kMaxReplyLines = 1000;

class ReplyParser {
 public:
  // Buffers `bytes`. Never fails; errors surface from next().
  void feed(std::string_view bytes);

  // Returns the next complete reply, std::nullopt when more input is needed, or an
  // error (ErrorKind::invalid: bad code, codes differing between lines of one reply;
  // ErrorKind::limit: line or line-count limit). After an error the connection is
  // unusable and the parser keeps returning that error.
  //
  // Line ends: CRLF, and a bare LF is tolerated (be liberal in what you accept; the
  // client never relays these bytes). An enhanced code "c.s.d " at the start of every
  // line whose class matches the reply code is moved into Reply::enhanced and removed
  // from the text (RFC 2034 §4); otherwise enhanced stays empty and the text is kept.
  Result<std::optional<Reply>> next();

  // True when octets of an unfinished reply are buffered (a partial line or the
  // first lines of a multi-line reply). A client that receives bytes it did not
  // ask for (no command outstanding) treats that as a protocol error.
  bool has_pending_input() const { return scanned_ < buffer_.size() || !partial_.empty(); }

 private:
  std::string buffer_;
  size_t scanned_ = 0;  // octets of buffer_ already consumed into partial_
  struct Line {
    int code;
    bool last;
    std::string text;
  };
  std::vector<Line> partial_;
  std::optional<Error> failed_;
};

// What a server offers, read from its EHLO reply.
struct EhloExtension {
  std::string keyword;              // upper-cased
  std::vector<std::string> params;  // as sent
  bool operator==(const EhloExtension&) const = default;
};

struct EhloInfo {
  std::string domain;  // the first word of the first line
  std::vector<EhloExtension> extensions;

  const EhloExtension* find(std::string_view keyword) const;  // case-insensitive
  bool has(std::string_view keyword) const { return find(keyword) != nullptr; }
  // SIZE limit: nullopt when SIZE is absent; 0 when SIZE has no or a zero value.
  std::optional<uint64_t> size_limit() const;
};

// Reads an EHLO reply (enhanced codes must not be present there, RFC 2034 §3).
// ehlo-line = ehlo-keyword *( SP / "=" ehlo-param ): the old "AUTH=LOGIN PLAIN"
// spelling is read like "AUTH LOGIN PLAIN". Lines whose keyword is malformed are
// skipped. Fails only when the reply code is not 250.
Result<EhloInfo> parse_ehlo(const Reply& reply);

}  // namespace postamt::smtp::proto
