#include "autoconfig/proto/autodiscover_request.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "autoconfig/proto/documents.h"
#include "base/strings.h"

namespace postamt::autoconfig {
namespace {

Error bad(std::string what) {
  return Error{ErrorKind::invalid, std::move(what)};
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// XML 1.0 §2.3 NameStartChar / NameChar, with every non-ASCII octet taken as a name
// character (the names this parser compares are all ASCII).
bool name_start(char c) {
  auto u = static_cast<unsigned char>(c);
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == ':' || u >= 0x80;
}
bool name_char(char c) {
  return name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

// A code point as UTF-8; `code` is a valid XML Char.
void append_utf8(std::string& out, uint32_t code) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

// XML 1.0 §2.2 Char.
bool xml_char(uint32_t c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
         (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

struct Attribute {
  std::string name;
  std::string value;  // references replaced
};

struct Element {
  std::string prefix;  // "" for an unprefixed name
  std::string local;
  std::string qualified;         // as written, to match the end tag
  std::string uri;               // its namespace ("" for none)
  size_t namespaces_before = 0;  // size of the namespace stack before this element's own
};

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Result<AutodiscoverRequest> run() {
    if (text_.starts_with("\xEF\xBB\xBF")) pos_ = 3;  // a UTF-8 byte order mark
    if (text_.substr(pos_).starts_with("<?xml") && pos_ + 5 < text_.size() &&
        is_space(text_[pos_ + 5]))
      POSTAMT_TRY(declaration());
    bool seen_root = false;
    while (pos_ < text_.size()) {
      if (text_[pos_] != '<') {
        // Outside the root only white space may appear (XML 1.0 §2.8 Misc).
        if (!elements_.empty()) {
          POSTAMT_TRY(character_data());
          continue;
        }
        if (!is_space(text_[pos_])) return bad("text outside the root element");
        ++pos_;
        continue;
      }
      std::string_view rest = text_.substr(pos_);
      if (rest.starts_with("<!--")) {
        POSTAMT_TRY(skip_past("-->", "unterminated comment"));
      } else if (rest.starts_with("<?")) {
        POSTAMT_TRY(processing_instruction());
      } else if (rest.starts_with("<!DOCTYPE")) {
        return bad("a DOCTYPE is not accepted (no DTDs, no entity declarations)");
      } else if (rest.starts_with("<![CDATA[")) {
        if (elements_.empty()) return bad("CDATA outside the root element");
        size_t end = text_.find("]]>", pos_ + 9);
        if (end == std::string_view::npos) return bad("unterminated CDATA section");
        add_text(text_.substr(pos_ + 9, end - pos_ - 9));
        pos_ = end + 3;
      } else if (rest.starts_with("<!")) {
        return bad("markup declarations are not accepted");
      } else if (rest.starts_with("</")) {
        POSTAMT_TRY(end_tag());
      } else {
        if (elements_.empty() && seen_root) return bad("more than one root element");
        seen_root = true;
        POSTAMT_TRY(start_tag());
      }
    }
    if (!seen_root) return bad("no root element");
    if (!elements_.empty())
      return bad(fmt::format("<{}> is not closed", elements_.back().qualified));
    if (requests_ != 1)
      return bad(requests_ == 0 ? "no Request element" : "more than one Request element");
    if (addresses_ != 1)
      return bad(addresses_ == 0 ? "no EMailAddress in the Request"
                                 : "more than one EMailAddress in the Request");
    AutodiscoverRequest out;
    out.email_address = std::string(trim(address_));
    out.acceptable_response_schema = std::string(trim(schema_));
    return out;
  }

 private:
  // <?xml version="1.0" encoding="..."?>: only UTF-8 (and its subset ASCII) is read.
  Result<void> declaration() {
    size_t end = text_.find("?>", pos_);
    if (end == std::string_view::npos) return bad("unterminated XML declaration");
    std::string_view decl = text_.substr(pos_, end - pos_);
    size_t enc = decl.find("encoding");
    if (enc != std::string_view::npos) {
      size_t quote = decl.find_first_of("\"'", enc);
      if (quote == std::string_view::npos) return bad("malformed XML declaration");
      size_t close = decl.find(decl[quote], quote + 1);
      if (close == std::string_view::npos) return bad("malformed XML declaration");
      std::string_view given = decl.substr(quote + 1, close - quote - 1);
      // XML 1.0 §4.3.3 EncName: a letter, then letters, digits, '.', '_', '-'. Checked
      // before the name is quoted in an error message.
      const bool enc_name =
          !given.empty() && given.size() <= 40 &&
          std::isalpha(static_cast<unsigned char>(given[0])) &&
          std::all_of(given.begin(), given.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
          });
      if (!enc_name) return bad("malformed XML declaration");
      std::string name = ascii_lower(given);
      if (name != "utf-8" && name != "utf8" && name != "us-ascii")
        return bad(fmt::format("encoding \"{}\" is not accepted (UTF-8 only)", given));
    }
    pos_ = end + 2;
    return {};
  }

  Result<void> processing_instruction() {
    size_t start = pos_ + 2;
    size_t n = start;
    while (n < text_.size() && name_char(text_[n])) ++n;
    if (n == start) return bad("malformed processing instruction");
    // XML 1.0 §2.6: "xml" in any case is reserved; the declaration comes first only.
    if (iequals(text_.substr(start, n - start), "xml"))
      return bad("an XML declaration is only allowed at the start");
    return skip_past("?>", "unterminated processing instruction");
  }

  Result<void> skip_past(std::string_view end, std::string_view error) {
    size_t at = text_.find(end, pos_);
    if (at == std::string_view::npos) return bad(std::string(error));
    pos_ = at + end.size();
    return {};
  }

  Result<std::string> name() {
    size_t start = pos_;
    if (pos_ >= text_.size() || !name_start(text_[pos_]))
      return bad("malformed element or attribute name");
    while (pos_ < text_.size() && name_char(text_[pos_])) ++pos_;
    return std::string(text_.substr(start, pos_ - start));
  }

  void skip_space() {
    while (pos_ < text_.size() && is_space(text_[pos_])) ++pos_;
  }

  // A reference at pos_ ('&'), appended to `out` (XML 1.0 §4.1, §4.6).
  Result<void> reference(std::string& out) {
    size_t semi = text_.find(';', pos_);
    if (semi == std::string_view::npos || semi - pos_ > 12)
      return bad("malformed reference (a bare '&')");
    std::string_view ref = text_.substr(pos_ + 1, semi - pos_ - 1);
    // A name (or '#' and digits) between '&' and ';', else no reference at all: checked
    // before the text is quoted in an error message.
    if (ref.empty() || !std::all_of(ref.begin(), ref.end(), [](char c) {
          return c == '#' || (name_char(c) && static_cast<unsigned char>(c) < 0x80);
        }))
      return bad("malformed reference (a bare '&')");
    pos_ = semi + 1;
    static constexpr std::pair<std::string_view, char> kPredefined[] = {
        {"lt", '<'}, {"gt", '>'}, {"amp", '&'}, {"quot", '"'}, {"apos", '\''}};
    for (const auto& [entity, c] : kPredefined) {
      if (ref == entity) {
        out += c;
        return {};
      }
    }
    if (ref.starts_with("#")) {
      bool hex = ref.starts_with("#x");
      std::string_view digits = ref.substr(hex ? 2 : 1);
      uint32_t code = 0;
      if (digits.empty()) return bad("malformed character reference");
      for (char c : digits) {
        int v = hex ? hex_value(c) : (c >= '0' && c <= '9' ? c - '0' : -1);
        if (v < 0 || code > 0x10FFFF) return bad("malformed character reference");
        code = code * (hex ? 16 : 10) + static_cast<uint32_t>(v);
      }
      if (!xml_char(code)) return bad("character reference to a character XML does not allow");
      append_utf8(out, code);
      return {};
    }
    return bad(fmt::format("undeclared entity &{};", ref));
  }

  Result<void> character_data() {
    std::string decoded;
    while (pos_ < text_.size() && text_[pos_] != '<') {
      if (text_[pos_] == '&') {
        POSTAMT_TRY(reference(decoded));
      } else {
        decoded += text_[pos_++];
      }
    }
    add_text(decoded);
    return {};
  }

  void add_text(std::string_view text) {
    if (capture_) *capture_ += text;
  }

  Result<void> start_tag() {
    ++pos_;  // '<'
    auto qualified = name();
    POSTAMT_TRY(qualified);
    std::vector<Attribute> attributes;
    bool empty = false;
    while (true) {
      size_t before = pos_;
      skip_space();
      if (pos_ >= text_.size()) return bad("unterminated start tag");
      if (text_[pos_] == '>') {
        ++pos_;
        break;
      }
      if (text_.substr(pos_).starts_with("/>")) {
        pos_ += 2;
        empty = true;
        break;
      }
      if (before == pos_) return bad("attributes must be separated by white space");
      auto attribute = name();
      POSTAMT_TRY(attribute);
      skip_space();
      if (pos_ >= text_.size() || text_[pos_] != '=') return bad("attribute without a value");
      ++pos_;
      skip_space();
      if (pos_ >= text_.size() || (text_[pos_] != '"' && text_[pos_] != '\''))
        return bad("attribute value without quotes");
      char quote = text_[pos_++];
      std::string value;
      while (pos_ < text_.size() && text_[pos_] != quote) {
        if (text_[pos_] == '<') return bad("'<' in an attribute value");
        if (text_[pos_] == '&') {
          POSTAMT_TRY(reference(value));
        } else {
          value += text_[pos_++];
        }
      }
      if (pos_ >= text_.size()) return bad("unterminated attribute value");
      ++pos_;
      for (const Attribute& a : attributes)
        if (a.name == *attribute) return bad(fmt::format("duplicate attribute {}", a.name));
      attributes.push_back({std::move(*attribute), std::move(value)});
    }
    if (elements_.size() >= kMaxDepth)
      return bad(fmt::format("elements nested deeper than {}", kMaxDepth));

    Element element;
    element.qualified = *qualified;
    element.namespaces_before = namespaces_.size();
    // XML Namespaces 1.0 §3: xmlns / xmlns:p declare for this element and its content.
    for (const Attribute& a : attributes) {
      if (a.name == "xmlns") {
        namespaces_.emplace_back("", a.value);
      } else if (a.name.starts_with("xmlns:")) {
        if (a.value.empty()) return bad("a namespace prefix cannot be undeclared");
        namespaces_.emplace_back(a.name.substr(6), a.value);
      }
    }
    size_t colon = qualified->find(':');
    if (colon != std::string::npos) {
      element.prefix = qualified->substr(0, colon);
      element.local = qualified->substr(colon + 1);
      if (element.prefix.empty() || element.local.empty() ||
          element.local.find(':') != std::string::npos)
        return bad(fmt::format("malformed qualified name {}", *qualified));
    } else {
      element.local = *qualified;
    }
    auto uri = resolve(element.prefix);
    if (!uri) return bad(fmt::format("undeclared namespace prefix {}", element.prefix));
    element.uri = *uri;
    elements_.push_back(std::move(element));
    POSTAMT_TRY(enter());
    if (empty) POSTAMT_TRY(leave());
    return {};
  }

  Result<void> end_tag() {
    pos_ += 2;  // "</"
    auto qualified = name();
    POSTAMT_TRY(qualified);
    skip_space();
    if (pos_ >= text_.size() || text_[pos_] != '>') return bad("malformed end tag");
    ++pos_;
    if (elements_.empty()) return bad(fmt::format("</{}> without a start tag", *qualified));
    if (elements_.back().qualified != *qualified)
      return bad(fmt::format("</{}> does not close <{}>", *qualified, elements_.back().qualified));
    return leave();
  }

  std::optional<std::string> resolve(const std::string& prefix) const {
    for (size_t i = namespaces_.size(); i-- > 0;)
      if (namespaces_[i].first == prefix) return namespaces_[i].second;
    if (prefix.empty()) return std::string();  // no default namespace
    return std::nullopt;
  }

  // The element just pushed: what it means at its place.
  Result<void> enter() {
    if (capture_) return bad("EMailAddress and AcceptableResponseSchema hold text only");
    const size_t depth = elements_.size();
    const std::string& local = elements_.back().local;
    const bool ours = elements_.back().uri == kAutodiscoverRequestSchema;
    if (depth == 1) {
      if (!ours || local != "Autodiscover")
        return bad(fmt::format("the root element is not Autodiscover in the namespace {}",
                               kAutodiscoverRequestSchema));
    } else if (depth == 2 && ours && local == "Request") {
      ++requests_;
    } else if (depth == 3 && ours && in_request()) {
      if (local == "EMailAddress") {
        ++addresses_;
        capture_ = &address_;
      } else if (local == "AcceptableResponseSchema") {
        schema_.clear();  // the last one counts
        capture_ = &schema_;
      }
    }
    return {};
  }

  bool in_request() const {
    const Element& parent = elements_[elements_.size() - 2];
    return parent.local == "Request" && parent.uri == kAutodiscoverRequestSchema;
  }

  Result<void> leave() {
    namespaces_.resize(elements_.back().namespaces_before);
    elements_.pop_back();
    capture_ = nullptr;
    return {};
  }

  std::string_view text_;
  size_t pos_ = 0;
  std::vector<Element> elements_;
  std::vector<std::pair<std::string, std::string>> namespaces_;  // prefix, URI
  std::string* capture_ = nullptr;                               // the text being collected
  std::string address_, schema_;
  int requests_ = 0, addresses_ = 0;
};

}  // namespace

Result<AutodiscoverRequest> parse_autodiscover_request(std::string_view body) {
  return Parser(body).run();
}

}  // namespace postamt::autoconfig
