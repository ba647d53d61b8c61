// POP3 commands as typed values (RFC 1939 §3-7, RFC 2449 CAPA, RFC 5034 AUTH,
// RFC 2595 STLS).
//
// The session engine reads one line, strips its CRLF, enforces kMaxCommandLineOctets
// itself, then calls parse_command() and dispatches on the variant. Pure functions,
// callable from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "base/result.h"

namespace postamt::pop3::proto {

// RFC 2449 §4: a command line is at most 255 octets including CRLF. RFC 5034 §4 keeps
// that limit for AUTH with an initial response (clients must fall back to an empty
// challenge), so one limit serves every command. The caller answers a longer line
// with -ERR and does not parse it.
inline constexpr size_t kMaxCommandLineOctets = 255;
// RFC 2449 §4: response lines (the first line and each line of a listing) are at
// most 512 octets including CRLF. Message content is not bound by it.
inline constexpr size_t kMaxResponseLineOctets = 512;

// RFC 1939 §3: the session state a command is valid in (each command type's kState;
// RFC 2449 §5 CAPA, RFC 2595 §4 STLS, RFC 5034 AUTH).
enum class CommandState { authorization, transaction, any };

struct User {
  static constexpr CommandState kState = CommandState::authorization;
  std::string name;
  bool operator==(const User&) const = default;
};
struct Pass {
  static constexpr CommandState kState = CommandState::authorization;
  std::string password;  // everything after "PASS ", spaces included
  bool operator==(const Pass&) const = default;
};
struct Stat {
  static constexpr CommandState kState = CommandState::transaction;
  bool operator==(const Stat&) const = default;
};
struct List {
  static constexpr CommandState kState = CommandState::transaction;
  std::optional<uint32_t> msg;
  bool operator==(const List&) const = default;
};
struct Retr {
  static constexpr CommandState kState = CommandState::transaction;
  uint32_t msg = 0;
  bool operator==(const Retr&) const = default;
};
struct Dele {
  static constexpr CommandState kState = CommandState::transaction;
  uint32_t msg = 0;
  bool operator==(const Dele&) const = default;
};
struct Noop {
  static constexpr CommandState kState = CommandState::transaction;
  bool operator==(const Noop&) const = default;
};
struct Rset {
  static constexpr CommandState kState = CommandState::transaction;
  bool operator==(const Rset&) const = default;
};
struct Quit {
  static constexpr CommandState kState = CommandState::any;
  bool operator==(const Quit&) const = default;
};
struct Top {
  static constexpr CommandState kState = CommandState::transaction;
  uint32_t msg = 0;
  uint64_t lines = 0;  // body lines; 0 = headers only
  bool operator==(const Top&) const = default;
};
struct Uidl {
  static constexpr CommandState kState = CommandState::transaction;
  std::optional<uint32_t> msg;
  bool operator==(const Uidl&) const = default;
};
struct Capa {
  static constexpr CommandState kState = CommandState::any;
  bool operator==(const Capa&) const = default;
};
// RFC 5034 §4. Without a mechanism, the client asks for the list of mechanisms
// (the pre-RFC 5034 form many clients still send).
struct Auth {
  static constexpr CommandState kState = CommandState::authorization;
  std::optional<std::string> mechanism;         // upper-cased
  std::optional<std::string> initial_response;  // still base64; "=" means empty
  bool operator==(const Auth&) const = default;
};
struct Stls {
  static constexpr CommandState kState = CommandState::authorization;
  bool operator==(const Stls&) const = default;
};

using Command =
    std::variant<User, Pass, Stat, List, Retr, Dele, Noop, Rset, Quit, Top, Uidl, Capa, Auth, Stls>;

// Parses one command line without its CRLF. Keywords are case-insensitive; arguments
// are separated by exactly one space; trailing spaces are ignored except in PASS,
// where they are part of the password. Message numbers are positive decimals that
// fit in uint32; TOP's line count is a non-negative decimal that fits in uint64.
// Fails with ErrorKind::not_found for an unknown keyword and ErrorKind::invalid for
// NUL/CR/LF in the line or wrong, missing or extra arguments; the message names the
// problem in plain words for "-ERR <message>".
Result<Command> parse_command(std::string_view line);

}  // namespace postamt::pop3::proto
