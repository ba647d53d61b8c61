// Line ends of stored messages: every protocol serves the bytes it stored, so every way
// in stores CRLF (RFC 5322 §2.3). A bare LF becomes CRLF; a CR that is not followed by
// LF is left as it is (the protocols that care refuse it). Pure; one converter per
// stream, used by one thread.
#pragma once

#include <string>
#include <string_view>

namespace postamt::mime {

// Converts a stream that arrives in pieces: a piece may end between CR and LF.
class CrlfConverter {
 public:
  // Appends the converted `in` to `out`.
  void feed(std::string_view in, std::string& out);
  // Bare LFs turned into CRLF so far.
  uint64_t converted() const { return converted_; }

 private:
  bool after_cr_ = false;
  uint64_t converted_ = 0;
};

// The whole of `in`, converted.
std::string to_crlf(std::string_view in);
// Whether `in` holds an LF without a CR before it (to_crlf would change it).
bool has_bare_lf(std::string_view in);

}  // namespace postamt::mime
