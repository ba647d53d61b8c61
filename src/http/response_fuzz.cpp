// libFuzzer target: arbitrary bytes, in fuzzer-chosen pieces, through the client's
// response parser (response.h). Checks: it ends in a response or an error, never takes
// a head or body over its limits, and an error stays. Input: [piece][data...].
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http/response.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  if (size < 1) return 0;
  size_t piece = bytes[0] % 32;
  std::string_view data(reinterpret_cast<const char*>(bytes + 1), size - 1);
  postamt::http::ResponseLimits limits;
  limits.max_header_bytes = 256;
  limits.max_body_bytes = 128;
  postamt::http::ResponseParser parser(limits);
  size_t step = piece == 0 ? data.size() : piece;
  postamt::Result<bool> state = false;
  for (size_t at = 0; at < data.size() && state && !*state; at += step)
    state = parser.feed(data.substr(at, step));
  if (state && !*state) state = parser.finish();
  if (state) {
    if (!*state) abort();  // finish() decides
    const auto& r = parser.response();
    if (r.status < 200 || r.status > 599 || r.body.size() > limits.max_body_bytes) abort();
  } else if (parser.finish()) {
    abort();  // an error stays
  }
  return 0;
}
