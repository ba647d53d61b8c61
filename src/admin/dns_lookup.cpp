#include "admin/dns_lookup.h"

#include <fmt/format.h>

#include "base/strings.h"

namespace postamt::admin {
namespace {

// RFC 1035 §5.1: \DDD for octets that would not read back as themselves on one line.
std::string escape_text(std::string_view text) {
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u > 0x7e || c == '\\')
      out += fmt::format("\\{:03d}", u);
    else
      out += c;
  }
  return out;
}

std::string hex(std::string_view bytes) {
  std::string out;
  for (char c : bytes) out += fmt::format("{:02x}", static_cast<unsigned char>(c));
  return out;
}

std::string line(const dns::MxRecord& mx) {
  return fmt::format("{} {}", mx.preference, mx.host.empty() ? "." : mx.host);
}
std::string line(const dns::TlsaRecord& t) {
  return fmt::format("{} {} {} {}", t.usage, t.selector, t.matching_type, hex(t.data));
}

template <class T, class Format>
DnsLookupOutcome print(const Result<dns::Answer<T>>& answer, Format format) {
  DnsLookupOutcome out;
  if (!answer) {
    if (answer.error().kind == ErrorKind::not_found) {
      out.exit_code = 2;
      out.output = "NXDOMAIN\n";
    } else {
      out.exit_code = 1;
      out.error = answer.error().message;
    }
    return out;
  }
  for (const T& record : answer->records) out.output += format(record) + "\n";
  out.output += answer->secure ? "secure\n" : "insecure\n";
  return out;
}

}  // namespace

DnsLookupOutcome dns_lookup(dns::Resolver& resolver, std::string_view type, std::string_view name) {
  const std::string t = ascii_lower(type);
  auto text = [](const std::string& s) { return escape_text(s); };
  if (t == "mx") return print(resolver.mx(name), [](const dns::MxRecord& r) { return line(r); });
  if (t == "a") return print(resolver.a(name), text);
  if (t == "aaaa") return print(resolver.aaaa(name), text);
  if (t == "txt") return print(resolver.txt(name), text);
  if (t == "ptr") return print(resolver.ptr(name), text);
  if (t == "tlsa")
    return print(resolver.tlsa(name), [](const dns::TlsaRecord& r) { return line(r); });
  return DnsLookupOutcome{
      1, "", fmt::format("unknown record type \"{}\" (mx, a, aaaa, txt, ptr or tlsa)", type)};
}

}  // namespace postamt::admin
