#include "mailauth/arc/verify.h"

#include <algorithm>
#include <map>
#include <optional>

#include "base/base64.h"
#include "base/strings.h"
#include "mailauth/arc/header_set.h"
#include "mailauth/dkim/canon.h"
#include "mailauth/dkim/crypto.h"
#include "mailauth/dkim/hash.h"
#include "mailauth/dkim/key_record.h"
#include "mailauth/dkim/tag_list.h"

namespace postamt::arc {
namespace {

Error fail(std::string reason) {
  return Error(ErrorKind::invalid, std::move(reason));
}

Result<dkim::Algorithm> algorithm_of(std::string_view a) {
  if (a == "rsa-sha256") return dkim::Algorithm::rsa_sha256;
  if (a == "ed25519-sha256") return dkim::Algorithm::ed25519_sha256;
  if (a == "rsa-sha1") return fail("a=rsa-sha1 is not accepted (RFC 8301 §3.1)");
  return fail("unknown algorithm a=" + std::string(a));
}

Result<std::string> base64_tag(const dkim::TagList& tags, std::string_view name) {
  auto decoded = base64::decode(dkim::strip_whitespace(*tags.get(name)));
  if (!decoded || decoded->empty()) return fail(std::string(name) + "= is not base64");
  return *decoded;
}

// The key record at `name` (RFC 6376 §3.6.2.2): the first TXT record that parses as one
// (§6.1.2 lets a verifier choose among several).
Result<dkim::KeyRecord> fetch_key(dns::Resolver& dns, const std::string& name) {
  auto answer = dns.txt(name);
  if (!answer) {
    if (answer.error().kind == ErrorKind::not_found) return fail("no key record (NXDOMAIN)");
    return fail("key lookup failed: " + answer.error().message);
  }
  std::string first_error = "no key record";
  for (const std::string& text : answer->records) {
    auto record = dkim::parse_key_record(text);
    if (record) return std::move(*record);
    if (first_error == "no key record") first_error = record.error().message;
  }
  return fail(first_error);
}

// Checks signatures with the keys of their s=/d=, looking each name up once per verify()
// call (an AS and an AMS usually share their key).
class Keys {
 public:
  Keys(dns::Resolver& dns, const Limits& limits) : dns_(dns), limits_(limits) {}

  // Whether b= of `tags` (algorithm a=, key at s=/d=) signs `data`.
  Result<void> check(const dkim::TagList& tags, std::string_view data) {
    auto algorithm = algorithm_of(*tags.get("a"));
    if (!algorithm) return algorithm.error();
    auto signature = base64_tag(tags, "b");
    if (!signature) return signature.error();
    const std::string name =
        std::string(*tags.get("s")) + "._domainkey." + std::string(*tags.get("d"));
    auto it = cache_.find(name);
    if (it == cache_.end()) it = cache_.emplace(name, fetch_key(dns_, name)).first;
    if (!it->second) return fail(name + ": " + it->second.error().message);
    const dkim::KeyRecord& key = *it->second;
    if (key.revoked()) return fail(name + ": the key is revoked (empty p=)");
    if (!key.fits(*algorithm))
      return fail(name + ": the key does not allow a=" + std::string(dkim::to_string(*algorithm)));
    if (*algorithm == dkim::Algorithm::rsa_sha256) {
      auto bits = dkim::public_key_bits(*algorithm, key.public_key);
      if (!bits) return fail(name + ": " + bits.error().message);
      if (*bits < limits_.min_rsa_bits)
        return fail(name + ": the RSA key has " + std::to_string(*bits) + " bits, fewer than " +
                    std::to_string(limits_.min_rsa_bits));
    }
    auto good = dkim::verify_signature(*algorithm, key.public_key, data, *signature);
    if (!good) return fail(name + ": " + good.error().message);
    if (!*good) return fail("the signature does not verify with the key at " + name);
    return {};
  }

 private:
  dns::Resolver& dns_;
  const Limits& limits_;
  std::map<std::string, Result<dkim::KeyRecord>> cache_;
};

// c= of a DKIM signature (RFC 6376 §3.5): header[/body], "simple" by default for both
// and for a missing body part.
Result<std::pair<dkim::Canon, dkim::Canon>> canon_of(std::optional<std::string_view> c) {
  auto one = [](std::string_view s) -> std::optional<dkim::Canon> {
    if (s == "simple") return dkim::Canon::simple;
    if (s == "relaxed") return dkim::Canon::relaxed;
    return std::nullopt;
  };
  if (!c) return std::pair{dkim::Canon::simple, dkim::Canon::simple};
  const size_t slash = c->find('/');
  auto header = one(c->substr(0, slash));
  auto body = slash == std::string_view::npos ? std::optional(dkim::Canon::simple)
                                              : one(c->substr(slash + 1));
  if (!header || !body) return fail("unknown canonicalization c=" + std::string(*c));
  return std::pair{*header, *body};
}

Result<uint64_t> number_tag(const dkim::TagList& tags, std::string_view name) {
  auto n = parse_u64(*tags.get(name));
  if (!n) return fail(std::string(name) + "= is not a number");
  return *n;
}

// Step 4 (and 5): the AMS of `set` as a DKIM-Signature (RFC 6376 §5.4 - §5.6) over the
// header fields in `header` and the body of `message`.
Result<void> check_ams(const ArcSet& set, const std::vector<dkim::HeaderField>& header,
                       std::string_view message, Keys& keys, const Limits& limits,
                       std::chrono::system_clock::time_point now) {
  const dkim::TagList& tags = set.ams_tags;
  auto canon = canon_of(tags.get("c"));
  if (!canon) return canon.error();
  const auto [header_canon, body_canon] = *canon;

  // x= (RFC 6376 §3.5): a signature past its expiry time fails.
  if (tags.get("x")) {
    auto x = number_tag(tags, "x");
    if (!x) return x.error();
    if (tags.get("t")) {
      auto t = number_tag(tags, "t");
      if (!t) return t.error();
      if (*x < *t) return fail("x= is before t=");
    }
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch());
    if (seconds.count() > 0 && static_cast<uint64_t>(seconds.count()) > *x)
      return fail("the signature expired (x=)");
  }

