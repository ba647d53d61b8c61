#include "mime/line_endings.h"

namespace postamt::mime {

void CrlfConverter::feed(std::string_view in, std::string& out) {
  out.reserve(out.size() + in.size());
  size_t copied = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    const bool bare_lf = in[i] == '\n' && !(i == 0 ? after_cr_ : in[i - 1] == '\r');
    if (!bare_lf) continue;
    out.append(in, copied, i - copied);
    out += "\r\n";
    copied = i + 1;
    ++converted_;
  }
  out.append(in, copied, std::string_view::npos);
  if (!in.empty()) after_cr_ = in.back() == '\r';
}

bool has_bare_lf(std::string_view in) {
  for (size_t lf = in.find('\n'); lf != std::string_view::npos; lf = in.find('\n', lf + 1))
    if (lf == 0 || in[lf - 1] != '\r') return true;
  return false;
}

std::string to_crlf(std::string_view in) {
  std::string out;
  CrlfConverter converter;
  converter.feed(in, out);
  return out;
}

}  // namespace postamt::mime
