#include "http/websocket.h"

#include <openssl/sha.h>

#include <algorithm>
#include <array>

#include "base/base64.h"
#include "base/strings.h"
#include "http/wire.h"

namespace postamt::http::websocket {
namespace {

// §1.3: the GUID the accept value is made with.
constexpr std::string_view kAcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

// RFC 9110 §5.6.2 tchar.
bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    bool ok = (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') ||
              std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

HandshakeRefusal refuse(int status, std::string detail) {
  return HandshakeRefusal{status, std::move(detail)};
}

// One step of RFC 3629 §4 validation: feeds `octet` given the state (continuation
// octets still needed and the range the next one must be in). False when ill-formed.
bool utf8_step(uint8_t octet, int& need, uint8_t& low, uint8_t& high) {
  if (need > 0) {
    if (octet < low || octet > high) return false;
    low = 0x80;
    high = 0xBF;
    --need;
    return true;
  }
  if (octet < 0x80) return true;
  if (octet >= 0xC2 && octet <= 0xDF) {
    need = 1;
  } else if (octet >= 0xE0 && octet <= 0xEF) {
    need = 2;
    if (octet == 0xE0) low = 0xA0;   // no overlongs
    if (octet == 0xED) high = 0x9F;  // no surrogates
  } else if (octet >= 0xF0 && octet <= 0xF4) {
    need = 3;
    if (octet == 0xF0) low = 0x90;   // no overlongs
    if (octet == 0xF4) high = 0x8F;  // nothing above U+10FFFF
  } else {
    return false;
  }
  return true;
}

bool is_control(Opcode opcode) {
  return (static_cast<uint8_t>(opcode) & 0x8) != 0;
}

}  // namespace

std::string accept_value(std::string_view key) {
  std::string input(key);
  input += kAcceptGuid;
  std::array<unsigned char, SHA_DIGEST_LENGTH> digest{};
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest.data());
  return base64::encode(
      std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

std::variant<ClientHandshake, HandshakeRefusal> check_client_handshake(const Request& request) {
  if (request.method != "GET") return refuse(400, "a WebSocket handshake is a GET");
  if (request.version < 11) return refuse(400, "a WebSocket handshake needs HTTP/1.1");
  auto upgrade = request.header("Upgrade");
  if (!upgrade || !detail::has_token(*upgrade, "websocket"))
    return refuse(400, "the Upgrade field must name websocket");
  auto connection = request.header("Connection");
  if (!connection || !detail::has_token(*connection, "upgrade"))
    return refuse(400, "the Connection field must name Upgrade");
  // Each of these fields appears once (§4.2.1 items 5, 6).
  size_t versions = 0, keys = 0;
  std::string_view version, key;
  for (const Header& h : request.headers) {
    if (iequals(h.name, "Sec-WebSocket-Version")) {
      ++versions;
      version = trim(h.value);
    } else if (iequals(h.name, "Sec-WebSocket-Key")) {
      ++keys;
      key = trim(h.value);
    }
  }
  if (versions != 1 || version != "13")
    return refuse(426, "only WebSocket version 13 is supported");
  auto decoded = keys == 1 ? base64::decode(key) : std::nullopt;
  if (!decoded || decoded->size() != 16)
    return refuse(400, "Sec-WebSocket-Key must be one base64 value of 16 octets");
  ClientHandshake out;
  out.accept = accept_value(key);
  // §4.3: Sec-WebSocket-Protocol-Client = 1#token; several fields form one list.
  for (const Header& h : request.headers) {
    if (!iequals(h.name, "Sec-WebSocket-Protocol")) continue;
    for (std::string_view item : split(h.value, ',')) {
      std::string_view token = trim(item);
      if (!is_token(token)) return refuse(400, "Sec-WebSocket-Protocol must be a list of tokens");
      out.protocols.emplace_back(token);
    }
  }
  return out;
}

// ---- Decoder ----

void Decoder::feed(std::string_view octets) {
  if (failure_) return;
  // Drop what was decoded before appending, so the buffer holds one frame at most.
  if (offset_ > 0) {
    buffer_.erase(0, offset_);
    offset_ = 0;
  }
  buffer_.append(octets);
}

std::optional<Failure> Decoder::fail(uint16_t code, std::string reason) {
  failure_ = Failure{code, std::move(reason)};
  buffer_.clear();
  offset_ = 0;
  joined_.clear();
  return failure_;
}

std::variant<std::monostate, Message, Failure> Decoder::next() {
  if (failure_) return *failure_;
  // One frame per round; a fragment that is not the last goes round again.
  for (;;) {
    std::string_view in(buffer_);
    in.remove_prefix(offset_);
    if (in.size() < 2) return std::monostate{};
    const auto b0 = static_cast<uint8_t>(in[0]);
    const auto b1 = static_cast<uint8_t>(in[1]);
    const bool fin = (b0 & 0x80) != 0;
    const auto opcode = static_cast<Opcode>(b0 & 0x0F);
    // §5.2: RSV1-3 MUST be 0 unless an extension defines them; none is negotiated.
    if ((b0 & 0x70) != 0) return *fail(kProtocolError, "reserved bits set");
    switch (opcode) {
      case Opcode::continuation:
      case Opcode::text:
      case Opcode::binary:
      case Opcode::close:
      case Opcode::ping:
      case Opcode::pong:
        break;
      default:
        return *fail(kProtocolError, "reserved opcode");
    }
    // §5.1: a server MUST close the connection on an unmasked client frame.
    if ((b1 & 0x80) == 0) return *fail(kProtocolError, "client frames must be masked");
    uint64_t length = b1 & 0x7F;
    size_t header = 2;
    if (length == 126) {
      if (in.size() < 4) return std::monostate{};
      length = (uint64_t{static_cast<uint8_t>(in[2])} << 8) | static_cast<uint8_t>(in[3]);
      header = 4;
      // §5.2: "the minimal number of bytes MUST be used to encode the length".
      if (length < 126) return *fail(kProtocolError, "length not minimally encoded");
    } else if (length == 127) {
      if (in.size() < 10) return std::monostate{};
      length = 0;
      for (size_t i = 2; i < 10; ++i) length = (length << 8) | static_cast<uint8_t>(in[i]);
      header = 10;
      if (length >> 63) return *fail(kProtocolError, "the top bit of a 64-bit length is set");
      if (length <= 0xFFFF) return *fail(kProtocolError, "length not minimally encoded");
    }
    if (is_control(opcode)) {
      // §5.5: control frames are never fragmented and carry at most 125 octets.
      if (!fin) return *fail(kProtocolError, "a fragmented control frame");
      if (length > kMaxControlPayload)
        return *fail(kProtocolError, "a control frame over 125 octets");
    } else if (opcode == Opcode::continuation) {
      if (!fragmented_) return *fail(kProtocolError, "a continuation frame without a message");
    } else if (fragmented_) {
      return *fail(kProtocolError, "a new message inside a fragmented one");
    }
    // The size limit is checked from the header, before any payload is buffered.
    if (!is_control(opcode)) {
      uint64_t so_far = opcode == Opcode::continuation ? joined_.size() : 0;
      if (length > max_message_ || so_far + length > max_message_)
        return *fail(kMessageTooBig, "the message is over the size limit");
    }
    header += 4;  // the masking key
    if (in.size() < header) return std::monostate{};
    if (in.size() - header < length) return std::monostate{};

    const auto* mask = reinterpret_cast<const uint8_t*>(in.data() + header - 4);
    std::string payload(in.substr(header, static_cast<size_t>(length)));
    for (size_t i = 0; i < payload.size(); ++i)
      payload[i] = static_cast<char>(static_cast<uint8_t>(payload[i]) ^ mask[i % 4]);
    offset_ += header + static_cast<size_t>(length);

    if (is_control(opcode)) return Message{opcode, std::move(payload)};

    const Opcode message_type = opcode == Opcode::continuation ? *fragmented_ : opcode;
    if (message_type == Opcode::text) {
      // §8.1: checked fragment by fragment, so a broken message fails before its end.
      for (char c : payload)
        if (!utf8_step(static_cast<uint8_t>(c), utf8_need_, utf8_low_, utf8_high_))
          return *fail(kInvalidPayload, "the text message is not UTF-8");
      if (fin && utf8_need_ != 0) return *fail(kInvalidPayload, "the text message is not UTF-8");
    }
    if (!fin) {
      fragmented_ = message_type;
      joined_ += payload;
      continue;
    }
    Message message{message_type, {}};
    if (opcode == Opcode::continuation) {
      joined_ += payload;
      message.payload = std::move(joined_);
      joined_.clear();
      fragmented_.reset();
    } else {
      message.payload = std::move(payload);
    }
    utf8_need_ = 0;
    utf8_low_ = 0x80;
    utf8_high_ = 0xBF;
    return message;
  }
}

std::string encode_frame(Opcode opcode, std::string_view payload) {
  if (is_control(opcode) && payload.size() > kMaxControlPayload)
    payload = payload.substr(0, kMaxControlPayload);
  std::string out;
  out.reserve(payload.size() + 10);
  out.push_back(static_cast<char>(0x80 | static_cast<uint8_t>(opcode)));
  const uint64_t n = payload.size();
  if (n < 126) {
    out.push_back(static_cast<char>(n));
  } else if (n <= 0xFFFF) {
    out.push_back(static_cast<char>(126));
    out.push_back(static_cast<char>(n >> 8));
    out.push_back(static_cast<char>(n & 0xFF));
  } else {
    out.push_back(static_cast<char>(127));
    for (int shift = 56; shift >= 0; shift -= 8)
      out.push_back(static_cast<char>((n >> shift) & 0xFF));
  }
  out.append(payload);
  return out;
}

bool valid_close_code(uint16_t code) {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
         (code >= 3000 && code <= 4999);
}

std::string close_payload(uint16_t code, std::string_view reason) {
  size_t room = kMaxControlPayload - 2;
  if (reason.size() > room) {
    // Back up to the start of the sequence that would be cut.
    size_t cut = room;
    while (cut > 0 && (static_cast<uint8_t>(reason[cut]) & 0xC0) == 0x80) --cut;
    reason = reason.substr(0, cut);
  }
  std::string out;
  out.push_back(static_cast<char>(code >> 8));
  out.push_back(static_cast<char>(code & 0xFF));
  out.append(reason);
  return out;
}

std::variant<ClosePayload, Failure> parse_close_payload(std::string_view payload) {
  ClosePayload out;
  if (payload.empty()) return out;
  if (payload.size() == 1) return Failure{kProtocolError, "a close payload of one octet"};
  auto code = static_cast<uint16_t>((static_cast<uint8_t>(payload[0]) << 8) |
                                    static_cast<uint8_t>(payload[1]));
  if (!valid_close_code(code)) return Failure{kProtocolError, "an invalid close code"};
  std::string_view reason = payload.substr(2);
  if (!valid_utf8(reason)) return Failure{kInvalidPayload, "the close reason is not UTF-8"};
  out.code = code;
  out.reason = std::string(reason);
  return out;
}

bool valid_utf8(std::string_view text) {
  int need = 0;
  uint8_t low = 0x80, high = 0xBF;
  for (char c : text)
    if (!utf8_step(static_cast<uint8_t>(c), need, low, high)) return false;
  return need == 0;
}

}  // namespace postamt::http::websocket
