#include "mime/originators.h"

#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>

#include <climits>
#include <unordered_set>

#include "base/strings.h"
#include "mime/address.h"
#include "mime/charset.h"

namespace postamt::mime {
namespace {

bool is_local_part_char(char c) {
  return is_ascii_atext(c) || c == '.';
}

bool is_domain_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_';
}

bool is_originator(std::string_view name) {
  for (std::string_view known : {"From", "Sender", "Resent-From", "Resent-Sender"})
    if (iequals(name, known)) return true;
  return false;
}

// What a reader would show of `text`, for finding addresses in it: backslashes
// (quoted-pairs) dropped; non-ASCII UTF-8 mapped with NFKC_Casefold.
std::string as_shown(std::string_view text) {
  std::string plain;
  plain.reserve(text.size());
  bool ascii = true;
  for (char c : text) {
    if (c == '\\') continue;
    ascii = ascii && static_cast<unsigned char>(c) < 0x80;
    plain += c;
  }
  if (ascii || !is_valid_utf8(plain) || plain.size() > INT32_MAX) return plain;
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* fold = icu::Normalizer2::getNFKCCasefoldInstance(status);
  if (U_FAILURE(status)) return plain;
  std::string out;
  icu::StringByteSink<std::string> sink(&out, static_cast<int32_t>(plain.size()));
  fold->normalizeUTF8(0, icu::StringPiece(plain.data(), static_cast<int32_t>(plain.size())), sink,
                      nullptr, status);
  return U_SUCCESS(status) ? out : plain;
}

// The key two spellings of one address share: lowercased, without quotes.
std::string address_key_of(std::string_view address) {
  std::string key;
  for (char c : address)
    if (c != '"') key += c;
  return ascii_lower(key);
}

// Every "local@domain" run of `text`: the atext and dots left of each '@' (or, when a
// quote ends right before it, the quoted string, quotes dropped), the domain characters
// right of it, both non-empty, outer dots dropped.
void collect_address_words(std::string_view text, std::vector<std::string>& out) {
  for (size_t at = text.find('@'); at != std::string_view::npos; at = text.find('@', at + 1)) {
    size_t begin = at;
    size_t local_end = at;
    if (at >= 2 && text[at - 1] == '"') {
      const size_t open = text.rfind('"', at - 2);
      if (open != std::string_view::npos) {
        begin = open + 1;
        local_end = at - 1;
      }
    } else {
      while (begin > 0 && is_local_part_char(text[begin - 1])) --begin;
    }
    size_t end = at + 1;
    while (end < text.size() && is_domain_char(text[end])) ++end;
    std::string_view local = text.substr(begin, local_end - begin);
    std::string_view domain = text.substr(at + 1, end - at - 1);
    while (!local.empty() && local.front() == '.') local.remove_prefix(1);
    while (!domain.empty() && domain.back() == '.') domain.remove_suffix(1);
    if (local.empty() || domain.empty()) continue;
    out.push_back(std::string(local) + "@" + std::string(domain));
  }
}

struct LenientField {
  std::string_view name;
  std::string value;  // unfolded: the line ends removed, nothing else
};

// The fields of the header as lenient readers see them (originators.h).
std::vector<LenientField> lenient_fields(std::string_view message) {
  std::vector<LenientField> out;
  bool continuing = false;  // the line before began a field (or continued one)
  size_t pos = 0;
  while (pos < message.size()) {
    const size_t lf = message.find('\n', pos);
    const size_t next = lf == std::string_view::npos ? message.size() : lf + 1;
    std::string_view line = message.substr(pos, next - pos);
    pos = next;
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    if (line.empty()) break;  // RFC 5322 §2.1: the empty line ends the header
    if (line.front() == ' ' || line.front() == '\t') {
      if (continuing) out.back().value += line;
      continue;
    }
    const size_t colon = line.find(':');
    std::string_view name = colon == std::string_view::npos ? "" : line.substr(0, colon);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
    continuing = !name.empty() && name.find_first_of(" \t") == std::string_view::npos;
    if (continuing) out.push_back({name, std::string(line.substr(colon + 1))});
  }
  return out;
}

}  // namespace

std::vector<OriginatorField> originator_fields(std::string_view message) {
  std::vector<OriginatorField> out;
  for (LenientField& field : lenient_fields(message)) {
    if (!is_originator(field.name)) continue;
    OriginatorField& o = out.emplace_back();
    o.name = std::string(field.name);
    o.value_octets = field.value.size();
    std::unordered_set<std::string> known;
    // Display names decoded (RFC 2047): "=?utf-8?q?bob=40x.test?=" spells bob@x.test.
    std::vector<std::string> names;
    auto add = [&](const Mailbox& m) {
      o.addresses.push_back(m.addr_spec());
      known.insert(address_key_of(o.addresses.back()));
      names.push_back(m.name);
    };
    for (const auto& address : parse_address_list(field.value)) {
      if (const auto* m = std::get_if<Mailbox>(&address)) {
        add(*m);
      } else {
        const Group& group = std::get<Group>(address);
        names.push_back(group.name);
        for (const auto& member : group.members) add(member);
      }
    }
    std::vector<std::string> words;
    collect_address_words(as_shown(field.value), words);
    for (const auto& n : names) collect_address_words(as_shown(n), words);
    for (std::string& word : words) {
      if (!known.insert(address_key_of(word)).second) continue;
      o.other_addresses.push_back(std::move(word));
    }
  }
  return out;
}

}  // namespace postamt::mime
