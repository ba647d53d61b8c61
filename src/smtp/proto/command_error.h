// The typed failure of an SMTP command parse and the reply it maps to.
//
// base's Error carries only an ErrorKind, which cannot tell "unknown parameter" (555)
// from "syntax error" (501); so the SMTP parsers return Result<T, CommandError>.
// to_error() bridges to base's Error for logging.
#pragma once

#include <string>

#include "base/error.h"
#include "base/result.h"
#include "smtp/proto/reply.h"

namespace postamt::smtp::proto {

enum class CommandErrorKind {
  unknown_command,      // 500 5.5.1
  bad_characters,       // 500 5.5.2: NUL, CR or LF inside the line
  syntax,               // 501 5.5.2: verb known, arguments malformed or too long
  bad_parameter_value,  // 501 5.5.4: known MAIL/RCPT parameter with a bad value
  unknown_parameter,    // 555 5.5.4 (RFC 5321 §4.1.1.11)
  non_ascii_sender,     // 550 5.6.7 (RFC 6531 §3.5): UTF-8 reverse-path without SMTPUTF8
  non_ascii_recipient,  // 553 5.6.7 (RFC 6531 §3.5): UTF-8 forward-path without SMTPUTF8
};

struct CommandError {
  CommandErrorKind kind = CommandErrorKind::syntax;
  std::string detail;  // plain words naming the part that was wrong; safe for clients

  bool operator==(const CommandError&) const = default;
};

// The one mapping from parse failures to replies: code, enhanced code, and detail as
// the text ("501 5.5.2 Syntax error in reverse-path: ...").
Reply error_reply(const CommandError& error);

// For logs and for layers that speak base::Error.
Error to_error(const CommandError& error);

}  // namespace postamt::smtp::proto
