#include "mailauth/spf/record.h"

#include <algorithm>

#include "base/strings.h"
#include "mailauth/spf/macro.h"

namespace postamt::spf {
namespace {

bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// §12: name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." )
bool is_modifier_name(std::string_view s) {
  if (s.empty() || !is_alpha(s.front())) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return is_alpha(c) || is_digit(c) || c == '-' || c == '_' || c == '.';
  });
}

// ip4-cidr-length = "/" ( "0" / %x31-39 0*1DIGIT ), at most 32;
// ip6-cidr-length = "/" ( "0" / %x31-39 0*2DIGIT ), at most 128. `digits` excludes "/".
std::optional<int> parse_cidr(std::string_view digits, int max) {
  const size_t max_digits = max == 32 ? 2 : 3;
  if (digits.empty() || digits.size() > max_digits) return std::nullopt;
  if (!std::all_of(digits.begin(), digits.end(), is_digit)) return std::nullopt;
  if (digits.size() > 1 && digits.front() == '0') return std::nullopt;
  int value = 0;
  for (char c : digits) value = value * 10 + (c - '0');
  if (value > max) return std::nullopt;
  return value;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), is_digit);
}

Error syntax(std::string_view term, std::string_view why) {
  return Error(ErrorKind::invalid, "bad term \"" + std::string(term) + "\": " + std::string(why));
}

// The part after the mechanism name of "a" or "mx": [":" domain-spec] [dual-cidr-length].
Result<void> parse_a_arguments(std::string_view term, std::string_view rest, Mechanism& m) {
  // dual-cidr-length = [ ip4-cidr-length ] [ "/" ip6-cidr-length ], taken from the end
  // (a domain-spec may itself contain "/").
  if (size_t pos = rest.rfind("//");
      pos != std::string_view::npos && all_digits(rest.substr(pos + 2))) {
    auto v6 = parse_cidr(rest.substr(pos + 2), 128);
    if (!v6) return syntax(term, "bad ip6-cidr-length");
    m.prefix6 = *v6;
    rest = rest.substr(0, pos);
  }
  if (size_t pos = rest.rfind('/');
      pos != std::string_view::npos && all_digits(rest.substr(pos + 1))) {
    auto v4 = parse_cidr(rest.substr(pos + 1), 32);
    if (!v4) return syntax(term, "bad ip4-cidr-length");
    m.prefix4 = *v4;
    rest = rest.substr(0, pos);
  }
  if (rest.empty()) return {};
  if (rest.front() != ':') return syntax(term, "unexpected text after the mechanism name");
  m.domain_spec = std::string(rest.substr(1));
  if (auto ok = check_domain_spec(m.domain_spec); !ok) return syntax(term, ok.error().message);
  return {};
}

Result<void> parse_required_domain(std::string_view term, std::string_view rest, Mechanism& m) {
  if (rest.empty() || rest.front() != ':') return syntax(term, "a domain-spec is required");
  m.domain_spec = std::string(rest.substr(1));
  if (auto ok = check_domain_spec(m.domain_spec); !ok) return syntax(term, ok.error().message);
  return {};
}

Result<void> parse_ip_arguments(std::string_view term, std::string_view rest, Mechanism& m) {
  if (rest.empty() || rest.front() != ':') return syntax(term, "an address is required");
  rest.remove_prefix(1);
  const bool v4 = m.kind == MechanismKind::ip4;
  std::string_view network = rest;
  if (size_t slash = rest.find('/'); slash != std::string_view::npos) {
    network = rest.substr(0, slash);
    auto prefix = parse_cidr(rest.substr(slash + 1), v4 ? 32 : 128);
    if (!prefix) return syntax(term, "bad CIDR length");
    (v4 ? m.prefix4 : m.prefix6) = *prefix;
  }
  auto address = v4 ? Address::parse_ipv4(network) : Address::parse_ipv6(network);
  if (!address) return syntax(term, v4 ? "not an IPv4 network" : "not an IPv6 network");
  m.network = *address;
  return {};
}

