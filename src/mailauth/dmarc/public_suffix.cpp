// The public suffix list and the organizational domain (RFC 7489 §3.2).
#include <idn2.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include "base/strings.h"
#include "mailauth/dmarc/dmarc.h"

namespace postamt::dmarc {
namespace {

bool is_ascii(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

// A rule as A-labels, lower-case; "" when a non-ASCII rule has no A-label form.
std::string rule_to_ascii(std::string_view rule) {
  if (is_ascii(rule)) return ascii_lower(rule);
  std::string text(rule);
  char* converted = nullptr;
  // Labels of the list are U-labels in NFC (its own format notes); RFC 5891 rules.
  if (idn2_to_ascii_8z(text.c_str(), &converted, IDN2_NONTRANSITIONAL) != IDN2_OK) return "";
  std::unique_ptr<char, decltype(&std::free)> owner(converted, &std::free);
  return ascii_lower(converted);
}

// "a.b.c" -> "b.c"; "c" -> "".
std::string_view parent(std::string_view name) {
  size_t dot = name.find('.');
  return dot == std::string_view::npos ? std::string_view() : name.substr(dot + 1);
}

}  // namespace

Result<PublicSuffixList> PublicSuffixList::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    int err = errno;
    return Error{err == ENOENT ? ErrorKind::not_found : ErrorKind::io,
                 path + ": cannot read the public suffix list: " + std::strerror(err)};
  }
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) return Error{ErrorKind::io, path + ": cannot read the public suffix list"};
  auto list = parse(text.str());
  if (!list) return Error{list.error().kind, path + ": " + list.error().message};
  return list;
}

Result<PublicSuffixList> PublicSuffixList::parse(std::string_view text) {
  PublicSuffixList list;
  for (std::string_view line : split(text, '\n')) {
    // The list's format: a rule is the line up to the first white space; "//" starts a
    // comment line.
    size_t start = line.find_first_not_of(" \t\r");
    if (start == std::string_view::npos) continue;
    line = line.substr(start);
    if (line.starts_with("//")) continue;
    std::string_view word = line.substr(0, line.find_first_of(" \t\r"));
    if (word.ends_with('.')) word.remove_suffix(1);
    if (word.empty()) continue;
    if (word.starts_with('!')) {
      std::string rule = rule_to_ascii(word.substr(1));
      if (!rule.empty()) list.exceptions_.insert(std::move(rule));
    } else if (word.starts_with("*.")) {
      std::string rule = rule_to_ascii(word.substr(2));
      if (!rule.empty()) list.wildcards_.insert(std::move(rule));
    } else if (word.find('*') == std::string_view::npos) {
      std::string rule = rule_to_ascii(word);
      if (!rule.empty()) list.rules_.insert(std::move(rule));
    }
    // A '*' anywhere but as the whole leftmost label is not a rule the list defines.
  }
  if (list.size() == 0) return Error{ErrorKind::invalid, "no rule in the public suffix list"};
  return list;
}

std::string PublicSuffixList::organizational_domain(std::string_view domain) const {
  std::string name = ascii_lower(domain);
  if (!name.empty() && name.back() == '.') name.pop_back();
  if (name.empty()) return name;

  // The suffixes of the name made of whole labels, longest first: suffixes[0] = name.
  std::vector<std::string_view> suffixes;
  for (std::string_view s = name; !s.empty(); s = parent(s)) suffixes.push_back(s);

  // The public suffix (publicsuffix.org's algorithm): an exception rule wins and makes
  // its parent the suffix; otherwise the matching rule with the most labels; otherwise
  // the implicit "*" (the last label).
  size_t suffix_index = suffixes.size() - 1;  // index into suffixes of the public suffix
  bool found_exception = false;
  for (size_t i = 0; i < suffixes.size(); ++i) {
    if (exceptions_.contains(std::string(suffixes[i]))) {
      suffix_index = i + 1;
      found_exception = true;
      break;
    }
  }
  if (!found_exception) {
    for (size_t i = 0; i < suffixes.size(); ++i) {
      bool match = rules_.contains(std::string(suffixes[i])) ||
                   (i + 1 < suffixes.size() && wildcards_.contains(std::string(suffixes[i + 1])));
      if (match) {
        suffix_index = i;
        break;
      }
    }
  }
  // An exception rule on a single label would leave no suffix: the name is its own.
  if (suffix_index >= suffixes.size()) return std::string(suffixes.back());
  // RFC 7489 §3.2 step 4: the public suffix plus one more label; a name that is a
  // public suffix itself has none more.
  if (suffix_index == 0) return name;
  return std::string(suffixes[suffix_index - 1]);
}

}  // namespace postamt::dmarc
