#include "smtp/proto/reply_parser.h"

#include <fmt/format.h>

#include "base/strings.h"

namespace postamt::smtp::proto {

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// "c.s.d" at the start of `text`, followed by a space or the end. Returns the code and
// the octets it takes up including the spaces after it (RFC 2034 §3: "one or more").
std::optional<std::pair<EnhancedCode, size_t>> leading_enhanced(std::string_view text) {
  size_t i = 0;
  auto number = [&](size_t max_digits) -> std::optional<uint16_t> {
    size_t start = i;
    while (i < text.size() && is_digit(text[i]) && i - start < max_digits + 1) ++i;
    if (i == start || i - start > max_digits) return std::nullopt;
    return static_cast<uint16_t>(*parse_u64(text.substr(start, i - start)));
  };
  auto klass = number(1);
  if (!klass || i >= text.size() || text[i++] != '.') return std::nullopt;
  auto subject = number(3);
  if (!subject || i >= text.size() || text[i++] != '.') return std::nullopt;
  auto detail = number(3);
  if (!detail || (i < text.size() && text[i] != ' ')) return std::nullopt;
  while (i < text.size() && text[i] == ' ') ++i;
  return std::pair{EnhancedCode{*klass, *subject, *detail}, i};
}

}  // namespace

void ReplyParser::feed(std::string_view bytes) {
  buffer_.append(bytes);
}

Result<std::optional<Reply>> ReplyParser::next() {
  if (failed_) return *failed_;
  auto fail = [&](ErrorKind kind, std::string message) -> Result<std::optional<Reply>> {
    failed_ = Error{kind, std::move(message)};
    return *failed_;
  };
  for (;;) {
    size_t nl = buffer_.find('\n', scanned_);
    if (nl == std::string::npos) {
      if (buffer_.size() - scanned_ > kMaxReplyLineOctets)
        return fail(ErrorKind::limit, "reply line too long");
      buffer_.erase(0, scanned_);
      scanned_ = 0;
      return std::optional<Reply>{};
    }
    if (nl + 1 - scanned_ > kMaxReplyLineOctets)
      return fail(ErrorKind::limit, "reply line too long");
    std::string_view line(buffer_.data() + scanned_, nl - scanned_);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    scanned_ = nl + 1;

    // Reply-line = Reply-code [ ("-" / SP) textstring ] CRLF; first digit 2..5 (§4.2).
    if (line.size() < 3 || line[0] < '2' || line[0] > '5' || !is_digit(line[1]) ||
        !is_digit(line[2]) || (line.size() > 3 && line[3] != ' ' && line[3] != '-'))
      return fail(ErrorKind::invalid, "malformed reply line");
    int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    bool last = line.size() == 3 || line[3] == ' ';
    if (!partial_.empty() && partial_.front().code != code)
      return fail(ErrorKind::invalid, "reply code changed inside a multi-line reply");
    if (partial_.size() >= kMaxReplyLines)
      return fail(ErrorKind::limit, "reply has too many lines");
    partial_.push_back(Line{code, last, std::string(line.size() > 4 ? line.substr(4) : "")});
    if (!last) continue;

    Reply reply;
    reply.code = code;
    std::optional<EnhancedCode> common;
    bool all_have = true;
    for (const auto& l : partial_) {
      auto ec = leading_enhanced(l.text);
      if (!ec || ec->first.klass != static_cast<uint16_t>(code / 100) ||
          (common && *common != ec->first)) {
        all_have = false;
        break;
      }
      common = ec->first;
    }
    for (auto& l : partial_) {
      if (all_have) l.text.erase(0, leading_enhanced(l.text)->second);
      reply.lines.push_back(std::move(l.text));
    }
    if (all_have) reply.enhanced = common;
    partial_.clear();
    buffer_.erase(0, scanned_);
    scanned_ = 0;
    return std::optional<Reply>{std::move(reply)};
  }
}

const EhloExtension* EhloInfo::find(std::string_view keyword) const {
  for (const auto& e : extensions)
    if (iequals(e.keyword, keyword)) return &e;
  return nullptr;
}

std::optional<uint64_t> EhloInfo::size_limit() const {
  const auto* e = find("SIZE");
  if (!e) return std::nullopt;
  if (e->params.empty()) return 0;
  auto v = parse_u64(e->params.front());
  return v ? *v : 0;
}

Result<EhloInfo> parse_ehlo(const Reply& reply) {
  if (reply.code != 250)
    return Error{ErrorKind::invalid, fmt::format("EHLO refused ({})", reply.code)};
  EhloInfo info;
  if (reply.lines.empty()) return info;
  const std::string& first = reply.lines.front();
  info.domain = first.substr(0, first.find(' '));
  for (size_t i = 1; i < reply.lines.size(); ++i) {
    std::string_view line = reply.lines[i];
    size_t end = line.find_first_of(" =");
    std::string_view keyword = line.substr(0, end);
    // ehlo-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
    auto alnum = [](char c) {
      return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    };
    bool valid = !keyword.empty() && alnum(keyword.front());
    for (char c : keyword) valid = valid && (alnum(c) || c == '-');
    if (!valid) continue;
    std::vector<std::string> params;
    if (end != std::string_view::npos) {
      for (auto p : split(line.substr(end + 1), ' '))
        if (!p.empty()) params.emplace_back(p);
    }
    std::string upper = ascii_upper(keyword);
    // "AUTH LOGIN" and "AUTH=LOGIN" often both appear; keep one entry per keyword.
    EhloExtension* existing = nullptr;
    for (auto& e : info.extensions)
      if (e.keyword == upper) existing = &e;
    if (existing) {
      for (auto& p : params) existing->params.push_back(std::move(p));
    } else {
      info.extensions.push_back(EhloExtension{std::move(upper), std::move(params)});
    }
  }
  return info;
}

}  // namespace postamt::smtp::proto
