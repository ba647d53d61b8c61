#include "imap/proto/writer.h"

#include "imap/proto/chars.h"
#include "imap/proto/mailbox_name.h"
#include "imap/proto/types.h"

namespace postamt::imap::proto {

void Writer::separate() {
  if (need_space_) out_ += ' ';
  need_space_ = true;
}

Writer& Writer::atom(std::string_view token) {
  separate();
  out_ += token;
  return *this;
}

Writer& Writer::number(uint64_t n) {
  return atom(std::to_string(n));
}

bool Writer::quotable(std::string_view s, StringCharset charset) {
  bool eight_bit = false;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c == 0 || c == '\r' || c == '\n') return false;
    if (c >= 0x80) eight_bit = true;
  }
  // RFC 9051 §9 QUOTED-CHAR: UTF8-2/3/4 only, and only when the client accepts UTF-8.
  if (eight_bit) return charset == StringCharset::utf8 && is_valid_utf8(s);
  return true;
}

Writer& Writer::string(std::string_view s) {
  if (!quotable(s, charset_)) return literal(s);
  separate();
  out_ += '"';
  for (char c : s) {
    if (c == '"' || c == '\\') out_ += '\\';
    out_ += c;
  }
  out_ += '"';
  return *this;
}

Writer& Writer::nstring(const std::optional<std::string>& s) {
  if (!s) return nil();
  return string(*s);
}

Writer& Writer::literal(std::string_view bytes) {
  separate();
  out_ += '{';
  out_ += std::to_string(bytes.size());
  out_ += "}\r\n";
  out_ += bytes;
  return *this;
}

Writer& Writer::literal8(std::string_view bytes) {
  separate();
  out_ += "~{";
  out_ += std::to_string(bytes.size());
  out_ += "}\r\n";
  out_ += bytes;
  return *this;
}

Writer& Writer::open() {
  separate();
  out_ += '(';
  need_space_ = false;
  return *this;
}

Writer& Writer::close() {
  out_ += ')';
  need_space_ = true;
  return *this;
}

Writer& Writer::append(std::string_view text) {
  out_ += text;
  need_space_ = true;
  return *this;
}

std::string section_label(const Section& section) {
  std::string out;
  for (size_t i = 0; i < section.part.size(); ++i) {
    if (i) out += '.';
    out += std::to_string(section.part[i]);
  }
  if (section.text == SectionText::none) return out;
  if (!out.empty()) out += '.';
  switch (section.text) {
    case SectionText::none:
      break;
    case SectionText::header:
      out += "HEADER";
      break;
    case SectionText::header_fields:
    case SectionText::header_fields_not: {
      out += section.text == SectionText::header_fields ? "HEADER.FIELDS (" : "HEADER.FIELDS.NOT (";
      std::string fields;
      Writer w(fields, StringCharset::ascii);
      for (const std::string& f : section.fields) {
        bool is_atom = !f.empty();
        for (char c : f) is_atom = is_atom && chars::is_astring_char(c);
        if (is_atom)
          w.atom(f);
        else
          w.string(f);
      }
      out += fields;
      out += ')';
      break;
    }
    case SectionText::text:
      out += "TEXT";
      break;
    case SectionText::mime:
      out += "MIME";
      break;
  }
  return out;
}

}  // namespace postamt::imap::proto
