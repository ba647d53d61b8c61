#include "autoconfig/proto/xml.h"

#include <cstdint>

namespace postamt::autoconfig {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// The length of the well-formed UTF-8 sequence at text[i] (RFC 3629 §4), 0 when there is
// none; `code` gets its scalar value.
size_t utf8_sequence(std::string_view text, size_t i, uint32_t& code) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char b = byte(i);
  if (b < 0x80) {
    code = b;
    return 1;
  }
  size_t n;
  uint32_t min;
  if ((b & 0xE0) == 0xC0) {
    n = 2, code = b & 0x1F, min = 0x80;
  } else if ((b & 0xF0) == 0xE0) {
    n = 3, code = b & 0x0F, min = 0x800;
  } else if ((b & 0xF8) == 0xF0) {
    n = 4, code = b & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > text.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    code = (code << 6) | (byte(i + k) & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
  if (code < min || (code >= 0xD800 && code <= 0xDFFF) || code > 0x10FFFF) return 0;
  return n;
}

// XML 1.0 §2.2 Char.
bool xml_char(uint32_t c) {
  if (c < 0x20) return c == 0x9 || c == 0xA || c == 0xD;
  return c != 0xFFFE && c != 0xFFFF;
}

}  // namespace

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    uint32_t code = 0;
    size_t n = utf8_sequence(text, i, code);
    if (n == 0) {
      out += kReplacement;
      ++i;
      continue;
    }
    if (!xml_char(code)) {
      out += kReplacement;
    } else if (n > 1) {
      out.append(text.substr(i, n));
    } else {
      switch (text[i]) {
        case '&':
          out += "&amp;";
          break;
        case '<':
          out += "&lt;";
          break;
        case '>':
          out += "&gt;";
          break;
        case '"':
          out += "&quot;";
          break;
        case '\'':
          out += "&apos;";
          break;
        default:
          out += text[i];
      }
    }
    i += n;
  }
  return out;
}

XmlWriter::XmlWriter() : out_("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n") {}

void XmlWriter::indent() {
  out_.append(2 * open_.size(), ' ');
}

void XmlWriter::raw_line(std::string_view line) {
  indent();
  out_ += line;
  out_ += '\n';
}

namespace {
void start_tag(std::string& out, std::string_view name, XmlAttributes attributes) {
  out += '<';
  out += name;
  for (const auto& [attribute, value] : attributes) {
    out += ' ';
    out += attribute;
    out += "=\"";
    out += xml_escape(value);
    out += '"';
  }
}
}  // namespace

void XmlWriter::open(std::string_view name, XmlAttributes attributes) {
  indent();
  start_tag(out_, name, attributes);
  out_ += ">\n";
  open_.emplace_back(name);
}

void XmlWriter::element(std::string_view name, std::string_view text, XmlAttributes attributes) {
  indent();
  start_tag(out_, name, attributes);
  if (text.empty()) {
    out_ += "/>\n";
    return;
  }
  out_ += '>';
  out_ += xml_escape(text);
  out_ += "</";
  out_ += name;
  out_ += ">\n";
}

void XmlWriter::close() {
  if (open_.empty()) return;
  std::string name = std::move(open_.back());
  open_.pop_back();
  indent();
  out_ += "</" + name + ">\n";
}

std::string XmlWriter::finish() {
  while (!open_.empty()) close();
  return std::move(out_);
}

void plist_key(XmlWriter& xml, std::string_view key) {
  xml.element("key", key);
}

void plist_string(XmlWriter& xml, std::string_view key, std::string_view value) {
  plist_key(xml, key);
  // <string/> is an empty string in a plist as well; element() writes that for "".
  xml.element("string", value);
}

void plist_integer(XmlWriter& xml, std::string_view key, long long value) {
  plist_key(xml, key);
  xml.element("integer", std::to_string(value));
}

void plist_bool(XmlWriter& xml, std::string_view key, bool value) {
  plist_key(xml, key);
  xml.element(value ? "true" : "false", "");
}

}  // namespace postamt::autoconfig
