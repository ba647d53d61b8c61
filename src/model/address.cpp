#include "model/address.h"

#include "base/strings.h"

namespace postamt {

Result<std::string> normalize_domain(std::string_view domain) {
  if (domain.empty() || domain.size() > 253) {
    return Error{ErrorKind::invalid, "domain name \"" + std::string(domain) + "\" is not valid"};
  }
  for (std::string_view label : split(domain, '.')) {
    if (label.empty() || label.size() > 63) {
      return Error{ErrorKind::invalid, "domain name \"" + std::string(domain) + "\" is not valid"};
    }
    for (char c : label) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '_';
      if (!ok) {
        return Error{ErrorKind::invalid,
                     "domain name \"" + std::string(domain) + "\" is not valid"};
      }
    }
  }
  return ascii_lower(domain);
}

Result<AddressParts> parse_address(std::string_view address) {
  auto invalid = [&] {
    return Error{ErrorKind::invalid, "address \"" + std::string(address) + "\" is not valid"};
  };
  if (address.size() > 254) return invalid();
  for (char c : address) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || c == '<' || c == '>') return invalid();
  }
  size_t at = address.rfind('@');
  if (at == std::string_view::npos || at == 0) return invalid();
  auto domain = normalize_domain(address.substr(at + 1));
  if (!domain) return invalid();
  return AddressParts{std::string(address.substr(0, at)), *domain};
}

Result<std::string> normalize_address(std::string_view address) {
  auto parts = parse_address(address);
  if (!parts) return parts.error();
  return parts->local_part + "@" + parts->domain;
}

Result<std::string> address_key(std::string_view address) {
  auto parts = parse_address(address);
  if (!parts) return parts.error();
  return ascii_lower(parts->local_part) + "@" + parts->domain;
}

}  // namespace postamt
