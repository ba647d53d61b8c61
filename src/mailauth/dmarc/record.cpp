// The DMARC policy record (RFC 7489 §6.3, §6.4): tag-value text -> Record.
#include <cctype>
#include <map>
#include <string>
#include <string_view>

#include "base/strings.h"
#include "mailauth/dmarc/dmarc.h"

namespace postamt::dmarc {
namespace {

// RFC 6376 §3.2 (which RFC 7489 §6.3 adopts): WSP is space and tab; FWS also allows a
// CRLF before WSP, which a record's concatenated strings can contain.
bool is_wsp(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view trim_wsp(std::string_view s) {
  while (!s.empty() && is_wsp(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_wsp(s.back())) s.remove_suffix(1);
  return s;
}

std::optional<Policy> parse_policy(std::string_view v) {
  // RFC 5234 §2.3: the quoted words of the ABNF match without regard to case.
  if (iequals(v, "none")) return Policy::none;
  if (iequals(v, "quarantine")) return Policy::quarantine;
  if (iequals(v, "reject")) return Policy::reject;
  return std::nullopt;
}

std::optional<Alignment> parse_alignment(std::string_view v) {
  if (iequals(v, "r")) return Alignment::relaxed;
  if (iequals(v, "s")) return Alignment::strict;
  return std::nullopt;
}

// RFC 7489 §6.4 dmarc-uri: URI [ "!" 1*DIGIT [ "k" / "m" / "g" / "t" ] ], the URI with
// commas and '!' percent-encoded. The URI is checked as RFC 3986 §3.1 scheme ":" and a
// non-empty rest without white space or characters RFC 3986 never allows.
bool valid_dmarc_uri(std::string_view uri) {
  std::string_view body = uri;
  if (size_t bang = uri.find('!'); bang != std::string_view::npos) {
    body = uri.substr(0, bang);
    std::string_view size = uri.substr(bang + 1);
    if (!size.empty() && std::string_view("kmgtKMGT").find(size.back()) != std::string_view::npos)
      size.remove_suffix(1);
    // "the numeric portion MUST fit within an unsigned 64-bit integer"
    if (size.empty() || !parse_u64(size)) return false;
  }
  size_t colon = body.find(':');
  if (colon == 0 || colon == std::string_view::npos || colon + 1 == body.size()) return false;
  if (!std::isalpha(static_cast<unsigned char>(body[0]))) return false;
  for (size_t i = 1; i < colon; ++i) {
    char c = body[i];
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.')
      return false;
  }
  for (char c : body.substr(colon + 1)) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '"' || c == '<' || c == '>' || c == '\\' || c == '^' ||
        c == '`' || c == '{' || c == '|' || c == '}' || c == ',')
      return false;
  }
  return true;
}

// The valid URIs of a comma-separated list; invalid ones are dropped ("URIs not
// supported by Mail Receivers MUST be ignored", §6.3 rua).
std::vector<std::string> parse_uri_list(std::string_view value) {
  std::vector<std::string> uris;
  for (std::string_view item : split(value, ',')) {
    item = trim_wsp(item);
    if (valid_dmarc_uri(item)) uris.emplace_back(item);
  }
  return uris;
}

// fo: ( "0" / "1" / "d" / "s" ) *(*WSP ":" *WSP ( "0" / "1" / "d" / "s" )), returned
// without white space; nullopt when malformed.
std::optional<std::string> parse_fo(std::string_view value) {
  std::string out;
  for (std::string_view item : split(value, ':')) {
    item = trim_wsp(item);
    if (item.size() != 1 || std::string_view("01dsDS").find(item[0]) == std::string_view::npos)
      return std::nullopt;
    if (!out.empty()) out += ':';
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(item[0])));
  }
  return out;
}

struct Tag {
  std::string_view name;
  std::string_view value;
};

