#include "base/ip_network.h"

#include <arpa/inet.h>

#include <cstring>
#include <optional>

#include <fmt/format.h>

#include "base/strings.h"

namespace postamt {
namespace {

struct Address {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};
};

std::optional<Address> parse_address(std::string_view text) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  const std::string s(text);
  Address a;
  if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) return a;
  if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) != 1) return std::nullopt;
  a.v6 = true;
  // ::ffff:a.b.c.d is the IPv4 address a.b.c.d (RFC 4291 §2.5.5.2).
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(a.bytes.data(), kMapped, sizeof kMapped) == 0) {
    Address v4;
    std::memcpy(v4.bytes.data(), a.bytes.data() + 12, 4);
    return v4;
  }
  return a;
}

// Whether the first `prefix` bits of a and b agree.
bool same_prefix(const std::array<uint8_t, 16>& a, const std::array<uint8_t, 16>& b, int prefix) {
  int whole = prefix / 8;
  if (std::memcmp(a.data(), b.data(), static_cast<size_t>(whole)) != 0) return false;
  int rest = prefix % 8;
  if (rest == 0) return true;
  auto mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (a[static_cast<size_t>(whole)] & mask) == (b[static_cast<size_t>(whole)] & mask);
}

}  // namespace

Result<IpNetwork> IpNetwork::parse(std::string_view text) {
  auto bad = [text](std::string_view why) {
    return Error{ErrorKind::invalid, fmt::format("\"{}\" is not a network: {}", text, why)};
  };
  const size_t slash = text.find('/');
  // Only the written form counts here: "::ffff:192.0.2.0/120" stays IPv6.
  const std::string_view host = text.substr(0, slash);
  std::array<uint8_t, 16> bytes{};
  const std::string s(host.substr(0, INET6_ADDRSTRLEN));
  IpNetwork n;
  if (host.size() < INET6_ADDRSTRLEN && inet_pton(AF_INET, s.c_str(), bytes.data()) == 1) {
    n.v6_ = false;
  } else if (host.size() < INET6_ADDRSTRLEN && inet_pton(AF_INET6, s.c_str(), bytes.data()) == 1) {
    n.v6_ = true;
  } else {
    return bad("expected an IPv4 or IPv6 address, optionally with /prefix");
  }
  const int max = n.v6_ ? 128 : 32;
  n.prefix_ = max;
  if (slash != std::string_view::npos) {
    auto length = parse_u64(text.substr(slash + 1));
    if (!length || *length > static_cast<uint64_t>(max))
      return bad(fmt::format("the prefix length must be 0-{}", max));
    n.prefix_ = static_cast<int>(*length);
  }
  n.bytes_ = bytes;
  std::array<uint8_t, 16> masked = bytes;
  for (int bit = n.prefix_; bit < max; ++bit)
    masked[static_cast<size_t>(bit / 8)] &= static_cast<uint8_t>(~(0x80 >> (bit % 8)));
  if (masked != bytes) return bad("address bits are set beyond the prefix");
  return n;
}

bool IpNetwork::contains(std::string_view address) const {
  auto a = parse_address(address);
  if (!a || a->v6 != v6_) return false;
  return same_prefix(a->bytes, bytes_, prefix_);
}

std::string IpNetwork::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6_ ? AF_INET6 : AF_INET, bytes_.data(), buf, sizeof buf);
  return fmt::format("{}/{}", buf, prefix_);
}

}  // namespace postamt
