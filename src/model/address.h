// Mail addresses as Postamt stores and compares them (accounts, aliases, recipients).
//
// Choice (documented once, used everywhere): the domain is lowercased (ASCII; IDNA
// A-labels arrive already in ASCII); the local part is kept exactly as given, because
// RFC 5321 §2.4 lets a server treat it case-sensitively, but Postamt compares local
// parts case-insensitively (ASCII), as every common MTA does, so that "Alice@x" and
// "alice@x" are one mailbox. address_key() is the form used for lookups and
// uniqueness; the stored, displayed form is normalize_address().
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace postamt {

struct AddressParts {
  std::string local_part;
  std::string domain;  // lowercased
};

// Splits at the last '@'. ErrorKind::invalid with a plain message when the address
// is empty, has no '@', an empty local part or domain, contains whitespace, control
// characters or angle brackets, or is longer than 254 bytes (RFC 5321 §4.5.3.1).
Result<AddressParts> parse_address(std::string_view address);
// local_part "@" lowercased domain.
Result<std::string> normalize_address(std::string_view address);
// Fully lowercased address: the key for case-insensitive comparison.
Result<std::string> address_key(std::string_view address);
// Lowercased domain name; ErrorKind::invalid when empty, longer than 253 bytes, or
// holding characters other than letters, digits, '-', '.', or empty labels.
Result<std::string> normalize_domain(std::string_view domain);

}  // namespace postamt
