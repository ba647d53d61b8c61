// SPF results as header fields: the "spf" entry of Authentication-Results (RFC 8601
// §2.7.2, RFC 7208 §9.2) and the Received-SPF trace field (RFC 7208 §9.1). Pure;
// thread-safe. Everything that came from the client (sender, HELO, DNS text in the
// problem) is quoted or escaped so that it cannot break out of its place; the output
// is one line of printable ASCII that the caller folds.
#pragma once

#include <cstddef>
#include <string>

#include "mailauth/spf/spf.h"

namespace postamt::spf {

// A comment (the problem, the Received-SPF explanation) longer than this is cut and
// ends in "..."; it is for people reading headers, not for machines.
inline constexpr size_t kMaxCommentBytes = 200;

// The resinfo for Authentication-Results, e.g.
//   spf=pass smtp.mailfrom=user@example.com
//   spf=permerror (more than one SPF record at example.com) smtp.mailfrom=user@example.com
//   spf=none smtp.helo=client.example.net
// smtp.mailfrom carries verdict.sender, smtp.helo the HELO name (verdict.domain).
std::string authentication_results_entry(const Verdict& verdict);

// The Received-SPF field body (after "Received-SPF: "), e.g.
//   pass (mx.example.org: domain of user@example.com designates 192.0.2.1 as
//   permitted sender) client-ip=192.0.2.1; envelope-from="user@example.com";
//   helo=client.example.net; receiver=mx.example.org; identity=mailfrom;
//   mechanism="ip4:192.0.2.0/24";
// (on one line). "mechanism" is "default" when none matched, "problem" follows for
// temperror and permerror.
std::string received_spf(const Verdict& verdict, const Request& request);

}  // namespace postamt::spf
