#include "mailauth/dkim/hash.h"

#include "base/strings.h"
#include "mailauth/dkim/crypto.h"
#include "mailauth/dkim/tag_list.h"

namespace postamt::dkim {

std::vector<std::string_view> select_signed_fields(const std::vector<HeaderField>& fields,
                                                   const std::vector<std::string>& names) {
  std::vector<std::string_view> out;
  std::vector<bool> used(fields.size(), false);
  for (const std::string& name : names) {
    for (size_t i = fields.size(); i-- > 0;) {
      if (!used[i] && iequals(fields[i].name, name)) {
        used[i] = true;
        out.push_back(fields[i].raw);
        break;
      }
    }
  }
  return out;
}

Result<std::string> without_b_value(std::string_view raw_field) {
  std::string_view field = raw_field;
  if (field.ends_with("\r\n")) field.remove_suffix(2);
  size_t colon = field.find(':');
  if (colon == std::string_view::npos) return Error(ErrorKind::invalid, "not a header field");
  std::string_view value = field.substr(colon + 1);
  auto tags = TagList::parse(value);
  if (!tags) return tags.error();
  const Tag* b = tags->find("b");
  if (b == nullptr) return Error(ErrorKind::invalid, "missing required tag b=");
  size_t start = colon + 1 + b->value_offset;
  std::string out(field.substr(0, start));
  out.append(field.substr(start + b->value.size()));
  return out;
}

std::string header_hash_input(const std::vector<HeaderField>& fields,
                              const std::vector<std::string>& names, Canon canon,
                              std::string_view signature_field) {
  std::string data;
  for (std::string_view raw : select_signed_fields(fields, names)) {
    data += canonicalize_header(raw, canon);
  }
  std::string sig = canonicalize_header(signature_field, canon);
  sig.resize(sig.size() - 2);  // §3.7: the signature field is hashed without its CRLF
  data += sig;
  return data;
}

Result<std::string> body_hash(std::string_view canonical_body, std::optional<uint64_t> length) {
  if (length) {
    if (*length > canonical_body.size()) {
      return Error(ErrorKind::invalid, "l= is longer than the body");
    }
    canonical_body = canonical_body.substr(0, *length);
  }
  return sha256(canonical_body);
}

}  // namespace postamt::dkim
