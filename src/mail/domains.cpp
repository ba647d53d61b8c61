#include "mail/domains.h"

#include "base/strings.h"

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

}  // namespace postamt::mail
