// One function per SMTP command (docs/architecture.md, "One command, one file"), each
// in its own file under commands/. dispatch.cpp checks a command's state rules (its
// traits there) before calling it, so a function starts with what it alone decides.
// Each answers the client itself (Session::answer counts errors) and returns whether
// the session goes on. `session` outlives the call: the command loop awaits it at once.
#pragma once

#include <optional>
#include <string>

#include "smtp/proto/command.h"
#include "smtp/server/session_impl.h"

namespace postamt::smtp::server::commands {

using detail::Next;
using detail::Session;
using proto::Reply;

// RFC 5321 §4.1.1.1: EHLO resets the transaction and lists the extensions.
net::awaitable<Next> ehlo(Session& session, proto::Ehlo command);
net::awaitable<Next> helo(Session& session, proto::Helo command);
// RFC 5321 §4.1.1.2, RFC 6409 §8 (a submitted sender must be the user's own address).
net::awaitable<Next> mail(Session& session, proto::Mail command);
// RFC 5321 §4.1.1.3: the recipient is resolved (aliases) at once; unknown local users and
// relaying without login are refused here, not after DATA.
net::awaitable<Next> rcpt(Session& session, proto::Rcpt command);
// RFC 5321 §4.1.1.4 and RFC 3030 CHUNKING; both end in finish_message().
net::awaitable<Next> data(Session& session, proto::Data command);
net::awaitable<Next> bdat(Session& session, proto::Bdat command);
net::awaitable<Next> rset(Session& session, proto::Rset command);
net::awaitable<Next> noop(Session& session, proto::Noop command);
net::awaitable<Next> quit(Session& session, proto::Quit command);
// RFC 5321 §3.5.3: 252 without telling whether the user exists; EXPN is not offered.
net::awaitable<Next> vrfy(Session& session, proto::Vrfy command);
net::awaitable<Next> expn(Session& session, proto::Expn command);
net::awaitable<Next> help(Session& session, proto::Help command);
// RFC 3207.
net::awaitable<Next> starttls(Session& session, proto::Starttls command);
// RFC 4954: PLAIN and LOGIN, only where plaintext passwords are allowed (auth/policy.h).
net::awaitable<Next> auth(Session& session, proto::Auth command);

// The end of DATA or of the last BDAT chunk (finish.cpp): `rejection` when the data
// broke a rule, else finish_message(); then the transaction is over and the client
// hears the reply.
net::awaitable<Next> end_of_message(Session& session, std::optional<Reply> rejection,
                                    std::string message);
// Loop and sender checks, the submission check, the Received field, then the delivery
// transaction's commit. The reply to send; 250 only after every durable write returned.
net::awaitable<Reply> finish_message(Session& session, std::string message);
// authenticate.cpp: removes forged Authentication-Results fields naming us, and for mail
// from outside runs Services::mail_auth, prepends its field and applies its decision
// (quarantine: set on the delivery transaction). The reply when the message is refused
// (550 5.7.1 DMARC reject, 451 4.7.1 DNS trouble), else nullopt and `message` is ready.
net::awaitable<std::optional<Reply>> authenticate_message(Session& session, std::string& message);

}  // namespace postamt::smtp::server::commands
