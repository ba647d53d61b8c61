#include "pop3/proto/command.h"

#include <limits>
#include <vector>

#include "base/strings.h"

namespace postamt::pop3::proto {

namespace {

Error invalid(std::string message) {
  return Error{ErrorKind::invalid, std::move(message)};
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// RFC 1939 §3: a message number is a positive decimal; we store it in uint32.
std::optional<uint32_t> message_number(std::string_view s) {
  if (!all_digits(s)) return std::nullopt;
  auto v = parse_u64(s);
  if (!v || *v == 0 || *v > std::numeric_limits<uint32_t>::max()) return std::nullopt;
  return static_cast<uint32_t>(*v);
}

bool is_sasl_mech(std::string_view s) {
  if (s.empty() || s.size() > 20) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

bool is_base64_or_equals(std::string_view s) {
  if (s == "=") return true;
  if (s.empty()) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/' || c == '=';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

Result<Command> parse_command(std::string_view line) {
  if (line.find_first_of(std::string_view("\0\r\n", 3)) != std::string_view::npos)
    return invalid("NUL, CR or LF in command line");
  size_t space = line.find(' ');
  std::string keyword = ascii_upper(line.substr(0, space));

  if (keyword == "PASS") {
    // RFC 1939 §7: the password may contain spaces; take the rest of the line as is.
    if (space == std::string_view::npos || space + 1 == line.size())
      return invalid("PASS requires a password");
    return Command{Pass{std::string(line.substr(space + 1))}};
  }

  while (!line.empty() && line.back() == ' ') line.remove_suffix(1);
  std::vector<std::string_view> args;
  if (space != std::string_view::npos && space < line.size()) {
    args = split(line.substr(space + 1), ' ');
    for (auto a : args)
      if (a.empty()) return invalid("Arguments are separated by one space");
  }
  auto arity = [&](size_t min, size_t max) { return args.size() >= min && args.size() <= max; };

  auto no_args = [&](Command cmd) -> Result<Command> {
    if (!args.empty()) return invalid(keyword + " takes no arguments");
    return cmd;
  };
  auto msg_arg = [&](size_t i) { return message_number(args[i]); };

  if (keyword == "USER") {
    if (!arity(1, 1)) return invalid("USER requires one name");
    return Command{User{std::string(args[0])}};
  }
  if (keyword == "STAT") return no_args(Stat{});
  if (keyword == "NOOP") return no_args(Noop{});
  if (keyword == "RSET") return no_args(Rset{});
  if (keyword == "QUIT") return no_args(Quit{});
  if (keyword == "CAPA") return no_args(Capa{});
  if (keyword == "STLS") return no_args(Stls{});
  if (keyword == "LIST" || keyword == "UIDL") {
    if (!arity(0, 1)) return invalid(keyword + " takes at most one message number");
    std::optional<uint32_t> msg;
    if (args.size() == 1) {
      msg = msg_arg(0);
      if (!msg) return invalid("Invalid message number");
    }
    if (keyword == "LIST") return Command{List{msg}};
    return Command{Uidl{msg}};
  }
  if (keyword == "RETR" || keyword == "DELE") {
    if (!arity(1, 1)) return invalid(keyword + " requires one message number");
    auto msg = msg_arg(0);
    if (!msg) return invalid("Invalid message number");
    if (keyword == "RETR") return Command{Retr{*msg}};
    return Command{Dele{*msg}};
  }
  if (keyword == "TOP") {
    if (!arity(2, 2)) return invalid("TOP requires a message number and a line count");
    auto msg = msg_arg(0);
    if (!msg) return invalid("Invalid message number");
    auto lines = all_digits(args[1]) ? parse_u64(args[1]) : std::nullopt;
    if (!lines) return invalid("Invalid line count");
    return Command{Top{*msg, *lines}};
  }
  if (keyword == "AUTH") {
    if (!arity(0, 2)) return invalid("AUTH takes a mechanism and an initial response");
    Auth auth;
    if (!args.empty()) {
      if (!is_sasl_mech(args[0])) return invalid("Invalid mechanism name");
      auth.mechanism = ascii_upper(args[0]);
    }
    if (args.size() == 2) {
      if (!is_base64_or_equals(args[1])) return invalid("Invalid initial response");
      auth.initial_response = std::string(args[1]);
    }
    return Command{std::move(auth)};
  }
  return Error{ErrorKind::not_found, "Unknown command"};
}

}  // namespace postamt::pop3::proto