Result<Mechanism> parse_mechanism(std::string_view term) {
  Mechanism m;
  m.text = std::string(term);
  std::string_view rest = term;
  switch (rest.front()) {
    case '+':
      m.qualifier = Qualifier::pass;
      rest.remove_prefix(1);
      break;
    case '-':
      m.qualifier = Qualifier::fail;
      rest.remove_prefix(1);
      break;
    case '~':
      m.qualifier = Qualifier::softfail;
      rest.remove_prefix(1);
      break;
    case '?':
      m.qualifier = Qualifier::neutral;
      rest.remove_prefix(1);
      break;
    default:
      break;
  }
  const size_t end = std::min(rest.find(':'), rest.find('/'));
  const std::string name = ascii_lower(rest.substr(0, std::min(end, rest.size())));
  rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
  if (name == "all") {
    m.kind = MechanismKind::all;
    if (!rest.empty()) return syntax(term, "\"all\" takes no argument");
  } else if (name == "include") {
    m.kind = MechanismKind::include;
    POSTAMT_TRY(parse_required_domain(term, rest, m));
  } else if (name == "a" || name == "mx") {
    m.kind = name == "a" ? MechanismKind::a : MechanismKind::mx;
    POSTAMT_TRY(parse_a_arguments(term, rest, m));
  } else if (name == "ptr") {
    m.kind = MechanismKind::ptr;
    if (!rest.empty()) POSTAMT_TRY(parse_required_domain(term, rest, m));
  } else if (name == "ip4" || name == "ip6") {
    m.kind = name == "ip4" ? MechanismKind::ip4 : MechanismKind::ip6;
    POSTAMT_TRY(parse_ip_arguments(term, rest, m));
  } else if (name == "exists") {
    m.kind = MechanismKind::exists;
    POSTAMT_TRY(parse_required_domain(term, rest, m));
  } else {
    return syntax(term, "unknown mechanism");
  }
  return m;
}

}  // namespace

bool Record::has_all() const {
  return std::any_of(mechanisms.begin(), mechanisms.end(),
                     [](const Mechanism& m) { return m.kind == MechanismKind::all; });
}

bool is_spf_record(std::string_view txt) {
  // §4.5: the version section is terminated by a space or the end of the record.
  return istarts_with(txt, "v=spf1") && (txt.size() == 6 || txt[6] == ' ');
}

Result<std::string> select_record(const std::vector<std::string>& txt_records) {
  const std::string* found = nullptr;
  for (const auto& txt : txt_records) {
    if (!is_spf_record(txt)) continue;
    if (found) return Error(ErrorKind::invalid, "more than one SPF record");
    found = &txt;
  }
  if (!found) return Error(ErrorKind::not_found, "no SPF record");
  return *found;
}

Result<Record> parse_record(std::string_view txt) {
  if (!is_spf_record(txt)) return Error(ErrorKind::not_found, "not an SPF record");
  // §3.1 / §12: records are 7-bit ASCII; terms are separated by SP only.
  for (char c : txt) {
    if (c < 0x20 || c > 0x7E) return Error(ErrorKind::invalid, "a byte outside printable ASCII");
  }
  Record record;
  for (std::string_view term : split(txt.substr(6), ' ')) {
    if (term.empty()) continue;
    // §4.6.1: a modifier has "=" right after its name, before any ":" or "/".
    const size_t eq = term.find('=');
    if (eq != std::string_view::npos && eq < term.find(':') && eq < term.find('/')) {
      const std::string_view name = term.substr(0, eq);
      const std::string_view value = term.substr(eq + 1);
      if (!is_modifier_name(name)) return syntax(term, "bad modifier name");
      if (iequals(name, "redirect") || iequals(name, "exp")) {
        auto& slot = iequals(name, "redirect") ? record.redirect : record.explanation;
        // §6: each at most once.
        if (slot) return syntax(term, "modifier given twice");
        if (auto ok = check_domain_spec(value); !ok) return syntax(term, ok.error().message);
        slot = std::string(value);
      } else if (auto ok = check_macro_string(value, MacroUse::explanation); !ok) {
        // unknown-modifier = name "=" macro-string: its meaning is ignored, its syntax not.
        return syntax(term, ok.error().message);
      }
      continue;
    }
    auto mechanism = parse_mechanism(term);
    if (!mechanism) return mechanism.error();
    record.mechanisms.push_back(std::move(*mechanism));
  }
  return record;
}

}  // namespace postamt::spf
