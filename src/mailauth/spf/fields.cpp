#include "mailauth/spf/fields.h"

#include <string_view>

#include "base/strings.h"

namespace postamt::spf {
namespace {

// Printable ASCII only: anything else (CR, LF, NUL, UTF-8 from a hostile HELO) becomes
// '?', so the field stays one well-formed line.
char printable(char c) {
  return c >= 0x20 && c <= 0x7E ? c : '?';
}

// RFC 5322 §3.2.2 comment text: parentheses and backslashes are quoted-pairs.
std::string comment(std::string_view text) {
  std::string out = "(";
  size_t used = 0;
  for (char c : text) {
    if (used == kMaxCommentBytes) {
      out += "...";
      break;
    }
    ++used;
    c = printable(c);
    if (c == '(' || c == ')' || c == '\\') out += '\\';
    out += c;
  }
  return out + ")";
}

// RFC 5322 §3.2.4 quoted-string.
std::string quoted(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    c = printable(c);
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// RFC 5322 §3.2.3 dot-atom-text: atext runs joined by single dots.
bool is_dot_atom(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '.') {
      if (s[i + 1] == '.') return false;
    } else if (!is_ascii_atext(s[i])) {
      return false;
    }
  }
  return true;
}

// RFC 8601 §2.2 pvalue: [ [ local-part ] "@" ] domain-name, else a quoted-string.
std::string property_value(std::string_view value) {
  const size_t at = value.rfind('@');
  const std::string_view local = at == std::string_view::npos ? "" : value.substr(0, at);
  const std::string_view domain = at == std::string_view::npos ? value : value.substr(at + 1);
  const bool plain = is_dot_atom(domain) && (at == std::string_view::npos || is_dot_atom(local)) &&
                     domain.find('=') == std::string_view::npos;
  return plain ? std::string(value) : quoted(value);
}

std::string key_value(std::string_view key, std::string_view value) {
  return std::string(key) + "=" + (is_dot_atom(value) ? std::string(value) : quoted(value)) + ";";
}

}  // namespace

std::string authentication_results_entry(const Verdict& verdict) {
  std::string out = "spf=" + std::string(to_string(verdict.result));
  if (!verdict.problem.empty()) out += " " + comment(verdict.problem);
  if (verdict.identity == "helo") return out + " smtp.helo=" + property_value(verdict.domain);
  return out + " smtp.mailfrom=" + property_value(verdict.sender);
}

std::string received_spf(const Verdict& verdict, const Request& request) {
  const std::string receiver = request.receiver.empty() ? "unknown" : request.receiver;
  std::string why;
  switch (verdict.result) {
    case Outcome::pass:
      why = "domain of " + verdict.sender + " designates " + request.ip + " as permitted sender";
      break;
    case Outcome::fail:
    case Outcome::softfail:
      why = "domain of " + verdict.sender + " does not designate " + request.ip +
            " as permitted sender";
      break;
    case Outcome::neutral:
      why = request.ip + " is neither permitted nor denied by domain of " + verdict.sender;
      break;
    case Outcome::none:
      why = "domain of " + verdict.sender + " does not publish an SPF record";
      break;
    case Outcome::temperror:
    case Outcome::permerror:
      why = "error in processing the SPF record of " + verdict.domain;
      break;
  }
  std::string out = std::string(to_string(verdict.result)) + " " + comment(receiver + ": " + why);
  out += " " + key_value("client-ip", request.ip);
  if (verdict.identity == "mailfrom") out += " " + key_value("envelope-from", verdict.sender);
  out += " " + key_value("helo", request.helo);
  out += " " + key_value("receiver", receiver);
  out += " " + key_value("identity", verdict.identity);
  out += " " + key_value("mechanism", verdict.mechanism.empty() ? "default" : verdict.mechanism);
  if (!verdict.problem.empty()) out += " " + key_value("problem", verdict.problem);
  return out;
}

}  // namespace postamt::spf
