#include "smtp/proto/reply.h"

#include <fmt/format.h>

namespace postamt::smtp::proto {

std::string EnhancedCode::to_string() const {
  return fmt::format("{}.{}.{}", klass, subject, detail);
}

Reply make_reply(int code, EnhancedCode enhanced, std::string text) {
  Reply r;
  r.code = code;
  r.enhanced = enhanced;
  r.lines.push_back(std::move(text));
  return r;
}

namespace {
void append_line(std::string& out, int code, char separator, const std::optional<EnhancedCode>& ec,
                 std::string_view text) {
  out += fmt::format("{:03d}", code);
  std::string body;
  if (ec) body = ec->to_string();
  if (!text.empty()) {
    if (!body.empty()) body.push_back(' ');
    body.append(text);
  }
  // A last line with nothing after the code is "250\r\n" (RFC 5321 §4.2: text optional).
  if (!body.empty() || separator == '-') out.push_back(separator);
  for (char c : body) out.push_back(c == '\r' || c == '\n' || c == '\0' ? ' ' : c);
  out += "\r\n";
}
}  // namespace

std::string encode_reply(const Reply& reply) {
  std::string out;
  if (reply.lines.empty()) {
    append_line(out, reply.code, ' ', reply.enhanced, {});
    return out;
  }
  for (size_t i = 0; i < reply.lines.size(); ++i) {
    char separator = i + 1 == reply.lines.size() ? ' ' : '-';
    append_line(out, reply.code, separator, reply.enhanced, reply.lines[i]);
  }
  return out;
}

Reply ehlo_reply(std::string_view domain, std::string_view greeting, const ServerExtensions& ext) {
  Reply r;
  r.code = 250;
  std::string first(domain);
  if (!greeting.empty()) {
    first.push_back(' ');
    first.append(greeting);
  }
  r.lines.push_back(std::move(first));
  if (ext.pipelining) r.lines.emplace_back("PIPELINING");
  if (ext.size) r.lines.push_back(*ext.size ? fmt::format("SIZE {}", *ext.size) : "SIZE");
  if (ext.eight_bit_mime) r.lines.emplace_back("8BITMIME");
  if (ext.chunking) r.lines.emplace_back("CHUNKING");
  if (ext.binary_mime && ext.chunking) r.lines.emplace_back("BINARYMIME");
  if (ext.smtputf8) r.lines.emplace_back("SMTPUTF8");
  if (ext.dsn) r.lines.emplace_back("DSN");
  if (ext.enhanced_status_codes) r.lines.emplace_back("ENHANCEDSTATUSCODES");
  if (ext.starttls) r.lines.emplace_back("STARTTLS");
  if (!ext.auth_mechanisms.empty()) {
    std::string line = "AUTH";
    for (const auto& m : ext.auth_mechanisms) {
      line.push_back(' ');
      line.append(m);
    }
    r.lines.push_back(std::move(line));
  }
  return r;
}

}  // namespace postamt::smtp::proto
