#include "mime/transfer_encoding.h"

#include "base/base64.h"
#include "base/strings.h"

namespace postamt::mime {

std::string decode_quoted_printable(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  size_t i = 0;
  while (i < in.size()) {
    // One line at a time, so trailing whitespace can be dropped (RFC 2045 §6.7 rule 3).
    size_t nl = in.find('\n', i);
    size_t line_end = nl == std::string_view::npos ? in.size() : nl;
    size_t content_end = (line_end > i && in[line_end - 1] == '\r') ? line_end - 1 : line_end;
    std::string_view eol =
        in.substr(content_end, (nl == std::string_view::npos ? line_end : nl + 1) - content_end);
    size_t e = content_end;
    while (e > i && (in[e - 1] == ' ' || in[e - 1] == '\t')) --e;
    bool soft_break = false;
    for (size_t k = i; k < e; ++k) {
      char c = in[k];
      if (c != '=') {
        out.push_back(c);
        continue;
      }
      if (k + 1 == e) {
        soft_break = true;  // "=" at the end of the line
        break;
      }
      if (k + 2 < e && hex_value(in[k + 1]) >= 0 && hex_value(in[k + 2]) >= 0) {
        out.push_back(static_cast<char>(hex_value(in[k + 1]) * 16 + hex_value(in[k + 2])));
        k += 2;
      } else {
        out.push_back('=');
      }
    }
    if (!soft_break) out.append(eol);
    i = nl == std::string_view::npos ? in.size() : nl + 1;
  }
  return out;
}

std::string decode_body(std::string_view body, TransferEncoding encoding) {
  switch (encoding) {
    case TransferEncoding::base64:
      return base64::decode_lenient(body);
    case TransferEncoding::quoted_printable:
      return decode_quoted_printable(body);
    default:
      return std::string(body);
  }
}

}  // namespace postamt::mime
