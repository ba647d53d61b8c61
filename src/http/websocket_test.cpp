// The WebSocket codec (RFC 6455): the handshake check, the frame decoder fed whole and in
// pieces (1, 2, 7 octets), malformed and oversized frames, the §5.7 examples as exact
// octets, close payloads. Each test names the rule it checks.
#include "http/websocket.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace postamt::http::websocket {
namespace {

std::string bytes(std::initializer_list<int> octets) {
  std::string out;
  for (int o : octets) out.push_back(static_cast<char>(o));
  return out;
}

// A client frame: FIN/RSV/opcode octet as given, masked with `mask`, minimal length.
std::string client_frame(uint8_t first, std::string_view payload,
                         std::array<uint8_t, 4> mask = {0x37, 0xfa, 0x21, 0x3d}) {
  std::string out;
  out.push_back(static_cast<char>(first));
  uint64_t n = payload.size();
  if (n < 126) {
    out.push_back(static_cast<char>(0x80 | n));
  } else if (n <= 0xFFFF) {
    out.push_back(static_cast<char>(0x80 | 126));
    out.push_back(static_cast<char>(n >> 8));
    out.push_back(static_cast<char>(n & 0xFF));
  } else {
    out.push_back(static_cast<char>(0x80 | 127));
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(n >> shift));
  }
  for (uint8_t m : mask) out.push_back(static_cast<char>(m));
  for (size_t i = 0; i < payload.size(); ++i)
    out.push_back(static_cast<char>(static_cast<uint8_t>(payload[i]) ^ mask[i % 4]));
  return out;
}

// Everything the decoder makes of `input` fed in pieces of `piece` octets (0: whole).
struct Decoded {
  std::vector<Message> messages;
  std::optional<Failure> failure;
};

Decoded decode(std::string_view input, size_t piece = 0, size_t max_message = 1 << 20) {
  Decoder decoder(max_message);
  Decoded out;
  if (piece == 0) piece = std::max<size_t>(input.size(), 1);
  for (size_t at = 0; at < input.size() && !out.failure; at += piece) {
    decoder.feed(input.substr(at, piece));
    for (;;) {
      auto next = decoder.next();
      if (std::holds_alternative<std::monostate>(next)) break;
      if (auto* f = std::get_if<Failure>(&next)) {
        out.failure = *f;
        break;
      }
      out.messages.push_back(std::get<Message>(std::move(next)));
    }
  }
  return out;
}

// The same result whole and in 1, 2 and 7 octet pieces.
Decoded decode_all_ways(std::string_view input, size_t max_message = 1 << 20) {
  Decoded whole = decode(input, 0, max_message);
  for (size_t piece : {1, 2, 7}) {
    Decoded pieces = decode(input, piece, max_message);
    EXPECT_EQ(pieces.messages.size(), whole.messages.size()) << "piece " << piece;
    for (size_t i = 0; i < std::min(pieces.messages.size(), whole.messages.size()); ++i) {
      EXPECT_EQ(pieces.messages[i].opcode, whole.messages[i].opcode);
      EXPECT_EQ(pieces.messages[i].payload, whole.messages[i].payload);
    }
    EXPECT_EQ(pieces.failure.has_value(), whole.failure.has_value()) << "piece " << piece;
    if (pieces.failure && whole.failure) {
      EXPECT_EQ(pieces.failure->code, whole.failure->code) << "piece " << piece;
    }
  }
  return whole;
}

uint16_t failure_code(std::string_view input, size_t max_message = 1 << 20) {
  Decoded d = decode_all_ways(input, max_message);
  EXPECT_TRUE(d.failure.has_value());
  return d.failure ? d.failure->code : 0;
}

