// FETCH arguments (RFC 9051 §6.4.5, RFC 3516 BINARY, RFC 7162 CONDSTORE/QRESYNC).
#include <algorithm>
#include <array>

#include "base/strings.h"
#include "imap/proto/chars.h"
#include "imap/proto/imap_url.h"
#include "imap/proto/parser.h"

namespace postamt::imap::proto {

namespace {

using Kind = FetchItem::Kind;

FetchItem simple(Kind k) {
  FetchItem item;
  item.kind = k;
  return item;
}

// section-text after a part path or at the top level. MIME needs a part path.
Result<void> section_text(Parser& p, Section& section) {
  if (p.sc.consume_prefix("HEADER.FIELDS")) {
    section.text =
        p.sc.consume_prefix(".NOT") ? SectionText::header_fields_not : SectionText::header_fields;
    POSTAMT_TRY(p.sc.sp());
    POSTAMT_TRY(p.sc.expect('(', "'(' opening the header list"));
    for (;;) {
      auto name = p.sc.astring();
      if (!name) return syntax_error("expected a header field name");
      section.fields.push_back(std::move(*name));
      if (p.sc.consume(')')) return {};
      POSTAMT_TRY(p.sc.sp());
    }
  }
  if (p.sc.consume_prefix("HEADER")) {
    section.text = SectionText::header;
  } else if (p.sc.consume_prefix("TEXT")) {
    section.text = SectionText::text;
  } else if (p.sc.consume_prefix("MIME")) {
    if (section.part.empty()) return syntax_error("MIME needs a part number");
    section.text = SectionText::mime;
  } else {
    return syntax_error("bad section");
  }
  return {};
}

// "[" [section-spec] "]" (or section-binary "[" [section-part] "]" for BINARY).
enum class SectionKind { body, binary };
Result<Section> section(Parser& p, SectionKind kind) {
  Section s;
  POSTAMT_TRY(p.sc.expect('[', "'['"));
  if (p.sc.consume(']')) return s;
  while (chars::is_digit(p.sc.peek())) {
    auto n = p.sc.nz_number();
    if (!n) return syntax_error("bad part number");
    s.part.push_back(*n);
    if (!p.sc.consume('.')) break;
    if (chars::is_digit(p.sc.peek())) continue;
    if (kind == SectionKind::binary) return syntax_error("BINARY takes only a part number");
    POSTAMT_TRY(section_text(p, s));
    break;
  }
  if (s.part.empty()) {
    if (kind == SectionKind::binary) return syntax_error("BINARY takes only a part number");
    POSTAMT_TRY(section_text(p, s));
  }
  POSTAMT_TRY(p.sc.expect(']', "']' closing the section"));
  return s;
}

// "<" number64 "." nz-number64 ">"
Result<std::optional<Partial>> partial(Parser& p) {
  if (!p.sc.consume('<')) return std::optional<Partial>();
  Partial part;
  auto off = p.sc.number64();
  if (!off) return syntax_error("bad partial offset");
  POSTAMT_TRY(p.sc.expect('.', "'.' in partial"));
  auto len = p.sc.number64();
  if (!len || *len == 0) return syntax_error("bad partial length");
  POSTAMT_TRY(p.sc.expect('>', "'>' closing the partial"));
  part.offset = *off;
  part.length = *len;
  return std::optional<Partial>(part);
}

Result<void> fetch_att(Parser& p, std::vector<FetchItem>& items) {
  static constexpr std::array<std::pair<std::string_view, Kind>, 14> kSimple = {{
      {"ENVELOPE", Kind::envelope},
      {"FLAGS", Kind::flags},
      {"INTERNALDATE", Kind::internal_date},
      {"RFC822.SIZE", Kind::rfc822_size},
      {"RFC822.HEADER", Kind::rfc822_header},
      {"RFC822.TEXT", Kind::rfc822_text},
      {"RFC822", Kind::rfc822},
      {"BODYSTRUCTURE", Kind::body_structure},
      {"UID", Kind::uid},
      {"MODSEQ", Kind::mod_seq},
      {"SAVEDATE", Kind::save_date},
      {"EMAILID", Kind::email_id},
      {"THREADID", Kind::thread_id},
      {"BODY", Kind::body},
  }};
  auto name = p.sc.run([](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || chars::is_digit(c) || c == '.';
  });
  std::string upper = ascii_upper(name);
  bool bracket = p.sc.peek() == '[';
  // RFC 8970 §6: "PREVIEW" [SP "(" preview-mod *(SP preview-mod) ")"], preview-mod "LAZY".
  if (upper == "PREVIEW") {
    FetchItem item = simple(Kind::preview);
    if (p.sc.rest().starts_with(" (")) {
      p.sc.consume(' ');
      p.sc.consume('(');
      POSTAMT_TRY(p.elements([&]() -> Result<void> {
        if (!p.sc.consume_word("LAZY")) return syntax_error("unknown PREVIEW modifier");
        item.lazy = true;
        return {};
      }));
      if (!item.lazy) return syntax_error("PREVIEW modifiers may not be empty");
    }
    items.push_back(item);
    return {};
  }
  if (!bracket) {
    for (const auto& [word, kind] : kSimple) {
      if (upper == word) {
        items.push_back(simple(kind));
        return {};
      }
    }
    return syntax_error("unknown data item " + upper.substr(0, 32));
  }
  FetchItem item;
  SectionKind sk = SectionKind::body;
  if (upper == "BODY") {
    item.kind = Kind::body_section;
  } else if (upper == "BODY.PEEK") {
    item.kind = Kind::body_section;
    item.peek = Peek::yes;
  } else if (upper == "BINARY" || upper == "BINARY.PEEK" || upper == "BINARY.SIZE") {
    item.kind = upper == "BINARY.SIZE" ? Kind::binary_size : Kind::binary;
    item.peek = upper == "BINARY.PEEK" ? Peek::yes : Peek::no;
    sk = SectionKind::binary;
  } else {
    return syntax_error("unknown data item " + upper.substr(0, 32));
  }
  auto sec = section(p, sk);
  if (!sec) return sec.error();
  item.section = std::move(*sec);
  if (item.kind != Kind::binary_size) {
    auto part = partial(p);
    if (!part) return part.error();
    item.partial = *part;
  }
  items.push_back(std::move(item));
  return {};
}

// RFC 9051 §6.4.5 macros.
bool macro(Parser& p, std::vector<FetchItem>& items) {
  if (p.sc.consume_word("ALL")) {
    items = {simple(Kind::flags), simple(Kind::internal_date), simple(Kind::rfc822_size),
             simple(Kind::envelope)};
  } else if (p.sc.consume_word("FAST")) {
    items = {simple(Kind::flags), simple(Kind::internal_date), simple(Kind::rfc822_size)};
  } else if (p.sc.consume_word("FULL")) {
    items = {simple(Kind::flags), simple(Kind::internal_date), simple(Kind::rfc822_size),
             simple(Kind::envelope), simple(Kind::body)};
  } else {
    return false;
  }
  return true;
}

// RFC 7162 §3.1.4 CHANGEDSINCE and §3.2.6 VANISHED.
Result<void> fetch_modifiers(Parser& p, FetchCmd& cmd) {
  POSTAMT_TRY(p.sc.expect('(', "'(' opening FETCH modifiers"));
  bool any = false;
  POSTAMT_TRY(p.elements([&]() -> Result<void> {
    any = true;
    if (p.sc.consume_word("CHANGEDSINCE")) {
      POSTAMT_TRY(p.sc.sp());
      auto ms = p.mod_sequence(Parser::Zero::allow);
      if (!ms) return ms.error();
      cmd.changed_since = *ms;
    } else if (p.sc.consume_word("VANISHED")) {
      cmd.vanished = true;
    } else {
      return syntax_error("unknown FETCH modifier");
    }
    return {};
  }));
  if (!any) return syntax_error("empty FETCH modifier list");
  // RFC 7162 §3.2.6: VANISHED only in UID FETCH and only together with CHANGEDSINCE.
  if (cmd.vanished && (cmd.numbers != NumberKind::uid || !cmd.changed_since))
    return syntax_error("VANISHED requires UID FETCH and CHANGEDSINCE");
  return {};
}

}  // namespace

Result<void> parse_fetch_att(Parser& p, std::vector<FetchItem>& items) {
  return fetch_att(p, items);
}

Result<FetchCmd> parse_fetch(Parser& p, NumberKind numbers) {
  FetchCmd cmd;
  cmd.numbers = numbers;
  POSTAMT_TRY(p.sc.sp());
  auto set = p.sequence_set();
  if (!set) return set.error();
  cmd.set = std::move(*set);
  POSTAMT_TRY(p.sc.sp());
  if (p.sc.consume('(')) {
    for (;;) {
      POSTAMT_TRY(fetch_att(p, cmd.items));
      if (p.sc.consume(')')) break;
      POSTAMT_TRY(p.sc.sp());
    }
  } else if (!macro(p, cmd.items)) {
    POSTAMT_TRY(fetch_att(p, cmd.items));
  }
  if (p.sc.consume(' ')) POSTAMT_TRY(fetch_modifiers(p, cmd));
  POSTAMT_TRY(p.sc.end());
  // RFC 9051 §6.4.9: UID FETCH always returns UID; say so in the request.
  if (numbers == NumberKind::uid &&
      std::none_of(cmd.items.begin(), cmd.items.end(),
                   [](const FetchItem& i) { return i.kind == Kind::uid; }))
    cmd.items.insert(cmd.items.begin(), simple(Kind::uid));
  return cmd;
}

Result<Section> parse_section_spec(std::string_view text) {
  std::string bracketed = "[" + std::string(text) + "]";
  ParseOptions options;
  Parser p(bracketed, options);
  auto parsed = section(p, SectionKind::body);
  if (!parsed || !p.sc.at_end()) return Error{ErrorKind::invalid, "bad SECTION"};
  return parsed;
}

}  // namespace postamt::imap::proto
