#include "jmap/engine/methods/methods.h"

namespace postamt::jmap::methods {

// RFC 8620 §4: the arguments, unchanged.
json::object core_echo(CallContext&, const json::object& arguments) {
  return arguments;
}

}  // namespace postamt::jmap::methods
