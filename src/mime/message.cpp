#include "mime/message.h"

#include <algorithm>

#include "base/strings.h"
#include "mime/line_scan.h"

namespace postamt::mime {

class Parser {
 public:
  Parser(std::string_view buffer, const MimeLimits& limits, Message& msg)
      : buf_(buffer), limits_(limits), msg_(msg) {
    limits_.max_depth = std::min<uint32_t>(limits_.max_depth, 1000);
    limits_.max_parts = std::max<uint32_t>(limits_.max_parts, 1);
  }

  void run() {
    msg_.buffer_ = buf_;
    parse_part(kNoPart, 0, DefaultType::text_plain);
  }

 private:
  enum class DefaultType { text_plain, message_rfc822 };
  struct BoundaryMatch {
    int level = -1;  // index into boundaries_, -1 when the line is no boundary
    bool close = false;
  };

  // Consumes the line: moves the cursor and the LF counters past it.
  void advance(const HeaderLine& l) {
    pos_ = l.end;
    if (l.end > l.content_end) {
      ++lf_;
      if (l.end - l.content_end == 1) ++bare_lf_;
    }
  }

  static bool only_wsp(std::string_view s) {
    for (char c : s)
      if (c != ' ' && c != '\t') return false;
    return true;
  }

  // RFC 2046 §5.1.1: "--" boundary, optionally "--" for the close delimiter, then only
  // transport padding (whitespace). The innermost boundary is tried first, so of two
  // boundaries where one is a prefix of the other the enclosing one cannot steal a line
  // that exactly matches the inner one.
  BoundaryMatch match_boundary(const HeaderLine& l) const {
    BoundaryMatch m;
    if (boundaries_.empty() || l.content_end - l.start < 2 || buf_[l.start] != '-' ||
        buf_[l.start + 1] != '-')
      return m;
    std::string_view text = buf_.substr(l.start + 2, l.content_end - l.start - 2);
    for (int level = static_cast<int>(boundaries_.size()) - 1; level >= 0; --level) {
      std::string_view b = boundaries_[static_cast<size_t>(level)];
      if (text.size() < b.size() || text.compare(0, b.size(), b) != 0) continue;
      std::string_view rest = text.substr(b.size());
      if (only_wsp(rest)) {
        m.level = level;
        return m;
      }
      if (rest.size() >= 2 && rest[0] == '-' && rest[1] == '-' && only_wsp(rest.substr(2))) {
        m.level = level;
        m.close = true;
        return m;
      }
    }
    return m;
  }

  // Moves the cursor to the next line that is a boundary of any open multipart (without
  // consuming it), or to the end of the buffer.
  void skip_to_boundary() {
    while (pos_ < buf_.size()) {
      HeaderLine l = read_line(buf_, pos_);
      if (match_boundary(l).level >= 0) return;
      advance(l);
    }
  }

  uint32_t add_part(uint32_t parent, uint32_t depth) {
    auto idx = static_cast<uint32_t>(msg_.parts_.size());
    Part& p = msg_.parts_.emplace_back();
    p.parent = parent;
    p.depth = depth;
    p.header_start = pos_;
    p.first_field = static_cast<uint32_t>(msg_.fields_.size());
    return idx;
  }

  // Reads the header block at the cursor. Returns false if a limit cut it short.
  bool parse_header(uint32_t idx) {
    size_t bytes = 0;
    uint32_t count = 0;
    while (pos_ < buf_.size()) {
      HeaderLine l = read_line(buf_, pos_);
      if (match_boundary(l).level >= 0) break;
      size_t len = l.end - l.start;
      if (bytes + len > limits_.max_header_bytes) {
        hit(LimitHit::header_bytes);
        finish_header(idx, count);
        return false;
      }
      bytes += len;
      if (l.content_end == l.start && l.end > l.start) {
        advance(l);  // the blank line belongs to the header block
        break;
      }
      if (is_wsp(buf_[l.start])) {
        if (count == 0) break;  // a continuation of nothing: not a header
        HeaderField& f = msg_.fields_.back();
        f.value_end = l.content_end;
        f.end = l.end;
        advance(l);
        continue;
      }
      auto f = parse_field_line(buf_, l);
      if (!f) break;  // RFC 5322 §2.2 violated: the body starts here
      if (count >= limits_.max_header_fields) {
        hit(LimitHit::header_fields);
        finish_header(idx, count);
        return false;
      }
      msg_.fields_.push_back(*f);
      ++count;
      advance(l);
    }
    finish_header(idx, count);
    return true;
  }

  void finish_header(uint32_t idx, uint32_t count) {
    Part& p = msg_.parts_[idx];
    p.field_count = count;
    p.header_end = pos_;
    p.body_start = pos_;
  }

  void hit(LimitHit bit) { msg_.limits_hit_ = msg_.limits_hit_ | bit; }

