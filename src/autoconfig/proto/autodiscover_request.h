// Outlook's autodiscover request (POX, the ".../outlook/requestschema/2006" schema):
//
//   <Autodiscover
//   xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
//     <Request>
//       <EMailAddress>alice@example.org</EMailAddress>
//       <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>
//     </Request>
//   </Autodiscover>
//
// A codec: pure, any thread. The body comes from anyone on the network, so the parser is
// a small well-formedness checker of its own rather than a general XML library: no DTD
// (a DOCTYPE is refused, so no entity can be declared, let alone expanded), only the five
// predefined entities and character references, namespaces resolved as XML Namespaces
// 1.0 says, nesting at most kMaxDepth deep, UTF-8 (or ASCII) only. The body's size is
// bounded before it is read ([autoconfig] max_request_body, answered with 413).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/result.h"

namespace postamt::autoconfig {

inline constexpr size_t kMaxDepth = 32;

struct AutodiscoverRequest {
  std::string email_address;               // EMailAddress, surrounding white space removed
  std::string acceptable_response_schema;  // "" when the element is absent
};

// Parses a request body. Errors (ErrorKind::invalid, one line saying what is wrong): a
// document that is not well-formed XML, a DOCTYPE, an entity other than the predefined
// ones, an encoding other than UTF-8, nesting deeper than kMaxDepth, a root that is not
// Autodiscover in the request namespace, no or several Request elements, no or several
// EMailAddress elements in it, markup inside EMailAddress or AcceptableResponseSchema.
// Other elements (LegacyDN, ...) are ignored.
Result<AutodiscoverRequest> parse_autodiscover_request(std::string_view body);

}  // namespace postamt::autoconfig
