// SPF macros (RFC 7208 §7): the syntax check the record parser runs on every
// domain-spec, and the expansion check_host() runs when it evaluates a term or builds
// an explanation. Pure (the "p" macro asks a callback the caller supplies); thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "mailauth/spf/address.h"

namespace postamt::spf {

// Where a macro-string stands: "c", "r" and "t" are allowed only in an explanation
// (§7.2), and only an explanation may contain spaces (§7.1 explain-string).
enum class MacroUse { domain_spec, explanation };

// The values the macro letters expand to (§7.2).
struct MacroValues {
  std::string sender;         // s: local-part@domain ("postmaster" when it had none)
  std::string local_part;     // l
  std::string sender_domain;  // o
  std::string domain;         // d: the <domain> of the current check_host()
  Address ip;                 // i, c, v
  std::string helo;           // h
  std::string receiver;       // r: "unknown" when empty (§7.3)
  int64_t now = 0;            // t: seconds since the Epoch
  // p: the validated domain name of <ip> (§7.3 via §5.5), or "unknown". Unset means
  // "unknown" without asking anyone.
  std::function<std::string()> validated_name;
};

// Syntax only (§7.1 macro-string / explain-string): ErrorKind::invalid naming the
// fault, e.g. a '%' not followed by '{', '%', '_' or '-', an unknown macro letter, a
// zero digit transformer, "c"/"r"/"t" outside an explanation, a byte outside
// %x21-7E (or a space outside an explanation).
Result<void> check_macro_string(std::string_view text, MacroUse use);

// §7.1 domain-spec = macro-string domain-end, where domain-end is a macro-expand or
// "." toplabel ["."]. ErrorKind::invalid when it is not.
Result<void> check_domain_spec(std::string_view text);

// Expands every macro of `text` (which must pass check_macro_string for `use`; an
// invalid one gives the same error). Upper-case letters are URL-escaped after
// expansion (§7.3, RFC 3986 unreserved set). No truncation: see truncate_domain().
Result<std::string> expand_macros(std::string_view text, const MacroValues& values, MacroUse use);

// §7.3: a name longer than 253 octets loses labels from the left until it fits. A
// trailing dot is dropped first.
std::string truncate_domain(std::string_view name);

}  // namespace postamt::spf
