#include "mail/sort_keys.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include "mime/address.h"
#include "mime/date.h"
#include "mime/encoded_word.h"

namespace postamt::mail {
namespace {

bool is_wsp(char c) {
  return c == ' ' || c == '\t';
}

char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c;
}

// Whether `s` holds `word` (lowercase ASCII) at `at`, ignoring ASCII case (ABNF literal
// strings are case-insensitive).
bool word_at(std::string_view s, size_t at, std::string_view word) {
  if (s.size() - std::min(at, s.size()) < word.size()) return false;
  for (size_t k = 0; k < word.size(); ++k)
    if (ascii_lower(s[at + k]) != word[k]) return false;
  return true;
}

// The length of a subj-blob ("[" *BLOBCHAR "]" *WSP) at `at`; 0 when there is none.
// BLOBCHAR is every octet but NUL, '[' and ']'.
size_t blob_at(std::string_view s, size_t at) {
  if (at >= s.size() || s[at] != '[') return 0;
  size_t k = at + 1;
  while (k < s.size() && s[k] != '[' && s[k] != ']' && s[k] != '\0') ++k;
  if (k >= s.size() || s[k] != ']') return 0;
  ++k;
  while (k < s.size() && is_wsp(s[k])) ++k;
  return k - at;
}

// The length of a subj-refwd (("re" / ("fw" ["d"])) *WSP [subj-blob] ":") at `at`.
size_t refwd_at(std::string_view s, size_t at) {
  size_t starts[2] = {0, 0};
  if (word_at(s, at, "re")) starts[0] = at + 2;
  if (word_at(s, at, "fwd")) starts[0] = at + 3;
  if (word_at(s, at, "fw")) starts[1] = at + 2;
  for (size_t k : starts) {
    if (k == 0) continue;
    while (k < s.size() && is_wsp(s[k])) ++k;
    k += blob_at(s, k);
    if (k < s.size() && s[k] == ':') return k + 1 - at;
  }
  return 0;
}

// The length of a subj-leader ((*subj-blob subj-refwd) / WSP) at the start of `s`.
size_t leader_length(std::string_view s) {
  if (s.empty()) return 0;
  if (is_wsp(s[0])) return 1;
  size_t k = 0;
  while (size_t blob = blob_at(s, k)) k += blob;
  size_t refwd = refwd_at(s, k);
  return refwd == 0 ? 0 : k + refwd;
}

bool has_non_wsp(std::string_view s) {
  for (char c : s)
    if (!is_wsp(c)) return true;
  return false;
}

// Step (1) after decoding: tabs and line ends become spaces, runs of spaces one space.
std::string collapse_whitespace(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\t' || c == '\r' || c == '\n') c = ' ';
    if (c == ' ' && !out.empty() && out.back() == ' ') continue;
    out.push_back(c);
  }
  return out;
}

const icu::Normalizer2* nfkd() {
  static const icu::Normalizer2* instance = [] {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* n = icu::Normalizer2::getNFKDInstance(status);
    return U_FAILURE(status) ? nullptr : n;
  }();
  return instance;
}

// Appends the titlecased, NFKD-decomposed form of `run` (well-formed UTF-16).
void append_casemapped(const icu::UnicodeString& run, std::string& out) {
  if (run.isEmpty()) return;
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* normalizer = nfkd();
  icu::UnicodeString decomposed = normalizer ? normalizer->normalize(run, status) : run;
  if (U_FAILURE(status)) decomposed = run;
  decomposed.toUTF8String(out);
}

}  // namespace

std::string casemap_key(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  bool ascii = true;
  for (char c : utf8) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  if (ascii) {
    // Titlecase of ASCII is uppercase, and ASCII is its own NFKD.
    for (char c : utf8) out.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c);
    return out;
  }
  const auto* bytes = reinterpret_cast<const uint8_t*>(utf8.data());
  const auto length = static_cast<int32_t>(utf8.size());
  icu::UnicodeString run;
  int32_t i = 0;
  while (i < length) {
    const int32_t start = i;
    UChar32 c = 0;
    U8_NEXT(bytes, i, length, c);
    if (c < 0) {
      // Not UTF-8: the bytes stay as they are, between the decomposed runs around them.
      append_casemapped(run, out);
      run.remove();
      out.append(utf8.substr(static_cast<size_t>(start), static_cast<size_t>(i - start)));
      continue;
    }
    run.append(u_totitle(c));
  }
  append_casemapped(run, out);
  return out;
}

BaseSubject base_subject(std::string_view raw_subject) {
  BaseSubject result;
  std::string s = collapse_whitespace(mime::decode_unstructured(raw_subject));
  for (;;) {
    // (2) trailers: "(fwd)" and whitespace.
    for (;;) {
      if (!s.empty() && is_wsp(s.back())) {
        s.pop_back();
      } else if (s.size() >= 5 && word_at(s, s.size() - 5, "(fwd)")) {
        s.resize(s.size() - 5);
        result.reply_or_forward = true;
      } else {
        break;
      }
    }
    // (3)-(5) leaders, and a leading blob that is not all that is left.
    for (bool changed = true; changed;) {
      changed = false;
      while (size_t n = leader_length(s)) {
        if (!is_wsp(s[0])) result.reply_or_forward = true;
        s.erase(0, n);
        changed = true;
      }
      if (size_t blob = blob_at(s, 0); blob > 0 && has_non_wsp(std::string_view(s).substr(blob))) {
        s.erase(0, blob);
        changed = true;
      }
    }
    // (6) a "[fwd: ...]" wrapper, then again from (2).
    if (s.size() >= 6 && word_at(s, 0, "[fwd:") && s.back() == ']') {
      s = s.substr(5, s.size() - 6);
      result.reply_or_forward = true;
      continue;
    }
    break;
  }
  result.text = std::move(s);
  return result;
}

int64_t sent_date(const mime::HeaderView& header, int64_t internal_date) {
  const mime::HeaderField* field = header.find_first("Date");
  if (field == nullptr) return internal_date;
  auto parsed = mime::parse_date(field->raw_value(header.buffer()));
  return parsed ? parsed->utc_seconds : internal_date;
}

namespace {

std::optional<mime::Address> first_address(const mime::HeaderView& header, std::string_view name) {
  const mime::HeaderField* field = header.find_first(name);
  if (field == nullptr) return std::nullopt;
  auto list = mime::parse_address_list(mime::unfold(field->raw_value(header.buffer())));
  if (list.empty()) return std::nullopt;
  return std::move(list.front());
}

}  // namespace

std::string first_address_mailbox(const mime::HeaderView& header, std::string_view name) {
  auto address = first_address(header, name);
  if (!address) return {};
  if (const auto* group = std::get_if<mime::Group>(&*address)) return group->name;
  return std::get<mime::Mailbox>(*address).local_part;
}

std::string first_address_display(const mime::HeaderView& header, std::string_view name) {
  auto address = first_address(header, name);
  if (!address) return {};
  if (const auto* group = std::get_if<mime::Group>(&*address)) return group->name;
  const auto& mailbox = std::get<mime::Mailbox>(*address);
  if (has_non_wsp(mailbox.name)) return mailbox.name;
  return mailbox.addr_spec();
}

}  // namespace postamt::mail
