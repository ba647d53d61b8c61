// RFC 5322 §3.4 addresses: lenient address-list parsing (obsolete forms of §4.4
// tolerated), strict single mailbox / addr-spec parsing for SMTP and MDN checks, and safe
// re-serialisation. Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/result.h"

namespace postamt::mime {

struct Mailbox {
  std::string name;        // display name (decoded or raw, see NameDecoding); may be empty
  std::string route;       // obsolete source route "@a,@b" without the ':'; usually empty
  std::string local_part;  // unquoted
  std::string domain;      // as written (a domain literal keeps its brackets); may be empty
  bool operator==(const Mailbox&) const = default;

  // local@domain, with the local part quoted when it is not a dot-atom.
  std::string addr_spec() const;
};

struct Group {
  std::string name;
  std::vector<Mailbox> members;
  bool operator==(const Group&) const = default;
};

using Address = std::variant<Mailbox, Group>;

enum class NameDecoding {
  rfc2047,  // display names and group names decoded to UTF-8 (for people and JMAP)
  raw,      // kept as written, encoded words included (IMAP ENVELOPE, RFC 3501 §7.4.2)
};

// Parses an address-list (From, To, Cc, Reply-To, ...): the unfolded or raw value.
// Lenient: missing '@' yields an empty domain; a comment after a bare addr-spec becomes
// the display name if there is none; words in quoted strings are decoded too, as most
// readers do. Entries that contain no address at all are dropped. Never fails.
std::vector<Address> parse_address_list(std::string_view value,
                                        NameDecoding decoding = NameDecoding::rfc2047);

// Exactly one addr-spec (RFC 5322 §3.4.1, no obsolete forms, no comments), for SMTP
// paths and MDN checks. Local part: dot-atom or quoted-string; domain: dot-atom or
// domain-literal; both non-empty; no control characters. Error kind: invalid.
Result<Mailbox> parse_addr_spec_strict(std::string_view text);

// Exactly one mailbox ("Name <a@b>" or "a@b"), surrounding whitespace and comments
// allowed, nothing else; the address part as strict as parse_addr_spec_strict(). The
// display name is decoded (RFC 2047). Error kind: invalid.
Result<Mailbox> parse_mailbox_strict(std::string_view text);

// Serialises a mailbox for a header we generate: `"Name" <local@domain>` or
// `local@domain`. The display name is quoted when it is not all atoms, and encoded as
// RFC 2047 UTF-8 words when it is not ASCII; control characters in it become spaces.
// Never emits CR or LF (no header injection). Error (invalid) when local part or domain
// is empty, contains a control character or is not UTF-8, or the domain is not a
// dot-atom or literal. What it returns reads back with parse_mailbox_strict().
Result<std::string> format_mailbox(const Mailbox& mailbox);

}  // namespace postamt::mime
