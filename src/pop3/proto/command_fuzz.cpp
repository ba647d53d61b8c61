// libFuzzer target: the POP3 command parser, and the message payload functions on the
// same bytes (size must equal the payload length; stuffing must undo cleanly; RETR's
// one-pass encoder must give the same wire bytes in pieces of any size).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "pop3/proto/command.h"
#include "pop3/proto/message.h"
#include "pop3/proto/response.h"

using namespace postamt::pop3::proto;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = parse_command(text);
  if (!r && r.error().message.find_first_of("\r\n") != std::string::npos) std::abort();

  std::string payload = message_payload(text);
  if (payload.size() != message_octets(text)) std::abort();
  if (!payload.empty() && payload.substr(payload.size() - 2) != "\r\n") std::abort();
  if (top_payload(text, UINT64_MAX) != payload) std::abort();

  std::string wire = multiline_payload("", payload);
  // Client-side unstuffing (RFC 1939 §3) up to the terminator gives back the payload.
  std::string body = wire.substr(5);
  if (body.size() < 3 || body.substr(body.size() - 3) != ".\r\n") std::abort();
  body.resize(body.size() - 3);
  std::string unstuffed;
  bool line_start = true;
  for (char c : body) {
    if (line_start && c == '.') {
      line_start = false;
      continue;
    }
    unstuffed.push_back(c);
    line_start = c == '\n';
  }
  if (unstuffed != payload) std::abort();

  // The piece size comes from the input so that every boundary position gets tried.
  size_t max_octets = size == 0 ? 1 : 1 + data[0] % 16;
  RetrEncoder encoder(text);
  std::string pieces;
  while (!encoder.done()) {
    size_t before = pieces.size();
    encoder.append_next(pieces, max_octets);
    if (pieces.size() == before || pieces.size() - before > max_octets) std::abort();
  }
  if (pieces != wire.substr(5)) std::abort();
  return 0;
}
