#include "mailauth/dkim/signature.h"

#include "base/base64.h"
#include "base/strings.h"

namespace postamt::dkim {
namespace {

Error invalid(std::string message) {
  return Error(ErrorKind::invalid, std::move(message));
}

bool is_wsp_or_crlf(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view trim_fws(std::string_view s) {
  while (!s.empty() && is_wsp_or_crlf(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_wsp_or_crlf(s.back())) s.remove_suffix(1);
  return s;
}

// A domain name as d= and s= carry them (§3.5: domain-name / selector, sub-domains of
// letters, digits and hyphens; selectors may use the period to form sub-domains).
// Underscores are accepted too: they are found in real selectors.
bool is_domain_like(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  char prev = 0;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.';
    if (!ok || (c == '.' && prev == '.')) return false;
    prev = c;
  }
  return true;
}

std::optional<uint64_t> parse_number(std::string_view s) {
  // §3.5: t= and x= are at most 12 digits, l= at most 76; values that do not fit 64 bits
  // are rejected rather than wrapped (the note under l=).
  if (s.empty() || s.size() > 19) return std::nullopt;
  return parse_u64(s);
}

Result<std::string> decode_base64(std::string_view value, std::string_view tag) {
  auto decoded = base64::decode(strip_whitespace(value));
  if (!decoded || decoded->empty()) return invalid("bad " + std::string(tag) + "= value");
  return *decoded;
}

}  // namespace

std::string algorithm_name_of(std::string_view value) {
  if (value.ends_with("\r\n")) value.remove_suffix(2);
  auto tags = TagList::parse(value);
  if (!tags) return {};
  auto a = tags->get("a");
  return a ? std::string(*a) : std::string();
}

Result<Signature> parse_signature(std::string_view value) {
  if (value.ends_with("\r\n")) value.remove_suffix(2);
  auto parsed = TagList::parse(value);
  if (!parsed) return invalid("signature syntax error: " + parsed.error().message);
  const TagList& tags = *parsed;
  // §3.5: v, a, b, bh, d, h, s are required.
  for (std::string_view required : {"v", "a", "b", "bh", "d", "h", "s"}) {
    if (!tags.get(required)) return invalid("missing required tag " + std::string(required) + "=");
  }
  Signature sig;
  // §3.5 v=: "This tag MUST have the value "1""; §6.1.1: PERMFAIL (incompatible version).
  if (*tags.get("v") != "1") return invalid("incompatible version");

  std::string a = ascii_lower(*tags.get("a"));
  if (a == "rsa-sha256") {
    sig.algorithm = Algorithm::rsa_sha256;
  } else if (a == "ed25519-sha256") {
    sig.algorithm = Algorithm::ed25519_sha256;
  } else if (a == "rsa-sha1") {
    // RFC 8301 §3.1: verifiers MUST NOT consider rsa-sha1 signatures valid.
    return invalid("rsa-sha1 is not accepted (RFC 8301)");
  } else {
    return invalid("unsupported algorithm " + a);
  }

  auto b = decode_base64(*tags.get("b"), "b");
  if (!b) return b.error();
  sig.signature = std::move(*b);
  sig.signature_base64 = strip_whitespace(*tags.get("b"));
  auto bh = decode_base64(*tags.get("bh"), "bh");
  if (!bh) return bh.error();
  sig.body_hash = std::move(*bh);

  if (auto c = tags.get("c")) {
    // §3.5 c=: "header/body"; a lone algorithm names the header one, body is simple.
    std::string_view text = *c;
    size_t slash = text.find('/');
    std::string header = ascii_lower(text.substr(0, slash));
    std::string body =
        slash == std::string_view::npos ? "simple" : ascii_lower(text.substr(slash + 1));
    auto canon_of = [](const std::string& name) -> std::optional<Canon> {
      if (name == "simple") return Canon::simple;
      if (name == "relaxed") return Canon::relaxed;
      return std::nullopt;
    };
    auto hc = canon_of(header);
    auto bc = canon_of(body);
    if (!hc || !bc) return invalid("bad c= value");
    sig.header_canon = *hc;
    sig.body_canon = *bc;
  }

  std::string_view d = *tags.get("d");
  if (!is_domain_like(d)) return invalid("bad d= value");
  sig.domain = ascii_lower(d);
  std::string_view s = *tags.get("s");
  if (!is_domain_like(s)) return invalid("bad s= value");
  sig.selector = ascii_lower(s);

  bool from_signed = false;
  for (std::string_view name : split(*tags.get("h"), ':')) {
    name = trim_fws(name);
    if (name.empty()) return invalid("bad h= value");
    for (char ch : name) {
      // RFC 5322 §3.6.8 field names: printable ASCII except the colon.
      if (static_cast<unsigned char>(ch) < 33 || static_cast<unsigned char>(ch) > 126) {
        return invalid("bad h= value");
      }
    }
    std::string lower = ascii_lower(name);
    if (lower == "from") from_signed = true;
    sig.signed_headers.push_back(std::move(lower));
  }
  // §6.1.1: PERMFAIL (From field not signed).
  if (!from_signed) return invalid("From field not signed");

  if (auto i = tags.get("i")) {
    // §3.5 i=: [ Local-part ] "@" domain-name, the domain the same as or a subdomain of d=.
    std::string_view identity = *i;
    size_t at = identity.rfind('@');
    if (at == std::string_view::npos) return invalid("bad i= value");
    std::string domain = ascii_lower(identity.substr(at + 1));
    if (!is_domain_like(domain)) return invalid("bad i= value");
    if (domain != sig.domain && !domain.ends_with("." + sig.domain)) {
      return invalid("i= is not within d=");
    }
    sig.identity = std::string(identity);
  } else {
    sig.identity = "@" + std::string(d);
  }

  if (auto l = tags.get("l")) {
    sig.body_length = parse_number(*l);
    if (!sig.body_length) return invalid("bad l= value");
  }
  if (auto q = tags.get("q")) {
    // §3.5 q=: a colon-separated list; "dns/txt" is the only method defined.
    bool dns_txt = false;
    for (std::string_view method : split(*q, ':')) {
      if (ascii_lower(trim_fws(method)) == "dns/txt") dns_txt = true;
    }
    if (!dns_txt) return invalid("no dns/txt query method");
  }
  if (auto t = tags.get("t")) {
    sig.timestamp = parse_number(*t);
    if (!sig.timestamp) return invalid("bad t= value");
  }
  if (auto x = tags.get("x")) {
    sig.expiration = parse_number(*x);
    if (!sig.expiration) return invalid("bad x= value");
    // §3.5 x=: "the value of the "x=" tag MUST be greater than the value of the "t="
    // tag if both are present".
    if (sig.timestamp && *sig.expiration <= *sig.timestamp) return invalid("x= is not after t=");
  }
  if (auto z = tags.get("z")) sig.copied_headers = std::string(*z);
  return sig;
}

}  // namespace postamt::dkim
