#include "mime/header.h"

#include "base/strings.h"
#include "mime/line_scan.h"

namespace postamt::mime {

std::string unfold(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (char c : raw)
    if (c != '\r' && c != '\n') out.push_back(c);
  size_t b = 0;
  while (b < out.size() && (out[b] == ' ' || out[b] == '\t')) ++b;
  size_t e = out.size();
  while (e > b && (out[e - 1] == ' ' || out[e - 1] == '\t')) --e;
  return out.substr(b, e - b);
}

std::string header_safe_text(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  return out;
}

const HeaderField* HeaderView::find_first(std::string_view name) const {
  for (const auto& f : fields_)
    if (iequals(f.name(buffer_), name)) return &f;
  return nullptr;
}

std::vector<const HeaderField*> HeaderView::find_all(std::string_view name) const {
  std::vector<const HeaderField*> out;
  for (const auto& f : fields_)
    if (iequals(f.name(buffer_), name)) out.push_back(&f);
  return out;
}

size_t HeaderView::count(std::string_view name) const {
  size_t n = 0;
  for (const auto& f : fields_)
    if (iequals(f.name(buffer_), name)) ++n;
  return n;
}

std::optional<std::string> HeaderView::value(std::string_view name) const {
  const HeaderField* f = find_first(name);
  if (!f) return std::nullopt;
  return unfold(f->raw_value(buffer_));
}

std::vector<HeaderField> scan_header_block(std::string_view buffer, size_t* header_end) {
  std::vector<HeaderField> fields;
  size_t pos = 0;
  HeaderLine line;
  for (;;) {
    if (pos >= buffer.size()) break;
    line = read_line(buffer, pos);
    if (line.content_end == line.start && line.end > line.start) {
      pos = line.end;  // the blank line belongs to the header block
      break;
    }
    if (is_wsp(buffer[pos]) && !fields.empty()) {
      fields.back().value_end = line.content_end;
      fields.back().end = line.end;
      pos = line.end;
      continue;
    }
    auto f = parse_field_line(buffer, line);
    if (!f) break;
    fields.push_back(*f);
    pos = line.end;
  }
  if (header_end) *header_end = pos;
  return fields;
}

}  // namespace postamt::mime