Request handshake() {
  Request r;
  r.method = "GET";
  r.target = r.path = "/jmap/ws";
  r.headers = {
      {"Host", "server.example.com"},     {"Upgrade", "websocket"},
      {"Connection", "Upgrade"},          {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
      {"Sec-WebSocket-Protocol", "jmap"}, {"Sec-WebSocket-Version", "13"}};
  return r;
}

// ---- handshake ----

// RFC 6455 §1.3 / §4.2.2: the example key's accept value.
TEST(WebSocketHandshake, AcceptValueOfTheRfcExample) {
  EXPECT_EQ(accept_value("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

// RFC 8887 §4.4's opening handshake is accepted, its protocol list read.
TEST(WebSocketHandshake, RfcExampleIsAccepted) {
  auto got = check_client_handshake(handshake());
  ASSERT_TRUE(std::holds_alternative<ClientHandshake>(got));
  EXPECT_EQ(std::get<ClientHandshake>(got).accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  EXPECT_EQ(std::get<ClientHandshake>(got).protocols, std::vector<std::string>{"jmap"});
}

// §4.2.1 items 3, 4: tokens, ASCII case-insensitive, in lists; protocols over fields.
TEST(WebSocketHandshake, TokensInListsAndCase) {
  Request r = handshake();
  r.headers[1].value = "WebSocket";
  r.headers[2].value = "keep-alive, UPGRADE";
  r.headers[4].value = "chat , jmap";
  r.headers.push_back({"sec-websocket-protocol", "x-other"});
  auto got = check_client_handshake(r);
  ASSERT_TRUE(std::holds_alternative<ClientHandshake>(got));
  EXPECT_EQ(std::get<ClientHandshake>(got).protocols,
            (std::vector<std::string>{"chat", "jmap", "x-other"}));
}

HandshakeRefusal refusal(const Request& r) {
  auto got = check_client_handshake(r);
  EXPECT_TRUE(std::holds_alternative<HandshakeRefusal>(got));
  return std::holds_alternative<HandshakeRefusal>(got) ? std::get<HandshakeRefusal>(got)
                                                       : HandshakeRefusal{0, ""};
}

// §4.2.1: each requirement, the status and words of its refusal.
TEST(WebSocketHandshake, EachRequirement) {
  Request r = handshake();
  r.method = "POST";
  EXPECT_EQ(refusal(r).detail, "a WebSocket handshake is a GET");
  r = handshake();
  r.version = 10;
  EXPECT_EQ(refusal(r).detail, "a WebSocket handshake needs HTTP/1.1");
  r = handshake();
  r.headers[1].value = "h2c";
  EXPECT_EQ(refusal(r).detail, "the Upgrade field must name websocket");
  r = handshake();
  r.headers[2].value = "keep-alive";
  EXPECT_EQ(refusal(r).detail, "the Connection field must name Upgrade");
  r = handshake();
  r.headers[5].value = "8";
  HandshakeRefusal v = refusal(r);
  EXPECT_EQ(v.status, 426);
  EXPECT_EQ(v.detail, "only WebSocket version 13 is supported");
  r.headers.erase(r.headers.begin() + 5);
  EXPECT_EQ(refusal(r).status, 426);
  for (std::string key : {"", "dGhlIHNhbXBsZSBub25jZQ", "dGhlIHNhbXBsZSBub25jZQ=!",
                          "dGhlIHNhbXBsZSBub25jZSE=" /* 17 octets */, "AAAA"}) {
    r = handshake();
    r.headers[3].value = key;
    HandshakeRefusal k = refusal(r);
    EXPECT_EQ(k.status, 400) << key;
    EXPECT_EQ(k.detail, "Sec-WebSocket-Key must be one base64 value of 16 octets") << key;
  }
  r = handshake();
  r.headers.push_back({"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="});
  EXPECT_EQ(refusal(r).status, 400);
  r = handshake();
  r.headers.erase(r.headers.begin() + 3);
  EXPECT_EQ(refusal(r).status, 400);
  for (std::string list : {"", "jmap,", "a b", "j\"map"}) {
    r = handshake();
    r.headers[4].value = list;
    EXPECT_EQ(refusal(r).detail, "Sec-WebSocket-Protocol must be a list of tokens") << list;
  }
}

// ---- decoding ----

// §5.7: a single-frame masked text message.
TEST(WebSocketDecoder, MaskedHelloOfTheRfc) {
  std::string frame = bytes({0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58});
  EXPECT_EQ(client_frame(0x81, "Hello"), frame);
  Decoded d = decode_all_ways(frame);
  ASSERT_FALSE(d.failure);
  ASSERT_EQ(d.messages.size(), 1u);
  EXPECT_EQ(d.messages[0].opcode, Opcode::text);
  EXPECT_EQ(d.messages[0].payload, "Hello");
}

// §5.7: the masked Pong answering a Ping of "Hello".
TEST(WebSocketDecoder, MaskedPongOfTheRfc) {
  Decoded d =
      decode_all_ways(bytes({0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}));
  ASSERT_EQ(d.messages.size(), 1u);
  EXPECT_EQ(d.messages[0].opcode, Opcode::pong);
  EXPECT_EQ(d.messages[0].payload, "Hello");
}

// §5.1: the unmasked frames of §5.7 are what a client must not send.
TEST(WebSocketDecoder, UnmaskedFramesFail) {
  EXPECT_EQ(failure_code(bytes({0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f})), kProtocolError);
  EXPECT_EQ(failure_code(bytes({0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f})), kProtocolError);
  EXPECT_EQ(decode(bytes({0x81, 0x05})).failure->reason, "client frames must be masked");
}

// §5.4: fragments joined; a control frame between fragments comes out at once.
TEST(WebSocketDecoder, FragmentsJoinedAroundAPing) {
  std::string input = client_frame(0x01, "Hel") + client_frame(0x89, "p") + client_frame(0x00, "") +
                      client_frame(0x80, "lo") + client_frame(0x82, std::string("\0\xff", 2));
  Decoded d = decode_all_ways(input);
  ASSERT_FALSE(d.failure);
  ASSERT_EQ(d.messages.size(), 3u);
  EXPECT_EQ(d.messages[0].opcode, Opcode::ping);
  EXPECT_EQ(d.messages[0].payload, "p");
  EXPECT_EQ(d.messages[1].opcode, Opcode::text);
  EXPECT_EQ(d.messages[1].payload, "Hello");
  EXPECT_EQ(d.messages[2].opcode, Opcode::binary);
  EXPECT_EQ(d.messages[2].payload, std::string("\0\xff", 2));
}

// §5.2: 16- and 64-bit lengths (the §5.7 256-octet and 64 KiB examples, masked).
TEST(WebSocketDecoder, ExtendedLengths) {
  std::string small(256, 'a'), large(65536, 'b');
  std::string f16 = client_frame(0x82, small);
  EXPECT_EQ(f16.substr(0, 4), bytes({0x82, 0xFE, 0x01, 0x00}));
  std::string f64 = client_frame(0x81, large);
  EXPECT_EQ(f64.substr(0, 10), bytes({0x81, 0xFF, 0, 0, 0, 0, 0, 1, 0, 0}));
  Decoded d = decode_all_ways(f16 + f64);
  ASSERT_EQ(d.messages.size(), 2u);
  EXPECT_EQ(d.messages[0].payload, small);
  EXPECT_EQ(d.messages[1].payload, large);
}

// §5.2: "the minimal number of bytes MUST be used to encode the length"; the top bit of
// the 64-bit form MUST be 0.
TEST(WebSocketDecoder, LengthEncodingRules) {
  EXPECT_EQ(failure_code(bytes({0x81, 0xFE, 0x00, 0x7D, 1, 2, 3, 4})), kProtocolError);
  EXPECT_EQ(failure_code(bytes({0x81, 0xFF, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 1, 2, 3, 4})),
            kProtocolError);
  Decoded top = decode(bytes({0x81, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0}));
  ASSERT_TRUE(top.failure);
  EXPECT_EQ(top.failure->reason, "the top bit of a 64-bit length is set");
}

// §5.2: reserved bits without an extension, reserved opcodes.
TEST(WebSocketDecoder, ReservedBitsAndOpcodes) {
  for (int first : {0xC1, 0xA1, 0x91})
    EXPECT_EQ(failure_code(client_frame(first, "x")), kProtocolError) << first;
  for (int opcode : {3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF})
    EXPECT_EQ(failure_code(client_frame(0x80 | opcode, "")), kProtocolError) << opcode;
}

// §5.5: control frames are at most 125 octets and never fragmented.
TEST(WebSocketDecoder, ControlFrameRules) {
  Decoded ok = decode_all_ways(client_frame(0x89, std::string(125, 'p')));
  ASSERT_EQ(ok.messages.size(), 1u);
  EXPECT_EQ(failure_code(client_frame(0x89, std::string(126, 'p'))), kProtocolError);
  EXPECT_EQ(failure_code(client_frame(0x09, "p")), kProtocolError);
  EXPECT_EQ(failure_code(client_frame(0x08, "")), kProtocolError);
}

// §5.4: continuation only inside a fragmented message; no new message inside one.
TEST(WebSocketDecoder, ContinuationRules) {
  EXPECT_EQ(failure_code(client_frame(0x80, "x")), kProtocolError);
  EXPECT_EQ(failure_code(client_frame(0x01, "a") + client_frame(0x81, "b")), kProtocolError);
  EXPECT_EQ(failure_code(client_frame(0x02, "a") + client_frame(0x01, "b")), kProtocolError);
}

// §8.1: a text message that is not UTF-8 fails with 1007, also across fragments and
// before the end of a message; a sequence split between fragments is fine.
TEST(WebSocketDecoder, TextMustBeUtf8) {
  EXPECT_EQ(failure_code(client_frame(0x81, "\xC3\x28")), kInvalidPayload);
  EXPECT_EQ(failure_code(client_frame(0x81, "\xED\xA0\x80")), kInvalidPayload);  // surrogate
  EXPECT_EQ(failure_code(client_frame(0x81, "\xC0\xAF")), kInvalidPayload);      // overlong
  EXPECT_EQ(failure_code(client_frame(0x81, "\xF4\x90\x80\x80")), kInvalidPayload);
  EXPECT_EQ(failure_code(client_frame(0x81, "\xE2\x82")), kInvalidPayload);  // cut short
  // The first fragment is already broken: no need to wait for the rest.
  EXPECT_EQ(failure_code(client_frame(0x01, "ok\xFF")), kInvalidPayload);
  Decoded split = decode_all_ways(client_frame(0x01, "\xE2\x82") + client_frame(0x80, "\xAC!"));
  ASSERT_EQ(split.messages.size(), 1u);
  EXPECT_EQ(split.messages[0].payload, "\xE2\x82\xAC!");
  // Binary messages are not text.
  EXPECT_EQ(decode_all_ways(client_frame(0x82, "\xFF")).messages.size(), 1u);
}

// The message size limit: 1009 from the header, counting all fragments.
TEST(WebSocketDecoder, MessageSizeLimit) {
  EXPECT_EQ(decode_all_ways(client_frame(0x81, std::string(100, 'a')), 100).messages.size(), 1u);
  EXPECT_EQ(failure_code(client_frame(0x81, std::string(101, 'a')), 100), kMessageTooBig);
  EXPECT_EQ(
      failure_code(
          client_frame(0x01, std::string(60, 'a')) + client_frame(0x80, std::string(41, 'a')), 100),
      kMessageTooBig);
  // Known from the header alone: nothing of the payload is needed.
  Decoded huge = decode(bytes({0x81, 0xFF, 0, 0, 0, 1, 0, 0, 0, 0}), 0, 100);
  ASSERT_TRUE(huge.failure);
  EXPECT_EQ(huge.failure->code, kMessageTooBig);
  // Control frames do not count.
  EXPECT_EQ(decode_all_ways(client_frame(0x89, std::string(125, 'p')), 10).messages.size(), 1u);
}

// After a failure the decoder keeps failing and buffers nothing.
TEST(WebSocketDecoder, FailureIsFinal) {
  Decoder decoder(100);
  decoder.feed(bytes({0x81, 0x05}));
  auto first = decoder.next();
  ASSERT_TRUE(std::holds_alternative<Failure>(first));
  decoder.feed(client_frame(0x81, "fine"));
  auto again = decoder.next();
  ASSERT_TRUE(std::holds_alternative<Failure>(again));
  EXPECT_EQ(std::get<Failure>(again).reason, "client frames must be masked");
  EXPECT_EQ(decoder.buffered(), 0u);
}

// Many tiny fragments in one read do not grow the stack (one frame per round).
TEST(WebSocketDecoder, ManyEmptyFragments) {
  std::string input = client_frame(0x01, "");
  for (int i = 0; i < 100000; ++i) input += client_frame(0x00, "");
  input += client_frame(0x80, "end");
  Decoded d = decode(input);
  ASSERT_EQ(d.messages.size(), 1u);
  EXPECT_EQ(d.messages[0].payload, "end");
}

// ---- encoding ----

// §5.7: the unmasked server frames, exact octets.
TEST(WebSocketEncoder, ExamplesOfTheRfc) {
  EXPECT_EQ(encode_frame(Opcode::text, "Hello"), bytes({0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}));
  EXPECT_EQ(encode_frame(Opcode::ping, "Hello"), bytes({0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}));
  std::string f256 = encode_frame(Opcode::binary, std::string(256, 'x'));
  EXPECT_EQ(f256.substr(0, 4), bytes({0x82, 0x7E, 0x01, 0x00}));
  EXPECT_EQ(f256.size(), 260u);
  std::string f64k = encode_frame(Opcode::binary, std::string(65536, 'x'));
  EXPECT_EQ(f64k.substr(0, 10), bytes({0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0}));
  EXPECT_EQ(f64k.size(), 65546u);
  // The boundaries of the length forms.
  EXPECT_EQ(encode_frame(Opcode::text, std::string(125, 'x'))[1], 125);
  EXPECT_EQ(encode_frame(Opcode::text, std::string(126, 'x')).substr(1, 3), bytes({126, 0, 126}));
  EXPECT_EQ(encode_frame(Opcode::text, std::string(65535, 'x')).substr(1, 3),
            bytes({126, 0xFF, 0xFF}));
  // A control payload is cut to 125 octets.
  EXPECT_EQ(encode_frame(Opcode::pong, std::string(200, 'x')).size(), 127u);
}

// ---- closing ----

// §7.4: which codes may be sent.
TEST(WebSocketClose, ValidCodes) {
  for (uint16_t c :
       {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4999})
    EXPECT_TRUE(valid_close_code(c)) << c;
  for (uint16_t c : {0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535})
    EXPECT_FALSE(valid_close_code(c)) << c;
}

// §5.5.1: code in network byte order, then the reason; cut at 125 octets on a UTF-8
// boundary.
TEST(WebSocketClose, Payloads) {
  EXPECT_EQ(close_payload(1001, "going away"), bytes({0x03, 0xE9}) + "going away");
  std::string euro;
  for (int i = 0; i < 50; ++i) euro += "\xE2\x82\xAC";  // 150 octets
  std::string cut = close_payload(1000, euro);
  EXPECT_EQ(cut.size(), 2u + 123u - 123u % 3u);
  EXPECT_TRUE(valid_utf8(cut.substr(2)));

  auto empty = parse_close_payload("");
  ASSERT_TRUE(std::holds_alternative<ClosePayload>(empty));
  EXPECT_FALSE(std::get<ClosePayload>(empty).code);
  auto normal = parse_close_payload(bytes({0x03, 0xE8}) + "bye");
  ASSERT_TRUE(std::holds_alternative<ClosePayload>(normal));
  EXPECT_EQ(std::get<ClosePayload>(normal).code, 1000);
  EXPECT_EQ(std::get<ClosePayload>(normal).reason, "bye");
  EXPECT_EQ(std::get<Failure>(parse_close_payload(bytes({0x03}))).code, kProtocolError);
  EXPECT_EQ(std::get<Failure>(parse_close_payload(bytes({0x03, 0xED}))).code, kProtocolError);
  EXPECT_EQ(std::get<Failure>(parse_close_payload(bytes({0x03, 0xE8, 0xFF}))).code,
            kInvalidPayload);
}

}  // namespace
}  // namespace postamt::http::websocket
