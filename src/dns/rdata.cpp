#include "dns/rdata.h"

#include <arpa/inet.h>

#include <fmt/format.h>

namespace postamt::dns {
namespace {

Error malformed(std::string_view type, std::string_view what) {
  return Error(ErrorKind::invalid, fmt::format("malformed {} record: {}", type, what));
}

bool host_octet(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

// Reads an uncompressed name at rdata[pos...] (RFC 1035 §3.1) as a host name, lower-case
// without trailing dot ("" for the root); advances `pos` past it.
Result<std::string> read_host_name(std::string_view type, std::string_view rdata, size_t& pos) {
  std::string out;
  size_t wire = 0;
  for (;;) {
    if (pos >= rdata.size()) return malformed(type, "name runs past the end");
    const auto len = static_cast<unsigned char>(rdata[pos]);
    wire += 1 + len;
    if (wire > kMaxNameOctets) return malformed(type, "name longer than 255 octets");
    // RFC 1035 §4.1.4: 0b11 is a compression pointer, which uncompressed RDATA never
    // holds; 0b01/0b10 are reserved (RFC 6891 §5).
    if (len & 0xC0) return malformed(type, "compressed or extended label");
    ++pos;
    if (len == 0) return out;
    if (rdata.size() - pos < len) return malformed(type, "label runs past the end");
    if (!out.empty()) out += '.';
    for (size_t i = 0; i < len; ++i) {
      const auto c = static_cast<unsigned char>(rdata[pos + i]);
      if (!host_octet(c)) return malformed(type, "name is not a host name");
      out += static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
    }
    pos += len;
  }
}

}  // namespace

Result<std::string> decode_a(std::string_view rdata) {
  if (rdata.size() != 4) return malformed("A", fmt::format("{} octets, not 4", rdata.size()));
  char text[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, rdata.data(), text, sizeof text);
  return std::string(text);
}

Result<std::string> decode_aaaa(std::string_view rdata) {
  if (rdata.size() != 16) return malformed("AAAA", fmt::format("{} octets, not 16", rdata.size()));
  // glibc's inet_ntop writes RFC 5952 form: lower case, the longest run of two or more
  // zero fields as "::", an IPv4-mapped address with a dotted quad (§5).
  char text[INET6_ADDRSTRLEN];
  inet_ntop(AF_INET6, rdata.data(), text, sizeof text);
  return std::string(text);
}

Result<MxRecord> decode_mx(std::string_view rdata) {
  // RFC 1035 §3.3.9: PREFERENCE (16 bits), EXCHANGE (a domain name).
  if (rdata.size() < 3) return malformed("MX", "shorter than 3 octets");
  MxRecord mx;
  mx.preference = static_cast<uint16_t>((static_cast<unsigned char>(rdata[0]) << 8) |
                                        static_cast<unsigned char>(rdata[1]));
  size_t pos = 2;
  auto host = read_host_name("MX", rdata, pos);
  POSTAMT_TRY(host);
  if (pos != rdata.size()) return malformed("MX", "bytes after the exchange");
  mx.host = std::move(*host);
  return mx;
}

Result<std::string> decode_txt(std::string_view rdata) {
  // RFC 1035 §3.3.14: one or more <character-string>s, each a length octet and bytes.
  if (rdata.empty()) return malformed("TXT", "no character-string");
  std::string out;
  size_t pos = 0;
  while (pos < rdata.size()) {
    const auto len = static_cast<unsigned char>(rdata[pos++]);
    if (rdata.size() - pos < len) return malformed("TXT", "character-string runs past the end");
    out.append(rdata.substr(pos, len));
    pos += len;
  }
  return out;
}

Result<std::string> decode_ptr(std::string_view rdata) {
  size_t pos = 0;
  auto host = read_host_name("PTR", rdata, pos);
  POSTAMT_TRY(host);
  if (pos != rdata.size()) return malformed("PTR", "bytes after the name");
  if (host->empty()) return malformed("PTR", "the root name");
  return host;
}

Result<TlsaRecord> decode_tlsa(std::string_view rdata) {
  // RFC 6698 §2.1: usage, selector, matching type (one octet each), association data.
  if (rdata.size() < 4) return malformed("TLSA", "no certificate association data");
  TlsaRecord t;
  t.usage = static_cast<uint8_t>(rdata[0]);
  t.selector = static_cast<uint8_t>(rdata[1]);
  t.matching_type = static_cast<uint8_t>(rdata[2]);
  t.data = std::string(rdata.substr(3));
  return t;
}

}  // namespace postamt::dns
