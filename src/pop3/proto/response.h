// POP3 responses in wire form (RFC 1939 §3, RFC 2449 §6 and §8, RFC 3206, RFC 5034).
//
// Engines call these instead of assembling response text. Text arguments must not
// contain line breaks: CR, LF and NUL are replaced by spaces so no text can forge a
// response line. Pure functions, callable from any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace postamt::pop3::proto {

// Extended response codes (RFC 2449 §8, RFC 3206 §4-5), sent as "-ERR [CODE] text".
enum class ResponseCode {
  none,
  in_use,       // [IN-USE]: the maildrop is locked by another session
  login_delay,  // [LOGIN-DELAY]: logged in too recently
  sys_temp,     // [SYS/TEMP]: temporary system problem
  sys_perm,     // [SYS/PERM]: permanent system problem
  auth,         // [AUTH]: the credentials were wrong
};

// "+OK\r\n" or "+OK text\r\n".
std::string ok(std::string_view text = {});
// "-ERR text\r\n" or "-ERR [IN-USE] text\r\n".
std::string err(std::string_view text, ResponseCode code = ResponseCode::none);
// A SASL challenge (RFC 5034 §4): "+ <base64>\r\n"; an empty challenge is "+ \r\n".
std::string continuation(std::string_view base64);

// A multi-line response: "+OK status\r\n", each line dot-stuffed with CRLF, ".\r\n".
// For LIST, UIDL and CAPA listings.
std::string multiline(std::string_view status, const std::vector<std::string>& lines);

// A multi-line response whose payload is message text with CRLF line ends (as made by
// message_payload() / top_payload()): "+OK status\r\n" + dot-stuffed payload + ".\r\n".
// A payload whose last line lacks CRLF gets one, so the terminator always stands on
// its own line.
std::string multiline_payload(std::string_view status, std::string_view payload);

// Appends `payload` dot-stuffed (RFC 1939 §3: a line starting with "." gets another
// "."). A line starts at the beginning of `payload` and after each LF.
void append_dot_stuffed(std::string& out, std::string_view payload);

// What CAPA lists (RFC 2449 §6). Lines come out in member order.
struct Capabilities {
  bool top = true;
  bool user = true;  // USER/PASS offered (not over plaintext, RFC 2595 §4)
  bool resp_codes = true;
  bool auth_resp_code = true;  // RFC 3206
  bool pipelining = true;
  bool uidl = true;
  bool stls = false;              // RFC 2595: only before TLS
  std::vector<std::string> sasl;  // mechanisms; empty = no SASL line
  std::string implementation;     // empty = no IMPLEMENTATION line
};
std::vector<std::string> capa_lines(const Capabilities& capabilities);

}  // namespace postamt::pop3::proto
