#include "base/error.h"

namespace postamt {

std::string_view to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::invalid:
      return "invalid";
    case ErrorKind::not_found:
      return "not-found";
    case ErrorKind::exists:
      return "exists";
    case ErrorKind::limit:
      return "limit";
    case ErrorKind::over_quota:
      return "over-quota";
    case ErrorKind::permission:
      return "permission";
    case ErrorKind::auth_failed:
      return "auth-failed";
    case ErrorKind::temporary:
      return "temporary";
    case ErrorKind::io:
      return "io";
    case ErrorKind::no_space:
      return "no-space";
    case ErrorKind::timeout:
      return "timeout";
    case ErrorKind::closed:
      return "closed";
    case ErrorKind::internal:
      return "internal";
  }
  return "internal";
}

}  // namespace postamt
