#include <fmt/format.h>

#include "base/strings.h"
#include "mail/domains.h"
#include "mail/quota.h"
#include "smtp/server/commands/commands.h"

namespace postamt::smtp::server::commands {
namespace {

namespace code = proto::code;
using proto::make_reply;

// The one mapping from the errors of a recipient lookup to SMTP replies.
Reply recipient_error_reply(const Error& error, std::string_view address) {
  switch (error.kind) {
    case ErrorKind::not_found:
      return make_reply(550, code::kMailboxUnknown,
                        fmt::format("<{}>: Recipient address rejected: User unknown", address));
    case ErrorKind::limit:
      return make_reply(452, code::kTempTooManyRecipients, "Too many recipients");
    case ErrorKind::invalid:
      return make_reply(
          553, code::kBadRecipientSyntax,
          fmt::format("<{}>: Recipient address rejected: {}", address, error.message));
    case ErrorKind::permission:
      // A local alias forwards elsewhere, but this session has nothing to carry it there.
      return make_reply(451, code::kTempSystem, "outbound queue unavailable");
    default:
      return make_reply(451, code::kTempSystem, "Temporary lookup failure, please try again later");
  }
}

std::optional<delivery::Notify> notify_of(const std::optional<proto::Notify>& notify) {
  if (!notify) return std::nullopt;  // RFC 3461 §4.1 default: failure and delay
  return delivery::Notify{notify->never, notify->success, notify->failure, notify->delay};
}

// Room for the message in every local account `address` reaches (mail/quota.h), with
// the SIZE the client declared (0: none): a mailbox that is full now is 452 4.2.2, one
// whose quota the message can never fit is 552 5.2.2; a reply with code 0 otherwise.
Result<Reply> quota_reply(store::Store& store, const std::string& address, uint64_t size) {
  auto recipients = store.resolve(address);
  if (!recipients) return Reply{};  // the lookup that follows reports it
  for (const store::Recipient& r : *recipients) {
    if (r.kind != store::RecipientKind::local) continue;
    auto room = mail::room_for(store, r.account, size);
    if (!room) return room.error();
    if (*room == mail::QuotaRoom::too_large)
      return make_reply(552, code::kMailboxFull,
                        fmt::format("<{}>: Recipient address rejected: message larger than "
                                    "the mailbox quota",
                                    address));
    if (*room == mail::QuotaRoom::full)
      return make_reply(452, code::kTempMailboxFull,
                        fmt::format("<{}>: Mailbox full, try again later", address));
  }
  return Reply{};
}

// The address a forward path names: as given, or for the bare "<postmaster>" (RFC 5321
// §4.1.1.3, §4.5.1) the postmaster of the primary domain (mail/domains.h).
Result<std::string> recipient_address(store::Store& store, const proto::Mailbox& path,
                                      const std::string& hostname) {
  if (!path.domain.empty()) return path.to_string();
  auto domain = mail::primary_domain(store, hostname);
  if (!domain) return domain.error();
  return "postmaster@" + *domain;
}

}  // namespace

net::awaitable<Next> rcpt(Session& session, proto::Rcpt command) {
  detail::MailTransaction& t = *session.transaction_;
  Reply refusal;
  if (t.bdat_started)
    refusal = make_reply(503, code::kBadCommand, "RCPT after BDAT");
  else if (t.recipients.size() >= session.options_.limits.max_recipients)
    refusal = make_reply(452, code::kTempTooManyRecipients, "Too many recipients");
  if (refusal.code != 0) {
    if (refusal.code != 503)
      session.log_reject("RCPT", refusal, t.sender, command.forward_path.to_string());
    auto answered = session.answer(std::move(refusal));
    co_return co_await std::move(answered);
  }
  store::Store* store = session.services_.delivery.store;
  const std::string hostname = session.options_.hostname;
  proto::Mailbox path = command.forward_path;
  auto resolve = session.services_.runtime->run_blocking(
      [store, path, hostname] { return recipient_address(*store, path, hostname); });
  auto resolved = co_await std::move(resolve);
  std::string address = resolved ? *resolved : command.forward_path.to_string();
  Reply reply;
  if (!resolved) {
    reply = recipient_error_reply(resolved.error(), address);  // no local domain at all
  } else {
    std::string domain = ascii_lower(address.substr(address.rfind('@') + 1));
    auto check = session.services_.runtime->run_blocking(
        [store, domain]() -> Result<bool> { return store->domain_exists(domain); });
    auto local = co_await std::move(check);
    if (!local) {
      reply = recipient_error_reply(local.error(), address);
    } else if (!*local && !session.user_) {
      reply = make_reply(554, code::kPolicyRejected,
                         fmt::format("<{}>: Relay access denied: {} is not a domain of this "
                                     "server; authenticate to send to other domains",
                                     address, domain));
    } else if (!*local && !t.delivery->can_relay()) {
      reply = make_reply(451, code::kTempSystem, "outbound queue unavailable");
    }
  }
  if (reply.code == 0) {
    const uint64_t size = t.params.size.value_or(0);
    auto check = session.services_.runtime->run_blocking(
        [store, address, size] { return quota_reply(*store, address, size); });
    auto checked = co_await std::move(check);
    if (!checked)
      reply = recipient_error_reply(checked.error(), address);
    else
      reply = std::move(*checked);
  }
  if (reply.code == 0) {
    delivery::RecipientOptions options;
    if (command.params.orcpt)
      options.orcpt = delivery::OriginalRecipient{command.params.orcpt->addr_type,
                                                  command.params.orcpt->address};
    if (auto notify = notify_of(command.params.notify)) options.notify = *notify;
    delivery::Transaction* tx = t.delivery.get();
    auto add = session.services_.runtime->run_blocking(
        [tx, address, options]() { return tx->add_recipient(address, options); });
    auto added = co_await std::move(add);
    if (!added) reply = recipient_error_reply(added.error(), address);
  }
  if (reply.code != 0) {
    session.log_reject("RCPT", reply, t.sender, address);
    auto answered = session.answer(std::move(reply));
    co_return co_await std::move(answered);
  }
  t.recipients.push_back(std::move(address));
  auto answered = session.answer(make_reply(250, code::kRecipientOk, "Ok"));
  co_return co_await std::move(answered);
}

}  // namespace postamt::smtp::server::commands
