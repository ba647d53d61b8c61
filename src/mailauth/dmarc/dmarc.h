// DMARC (RFC 7489): the policy record, the organizational domain, the author domain of a
// message, and the evaluation that turns SPF and DKIM results into a verdict and a
// disposition (docs/mail-authentication/dmarc.md).
//
// Everything here but evaluate() is pure and thread-safe. evaluate() blocks on DNS: call
// it on a blocking pool, never on the network executor. Aggregate-report data is in
// mailauth/dmarc/aggregate.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "base/result.h"
#include "dns/resolver.h"

namespace postamt::dmarc {

enum class Policy { none, quarantine, reject };
enum class Alignment { relaxed, strict };

// "none", "quarantine", "reject"; "r", "s" (the record's and the report's spelling).
std::string_view to_string(Policy policy);
std::string_view to_string(Alignment alignment);

// One DMARC policy record (RFC 7489 §6.3), defaults filled in.
struct Record {
  Policy p = Policy::none;
  std::optional<Policy> sp;  // absent: p applies to subdomains too
  Alignment adkim = Alignment::relaxed;
  Alignment aspf = Alignment::relaxed;
  int pct = 100;                 // 0..100
  std::vector<std::string> rua;  // the valid DMARC URIs as written, "!size" suffix kept
  std::vector<std::string> ruf;
  std::string fo = "0";  // colon-separated options, e.g. "1:d"
  uint32_t ri = 86400;
  bool operator==(const Record&) const = default;
};

// Parses the text of one TXT record (its strings already concatenated, RFC 7489 §6.1).
// Rules (RFC 7489 §6.3, §6.4, §6.6.3):
//   - the first tag must be "v=DMARC1", matched exactly; otherwise invalid ("not a DMARC
//     record");
//   - tag-value syntax of RFC 6376 §3.2: "tag=value" separated by ';', white space
//     around tags, '=' and ';' ignored, empty entries ignored; a tag named twice makes
//     the record invalid; unknown tags are ignored; tag names and the policy and
//     alignment words are matched without regard to case (RFC 5234 §2.3);
//   - p is required and must be none | quarantine | reject, sp likewise when present;
//     when either is missing or invalid, a record whose rua holds at least one valid
//     URI is taken as "v=DMARC1; p=none" with its rua (§6.6.3 step 6), otherwise invalid;
//   - a bad adkim, aspf, pct (0-100), ri (32-bit) or fo value falls back to its default;
//     a rua/ruf URI that is not "scheme:rest[!size[kmgt]]" is dropped (§6.2, §6.3).
// Errors: ErrorKind::invalid with a reason. Fuzz target: dmarc_record_fuzz.
Result<Record> parse_record(std::string_view txt);

// Whether a TXT record starts with the tag "v=DMARC1" (RFC 7489 §6.6.3 steps 2 and 4:
// the records policy discovery keeps).
bool is_dmarc_record(std::string_view txt);

// The public suffix list (https://publicsuffix.org/list/), as Debian's `publicsuffix`
// package ships it. Both sections (ICANN and private) are used: a private suffix such as
// a hosting provider's separates owners just like a registry's. Rules with non-ASCII
// labels are stored as A-labels, so names are compared in A-label form. Immutable after
// loading; thread-safe.
class PublicSuffixList {
 public:
  static constexpr const char* kDebianPath = "/usr/share/publicsuffix/public_suffix_list.dat";

  // Errors: not_found / io when the file cannot be read; as parse() otherwise.
  static Result<PublicSuffixList> load(const std::string& path);
  // One rule per line ("example", "*.example", "!www.example"); "//" comments and blank
  // lines skipped; only the first white-space-delimited word of a line counts. Errors:
  // invalid when the text holds no rule at all (not a suffix list).
  static Result<PublicSuffixList> parse(std::string_view text);

  // RFC 7489 §3.2: the public suffix of `domain` (longest matching rule, an exception
  // rule winning, "*" when none matches) plus one more label. `domain` is compared
  // without case and a final dot; the answer is lower-case. A domain that is itself a
  // public suffix (or empty) is returned as it is, normalized.
  std::string organizational_domain(std::string_view domain) const;

  size_t size() const { return rules_.size() + wildcards_.size() + exceptions_.size(); }

 private:
  std::unordered_set<std::string> rules_;       // "co.uk"
  std::unordered_set<std::string> wildcards_;   // "ck" for "*.ck"
  std::unordered_set<std::string> exceptions_;  // "www.ck" for "!www.ck"
};

// RFC 7489 §6.6.1: the domain of the single author address in the From field of
// `message` (the whole message, CRLF or LF; only the header is read), lower-case, as an
// A-label. The header is read the lenient way readers read it (mime/originators.h), so a
// From field cannot hide behind a malformed line. Errors, with a reason: not_found when
// no domain is named (no From field, no address in it, an address without a domain);
// invalid when it is ambiguous or unusable (several From fields, several addresses or a
// group, a domain literal, a domain that is not a valid host name).
Result<std::string> from_domain(std::string_view message);

struct Input {
  std::string from_domain;
  std::string spf_domain;  // MAIL FROM domain (HELO domain for a null reverse-path)
  bool spf_pass = false;
  std::vector<std::string> dkim_pass_domains;  // d= of every passing signature
  // Added: a check that ended in temperror. With no aligned pass, the result is
  // temperror instead of fail, and no policy is applied (RFC 7489 §6.6.2, last steps).
  bool spf_temperror = false;
  bool dkim_temperror = false;
};

enum class Outcome { none, pass, fail, temperror, permerror };
// "none", "pass", "fail", "temperror", "permerror" (RFC 7489 §11.2, RFC 8601 §2.7).
std::string_view to_string(Outcome outcome);

struct Verdict {
  Outcome result = Outcome::none;
  Policy policy = Policy::none;       // the published policy that applies (p or sp)
  Policy disposition = Policy::none;  // what to do after pct sampling (none on pass)
  std::string policy_domain;          // where the record was found
  bool spf_aligned = false, dkim_aligned = false;
  std::optional<Record> record;
  std::string reason;  // one line for logs and Authentication-Results comments
};

// RFC 7489 §6.6.2-§6.6.4 for one message.
//   - looks up TXT at "_dmarc.<from_domain>", then, when no DMARC record is there and
//     the organizational domain differs, at "_dmarc.<organizational domain>";
//   - none: no record, or several (policy discovery ends, §6.6.3 step 5);
//   - temperror: a DNS lookup failed temporarily (SERVFAIL, timeout, DNSSEC bogus), or
//     no identifier aligned and an input check ended in temperror;
//   - permerror: the From domain is empty or not a host name, or the one record found
//     is invalid (parse_record);
//   - pass: an SPF-passing or DKIM-passing domain aligns with the From domain (§3.1);
//   - fail: none does. `policy` is p for a record at the From domain and sp (else p)
//     for a record at the organizational domain. `disposition` is `policy` when
//     `sample` < pct; otherwise reject becomes quarantine and quarantine becomes none
//     (§6.6.4). `sample` is a value in [0,100) the caller draws at random.
// record, policy_domain and policy are set whenever a record was found.
Verdict evaluate(const Input& in, dns::Resolver& dns, const PublicSuffixList& psl, int sample);

// RFC 7489 §3.1: whether `a` and `b` are aligned: equal (strict) or with equal
// organizational domains (relaxed). Compared without case and a final dot.
bool aligned(std::string_view a, std::string_view b, Alignment mode, const PublicSuffixList& psl);

}  // namespace postamt::dmarc
