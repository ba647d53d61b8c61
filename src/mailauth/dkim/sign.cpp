#include "mailauth/dkim/sign.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "base/base64.h"
#include "base/strings.h"
#include "mailauth/dkim/hash.h"

namespace postamt::dkim {
namespace {

constexpr size_t kMaxLine = 78;  // RFC 5322 §2.1.1: SHOULD NOT be longer than 78

bool is_label_text(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.' || s.front() == '-') return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
    if (!ok) return false;
  }
  return s.find("..") == std::string_view::npos;
}

// Builds a folded header field out of pieces that may not be split ("v=1;", "d=x;")
// and pieces that may be split anywhere (base64), keeping lines within kMaxLine.
class Folder {
 public:
  explicit Folder(std::string start) : out_(std::move(start)), line_(out_.size()) {}

  // A word that stays whole; preceded by a space, or a fold when it does not fit.
  void word(std::string_view w) {
    if (line_ + 1 + w.size() > kMaxLine) {
      out_ += "\r\n";
      line_ = 0;
    }
    out_ += ' ';
    out_ += w;
    line_ += 1 + w.size();
  }
  // A word appended without a space, after a fold when it does not fit (a fold is FWS,
  // which RFC 6376 §3.5 h= allows around the colons and §3.2 before ';').
  void glued(std::string_view w) {
    if (line_ + w.size() > kMaxLine) {
      out_ += "\r\n ";
      line_ = 1;
    }
    out_ += w;
    line_ += w.size();
  }
  // Text appended directly, folding inside it where needed (FWS is allowed anywhere in
  // base64 values, RFC 6376 §3.5 b= and bh=).
  void splittable(std::string_view text) {
    while (!text.empty()) {
      if (line_ >= kMaxLine) {
        out_ += "\r\n ";
        line_ = 1;
      }
      size_t n = std::min(text.size(), kMaxLine - line_);
      out_.append(text.substr(0, n));
      line_ += n;
      text.remove_prefix(n);
    }
  }
  std::string& text() { return out_; }

 private:
  std::string out_;
  size_t line_;
};

}  // namespace

Result<SigningKey> SigningKey::load(const std::filesystem::path& path, std::string_view domain,
                                    std::string_view selector) {
  std::string d = ascii_lower(domain);
  std::string s = ascii_lower(selector);
  if (!is_label_text(d)) return Error(ErrorKind::invalid, "bad DKIM domain: " + d);
  if (!is_label_text(s)) return Error(ErrorKind::invalid, "bad DKIM selector: " + s);
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorKind::io, "cannot read " + path.string());
  std::ostringstream pem;
  pem << in.rdbuf();
  auto key = PrivateKey::from_pem(pem.str());
  if (!key) return Error(ErrorKind::invalid, path.string() + ": " + key.error().message);
  if (key->algorithm() == Algorithm::rsa_sha256 && key->bits() < 1024) {
    return Error(ErrorKind::invalid, path.string() + ": RSA key under 1024 bits (RFC 8301)");
  }
  return SigningKey{std::move(d), std::move(s), key->algorithm(), std::move(*key), path};
}

const std::vector<std::string>& default_signed_headers() {
  static const std::vector<std::string> names = {"from",
                                                 "sender",
                                                 "reply-to",
                                                 "subject",
                                                 "date",
                                                 "message-id",
                                                 "to",
                                                 "cc",
                                                 "in-reply-to",
                                                 "references",
                                                 "mime-version",
                                                 "content-type",
                                                 "content-transfer-encoding",
                                                 "content-disposition",
                                                 "list-id",
                                                 "list-unsubscribe",
                                                 "list-unsubscribe-post",
                                                 "disposition-notification-to",
                                                 "auto-submitted"};
  return names;
}

Result<std::string> compute_signature(std::string_view message, const PrivateKey& key,
                                      const std::vector<std::string>& signed_headers,
                                      Canon header_canon, std::string_view unsigned_field) {
  auto blanked = without_b_value(unsigned_field);
  if (!blanked) return blanked.error();
  std::vector<HeaderField> fields = split_header(message);
  return key.sign(header_hash_input(fields, signed_headers, header_canon, *blanked));
}

Result<std::string> sign_message(std::string_view message, const SigningKey& key,
                                 std::chrono::system_clock::time_point now) {
  std::vector<HeaderField> fields = split_header(message);
  std::vector<std::string> names;
  for (const std::string& name : default_signed_headers()) {
    for (const HeaderField& f : fields) {
      if (iequals(f.name, name)) names.push_back(name);
    }
  }
  if (names.empty() || names.front() != "from") {
    return Error(ErrorKind::invalid, "the message has no From field to sign");
  }
  names.push_back("from");  // oversigned

  auto bh = body_hash(canonicalize_body(body_of(message), Canon::relaxed), std::nullopt);
  if (!bh) return bh.error();
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();

  Folder f("DKIM-Signature:");
  f.word("v=1;");
  f.word("a=" + std::string(to_string(key.algorithm)) + ";");
  f.word("c=relaxed/relaxed;");
  f.word("d=" + key.domain + ";");
  f.word("s=" + key.selector + ";");
  f.word("t=" + std::to_string(seconds) + ";");
  for (size_t i = 0; i < names.size(); ++i) {
    std::string w = (i == 0 ? "h=" : "") + names[i] + (i + 1 < names.size() ? ":" : ";");
    if (i == 0) {
      f.word(w);
    } else {
      f.glued(w);
    }
  }
  f.word("bh=");
  f.splittable(base64::encode(*bh));
  f.glued(";");
  f.word("b=");
  auto signature = compute_signature(message, key.key, names, Canon::relaxed, f.text());
  if (!signature) return signature.error();
  f.splittable(base64::encode(*signature));
  f.text() += "\r\n";
  return std::move(f.text());
}

}  // namespace postamt::dkim
