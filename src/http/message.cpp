#include "http/message.h"

#include "base/strings.h"

namespace postamt::http {

std::optional<std::string_view> Request::header(std::string_view name) const {
  for (const auto& h : headers)
    if (iequals(h.name, name)) return std::string_view(h.value);
  return std::nullopt;
}

}  // namespace postamt::http
