#include "mailauth/dmarc/host_name.h"

#include <idn2.h>

#include <cctype>
#include <cstdlib>
#include <memory>

#include "base/strings.h"

namespace postamt::dmarc {

std::string normalize(std::string_view domain) {
  std::string out = ascii_lower(domain);
  if (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

Result<std::string> to_a_label(std::string_view domain) {
  std::string name = normalize(domain);
  if (name.empty()) return Error{ErrorKind::invalid, "empty domain"};
  bool ascii = true;
  for (char c : name) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  if (!ascii) {
    char* converted = nullptr;
    int rc = idn2_to_ascii_8z(name.c_str(), &converted, IDN2_NONTRANSITIONAL);
    if (rc != IDN2_OK) return Error{ErrorKind::invalid, idn2_strerror(rc)};
    std::unique_ptr<char, decltype(&std::free)> owner(converted, &std::free);
    name = ascii_lower(converted);
  }
  // RFC 1035 §2.3.4 sizes, RFC 1123 §2.1 characters.
  if (name.size() > 253) return Error{ErrorKind::invalid, "longer than 253 octets"};
  for (std::string_view label : split(name, '.')) {
    if (label.empty() || label.size() > 63)
      return Error{ErrorKind::invalid, "a label is empty or longer than 63 octets"};
    for (char c : label) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-')
        return Error{ErrorKind::invalid, "a label holds a character other than a-z, 0-9, -"};
    }
  }
  return name;
}

}  // namespace postamt::dmarc
