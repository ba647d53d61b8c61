#include "imap/proto/mailbox_name.h"

#include <cstdint>
#include <vector>

#include "base/strings.h"

namespace postamt::imap::proto {

namespace {

constexpr std::string_view kB64 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == ',') return 63;
  return -1;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace

int64_t next_code_point(std::string_view s, size_t& i) {
  auto b = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  uint8_t c = b(i);
  if (c < 0x80) {
    ++i;
    return c;
  }
  size_t len;
  uint32_t cp;
  uint32_t min;
  if ((c & 0xE0) == 0xC0) {
    len = 2, cp = c & 0x1F, min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3, cp = c & 0x0F, min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4, cp = c & 0x07, min = 0x10000;
  } else {
    return -1;
  }
  if (i + len > s.size()) return -1;
  for (size_t k = 1; k < len; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return -1;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
  i += len;
  return cp;
}

namespace {

Error invalid(std::string_view why) {
  return Error{ErrorKind::invalid, "invalid modified UTF-7 mailbox name: " + std::string(why)};
}

// Decodes the base64 run between "&" and "-" into UTF-8 appended to `out`.
Result<void> decode_run(std::string_view run, std::string& out) {
  std::vector<uint16_t> units;
  uint32_t bits = 0;
  int nbits = 0;
  for (char c : run) {
    int v = b64_value(c);
    if (v < 0) return invalid("bad base64 character");
    bits = (bits << 6) | static_cast<uint32_t>(v);
    nbits += 6;
    if (nbits >= 16) {
      nbits -= 16;
      units.push_back(static_cast<uint16_t>(bits >> nbits));
      bits &= (1u << nbits) - 1;
    }
  }
  // RFC 2152: the run ends on a whole UTF-16 unit; leftover bits must be zero padding.
  if (nbits >= 6 || bits != 0) return invalid("partial UTF-16 unit");
  if (units.empty()) return invalid("empty shift");
  for (size_t k = 0; k < units.size(); ++k) {
    uint32_t u = units[k];
    if (u >= 0xD800 && u <= 0xDBFF) {
      if (k + 1 >= units.size() || units[k + 1] < 0xDC00 || units[k + 1] > 0xDFFF)
        return invalid("unpaired surrogate");
      uint32_t lo = units[++k];
      append_utf8(out, 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00));
    } else if (u >= 0xDC00 && u <= 0xDFFF) {
      return invalid("unpaired surrogate");
    } else if (u >= 0x20 && u <= 0x7E) {
      return invalid("encoded printable ASCII");
    } else {
      append_utf8(out, u);
    }
  }
  return {};
}

}  // namespace

bool is_valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size())
    if (next_code_point(s, i) < 0) return false;
  return true;
}

Result<std::string> decode_mutf7(std::string_view wire) {
  std::string out;
  size_t i = 0;
  size_t last_run_end = std::string_view::npos;  // index just past the "-" of the last run
  while (i < wire.size()) {
    auto c = static_cast<uint8_t>(wire[i]);
    if (c < 0x20 || c > 0x7E) return invalid("octet outside printable US-ASCII");
    if (c != '&') {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    size_t dash = wire.find('-', i + 1);
    if (dash == std::string_view::npos) return invalid("unterminated shift");
    if (dash == i + 1) {
      out += '&';
      i = dash + 1;
      continue;
    }
    // RFC 3501 §5.1.3: null shifts ("-&" while in BASE64) are not permitted.
    if (last_run_end == i) return invalid("adjacent shifted runs");
    POSTAMT_TRY(decode_run(wire.substr(i + 1, dash - i - 1), out));
    i = dash + 1;
    last_run_end = i;
  }
  return out;
}

Result<std::string> encode_mutf7(std::string_view utf8) {
  std::string out;
  std::vector<uint16_t> pending;
  auto flush = [&] {
    if (pending.empty()) return;
    out += '&';
    uint32_t bits = 0;
    int nbits = 0;
    for (uint16_t u : pending) {
      bits = (bits << 16) | u;
      nbits += 16;
      while (nbits >= 6) {
        nbits -= 6;
        out += kB64[(bits >> nbits) & 0x3F];
      }
      bits &= (1u << nbits) - 1;
    }
    if (nbits > 0) out += kB64[(bits << (6 - nbits)) & 0x3F];
    out += '-';
    pending.clear();
  };
  size_t i = 0;
  while (i < utf8.size()) {
    int64_t cp = next_code_point(utf8, i);
    if (cp < 0) return Error{ErrorKind::invalid, "mailbox name is not valid UTF-8"};
    if (cp >= 0x20 && cp <= 0x7E) {
      flush();
      if (cp == '&')
        out += "&-";
      else
        out += static_cast<char>(cp);
    } else if (cp >= 0x10000) {
      uint32_t v = static_cast<uint32_t>(cp) - 0x10000;
      pending.push_back(static_cast<uint16_t>(0xD800 + (v >> 10)));
      pending.push_back(static_cast<uint16_t>(0xDC00 + (v & 0x3FF)));
    } else {
      pending.push_back(static_cast<uint16_t>(cp));
    }
  }
  flush();
  return out;
}

Result<std::string> mailbox_from_wire(std::string_view wire, MailboxEncoding encoding) {
  std::string name;
  if (encoding == MailboxEncoding::utf8) {
    if (!is_valid_utf8(wire)) return Error{ErrorKind::invalid, "mailbox name is not valid UTF-8"};
    name = std::string(wire);
  } else {
    auto decoded = decode_mutf7(wire);
    if (!decoded) return decoded.error();
    name = std::move(*decoded);
  }
  if (iequals(name, "INBOX")) return std::string("INBOX");
  return name;
}

Result<std::string> mailbox_to_wire(std::string_view name, MailboxEncoding encoding) {
  if (encoding == MailboxEncoding::utf8) {
    if (!is_valid_utf8(name)) return Error{ErrorKind::invalid, "mailbox name is not valid UTF-8"};
    return std::string(name);
  }
  return encode_mutf7(name);
}

}  // namespace postamt::imap::proto
