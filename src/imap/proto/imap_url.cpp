#include "imap/proto/imap_url.h"

#include <charconv>

#include "base/strings.h"

namespace postamt::imap::proto {
namespace {

Error bad(std::string message) {
  return Error{ErrorKind::invalid, std::move(message)};
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 3986 §2.1 percent-decoding; a "%" without two hex digits is an error.
Result<std::string> percent_decode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out += in[i];
      continue;
    }
    if (i + 2 >= in.size()) return bad("bad %-escape");
    int hi = hex_value(in[i + 1]);
    int lo = hex_value(in[i + 2]);
    if (hi < 0 || lo < 0) return bad("bad %-escape");
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

Result<uint64_t> number(std::string_view text, uint64_t max) {
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || n > max)
    return bad("bad number");
  return n;
}

// Takes ";NAME=" (any case) from the front of `rest`, then the value up to the next "/".
std::optional<std::string_view> take_param(std::string_view& rest, std::string_view name) {
  if (rest.size() < name.size() + 2 || rest[0] != ';' || rest[name.size() + 1] != '=' ||
      !iequals(rest.substr(1, name.size()), name))
    return std::nullopt;
  rest.remove_prefix(name.size() + 2);
  size_t end = rest.find('/');
  std::string_view value = rest.substr(0, end);
  rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
  return value;
}

}  // namespace

Result<ImapUrl> parse_imap_url(std::string_view url) {
  ImapUrl out;
  std::string_view rest = url;
  if (rest.empty()) return bad("empty URL");
  if (rest.front() == '/') {
    // "/" enc-mailbox [";UIDVALIDITY=" n] "/"
    rest.remove_prefix(1);
    if (rest.starts_with("/")) return bad("a URL with a server is not taken");
    size_t end = rest.find_first_of(";/");
    if (end == std::string_view::npos) return bad("no message in the URL");
    auto name = percent_decode(rest.substr(0, end));
    if (!name) return name.error();
    if (name->empty()) return bad("no mailbox in the URL");
    out.mailbox = std::move(*name);
    rest.remove_prefix(end);
    if (auto v = take_param(rest, "UIDVALIDITY")) {
      auto n = number(*v, 0xFFFFFFFFu);
      if (!n || *n == 0) return bad("bad UIDVALIDITY");
      out.uid_validity = static_cast<uint32_t>(*n);
    }
    if (!rest.starts_with("/")) return bad("no message in the URL");
    rest.remove_prefix(1);
  } else if (rest.front() != ';') {
    return bad("only relative URLs to messages are taken");
  }
  auto uid = take_param(rest, "UID");
  if (!uid) return bad("no UID in the URL");
  auto n = number(*uid, 0xFFFFFFFFu);
  if (!n || *n == 0) return bad("bad UID");
  out.uid = static_cast<uint32_t>(*n);
  if (rest.starts_with("/;")) {
    rest.remove_prefix(1);
    if (auto s = take_param(rest, "SECTION")) {
      auto decoded = percent_decode(*s);
      if (!decoded) return decoded.error();
      auto section = parse_section_spec(*decoded);
      if (!section) return section.error();
      out.section = std::move(*section);
      if (rest.starts_with("/;")) rest.remove_prefix(1);
    }
    if (auto p = take_param(rest, "PARTIAL")) {
      size_t dot = p->find('.');
      auto offset = number(p->substr(0, dot), UINT64_MAX / 2);
      if (!offset) return bad("bad PARTIAL");
      Partial partial{*offset, 0};
      if (dot != std::string_view::npos) {
        auto length = number(p->substr(dot + 1), UINT64_MAX / 2);
        if (!length || *length == 0) return bad("bad PARTIAL");
        partial.length = *length;
      }
      out.partial = partial;
    }
  }
  if (!rest.empty()) return bad("unexpected text in the URL");
  return out;
}

}  // namespace postamt::imap::proto