  // Fills the Content-* members from the part's fields (first occurrence wins).
  void interpret_fields(uint32_t idx, DefaultType dflt) {
    Part& p = msg_.parts_[idx];
    HeaderView h(buf_,
                 std::span<const HeaderField>(msg_.fields_).subspan(p.first_field, p.field_count));
    // For the two fields that decide structure and decoding, the last occurrence wins
    // (as GMime does; RFC 2045 allows only one, so any choice is a guess).
    auto last = [&](std::string_view name) -> const HeaderField* {
      const HeaderField* found = nullptr;
      for (const HeaderField& f : h.fields())
        if (iequals(f.name(buf_), name)) found = &f;
      return found;
    };
    std::optional<ContentType> ct;
    if (const HeaderField* f = last("content-type"))
      ct = parse_content_type(unfold(f->raw_value(buf_)));
    if (ct) {
      p.content_type = std::move(*ct);
    } else if (dflt == DefaultType::message_rfc822) {
      // RFC 2046 §5.1.5: in a digest the default is message/rfc822.
      p.content_type.type = "message";
      p.content_type.subtype = "rfc822";
    } else {
      // RFC 2045 §5.2: absent or syntactically invalid -> text/plain; charset=us-ascii.
      p.content_type.type = "text";
      p.content_type.subtype = "plain";
      p.content_type.params.push_back(Parameter{"charset", "us-ascii"});
    }
    if (const HeaderField* f = last("content-transfer-encoding")) {
      std::string token = ascii_lower(unfold(f->raw_value(buf_)));
      if (size_t end = token.find_first_of(" \t("); end != std::string::npos) token.resize(end);
      p.encoding_name = token;
      if (token == "7bit")
        p.encoding = TransferEncoding::seven_bit;
      else if (token == "8bit")
        p.encoding = TransferEncoding::eight_bit;
      else if (token == "binary")
        p.encoding = TransferEncoding::binary;
      else if (token == "quoted-printable")
        p.encoding = TransferEncoding::quoted_printable;
      else if (token == "base64")
        p.encoding = TransferEncoding::base64;
      else if (!token.empty())
        p.encoding = TransferEncoding::other;
    }
    if (auto v = h.value("content-id")) p.content_id = std::move(*v);
    if (auto v = h.value("content-description")) p.content_description = std::move(*v);
    if (auto v = h.value("content-md5")) p.content_md5 = std::move(*v);
    if (auto v = h.value("content-location")) p.content_location = std::move(*v);
    if (auto v = h.value("content-disposition")) p.disposition = parse_disposition(*v);
    if (auto v = h.value("content-language")) {
      for (std::string_view tag : split(*v, ',')) {
        tag = trim(tag);
        if (!tag.empty()) p.content_language.emplace_back(tag);
      }
    }
  }

  // Whether a container at `depth` may get children; records the limit that forbids it.
  bool may_descend(uint32_t depth, bool header_complete) {
    if (!header_complete) return false;
    if (depth >= limits_.max_depth) {
      hit(LimitHit::depth);
      return false;
    }
    if (msg_.parts_.size() >= limits_.max_parts) {
      hit(LimitHit::parts);
      return false;
    }
    return true;
  }

  static void make_opaque(Part& p) {
    p.content_type.type = "application";
    p.content_type.subtype = "octet-stream";
  }

  uint32_t parse_part(uint32_t parent, uint32_t depth, DefaultType dflt) {
    uint32_t idx = add_part(parent, depth);
    bool header_complete = parse_header(idx);
    interpret_fields(idx, dflt);
    uint64_t lf_at_body = lf_;
    uint64_t bare_at_body = bare_lf_;

    Part& p = msg_.parts_[idx];
    if (p.content_type.type == "multipart") {
      const std::string* boundary = p.content_type.param("boundary");
      if (!boundary || boundary->empty()) {
        // No way to find the parts: read it as one text part.
        p.content_type.type = "text";
        p.content_type.subtype = "plain";
        skip_to_boundary();
      } else if (!may_descend(depth, header_complete)) {
        make_opaque(p);
        skip_to_boundary();
      } else {
        DefaultType child_default = p.content_type.subtype == "digest" ? DefaultType::message_rfc822
                                                                       : DefaultType::text_plain;
        // A copy: the parts vector may reallocate while children are added.
        std::string own_boundary = *boundary;
        parse_multipart(idx, own_boundary, depth, child_default);
      }
    } else if (p.content_type.type == "message" &&
               (p.content_type.subtype == "rfc822" || p.content_type.subtype == "global")) {
      // RFC 2046 §5.2.1: only 7bit, 8bit or binary; an encoded message has no offsets
      // we could point into, so it stays a leaf.
      bool plain = p.encoding == TransferEncoding::seven_bit ||
                   p.encoding == TransferEncoding::eight_bit ||
                   p.encoding == TransferEncoding::binary;
      if (!plain || !may_descend(depth, header_complete)) {
        make_opaque(p);
        skip_to_boundary();
      } else {
        uint32_t child = parse_part(idx, depth + 1, DefaultType::text_plain);
        Part& self = msg_.parts_[idx];
        self.first_child = child;
        self.child_count = 1;
      }
    } else {
      skip_to_boundary();
    }
    finish_body(idx, lf_at_body, bare_at_body);
    return idx;
  }

