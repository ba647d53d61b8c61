#include "mail/domains.h"

#include <idn2.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

#include "base/strings.h"
#include "model/address.h"

namespace postamt::mail {

Result<std::string> primary_domain(store::Store& store, std::string_view hostname) {
  std::string name = ascii_lower(hostname);
  std::string_view candidate = name;
  // Every suffix made of whole labels, longest first; not the top-level label alone.
  while (candidate.find('.') != std::string_view::npos) {
    auto local = store.domain_exists(candidate);
    if (!local) return local.error();
    if (*local) return std::string(candidate);
    candidate.remove_prefix(candidate.find('.') + 1);
  }
  auto domains = store.list_domains();
  if (!domains) return domains.error();
  if (domains->empty()) return Error{ErrorKind::not_found, "no local domain"};
  return domains->front();
}

Result<bool> is_local_domain(store::Store& store, std::string_view domain) {
  if (domain.empty() || domain.front() == '[') return false;
  std::string ascii(domain);
  const bool has_non_ascii = std::any_of(
      domain.begin(), domain.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
  if (has_non_ascii) {
    char* converted = nullptr;
    if (idn2_to_ascii_8z(ascii.c_str(), &converted, IDN2_NONTRANSITIONAL) != IDN2_OK) return false;
    std::unique_ptr<char, decltype(&std::free)> owner(converted, &std::free);
    ascii = converted;
  }
  if (!normalize_domain(ascii)) return false;
  auto local = store.domain_exists(ascii);
  if (!local && local.error().kind == ErrorKind::invalid) return false;
  return local;
}

}  // namespace postamt::mail
