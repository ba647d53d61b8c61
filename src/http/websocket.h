// The WebSocket protocol (RFC 6455) as values, without I/O: the server's side of the
// opening handshake (§4.2), an incremental decoder of the client's frames (§5), the
// encoder of the server's frames, and Close frame payloads (§5.5.1, §7.4). The JMAP
// binding (RFC 8887, jmap/engine/websocket.h) runs a connection with these; the HTTP
// session (server.h) only hands the connection over (Response::upgrade).
//
// Not supported: extensions (RFC 7692 permessage-deflate is never accepted, so the
// reserved bits must be 0) and anything but version 13.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "http/message.h"

namespace postamt::http::websocket {

// §5.2 opcodes; the others (3-7, 0xB-0xF) are reserved and fail the connection.
enum class Opcode : uint8_t {
  continuation = 0x0,
  text = 0x1,
  binary = 0x2,
  close = 0x8,
  ping = 0x9,
  pong = 0xA,
};

// §7.4.1 status codes this code sends or names.
inline constexpr uint16_t kNormalClosure = 1000;
inline constexpr uint16_t kGoingAway = 1001;
inline constexpr uint16_t kProtocolError = 1002;
inline constexpr uint16_t kUnsupportedData = 1003;
inline constexpr uint16_t kInvalidPayload = 1007;  // e.g. a text message that is not UTF-8
inline constexpr uint16_t kPolicyViolation = 1008;
inline constexpr uint16_t kMessageTooBig = 1009;
inline constexpr uint16_t kInternalError = 1011;

// Control frames carry at most this many payload octets (§5.5).
inline constexpr size_t kMaxControlPayload = 125;

// ---- opening handshake (§4.2) ----

// What a valid client handshake asks for.
struct ClientHandshake {
  std::string accept;                  // the Sec-WebSocket-Accept value to answer
  std::vector<std::string> protocols;  // Sec-WebSocket-Protocol tokens, in order; may be empty
};

// Why a request is not a WebSocket handshake the server can take: the HTTP status to
// answer (400, or 426 for a version other than 13, which must carry
// "Sec-WebSocket-Version: 13", §4.2.2) and plain words for the client.
struct HandshakeRefusal {
  int status = 400;
  std::string detail;
};

// Checks the client's opening handshake (§4.2.1): GET, HTTP/1.1 or later, Upgrade naming
// "websocket", Connection naming "Upgrade" (both ASCII case-insensitive tokens), one
// Sec-WebSocket-Version field of 13 (else 426), one Sec-WebSocket-Key whose value is
// base64 (RFC 4648 §4, canonical padding) of 16 octets, and Sec-WebSocket-Protocol, when
// present, a comma-separated list of tokens (several fields are joined). The checks run
// in that order; the first that fails is the refusal. Host is the HTTP session's
// business (it refuses an HTTP/1.1 request without one).
std::variant<ClientHandshake, HandshakeRefusal> check_client_handshake(const Request& request);

// §4.2.2 step 5.4: base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")).
std::string accept_value(std::string_view key);

// ---- frames (§5) ----

// One complete message (text or binary, fragments joined) or control frame.
struct Message {
  Opcode opcode = Opcode::text;  // text, binary, close, ping or pong; never continuation
  std::string payload;           // unmasked; a text message is valid UTF-8
};

// Why the connection must fail (§7.1.7): the status code to close with and plain words.
struct Failure {
  uint16_t code = kProtocolError;
  std::string reason;
};

// Incremental decoder of client-to-server frames. Feed it whatever octets arrived, then
// call next() until it returns std::monostate (more octets needed). After a Failure the
// decoder is finished: every later next() returns the same Failure.
//
// Fails with kProtocolError for: an unmasked frame (§5.1), a reserved bit set (§5.2,
// no extension is negotiated), a reserved opcode, a length not in its minimal encoding
// or with the top bit of the 64-bit form set (§5.2), a control frame that is fragmented
// or longer than 125 octets (§5.5), a continuation frame outside a fragmented message,
// a new text or binary frame inside one (§5.4). With kInvalidPayload for a text message
// that is not UTF-8 (§8.1; checked frame by frame, so a broken first fragment fails
// before the rest arrives). With kMessageTooBig when a message (the sum of its fragments)
// would be larger than `max_message` octets, noticed from the frame header, before the
// payload is buffered. Control frames between fragments are returned at once (§5.4).
//
// Memory: at most one frame's payload plus its header is buffered (a frame is decoded
// once complete), so at most max_message + 14 octets plus the message being joined.
// Thread: one connection's, like the connection.
class Decoder {
 public:
  explicit Decoder(size_t max_message) : max_message_(max_message) {}

  void feed(std::string_view octets);
  std::variant<std::monostate, Message, Failure> next();

  // Octets fed and not yet decoded.
  size_t buffered() const { return buffer_.size() - offset_; }

 private:
  std::optional<Failure> fail(uint16_t code, std::string reason);

  size_t max_message_;
  std::string buffer_;
  size_t offset_ = 0;  // decoded octets at the front of buffer_
  std::optional<Failure> failure_;
  // The fragmented message being joined, when a first fragment (FIN 0) has arrived.
  std::optional<Opcode> fragmented_;
  std::string joined_;
  // UTF-8 validation of a text message across fragments: continuation octets still
  // expected, and the range the next one must fall in (RFC 3629 §4).
  int utf8_need_ = 0;
  uint8_t utf8_low_ = 0x80, utf8_high_ = 0xBF;
};

// A single unmasked frame from the server (§5.2), FIN set: the opcode, the payload
// length in its minimal encoding, the payload. A control frame's payload must be at
// most kMaxControlPayload octets (the caller's duty; longer ones are cut there).
std::string encode_frame(Opcode opcode, std::string_view payload);

// ---- closing (§5.5.1, §7.4) ----

// True for the codes an endpoint may put in a Close frame: 1000-1003, 1007-1014
// (RFC 6455 §7.4.1 and the IANA registry's 1012-1014), 3000-4999 (§7.4.2). 1004, 1005,
// 1006, 1015 and everything else are invalid.
bool valid_close_code(uint16_t code);

// The payload of a Close frame: the code in network byte order and `reason`, cut to fit
// 125 octets without splitting a UTF-8 sequence. `code` must be valid_close_code.
std::string close_payload(uint16_t code, std::string_view reason);

// A received Close frame's payload (§5.5.1): no code when empty (1005, "no status"),
// else the code and its reason. A Failure (kProtocolError) for a one-octet payload or an
// invalid code, kInvalidPayload for a reason that is not UTF-8.
struct ClosePayload {
  std::optional<uint16_t> code;
  std::string reason;
};
std::variant<ClosePayload, Failure> parse_close_payload(std::string_view payload);

// True when `text` is well-formed UTF-8 (RFC 3629: no overlongs, no surrogates, nothing
// above U+10FFFF).
bool valid_utf8(std::string_view text);

}  // namespace postamt::http::websocket