// Splits "a=b; c = d;" into tags. Entries without '=' are syntax errors that §6.3 asks
// to discard; they are skipped. nullopt when a tag name repeats (RFC 6376 §3.2).
std::optional<std::vector<Tag>> split_tags(std::string_view txt) {
  std::vector<Tag> tags;
  std::map<std::string, int> seen;
  for (std::string_view entry : split(txt, ';')) {
    entry = trim_wsp(entry);
    if (entry.empty()) continue;
    size_t eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    Tag tag{trim_wsp(entry.substr(0, eq)), trim_wsp(entry.substr(eq + 1))};
    if (++seen[ascii_lower(tag.name)] > 1) return std::nullopt;
    tags.push_back(tag);
  }
  return tags;
}

}  // namespace

std::string_view to_string(Policy policy) {
  switch (policy) {
    case Policy::none:
      return "none";
    case Policy::quarantine:
      return "quarantine";
    case Policy::reject:
      return "reject";
  }
  return "none";
}

std::string_view to_string(Alignment alignment) {
  return alignment == Alignment::strict ? "s" : "r";
}

bool is_dmarc_record(std::string_view txt) {
  // RFC 7489 §6.3 v: "It MUST have the value of "DMARC1"" and "MUST be the first tag".
  std::string_view first = txt.substr(0, txt.find(';'));
  size_t eq = first.find('=');
  if (eq == std::string_view::npos) return false;
  // The tag name "v" follows the ABNF's case rule; the value is %x44 %x4d ... (exact).
  return iequals(trim_wsp(first.substr(0, eq)), "v") && trim_wsp(first.substr(eq + 1)) == "DMARC1";
}

Result<Record> parse_record(std::string_view txt) {
  if (!is_dmarc_record(txt))
    return Error{ErrorKind::invalid, "not a DMARC record (the first tag is not v=DMARC1)"};
  auto tags = split_tags(txt);
  if (!tags) return Error{ErrorKind::invalid, "a tag appears twice in the DMARC record"};

  Record record;
  bool p_seen = false, p_valid = false, sp_valid = true;
  for (const Tag& tag : *tags) {
    std::string name = ascii_lower(tag.name);
    if (name == "p") {
      p_seen = true;
      if (auto p = parse_policy(tag.value)) {
        record.p = *p;
        p_valid = true;
      }
    } else if (name == "sp") {
      if (auto sp = parse_policy(tag.value))
        record.sp = *sp;
      else
        sp_valid = false;
    } else if (name == "adkim") {
      record.adkim = parse_alignment(tag.value).value_or(Alignment::relaxed);
    } else if (name == "aspf") {
      record.aspf = parse_alignment(tag.value).value_or(Alignment::relaxed);
    } else if (name == "pct") {
      // 1*3DIGIT, 0 to 100; anything else keeps the default (§6.3 last paragraph).
      auto pct = tag.value.size() <= 3 ? parse_u64(tag.value) : std::nullopt;
      if (pct && *pct <= 100) record.pct = static_cast<int>(*pct);
    } else if (name == "ri") {
      auto ri = parse_u64(tag.value);
      if (ri && *ri <= UINT32_MAX) record.ri = static_cast<uint32_t>(*ri);
    } else if (name == "fo") {
      if (auto fo = parse_fo(tag.value)) record.fo = *fo;
    } else if (name == "rua") {
      record.rua = parse_uri_list(tag.value);
    } else if (name == "ruf") {
      record.ruf = parse_uri_list(tag.value);
    }
    // v was checked above; rf and unknown tags are ignored (§6.3).
  }
  if (!p_valid || !sp_valid) {
    // RFC 7489 §6.6.3 step 6: without a valid p (or with an invalid sp), a record with a
    // usable rua counts as p=none; otherwise DMARC does not apply.
    if (record.rua.empty()) {
      if (!p_seen) return Error{ErrorKind::invalid, "the DMARC record has no p tag"};
      return Error{ErrorKind::invalid,
                   p_valid ? "the DMARC record's sp is not none, quarantine or reject"
                           : "the DMARC record's p is not none, quarantine or reject"};
    }
    record.p = Policy::none;
    record.sp.reset();
  }
  return record;
}

}  // namespace postamt::dmarc
