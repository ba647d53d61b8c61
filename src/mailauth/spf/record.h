// The SPF record (RFC 7208 §4.5 selection, §4.6.1 terms, §5 mechanisms, §6 modifiers,
// §12 ABNF) as a typed value. Pure: parsing only, no DNS; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "mailauth/spf/address.h"

namespace postamt::spf {

// §4.6.2: the result a matching mechanism yields.
enum class Qualifier { pass, fail, softfail, neutral };

enum class MechanismKind { all, include, a, mx, ptr, ip4, ip6, exists };

struct Mechanism {
  Qualifier qualifier = Qualifier::pass;
  MechanismKind kind = MechanismKind::all;
  // The unexpanded domain-spec (§7.1); "" where the mechanism may omit it (a, mx, ptr)
  // and did: <domain> is meant.
  std::string domain_spec;
  Address network;    // ip4, ip6
  int prefix4 = 32;   // a, mx: ip4-cidr-length; ip4: its prefix length
  int prefix6 = 128;  // a, mx: ip6-cidr-length; ip6: its prefix length
  std::string text;   // the term as written, qualifier included
};

struct Record {
  std::vector<Mechanism> mechanisms;       // in record order
  std::optional<std::string> redirect;     // the redirect= domain-spec
  std::optional<std::string> explanation;  // the exp= domain-spec
  // Unknown modifiers are checked for syntax and then dropped (§6).

  // §5.1/§6.1: a redirect is ignored when the record has an "all" mechanism.
  bool has_all() const;
};

// Parses one TXT string. Errors:
//   - ErrorKind::not_found: not an SPF record (it does not start with the version
//     "v=spf1" followed by a space or its end; compared case-insensitively, RFC 5234);
//   - ErrorKind::invalid: an SPF record with a syntax error anywhere (§4.6: that is a
//     permerror); the message names the offending term.
Result<Record> parse_record(std::string_view txt);

// §4.5: picks the one SPF record among the TXT strings of a name. ErrorKind::not_found
// when there is none ("none"), ErrorKind::invalid when there are several ("permerror").
// Syntax is not checked here.
Result<std::string> select_record(const std::vector<std::string>& txt_records);

// Whether `txt` starts with the version section "v=spf1" (§4.5).
bool is_spf_record(std::string_view txt);

}  // namespace postamt::spf
