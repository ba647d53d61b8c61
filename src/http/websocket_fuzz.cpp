// libFuzzer target: arbitrary octets through the WebSocket frame decoder (websocket.h),
// fed whole and in fuzzer-chosen pieces. Checks: both ways give the same messages and
// the same failure code; a text message is UTF-8; a data message is within the limit; a
// control frame within 125 octets; a Close payload parses or fails with a valid code.
// Input: [piece][limit][data...].
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "http/websocket.h"

namespace {

using namespace postamt::http::websocket;

struct Outcome {
  std::vector<Message> messages;
  uint16_t failure = 0;
};

Outcome run(std::string_view data, size_t piece, size_t limit) {
  Decoder decoder(limit);
  Outcome out;
  if (piece == 0) piece = data.size() + 1;
  for (size_t at = 0; at < data.size() && out.failure == 0; at += piece) {
    decoder.feed(data.substr(at, piece));
    for (;;) {
      auto next = decoder.next();
      if (std::holds_alternative<std::monostate>(next)) break;
      if (auto* f = std::get_if<Failure>(&next)) {
        out.failure = f->code;
        break;
      }
      out.messages.push_back(std::get<Message>(std::move(next)));
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  if (size < 2) return 0;
  size_t piece = bytes[0] % 16;  // 0: one chunk
  size_t limit = size_t{bytes[1]} * 64;
  std::string_view data(reinterpret_cast<const char*>(bytes + 2), size - 2);

  Outcome whole = run(data, 0, limit);
  Outcome pieces = run(data, piece, limit);
  if (whole.failure != pieces.failure || whole.messages.size() != pieces.messages.size()) abort();
  for (size_t i = 0; i < whole.messages.size(); ++i) {
    const Message& m = whole.messages[i];
    if (m.opcode != pieces.messages[i].opcode || m.payload != pieces.messages[i].payload) abort();
    switch (m.opcode) {
      case Opcode::text:
        if (!valid_utf8(m.payload)) abort();
        [[fallthrough]];
      case Opcode::binary:
        if (m.payload.size() > limit) abort();
        break;
      case Opcode::close: {
        auto parsed = parse_close_payload(m.payload);
        if (auto* f = std::get_if<Failure>(&parsed); f && !valid_close_code(f->code)) abort();
        [[fallthrough]];
      }
      case Opcode::ping:
      case Opcode::pong:
        if (m.payload.size() > kMaxControlPayload) abort();
        break;
      case Opcode::continuation:
        abort();
    }
  }
  if (whole.failure != 0 && !valid_close_code(whole.failure)) abort();
  return 0;
}
