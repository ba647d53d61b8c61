#include "mailauth/dkim/verify.h"

#include <optional>

#include "base/strings.h"
#include "mailauth/dkim/canon.h"
#include "mailauth/dkim/crypto.h"
#include "mailauth/dkim/hash.h"
#include "mailauth/dkim/key_record.h"
#include "mailauth/dkim/signature.h"
#include "mailauth/dkim/tag_list.h"

namespace postamt::dkim {
namespace {

// Canonical bodies, computed at most once per algorithm for all signatures.
class Bodies {
 public:
  explicit Bodies(std::string_view body) : body_(body) {}
  const std::string& get(Canon canon) {
    auto& slot = canon == Canon::simple ? simple_ : relaxed_;
    if (!slot) slot = canonicalize_body(body_, canon);
    return *slot;
  }

 private:
  std::string_view body_;
  std::optional<std::string> simple_, relaxed_;
};

// Syntax problems give neutral (RFC 8601 §2.7.1), the others permerror; see verify.h.
Status status_for_parse_error(const std::string& message) {
  for (std::string_view prefix :
       {"signature syntax error", "missing required tag", "bad ", "incompatible version"}) {
    if (message.starts_with(prefix)) return Status::neutral;
  }
  return Status::permerror;
}

// Fills what can be reported even from a signature that does not parse completely.
void describe(std::string_view value, Verification& v) {
  auto tags = TagList::parse(value);
  if (!tags) return;
  if (auto d = tags->get("d")) v.domain = ascii_lower(*d);
  if (auto s = tags->get("s")) v.selector = ascii_lower(*s);
  if (auto a = tags->get("a")) v.algorithm = std::string(*a);
  if (auto i = tags->get("i")) {
    v.identity = std::string(*i);
  } else if (!v.domain.empty()) {
    v.identity = "@" + v.domain;
  }
  if (auto b = tags->get("b")) v.header_b = strip_whitespace(*b).substr(0, 8);
}

Verification finish(Verification v, Status status, std::string reason) {
  v.status = status;
  v.reason = std::move(reason);
  return v;
}

Verification verify_one(const std::vector<HeaderField>& fields, const HeaderField& field,
                        Bodies& bodies, dns::Resolver& dns, const VerifyLimits& limits,
                        std::chrono::system_clock::time_point now) {
  Verification v;
  std::string_view value = field.raw.substr(field.raw.find(':') + 1);
  if (value.ends_with("\r\n")) value.remove_suffix(2);
  describe(value, v);

  auto parsed = parse_signature(value);
  if (!parsed) {
    return finish(std::move(v), status_for_parse_error(parsed.error().message),
                  parsed.error().message);
  }
  const Signature& sig = *parsed;
  v.algorithm = std::string(to_string(sig.algorithm));
  v.identity = sig.identity;
  if (sig.signed_headers.size() > limits.max_signed_fields) {
    return finish(std::move(v), Status::permerror,
                  "more than " + std::to_string(limits.max_signed_fields) + " h= entries");
  }
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  // §6.1.1: PERMFAIL (signature expired).
  if (sig.expiration && seconds > 0 && static_cast<uint64_t>(seconds) > *sig.expiration) {
    return finish(std::move(v), Status::permerror, "signature expired");
  }

  // §6.1.2: the key.
  std::string name = sig.selector + "._domainkey." + sig.domain;
  auto answer = dns.txt(name);
  if (!answer) {
    const Error& e = answer.error();
    if (e.kind == ErrorKind::not_found) {
      return finish(std::move(v), Status::permerror, "no key for signature");
    }
    if (e.kind == ErrorKind::invalid) {
      return finish(std::move(v), Status::permerror, "key lookup failed: " + e.message);
    }
    return finish(std::move(v), Status::temperror, "key unavailable: " + e.message);
  }
  if (answer->records.empty()) {
    return finish(std::move(v), Status::permerror, "no key for signature");
  }
  // Step 4 lets us choose among several records: the first that is a key record (a
  // wildcard TXT answer may bring others).
  std::optional<KeyRecord> key;
  std::string key_error;
  for (const std::string& text : answer->records) {
    auto record = parse_key_record(text);
    if (record) {
      key = std::move(*record);
      break;
    }
    if (key_error.empty()) key_error = record.error().message;
  }
  if (!key) return finish(std::move(v), Status::permerror, key_error);
  v.testing = key->testing;
  if (key->revoked()) return finish(std::move(v), Status::permerror, "key revoked");
  if (!key->fits(sig.algorithm)) {
    return finish(std::move(v), Status::permerror, "inappropriate key algorithm");
  }
  if (key->strict_identity) {
    // §3.6.1 t=s: the i= domain must not be a subdomain of d=.
    std::string_view identity_domain =
        std::string_view(sig.identity).substr(sig.identity.rfind('@') + 1);
    if (!iequals(identity_domain, sig.domain)) {
      return finish(std::move(v), Status::permerror, "i= is a subdomain, key has t=s");
    }
  }
  auto bits = public_key_bits(sig.algorithm, key->public_key);
  if (!bits)
    return finish(std::move(v), Status::permerror, "unusable key: " + bits.error().message);
  bool below_policy = false;
  if (sig.algorithm == Algorithm::rsa_sha256) {
    // RFC 8301 §3.2: keys under 1024 bits MUST NOT be considered valid.
    if (*bits < 1024) {
      return finish(std::move(v), Status::permerror,
                    "key too small (" + std::to_string(*bits) + " bits, RFC 8301)");
    }
    below_policy = *bits < limits.min_rsa_bits;
  }

  // §6.1.3: body hash first, then the signature.
  const std::string& body = bodies.get(sig.body_canon);
  auto bh = body_hash(body, sig.body_length);
  if (!bh) return finish(std::move(v), Status::fail, bh.error().message);
  if (*bh != sig.body_hash) return finish(std::move(v), Status::fail, "body hash did not verify");
  auto blanked = without_b_value(field.raw);
  if (!blanked) return finish(std::move(v), Status::neutral, blanked.error().message);
  std::string data = header_hash_input(fields, sig.signed_headers, sig.header_canon, *blanked);
  auto ok = verify_signature(sig.algorithm, key->public_key, data, sig.signature);
  if (!ok) return finish(std::move(v), Status::permerror, "unusable key: " + ok.error().message);
  if (!*ok) return finish(std::move(v), Status::fail, "signature did not verify");

  if (below_policy) {
    return finish(std::move(v), Status::policy,
                  "key has " + std::to_string(*bits) + " bits, fewer than " +
                      std::to_string(limits.min_rsa_bits));
  }
  if (sig.body_length && *sig.body_length < body.size()) {
    std::string reason =
        "l= leaves " + std::to_string(body.size() - *sig.body_length) + " body bytes unsigned";
    Status s = limits.unsigned_body == UnsignedBody::policy ? Status::policy : Status::pass;
    return finish(std::move(v), s, std::move(reason));
  }
  std::string reason = v.testing ? "key in testing mode (t=y)" : "";
  return finish(std::move(v), Status::pass, std::move(reason));
}

}  // namespace

std::string_view to_string(Status status) {
  switch (status) {
    case Status::none:
      return "none";
    case Status::pass:
      return "pass";
    case Status::fail:
      return "fail";
    case Status::neutral:
      return "neutral";
    case Status::policy:
      return "policy";
    case Status::temperror:
      return "temperror";
    case Status::permerror:
      return "permerror";
  }
  return "none";
}

VerifyLimits verify_limits(const Config::Dkim& config) {
  VerifyLimits limits;
  limits.max_signatures = config.max_signatures;
  limits.max_signed_fields = config.max_signed_fields;
  limits.min_rsa_bits = config.min_rsa_bits;
  limits.unsigned_body = config.unsigned_body == DkimUnsignedBody::policy ? UnsignedBody::policy
                                                                          : UnsignedBody::accept;
  return limits;
}

std::vector<Verification> verify_message(std::string_view message, dns::Resolver& dns,
                                         const VerifyLimits& limits,
                                         std::chrono::system_clock::time_point now) {
  std::vector<HeaderField> fields = split_header(message);
  Bodies bodies(body_of(message));
  std::vector<Verification> results;
  for (const HeaderField& field : fields) {
    if (!iequals(field.name, "DKIM-Signature")) continue;
    if (results.size() >= limits.max_signatures) break;
    results.push_back(verify_one(fields, field, bodies, dns, limits, now));
  }
  return results;
}

}  // namespace postamt::dkim
