// SMTP paths and mailboxes (RFC 5321 §4.1.2, §4.5.3.1; RFC 6531 §3.3 for UTF-8).
//
// Pure functions, callable from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "smtp/proto/command_error.h"

namespace postamt::smtp::proto {

// RFC 5321 §4.5.3.1.1-3. Measured on the wire form: a quoted local part counts its
// quotes and backslashes; the path counts its "<" and ">" and any source route.
inline constexpr size_t kMaxLocalPartOctets = 64;
inline constexpr size_t kMaxDomainOctets = 255;
inline constexpr size_t kMaxPathOctets = 256;

// Whether UTF-8 may appear in local parts and domains (RFC 6531 §3.3). Only when
// the transaction carries SMTPUTF8.
enum class Utf8Addresses { rejected, accepted };

// Which path is being parsed: a reverse-path may be "<>" (null sender); a
// forward-path may be "<postmaster>" without a domain (RFC 5321 §4.1.1.3).
enum class PathRole { reverse, forward };

struct Mailbox {
  // Unquoted: surrounding quotes and backslash escapes of a Quoted-string removed.
  // Case kept as sent (local parts are case-sensitive, RFC 5321 §2.4).
  std::string local_part;
  // As sent: a domain name, or an address literal with its brackets ("[192.0.2.1]",
  // "[IPv6:2001:db8::1]"). Empty for the null reverse-path and for "<postmaster>".
  std::string domain;

  bool operator==(const Mailbox&) const = default;

  // The null reverse-path "<>".
  bool is_null() const { return local_part.empty() && domain.empty(); }
  // "local@domain" with the local part re-quoted when it is not a Dot-string;
  // "" for the null path; "postmaster" for the domain-less postmaster.
  std::string to_string() const;
};

struct ParsedPath {
  Mailbox mailbox;
  size_t length = 0;  // octets of `text` used, from "<" through ">"
};

// Parses a Path at the start of `text` (which must begin with "<"), including an
// optional source route, which is validated and dropped (RFC 5321 §4.1.1.3,
// Appendix C). Fails with kind syntax (detail names the part), or non_ascii_sender /
// non_ascii_recipient when non-ASCII octets appear while `utf8` is rejected.
Result<ParsedPath, CommandError> parse_path(std::string_view text, PathRole role, Utf8Addresses utf8);

// Domain = sub-domain *("." sub-domain), each label letters/digits/hyphen, not
// starting or ending with a hyphen, at most 63 octets when ASCII; U-labels when utf8
// is accepted (UTF-8 well-formedness only, no IDNA2008 tables here).
bool is_domain(std::string_view text, Utf8Addresses utf8);

// address-literal with brackets: IPv4, "IPv6:" per RFC 5321 §4.1.3. Other
// General-address-literal tags are refused (none is registered with IANA).
bool is_address_literal(std::string_view text);

// Dot-string: Atom *("." Atom) with RFC 5322 atext (plus UTF-8 when accepted).
bool is_dot_string(std::string_view text, Utf8Addresses utf8);

// Length of the well-formed UTF-8 sequence for a non-ASCII code point at text[pos]
// (RFC 3629 §4: no overlongs, no surrogates, at most U+10FFFF), or 0 if none.
size_t utf8_sequence_length(std::string_view text, size_t pos);

}  // namespace postamt::smtp::proto
