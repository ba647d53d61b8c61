// The body arguments Email/get and Email/parse share (RFC 8621 §4.2, §4.9):
// bodyProperties, fetchTextBodyValues, fetchHTMLBodyValues, fetchAllBodyValues and
// maxBodyValueBytes, read the same way for both.
#pragma once

#include <boost/json/object.hpp>

#include <string>
#include <vector>

#include "jmap/email/email_view.h"

namespace postamt::jmap {

struct BodyArguments {
  std::vector<std::string> body_properties;  // empty: the default of §4.2
  BodyValueOptions options;
};

// Throws MethodFailure invalidArguments for an unknown body property or a wrong type.
BodyArguments read_body_arguments(const boost::json::object& arguments);

}  // namespace postamt::jmap
