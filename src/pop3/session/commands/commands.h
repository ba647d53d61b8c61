// One function per POP3 command (docs/architecture.md, "One command, one file"), each
// in its own file under commands/. dispatch.cpp checks the session state before calling
// it. Each answers the client itself through Session::reply / bad_command (wire text
// only from pop3/proto) and returns whether the session goes on. `session` outlives the
// call: the command loop awaits it at once.
#pragma once

#include <string>

#include "pop3/proto/command.h"
#include "pop3/session/session_impl.h"

namespace postamt::pop3::commands {

using detail::Next;
using detail::Session;

// AUTHORIZATION (RFC 1939 §7, RFC 5034, RFC 2595): plaintext logins only where
// auth/policy.h allows them.
net::awaitable<Next> user(Session& session, proto::User command);
net::awaitable<Next> pass(Session& session, proto::Pass command);
net::awaitable<Next> auth(Session& session, proto::Auth command);
net::awaitable<Next> stls(Session& session, proto::Stls command);
// Both states (RFC 2449 CAPA; QUIT enters UPDATE after a login, RFC 1939 §6).
net::awaitable<Next> capa(Session& session, proto::Capa command);
net::awaitable<Next> quit(Session& session, proto::Quit command);
// TRANSACTION (RFC 1939 §5, RFC 2449 TOP and UIDL).
net::awaitable<Next> stat(Session& session, proto::Stat command);
net::awaitable<Next> list(Session& session, proto::List command);
net::awaitable<Next> uidl(Session& session, proto::Uidl command);
net::awaitable<Next> retr(Session& session, proto::Retr command);
net::awaitable<Next> top(Session& session, proto::Top command);
net::awaitable<Next> dele(Session& session, proto::Dele command);
net::awaitable<Next> rset(Session& session, proto::Rset command);
net::awaitable<Next> noop(Session& session, proto::Noop command);

// Shared by USER/PASS and AUTH (login.cpp): checks the password, locks and loads the
// maildrop and enters TRANSACTION; or answers the failure (after the failure delay,
// with the fail2ban log line, auth/auth_log.h).
net::awaitable<Next> login(Session& session, std::string user, std::string password,
                           std::string mechanism);
net::awaitable<Next> failed_login(Session& session, std::string user, std::string mechanism);

// The refusal of USER, PASS and plaintext AUTH where passwords may not be sent as they are.
inline constexpr std::string_view kPlaintextRefused =
    "plaintext authentication is not allowed on this connection, use STLS first";

}  // namespace postamt::pop3::commands
