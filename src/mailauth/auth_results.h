// The Authentication-Results header field (RFC 8601): render the field this server adds,
// parse one back (ours or anybody's), and the §5 hygiene of removing fields that claim to
// come from this server. A codec: no I/O, no state; every function is pure and
// thread-safe (docs/mail-authentication/auth-results.md).
//
// Words as RFC 8601 spells them: the authserv-id names the host that did the checks
// (§2.5; Postamt uses its `hostname`), each method result is `method=result` (§2.7)
// followed by an optional reason (§2.2 reasonspec) and properties `ptype.property=value`
// (§2.3). Comments (RFC 5322 CFWS) are allowed everywhere the grammar has whitespace.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace postamt::mailauth {

struct MethodResult {
  std::string method;  // "dkim", "spf", "dmarc", "arc"; lowercase when parsed
  std::string result;  // "pass", "fail", ... (RFC 8601 §2.7); lowercase when parsed
  std::string reason;  // optional, rendered as reason="..." (§2.2)
  // Optional, rendered as (...) after the result, e.g. "p=reject dis=quarantine". When
  // parsed: every comment inside this resinfo, in order, without its parentheses and with
  // quoted-pairs resolved, joined by one space (a nested comment keeps its parentheses).
  std::string comment;
  // {"header.d","example.org"}, {"smtp.mailfrom","a@b"}: "ptype.property" (lowercase
  // when parsed) and the value, unquoted when it was a quoted-string.
  std::vector<std::pair<std::string, std::string>> properties;
  // The method-version (§2.2 `method "/" method-version`), "" when absent; rendered as
  // method/version when set.
  std::string version;

  friend bool operator==(const MethodResult&, const MethodResult&) = default;
};

struct AuthResults {
  std::string authserv_id;
  std::vector<MethodResult> results;  // empty: the field said "none" (§2.2 no-result)

  friend bool operator==(const AuthResults&, const AuthResults&) = default;
};

// The complete field "Authentication-Results: <id>; m=r ...; ...\r\n", folded at
// <= 78 columns between method results and properties; values quoted when not a
// token (§2.2 / RFC 2045 value); "none" when `results` is empty (§2.2). Pure.
//
// Folding: the field is cut into pieces (the authserv-id, each `method=result` with its
// comment, each reason, each property). Each `method=result` starts a new line (CRLF and
// one space, RFC 5322 §2.2.3), so that a reader sees one method per line; the pieces
// after it go on the current line when the line stays within 78 columns, else on a new
// line. A single piece longer than that stays whole on its own line. A property value
// is written bare when it is an RFC 2045 token or a plain `local-part@domain` (§2.2
// pvalue), else as a quoted-string; a comment's parentheses and backslashes are escaped
// as quoted-pairs. Control characters (CR, LF, NUL, ...) in any input become spaces, so
// no input can end the field early or start another.
std::string render(const AuthResults& results);

// Parses one field's value (after "Authentication-Results:"), CFWS and comments
// included; keeps comments on results. Errors: ErrorKind::invalid, with words saying
// what is wrong (an unbalanced comment or quoted-string, a NUL or other control
// character, a missing `=`, a version other than 1, text after "none", ...).
// Folding (CRLF or bare LF followed by whitespace) is whitespace. Runs in linear time
// without recursion, so neither size nor comment nesting needs a limit of its own: the
// header size limits of the protocols bound the input. Fuzz target `auth_results_fuzz`.
Result<AuthResults> parse(std::string_view value);

// RFC 8601 §5: removes every Authentication-Results field whose authserv-id equals
// `authserv_id` (case-insensitive) from the header of `message` (CRLF; the body is
// untouched; a field that doesn't parse is removed only if its id token matches).
// Returns the number removed. Pure, in place.
size_t remove_forged(std::string& message, std::string_view authserv_id);

// The topmost A-R field of `message` whose authserv-id is `authserv_id`, parsed; nullopt
// if none. Fields that do not parse are skipped.
std::optional<AuthResults> find_own(std::string_view message, std::string_view authserv_id);

}  // namespace postamt::mailauth