  // Body hash (RFC 6376 §3.7, l= cuts the canonical body).
  std::optional<uint64_t> length;
  if (tags.get("l")) {
    auto l = number_tag(tags, "l");
    if (!l) return l.error();
    length = *l;
  }
  auto body_hash =
      dkim::body_hash(dkim::canonicalize_body(dkim::body_of(message), body_canon), length);
  if (!body_hash) return body_hash.error();
  auto bh = base64_tag(tags, "bh");
  if (!bh) return bh.error();
  if (*body_hash != *bh) return fail("the body hash does not match (bh=)");

  // Header fields named in h=, each name taking the next field from the bottom
  // (RFC 6376 §5.4.2); a name with no field left contributes nothing.
  std::vector<std::string> names;
  for (std::string_view name : split(*tags.get("h"), ':')) {
    // FWS may surround each name (RFC 6376 §3.5 h=).
    const size_t first = name.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return fail("h= has an empty field name");
    name = name.substr(first, name.find_last_not_of(" \t\r\n") + 1 - first);
    // §4.1.2: ARC fields MUST NOT be signed by an AMS.
    if (field_type(name) != FieldType::none) return fail("h= names an ARC field");
    names.push_back(ascii_lower(name));
    if (names.size() > limits.max_signed_fields)
      return fail("h= lists more than " + std::to_string(limits.max_signed_fields) + " fields");
  }
  // RFC 6376 §5.4: a signature whose h= lacks From is ignored; for an AMS it fails.
  if (std::find(names.begin(), names.end(), "from") == names.end())
    return fail("h= does not include From");
  auto own = dkim::without_b_value(set.ams);
  if (!own) return own.error();
  return keys.check(tags, dkim::header_hash_input(header, names, header_canon, *own));
}

// Step 6: the AS of sets[index] over the AAR, AMS and AS of sets 1..i in that order
// (RFC 8617 §5.1.1), relaxed only (§4.1.3), its own b= emptied and without the final
// CRLF (RFC 6376 §3.7).
Result<void> check_seal(const std::vector<ArcSet>& sets, size_t index, Keys& keys) {
  std::string data;
  for (size_t k = 0; k <= index; ++k) {
    data += dkim::canonicalize_header(sets[k].aar, dkim::Canon::relaxed);
    data += dkim::canonicalize_header(sets[k].ams, dkim::Canon::relaxed);
    if (k < index) data += dkim::canonicalize_header(sets[k].seal, dkim::Canon::relaxed);
  }
  auto own = dkim::without_b_value(sets[index].seal);
  if (!own) return own.error();
  std::string canonical = dkim::canonicalize_header(*own, dkim::Canon::relaxed);
  canonical.resize(canonical.size() - 2);  // RFC 6376 §3.7: without its CRLF
  data += canonical;
  const ArcSet& set = sets[index];
  return keys.check(set.seal_tags, data);
}

Verdict failed(std::string reason, std::string sealer = {}) {
  Verdict v;
  v.status = Status::fail;
  v.reason = std::move(reason);
  v.sealer = std::move(sealer);
  return v;
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
  }
  return "none";
}

Verdict verify(std::string_view message, dns::Resolver& dns, const Limits& limits,
               std::chrono::system_clock::time_point now) {
  const std::vector<dkim::HeaderField> header = dkim::split_header(message);
  // Steps 1 to 3.
  auto chain = collect_chain(header, limits.max_instances);
  if (!chain) return failed(chain.error().message);
  if (chain->sets.empty()) return Verdict{};
  const std::vector<ArcSet>& sets = chain->sets;
  const ArcSet& newest = sets.back();
  std::string sealer(*newest.seal_tags.get("d"));
  const auto at = [](const ArcSet& s) { return " i=" + std::to_string(s.instance); };

  Keys keys(dns, limits);
  // Step 4: the newest AMS.
  if (auto r = check_ams(newest, header, message, keys, limits, now); !r)
    return failed("ARC-Message-Signature" + at(newest) + ": " + r.error().message, sealer);
  // Step 6: every AS, newest first.
  for (size_t k = sets.size(); k-- > 0;)
    if (auto r = check_seal(sets, k, keys); !r)
      return failed("ARC-Seal" + at(sets[k]) + ": " + r.error().message, sealer);

  Verdict v;
  v.status = Status::pass;
  v.instance = newest.instance;
  v.sealer = std::move(sealer);
  // Step 5: the oldest AMS that still verifies; it does not change the status.
  size_t oldest = sets.size() - 1;
  while (oldest > 0 && check_ams(sets[oldest - 1], header, message, keys, limits, now)) --oldest;
  v.oldest_pass = oldest == 0 ? 0 : sets[oldest].instance;
  v.oldest_pass_domain = std::string(*sets[oldest].ams_tags.get("d"));
  for (size_t k = sets.size(); k-- > 0;)
    v.seals.push_back({sets[k].instance, std::string(*sets[k].seal_tags.get("d")),
                       std::string(*sets[k].seal_tags.get("s"))});
  return v;
}

}  // namespace postamt::arc
