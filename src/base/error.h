// Postamt's one error vocabulary (docs/architecture.md, Errors).
//
// Every layer reports failures as an Error with a kind from this list. Each protocol
// maps kinds to its own codes in exactly one function (IMAP response codes, SMTP
// enhanced status codes, JMAP error types). `message` is plain words for a client or
// an admin; details that must not reach clients go to the log, not here.
#pragma once

#include <string>
#include <string_view>

namespace postamt {

enum class ErrorKind {
  invalid,      // malformed input or an argument that breaks a rule
  not_found,    // the named thing does not exist
  exists,       // the thing to create exists already
  limit,        // a named limit was hit (size, count, depth, line length)
  over_quota,   // the account's quota would be exceeded
  permission,   // the caller may not do this
  auth_failed,  // credentials were wrong
  temporary,    // try again later (lock busy, resource exhausted)
  io,           // the operating system reported a failure (fsync, write, open)
  no_space,     // the disk (or the database) is full: ENOSPC, EDQUOT, SQLITE_FULL
  timeout,      // a deadline passed
  closed,       // the peer closed the connection
  internal,     // a bug or an impossible state
};

std::string_view to_string(ErrorKind kind);

struct Error {
  ErrorKind kind = ErrorKind::internal;
  std::string message;

  Error() = default;
  Error(ErrorKind k, std::string msg) : kind(k), message(std::move(msg)) {}
};

}  // namespace postamt
