// RFC 7489 §6.6.1: the author domain, from the message's single From address.
#include "base/strings.h"
#include "mailauth/dmarc/dmarc.h"
#include "mailauth/dmarc/host_name.h"
#include "mime/originators.h"

namespace postamt::dmarc {

Result<std::string> from_domain(std::string_view message) {
  // Read the way mail readers read a header, so that the From a reader shows is the one
  // judged: a malformed line cannot end the header before a second From field.
  const mime::OriginatorField* from = nullptr;
  std::vector<mime::OriginatorField> fields = mime::originator_fields(message);
  for (const mime::OriginatorField& field : fields) {
    if (!iequals(field.name, "From")) continue;
    // "Messages with multiple RFC5322.From fields are typically rejected" (§6.6.1).
    if (from) return Error{ErrorKind::invalid, "the message has several From fields"};
    from = &field;
  }
  // Nothing names a domain here, so nothing can be impersonated: not_found.
  if (!from) return Error{ErrorKind::not_found, "the message has no From field"};
  if (from->addresses.empty())
    return Error{ErrorKind::not_found, "the From field holds no address"};
  if (from->addresses.size() > 1)
    return Error{ErrorKind::invalid, "the From field holds several addresses"};

  const std::string& address = from->addresses.front();
  // The domain follows the last '@': a quoted local part may hold '@', a domain never.
  size_t at = address.rfind('@');
  if (at == std::string::npos || at + 1 == address.size())
    return Error{ErrorKind::not_found, "the From address has no domain"};
  std::string_view domain = std::string_view(address).substr(at + 1);
  if (domain.front() == '[')
    return Error{ErrorKind::invalid, "the From address has a domain literal, not a domain"};
  auto ascii = to_a_label(domain);
  if (!ascii)
    return Error{ErrorKind::invalid,
                 "the From address's domain is not a valid host name: " + ascii.error().message};
  return *ascii;
}

}  // namespace postamt::dmarc
