#include "mailauth/dkim/keyring.h"

#include <sys/stat.h>

#include <algorithm>
#include <system_error>
#include <variant>

#include "base/strings.h"
#include "mailauth/dkim/canon.h"
#include "mime/address.h"
#include "mime/header.h"

namespace postamt::dkim {
namespace {

bool key_order(const SigningKey& a, const SigningKey& b) {
  if (a.domain != b.domain) return a.domain < b.domain;
  if (a.algorithm != b.algorithm) return a.algorithm == Algorithm::rsa_sha256;
  return a.selector < b.selector;
}

}  // namespace

Result<KeyRing> KeyRing::load(const std::filesystem::path& dkim_dir) {
  KeyRing ring;
  std::error_code ec;
  if (!std::filesystem::exists(dkim_dir, ec)) return ring;
  for (const auto& domain_dir : std::filesystem::directory_iterator(dkim_dir, ec)) {
    if (!domain_dir.is_directory()) continue;
    std::error_code inner;
    for (const auto& file : std::filesystem::directory_iterator(domain_dir.path(), inner)) {
      if (!file.is_regular_file() || file.path().extension() != ".pem") continue;
      struct stat st {};
      if (::stat(file.path().c_str(), &st) != 0) {
        return Error(ErrorKind::io, "cannot stat " + file.path().string());
      }
      if ((st.st_mode & 077) != 0) {
        return Error(ErrorKind::permission,
                     file.path().string() + " can be read by others; chmod 600 it");
      }
      auto key = SigningKey::load(file.path(), domain_dir.path().filename().string(),
                                  file.path().stem().string());
      if (!key) return key.error();
      ring.add(std::move(*key));
    }
    if (inner) return Error(ErrorKind::io, "cannot list " + domain_dir.path().string());
  }
  if (ec) return Error(ErrorKind::io, "cannot list " + dkim_dir.string());
  return ring;
}

void KeyRing::add(SigningKey key) {
  keys_.push_back(std::move(key));
  std::stable_sort(keys_.begin(), keys_.end(), key_order);
}

std::vector<const SigningKey*> KeyRing::keys_for(std::string_view domain) const {
  std::vector<const SigningKey*> out;
  for (const SigningKey& k : keys_) {
    if (iequals(k.domain, domain)) out.push_back(&k);
  }
  return out;
}

std::vector<std::string> from_domains(std::string_view message) {
  std::vector<std::string> domains;
  for (const HeaderField& field : split_header(message)) {
    if (!iequals(field.name, "From")) continue;
    std::string_view value = field.raw.substr(field.raw.find(':') + 1);
    for (const mime::Address& address : mime::parse_address_list(mime::unfold(value))) {
      const auto* mailbox = std::get_if<mime::Mailbox>(&address);
      if (mailbox == nullptr || mailbox->domain.empty()) continue;
      std::string d = ascii_lower(mailbox->domain);
      if (std::find(domains.begin(), domains.end(), d) == domains.end()) domains.push_back(d);
    }
  }
  return domains;
}

Result<std::string> KeyRing::sign(std::string_view message,
                                  std::chrono::system_clock::time_point now,
                                  std::vector<std::string>* signed_by) const {
  std::string fields;
  for (const std::string& domain : from_domains(message)) {
    for (const SigningKey* key : keys_for(domain)) {
      auto field = sign_message(message, *key, now);
      if (!field) return field.error();
      fields += *field;
      if (signed_by != nullptr) signed_by->push_back("d=" + key->domain + " s=" + key->selector);
    }
  }
  return fields;
}

}  // namespace postamt::dkim
