// Mail authentication at the end of a message (issue 19, docs/mail-authentication.md):
// forged Authentication-Results fields out, the MX's checks, our own field in, and
// DMARC's decision applied. Part of finish_message(), kept apart because it is the one
// step that talks to DNS.
#include <fmt/format.h>

#include "base/log.h"
#include "mailauth/auth_results.h"
#include "smtp/server/commands/commands.h"

namespace postamt::smtp::server::commands {
namespace {

namespace code = proto::code;
using proto::make_reply;
constexpr std::string_view kLog = "smtpd";

}  // namespace

net::awaitable<std::optional<Reply>> authenticate_message(Session& session, std::string& message) {
  detail::MailTransaction& t = *session.transaction_;
  // RFC 5322 §2.2.3: a folded line continues a field; as the first line it continues
  // nothing, and whatever we put above it would swallow it (our own Authentication-Results
  // field would end in the sender's text).
  if (!message.empty() && (message.front() == ' ' || message.front() == '\t')) {
    log::message(log::Level::info, kLog, t.queue_id, "reject: header begins with a folded line");
    co_return make_reply(550, proto::EnhancedCode{5, 6, 0},
                         "Message header begins with a folded line (RFC 5322 section 2.2.3)");
  }
  const mailauth::Checker* checker = session.services_.mail_auth;
  const std::string& hostname = session.options_.hostname;
  const bool outside =
      session.options_.mode == Mode::mx && !session.user_ && !session.from_trusted_network();
  // Mail from outside that an alias forwards to a remote address must not leave with our
  // DKIM signature (queue/worker.h).
  t.delivery->set_relayed(outside);
  // RFC 8601 §5: a field naming us that we did not write must not reach a reader (or our
  // receipt engine, which trusts it: docs/read-receipts.md). DKIM is verified on the
  // message as it came, so the checks run before the removal.
  mailauth::Decision decision;
  if (checker && outside) {
    mailauth::Inbound inbound{session.connection_->remote().address, *session.helo_, t.sender,
                              message};
    // `inbound` points into this frame and `message`, which outlive the call.
    auto check = session.services_.runtime->run_blocking(
        [checker, &inbound] { return checker->check(inbound); });
    decision = co_await std::move(check);
    log::message(log::Level::info, kLog, t.queue_id, "{}", decision.summary);
  }
  const size_t removed = mailauth::remove_forged(message, hostname);
  if (removed > 0)
    log::message(log::Level::info, kLog, t.queue_id,
                 "removed {} Authentication-Results field(s) naming {}", removed, hostname);
  switch (decision.action) {
    case mailauth::Action::reject:
      log::message(log::Level::info, kLog, t.queue_id, "reject: {}", decision.reason);
      co_return make_reply(550, code::kPolicyRejected, decision.reason);
    case mailauth::Action::defer:
      log::message(log::Level::info, kLog, t.queue_id, "defer: {}", decision.reason);
      co_return make_reply(451, proto::EnhancedCode{4, 7, 1}, decision.reason);
    case mailauth::Action::quarantine:
      t.delivery->set_quarantine(true);
      break;
    case mailauth::Action::accept:
      break;
  }
  message.insert(0, decision.header);
  co_return std::nullopt;
}

}  // namespace postamt::smtp::server::commands
