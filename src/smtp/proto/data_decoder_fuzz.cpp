// libFuzzer target: the DATA decoder fed in random pieces. The first two octets pick
// the options and the piece sizes; the result must not depend on the chunking.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "smtp/proto/data_decoder.h"

using namespace postamt::smtp::proto;

namespace {
struct Outcome {
  std::string body;
  size_t consumed = 0;
  bool done = false;
  uint64_t octets = 0;
  uint64_t bare = 0;
  bool too_large = false;
  bool line_too_long = false;
  bool operator==(const Outcome&) const = default;
};

Outcome run(std::string_view input, DataDecoderOptions options, uint8_t seed) {
  DataDecoder d(options);
  Outcome o;
  size_t pos = 0;
  uint32_t state = seed * 2654435761u + 1;
  while (pos < input.size() && !d.done()) {
    size_t n = seed == 0 ? input.size() - pos : 1 + (state >> 24) % 9;
    state = state * 1103515245u + 12345u;
    n = std::min(n, input.size() - pos);
    size_t used = d.feed(input.substr(pos, n), o.body);
    if (used > n || (!d.done() && used != n)) std::abort();
    o.consumed += used;
    pos += n;
  }
  o.done = d.done();
  o.octets = d.message_octets();
  o.bare = d.bare_line_ends();
  o.too_large = d.too_large();
  o.line_too_long = d.line_too_long();
  return o;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  DataDecoderOptions options;
  options.bare_line_ends = (data[0] & 1) ? BareLineEnds::normalize : BareLineEnds::reject;
  options.max_message_octets = (data[0] >> 1) * 8;
  options.max_line_octets = (data[0] & 0x80) ? 20 : kMaxTextLineOctets;
  std::string_view input(reinterpret_cast<const char*>(data + 2), size - 2);

  Outcome whole = run(input, options, 0);
  if (!(run(input, options, data[1] | 1) == whole)) std::abort();

  if (whole.done) {
    // The terminator is exactly CRLF "." CRLF (or "." CRLF at the very start).
    std::string_view used = input.substr(0, whole.consumed);
    bool at_start = whole.consumed == 3 && used == ".\r\n";
    if (!at_start && (used.size() < 5 || used.substr(used.size() - 5) != "\r\n.\r\n")) std::abort();
  }
  if (!whole.too_large && whole.body.size() != whole.octets) std::abort();
  if (whole.too_large && whole.body.size() != options.max_message_octets) std::abort();
  if (options.bare_line_ends == BareLineEnds::normalize && !whole.too_large) {
    // Normalised output has CR and LF only as pairs.
    for (size_t i = 0; i < whole.body.size(); ++i) {
      char c = whole.body[i];
      if (c == '\r' && (i + 1 == whole.body.size() || whole.body[i + 1] != '\n')) {
        if (whole.done || i + 1 != whole.body.size()) std::abort();
      }
      if (c == '\n' && (i == 0 || whole.body[i - 1] != '\r')) std::abort();
    }
  }
  return 0;
}
