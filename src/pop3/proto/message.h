// Stored message -> the exact RETR/TOP payload and the STAT/LIST size (RFC 1939 §7,
// §11).
//
// Stored messages may use bare LF or CRLF line ends, mixed, and may lack a final line
// end. The payload is the message in canonical form: every line ends in CRLF,
// including the last one. A CR is a line end only together with the LF after it; a
// lone CR stays content. The payload is NOT dot-stuffed: multiline_payload() in
// response.h does that. The size reported by STAT/LIST is the payload size, i.e. the
// size with CRLF line ends before byte-stuffing, as RFC 1939 §11 asks.
//
// Pure functions, callable from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace postamt::pop3::proto {

// The RETR payload. Empty for an empty message.
std::string message_payload(std::string_view stored);

// message_payload(stored).size(), computed without building the payload.
uint64_t message_octets(std::string_view stored);

// The TOP payload (RFC 1939 §7): the header lines, the empty line that ends them, and
// the first `body_lines` lines of the body (all of them if there are fewer). A
// message without an empty line is all header and comes out whole.
std::string top_payload(std::string_view stored, uint64_t body_lines);

}  // namespace postamt::pop3::proto
