#include "mailauth/dkim/key_record.h"

#include "base/base64.h"
#include "base/strings.h"
#include "mailauth/dkim/tag_list.h"

namespace postamt::dkim {
namespace {

Error invalid(std::string message) {
  return Error(ErrorKind::invalid, std::move(message));
}

std::vector<std::string> colon_list(std::string_view value) {
  std::vector<std::string> out;
  for (std::string_view item : split(value, ':')) {
    std::string clean = ascii_lower(strip_whitespace(item));
    if (!clean.empty()) out.push_back(std::move(clean));
  }
  return out;
}

}  // namespace

bool KeyRecord::fits(Algorithm algorithm) const {
  KeyType want = algorithm == Algorithm::rsa_sha256 ? KeyType::rsa : KeyType::ed25519;
  if (key_type != want) return false;
  if (hash_algorithms.empty()) return true;
  for (const std::string& h : hash_algorithms) {
    if (h == "sha256") return true;  // both algorithms hash with SHA-256
  }
  return false;
}

Result<KeyRecord> parse_key_record(std::string_view text) {
  auto parsed = TagList::parse(text);
  if (!parsed) return invalid("key syntax error: " + parsed.error().message);
  const TagList& tags = *parsed;
  KeyRecord key;
  if (auto v = tags.get("v")) {
    // §3.6.1 v=: "MUST be set to "DKIM1"" and "MUST be the first tag in the record".
    if (*v != "DKIM1" || tags.tags().front().name != "v") return invalid("bad key version");
  }
  if (auto h = tags.get("h")) key.hash_algorithms = colon_list(*h);
  if (auto k = tags.get("k")) {
    std::string type = ascii_lower(strip_whitespace(*k));
    if (type == "rsa") {
      key.key_type = KeyType::rsa;
    } else if (type == "ed25519") {  // RFC 8463 §4
      key.key_type = KeyType::ed25519;
    } else {
      return invalid("unknown key type " + type);
    }
  }
  auto p = tags.get("p");
  if (!p) return invalid("missing p=");
  std::string p_text = strip_whitespace(*p);
  if (!p_text.empty()) {
    auto decoded = base64::decode(p_text);
    if (!decoded || decoded->empty()) return invalid("bad p= value");
    key.public_key = std::move(*decoded);
  }
  if (auto s = tags.get("s")) {
    key.service_types = colon_list(*s);
  } else {
    key.service_types = {"*"};
  }
  bool email = false;
  for (const std::string& s : key.service_types) {
    if (s == "*" || s == "email") email = true;
  }
  if (!email) return invalid("key not for email");
  if (auto t = tags.get("t")) {
    for (const std::string& flag : colon_list(*t)) {
      if (flag == "y") key.testing = true;
      if (flag == "s") key.strict_identity = true;
    }
  }
  if (auto n = tags.get("n")) key.notes = std::string(*n);
  return key;
}

std::string key_record_text(Algorithm algorithm, std::string_view public_key_bytes) {
  return std::string("v=DKIM1; k=") + (algorithm == Algorithm::rsa_sha256 ? "rsa" : "ed25519") +
         "; p=" + base64::encode(public_key_bytes);
}

}  // namespace postamt::dkim
