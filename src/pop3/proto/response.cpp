#include "pop3/proto/response.h"

namespace postamt::pop3::proto {

namespace {

void append_text(std::string& out, std::string_view text) {
  for (char c : text) out.push_back(c == '\r' || c == '\n' || c == '\0' ? ' ' : c);
}

std::string_view code_text(ResponseCode code) {
  switch (code) {
    case ResponseCode::none:
      return {};
    case ResponseCode::in_use:
      return "[IN-USE]";
    case ResponseCode::login_delay:
      return "[LOGIN-DELAY]";
    case ResponseCode::sys_temp:
      return "[SYS/TEMP]";
    case ResponseCode::sys_perm:
      return "[SYS/PERM]";
    case ResponseCode::auth:
      return "[AUTH]";
  }
  return {};
}

std::string status_line(std::string_view status) {
  std::string out = "+OK";
  if (!status.empty()) {
    out.push_back(' ');
    append_text(out, status);
  }
  out += "\r\n";
  return out;
}

}  // namespace

std::string ok(std::string_view text) {
  return status_line(text);
}

std::string err(std::string_view text, ResponseCode code) {
  std::string out = "-ERR";
  std::string_view c = code_text(code);
  if (!c.empty()) {
    out.push_back(' ');
    out.append(c);
  }
  if (!text.empty()) {
    out.push_back(' ');
    append_text(out, text);
  }
  out += "\r\n";
  return out;
}

std::string continuation(std::string_view base64) {
  std::string out = "+ ";
  append_text(out, base64);
  out += "\r\n";
  return out;
}

void append_dot_stuffed(std::string& out, std::string_view payload) {
  bool line_start = true;
  size_t run = 0;  // start of the octets not yet copied
  for (size_t i = 0; i < payload.size(); ++i) {
    if (line_start && payload[i] == '.') {
      out.append(payload.substr(run, i - run));
      out.push_back('.');
      run = i;
    }
    line_start = payload[i] == '\n';
  }
  out.append(payload.substr(run));
}

std::string multiline(std::string_view status, const std::vector<std::string>& lines) {
  std::string out = status_line(status);
  for (const auto& line : lines) {
    std::string clean;
    append_text(clean, line);
    append_dot_stuffed(out, clean);
    out += "\r\n";
  }
  out += ".\r\n";
  return out;
}

std::string multiline_payload(std::string_view status, std::string_view payload) {
  std::string out = status_line(status);
  out.reserve(out.size() + payload.size() + payload.size() / 64 + 5);
  append_dot_stuffed(out, payload);
  if (!payload.empty() && payload.back() != '\n') out += "\r\n";
  out += ".\r\n";
  return out;
}

std::vector<std::string> capa_lines(const Capabilities& c) {
  std::vector<std::string> out;
  if (c.top) out.emplace_back("TOP");
  if (c.user) out.emplace_back("USER");
  if (c.resp_codes) out.emplace_back("RESP-CODES");
  if (c.auth_resp_code) out.emplace_back("AUTH-RESP-CODE");
  if (c.pipelining) out.emplace_back("PIPELINING");
  if (c.uidl) out.emplace_back("UIDL");
  if (c.stls) out.emplace_back("STLS");
  if (!c.sasl.empty()) {
    std::string line = "SASL";
    for (const auto& m : c.sasl) line += " " + m;
    out.push_back(std::move(line));
  }
  if (!c.implementation.empty()) out.push_back("IMPLEMENTATION " + c.implementation);
  return out;
}

}  // namespace postamt::pop3::proto
