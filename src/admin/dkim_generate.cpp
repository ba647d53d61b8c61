// `postamt dkim generate` (dkim_keys.h).
#include <fmt/chrono.h>
#include <fmt/format.h>

#include <ctime>

#include "admin/backup_files.h"
#include "admin/dkim_keys.h"
#include "base/strings.h"
#include "mail/domains.h"
#include "mailauth/dkim/crypto.h"
#include "mailauth/dkim/key_record.h"

namespace postamt::admin {
namespace {

constexpr int kTtl = 3600;
constexpr size_t kMaxTxtString = 255;  // RFC 1035 §3.3: one character-string

// RFC 6376 §3.1: a selector is one or more DNS labels (letters, digits, hyphens).
bool is_selector(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  for (std::string_view label : split(s, '.')) {
    if (label.empty() || label.front() == '-' || label.back() == '-') return false;
    for (char c : label) {
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
    }
  }
  return true;
}

}  // namespace

std::string zone_txt_strings(std::string_view text) {
  std::string out;
  while (!text.empty()) {
    size_t n = std::min(text.size(), kMaxTxtString);
    out += (out.empty() ? "\"" : " \"") + std::string(text.substr(0, n)) + "\"";
    text.remove_prefix(n);
  }
  return out;
}

std::string default_dkim_selector(std::string_view algorithm,
                                  std::chrono::system_clock::time_point now) {
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm utc{};
  gmtime_r(&t, &utc);
  return fmt::format("{}-{:%Y%m%d}", algorithm, utc);
}

Result<std::string> dkim_generate(store::Store& store, const Config& config,
                                  const DkimGenerateRequest& request,
                                  std::chrono::system_clock::time_point now) {
  std::string domain = ascii_lower(request.domain);
  if (domain.ends_with('.')) domain.pop_back();
  if (request.algorithm != "rsa" && request.algorithm != "ed25519") {
    return Error{ErrorKind::invalid,
                 fmt::format("--algorithm \"{}\" is not rsa or ed25519", request.algorithm)};
  }
  if (request.algorithm == "rsa" && (request.bits < 1024 || request.bits > 4096)) {
    // RFC 8301 §3.2: at least 1024 bits; verifiers need only go up to 4096.
    return Error{ErrorKind::invalid,
                 fmt::format("--bits {} is out of range 1024-4096", request.bits)};
  }
  std::string selector = request.selector.empty() ? default_dkim_selector(request.algorithm, now)
                                                  : ascii_lower(request.selector);
  if (!is_selector(selector)) {
    return Error{ErrorKind::invalid,
                 fmt::format("selector \"{}\" is not DNS labels of letters, digits and hyphens",
                             request.selector)};
  }
  auto local = mail::is_local_domain(store, domain);
  POSTAMT_TRY(local);
  if (!*local) {
    return Error{ErrorKind::not_found,
                 fmt::format("{} is not a local domain (postamt domain add {})", domain, domain)};
  }

  const std::filesystem::path dkim_dir = config.data_dir / "dkim";
  const std::filesystem::path domain_dir = dkim_dir / domain;
  const std::filesystem::path file = domain_dir / (selector + ".pem");
  std::error_code ec;
  if (std::filesystem::exists(file, ec)) {
    return Error{ErrorKind::exists,
                 fmt::format("{} exists: choose another --selector", file.string())};
  }
  auto key = request.algorithm == "rsa" ? dkim::PrivateKey::generate_rsa(request.bits)
                                        : dkim::PrivateKey::generate_ed25519();
  POSTAMT_TRY(key);
  POSTAMT_TRY(make_private_directory(dkim_dir));
  POSTAMT_TRY(make_private_directory(domain_dir));
  POSTAMT_TRY(write_file_synced(file, key->to_pem()));
  POSTAMT_TRY(sync_directory(domain_dir));
  POSTAMT_TRY(sync_directory(dkim_dir));

  std::string record = dkim::key_record_text(key->algorithm(), key->public_key_record_bytes());
  std::string owner = fmt::format("{}._domainkey.{}.", selector, domain);
  return fmt::format(
      "; {} ({}, {} bits). Publish this record, then restart postamt serve to sign with it:\n"
      "{} {} IN TXT {}\n",
      file.string(), dkim::to_string(key->algorithm()), key->bits(), owner, kTtl,
      zone_txt_strings(record));
}

}  // namespace postamt::admin
