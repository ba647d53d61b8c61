// The typed failure of an SMTP command parse and the reply it maps to.
//
// base's Result<T> carries only an ErrorKind, which cannot tell "unknown parameter"
// (555) from "syntax error" (501); so the SMTP parsers return ParseResult<T>, which has
// the same shape as Result<T> but a CommandError. to_error() bridges to base::Error
// for logging.
#pragma once

#include <cstdlib>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include "base/error.h"
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

template <class T>
class [[nodiscard]] ParseResult {
 public:
  ParseResult(T value) : v_(std::in_place_index<0>, std::move(value)) {}
  // Lets `return Mail{...};` build a ParseResult<Command> directly.
  template <class U>
  requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::decay_t<U>, T> &&
           !std::is_same_v<std::decay_t<U>, CommandError> &&
           !std::is_same_v<std::decay_t<U>, ParseResult>) ParseResult(U&& value)
      : v_(std::in_place_index<0>, std::forward<U>(value)) {}
  ParseResult(CommandError error) : v_(std::in_place_index<1>, std::move(error)) {}
  ParseResult(CommandErrorKind kind, std::string detail)
      : v_(std::in_place_index<1>, CommandError{kind, std::move(detail)}) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // value() of a failure, or error() of a success, is a bug and aborts.
  T& value() & {
    check(true);
    return std::get<0>(v_);
  }
  const T& value() const& {
    check(true);
    return std::get<0>(v_);
  }
  T&& value() && {
    check(true);
    return std::get<0>(std::move(v_));
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const CommandError& error() const {
    check(false);
    return std::get<1>(v_);
  }

 private:
  void check(bool want_value) const {
    if (ok() != want_value) std::abort();
  }
  std::variant<T, CommandError> v_;
};

}  // namespace postamt::smtp::proto
