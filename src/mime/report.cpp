#include "mime/report.h"

#include "base/base64.h"

namespace postamt::mime {
namespace {

Error invalid(std::string message) {
  return Error(ErrorKind::invalid, std::move(message));
}

std::string to_crlf(std::string_view in) {
  std::string out;
  out.reserve(in.size() + in.size() / 32);
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '\r') {
      out += "\r\n";
      if (i + 1 < in.size() && in[i + 1] == '\n') ++i;
    } else if (c == '\n') {
      out += "\r\n";
    } else {
      out.push_back(c);
    }
  }
  if (!out.empty() && (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0))
    out += "\r\n";
  return out;
}

bool is_token(std::string_view s, bool allow_slash) {
  if (s.empty()) return false;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    bool ok = (u > 32 && u < 127 &&
               std::string_view("()<>@,;:\\\"/[]?=").find(c) == std::string_view::npos) ||
              (allow_slash && c == '/');
    if (!ok) return false;
  }
  return true;
}

// ASCII text whose lines all fit in 998 octets (RFC 5322 §2.1.1) can go as 7bit.
bool fits_7bit(std::string_view crlf_text) {
  size_t line = 0;
  for (char c : crlf_text) {
    if (static_cast<unsigned char>(c) >= 128 || c == '\0') return false;
    line = (c == '\n') ? 0 : line + 1;
    if (line > 998) return false;
  }
  return true;
}

std::string base64_lines(std::string_view bytes) {
  std::string b = base64::encode(bytes);
  std::string out;
  for (size_t i = 0; i < b.size(); i += 76) {
    out.append(b, i, 76);
    out += "\r\n";
  }
  return out;
}

}  // namespace

Result<BuiltReport> build_report(const ReportSpec& spec, const RandomSource& random) {
  if (!is_token(spec.report_type, false)) return invalid("bad report-type");
  size_t slash = spec.machine_type.find('/');
  if (!is_token(spec.machine_type, true) || slash == std::string::npos ||
      spec.machine_type.find('/', slash + 1) != std::string::npos)
    return invalid("bad machine-readable content type");

  std::string machine;
  for (size_t g = 0; g < spec.machine_groups.size(); ++g) {
    if (g > 0) machine += "\r\n";
    for (const ReportField& f : spec.machine_groups[g]) {
      if (f.name.empty()) return invalid("empty field name");
      for (char c : f.name) {
        auto u = static_cast<unsigned char>(c);
        if (u < 33 || u > 126 || c == ':') return invalid("bad field name");
      }
      for (char c : f.value) {
        auto u = static_cast<unsigned char>(c);
        if ((u < 32 && c != '\t') || u == 127) return invalid("control character in field value");
      }
      machine += f.name;
      machine += ": ";
      machine += f.value;
      machine += "\r\n";
    }
  }

  std::string human = to_crlf(spec.human_text);
  std::string original =
      spec.original == ReportOriginal::none ? std::string() : to_crlf(spec.original_content);
  bool human_7bit = fits_7bit(human);
  std::string human_body = human_7bit ? human : base64_lines(human);

  // A boundary that occurs in no part (RFC 2046 §5.1.1). Each collision lengthens it, so
  // this ends even with a constant random source: a boundary longer than every part
  // cannot occur in any of them.
  static constexpr char kAlphabet[] =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string boundary = "=_report_";
  auto add_random = [&](size_t n) {
    for (size_t k = 0; k < n; ++k) boundary.push_back(kAlphabet[random() % 62]);
  };
  add_random(24);
  auto occurs = [&](const std::string& b) {
    return human_body.find(b) != std::string::npos || machine.find(b) != std::string::npos ||
           original.find(b) != std::string::npos;
  };
  while (occurs(boundary)) add_random(8);

  BuiltReport r;
  r.content_type =
      "multipart/report; report-type=" + spec.report_type + "; boundary=\"" + boundary + "\"";
  std::string& b = r.body;
  b += "This is a MIME-encapsulated report.\r\n\r\n--" + boundary + "\r\n";
  b += "Content-Type: text/plain; charset=utf-8\r\n";
  b += human_7bit ? "Content-Transfer-Encoding: 7bit\r\n\r\n"
                  : "Content-Transfer-Encoding: base64\r\n\r\n";
  b += human_body;
  b += "\r\n--" + boundary + "\r\n";
  b += "Content-Type: " + spec.machine_type + "\r\n\r\n";
  b += machine;
  if (spec.original != ReportOriginal::none) {
    b += "\r\n--" + boundary + "\r\n";
    b += spec.original == ReportOriginal::headers ? "Content-Type: text/rfc822-headers\r\n\r\n"
                                                  : "Content-Type: message/rfc822\r\n\r\n";
    b += original;
  }
  b += "\r\n--" + boundary + "--\r\n";
  return r;
}

}  // namespace postamt::mime
