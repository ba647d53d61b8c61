#include "mailauth/arc/seal.h"

#include <algorithm>

#include "base/base64.h"
#include "base/strings.h"
#include "mailauth/arc/header_set.h"
#include "mailauth/dkim/canon.h"
#include "mailauth/dkim/hash.h"

namespace postamt::arc {
namespace {

constexpr size_t kMaxLine = 78;  // RFC 5322 §2.1.1: lines SHOULD be at most 78 characters

Error invalid(std::string reason) {
  return Error(ErrorKind::invalid, std::move(reason));
}

// A header field built from tags ("i=1;") that stay whole and a base64 value that may be
// folded anywhere (RFC 6376 §3.5: FWS is allowed inside b= and bh=).
class Field {
 public:
  explicit Field(std::string_view name) : text_(std::string(name) + ":"), line_(text_.size()) {}

  void tag(std::string_view word) {
    if (line_ + 1 + word.size() > kMaxLine) {
      text_ += "\r\n";
      line_ = 0;
    }
    text_ += ' ';
    text_ += word;
    line_ += 1 + word.size();
  }
  void base64(std::string_view value) {
    while (!value.empty()) {
      if (line_ >= kMaxLine) {
        text_ += "\r\n ";
        line_ = 1;
      }
      const size_t n = std::min(value.size(), kMaxLine - line_);
      text_.append(value.substr(0, n));
      line_ += n;
      value.remove_prefix(n);
    }
  }
  void text(std::string_view s) {
    text_ += s;
    line_ += s.size();
  }
  const std::string& str() const { return text_; }

 private:
  std::string text_;
  size_t line_;
};

std::string relaxed(std::string_view raw) {
  return dkim::canonicalize_header(raw, dkim::Canon::relaxed);
}

// Signs with the b= of `unsigned_field` (its value still empty) over `data` followed by
// that field, relaxed and without its CRLF (RFC 6376 §3.7 via RFC 8617 §4.1.3).
Result<std::string> sign_seal(std::string data, const std::string& unsigned_field,
                              const dkim::SigningKey& key) {
  auto blanked = dkim::without_b_value(unsigned_field);
  if (!blanked) return blanked.error();
  std::string own = relaxed(*blanked);
  own.resize(own.size() - 2);
  data += own;
  return key.key.sign(data);
}

}  // namespace

Result<std::string> seal(std::string_view message, const Verdict& verdict,
                         const Assessment& assessment, const dkim::SigningKey& key,
                         std::chrono::system_clock::time_point now) {
  const std::vector<dkim::HeaderField> header = dkim::split_header(message);
  const ChainTop top = chain_top(header);
  // §5.1 step 2: a chain already marked failed is not continued.
  if (top.newest_seal_failed)
    return invalid("the newest ARC-Seal says cv=fail: the chain is not continued");
  if (top.highest >= kMaxInstances) return invalid("the message has 50 ARC sets already");
  if (top.highest > 0 && verdict.status == Status::none)
    return invalid("the verdict says none but the message has ARC fields");
  if (top.highest == 0 && verdict.status != Status::none)
    return invalid("the verdict is for a chain the message does not have");
  if (assessment.authserv_id.empty()) return invalid("the authserv-id is empty");
  if (assessment.authserv_id.find_first_of("\r\n; \t") != std::string::npos)
    return invalid("the authserv-id contains whitespace or ';'");
  // §5.1 step 3.
  const int instance = top.highest + 1;
  const std::string i = "i=" + std::to_string(instance) + ";";
  const std::string cv(to_string(verdict.status));
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch());
  const std::string t = "t=" + std::to_string(seconds.count()) + ";";
  const std::string a = "a=" + std::string(dkim::to_string(key.algorithm)) + ";";

  // The sets the seal covers: 1..N-1 of a passing chain, none otherwise (§5.1.2).
  std::string previous;
  if (verdict.status == Status::pass) {
    auto chain = collect_chain(header, kMaxInstances);
    if (!chain || static_cast<int>(chain->sets.size()) != top.highest)
      return invalid("the verdict says pass but the chain does not parse");
    for (const ArcSet& set : chain->sets)
      previous += relaxed(set.aar) + relaxed(set.ams) + relaxed(set.seal);
  }

  // ARC-Authentication-Results (§4.1.1): the arc result is the verdict's.
  std::string aar =
      "ARC-Authentication-Results: " + i + " " + assessment.authserv_id + ";\r\n  arc=" + cv;
  for (const std::string& result : assessment.results) {
    if (result.find_first_of("\r\n") != std::string::npos)
      return invalid("a result contains a line break");
    if (istarts_with(result, "arc=")) return invalid("the arc result is the verdict's");
    aar += ";\r\n  " + result;
  }
  aar += "\r\n";

  // ARC-Message-Signature (§4.1.2).
  std::vector<std::string> names;
  for (const std::string& name : dkim::default_signed_headers())
    for (const dkim::HeaderField& f : header)
      if (iequals(f.name, name)) names.push_back(name);
  if (std::find(names.begin(), names.end(), "from") == names.end())
    return invalid("the message has no From field to sign");
  for (const dkim::HeaderField& f : header)
    if (iequals(f.name, "DKIM-Signature")) names.push_back("dkim-signature");
  auto bh = dkim::body_hash(dkim::canonicalize_body(dkim::body_of(message), dkim::Canon::relaxed),
                            std::nullopt);
  if (!bh) return bh.error();
  Field ams("ARC-Message-Signature");
  for (std::string_view word : {std::string_view(i), std::string_view(a)}) ams.tag(word);
  ams.tag("c=relaxed/relaxed;");
  ams.tag("d=" + key.domain + ";");
  ams.tag("s=" + key.selector + ";");
  ams.tag(t);
  for (size_t k = 0; k < names.size(); ++k)
    ams.tag((k == 0 ? "h=" : "") + names[k] + (k + 1 < names.size() ? ":" : ";"));
  ams.tag("bh=");
  ams.base64(base64::encode(*bh));
  ams.text(";");
  ams.tag("b=");
  auto ams_signature =
      dkim::compute_signature(message, key.key, names, dkim::Canon::relaxed, ams.str() + "\r\n");
  if (!ams_signature) return ams_signature.error();
  ams.base64(base64::encode(*ams_signature));
  const std::string ams_field = ams.str() + "\r\n";

  // ARC-Seal (§4.1.3, §5.1.1): over the AAR, AMS and AS of every covered set, then the
  // new AAR, AMS and this seal.
  Field as("ARC-Seal");
  as.tag(i);
  as.tag(a);
  as.tag("cv=" + cv + ";");
  as.tag("d=" + key.domain + ";");
  as.tag("s=" + key.selector + ";");
  as.tag(t);
  as.tag("b=");
  auto seal_signature =
      sign_seal(previous + relaxed(aar) + relaxed(ams_field), as.str() + "\r\n", key);
  if (!seal_signature) return seal_signature.error();
  as.base64(base64::encode(*seal_signature));
  return as.str() + "\r\n" + ams_field + aar;
}

}  // namespace postamt::arc
