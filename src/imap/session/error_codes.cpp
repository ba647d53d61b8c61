#include "imap/session/error_codes.h"

namespace postamt::imap {

using Kind = proto::ResponseCode::Kind;

proto::ResponseCode::Kind response_code_for(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::invalid:
      return Kind::cannot;
    case ErrorKind::not_found:
      return Kind::nonexistent;
    case ErrorKind::exists:
      return Kind::already_exists;
    case ErrorKind::limit:
      return Kind::limit;
    case ErrorKind::over_quota:
      return Kind::over_quota;
    case ErrorKind::permission:
      return Kind::no_perm;
    case ErrorKind::auth_failed:
      return Kind::authentication_failed;
    case ErrorKind::temporary:
    case ErrorKind::io:
    case ErrorKind::no_space:
    case ErrorKind::timeout:
    case ErrorKind::closed:
      return Kind::unavailable;
    case ErrorKind::internal:
      return Kind::server_bug;
  }
  return Kind::server_bug;
}

Reply reply_for(const Error& error) {
  std::string text;
  switch (error.kind) {
    case ErrorKind::invalid:
    case ErrorKind::not_found:
    case ErrorKind::exists:
    case ErrorKind::limit:
    case ErrorKind::over_quota:
    case ErrorKind::permission:
      text = error.message;
      break;
    case ErrorKind::auth_failed:
      text = "Authentication failed";
      break;
    case ErrorKind::temporary:
    case ErrorKind::io:
    case ErrorKind::timeout:
    case ErrorKind::closed:
      text = "Temporary failure, try again later";
      break;
    case ErrorKind::no_space:
      text = "Not enough disk space on the server, try again later";
      break;
    case ErrorKind::internal:
      text = "Internal server error";
      break;
  }
  return Reply::no(proto::ResponseCode::simple(response_code_for(error.kind)), std::move(text));
}

}  // namespace postamt::imap