  // The cursor stands at a boundary line of an enclosing multipart or at the end.
  void finish_body(uint32_t idx, uint64_t lf_at_body, uint64_t bare_at_body) {
    Part& p = msg_.parts_[idx];
    size_t end = pos_;
    uint64_t lfs = lf_ - lf_at_body;
    uint64_t bare = bare_lf_ - bare_at_body;
    if (pos_ < buf_.size() && pos_ > 0 && buf_[pos_ - 1] == '\n') {
      // RFC 2046 §5.1.1: the line end before a boundary belongs to the boundary.
      size_t eol = (pos_ > 1 && buf_[pos_ - 2] == '\r') ? 2 : 1;
      end = pos_ - eol;
      if (lfs > 0) --lfs;
      if (eol == 1 && bare > 0) --bare;
    }
    if (end < p.body_start) {
      // The line end before the boundary is the last one of the header (the blank line,
      // or the last field when the boundary follows it directly), or the part is empty
      // at the boundary. RFC 2046 §5.1.1 gives it to the boundary, so the part ends
      // before it and has no body.
      p.header_start = std::min(p.header_start, end);
      p.header_end = p.body_start = p.body_end = end;
      if (p.field_count > 0) {
        HeaderField& f = msg_.fields_[p.first_field + p.field_count - 1];
        f.end = std::min(f.end, end);
        f.value_end = std::min(f.value_end, end);
      }
      return;
    }
    if (end == p.body_start) {
      p.body_end = end;
      return;
    }
    p.body_end = end;
    p.body_bare_lf = bare;
    p.body_lines = lfs + (buf_[end - 1] != '\n' ? 1 : 0);
  }

  void parse_multipart(uint32_t idx, std::string_view boundary, uint32_t depth,
                       DefaultType child_default) {
    boundaries_.push_back(boundary);
    const int own = static_cast<int>(boundaries_.size()) - 1;
    uint32_t prev = kNoPart;
    bool closed = false;
    while (pos_ < buf_.size()) {
      HeaderLine l = read_line(buf_, pos_);
      BoundaryMatch m = match_boundary(l);
      if (m.level < 0) {
        advance(l);  // preamble, or content skipped after the parts limit
        continue;
      }
      if (m.level != own) break;  // an enclosing boundary: our close delimiter is missing
      advance(l);
      if (m.close) {
        closed = true;
        break;
      }
      // A delimiter with nothing after it opens no part (as GMime): a message cut
      // right after a boundary line has no empty trailing part.
      if (pos_ >= buf_.size()) break;
      if (msg_.parts_.size() >= limits_.max_parts) {
        hit(LimitHit::parts);
        continue;
      }
      uint32_t child = parse_part(idx, depth + 1, child_default);
      Part& self = msg_.parts_[idx];
      if (prev == kNoPart)
        self.first_child = child;
      else
        msg_.parts_[prev].next_sibling = child;
      ++self.child_count;
      prev = child;
    }
    boundaries_.pop_back();
    if (closed) skip_to_boundary();  // the epilogue
  }

  std::string_view buf_;
  MimeLimits limits_;
  Message& msg_;
  std::vector<std::string_view> boundaries_;
  size_t pos_ = 0;
  uint64_t lf_ = 0;
  uint64_t bare_lf_ = 0;
};

HeaderView Message::header(const Part& part) const {
  return HeaderView(
      buffer_, std::span<const HeaderField>(fields_).subspan(part.first_field, part.field_count));
}

std::vector<uint32_t> Message::children(const Part& part) const {
  std::vector<uint32_t> out;
  out.reserve(part.child_count);
  for (uint32_t c = part.first_child; c != kNoPart; c = parts_[c].next_sibling) out.push_back(c);
  return out;
}

namespace {
const Part* nth_child(const Message& msg, const Part& p, uint32_t n) {
  if (n == 0) return nullptr;
  uint32_t c = p.first_child;
  for (uint32_t k = 1; c != kNoPart && k < n; ++k) c = msg.part(c).next_sibling;
  return c == kNoPart ? nullptr : &msg.part(c);
}

// Part n of a message (the root or the enclosed message of a message/rfc822 part).
const Part* message_part(const Message& msg, const Part& message, uint32_t n) {
  if (message.is_multipart()) return nth_child(msg, message, n);
  return n == 1 ? &message : nullptr;
}
}  // namespace

const Part* Message::find_section(std::span<const uint32_t> path) const {
  if (parts_.empty()) return nullptr;
  if (path.empty()) return &parts_.front();
  const Part* cur = message_part(*this, parts_.front(), path[0]);
  for (size_t i = 1; cur && i < path.size(); ++i) {
    if (cur->is_multipart())
      cur = nth_child(*this, *cur, path[i]);
    else if (cur->is_message())
      cur = message_part(*this, parts_[cur->first_child], path[i]);
    else
      cur = nullptr;
  }
  return cur;
}

Message parse(std::string_view buffer, const MimeLimits& limits) {
  Message msg;
  Parser(buffer, limits, msg).run();
  return msg;
}

}  // namespace postamt::mime
