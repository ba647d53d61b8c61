#include "imap/session/commands/commands.h"
#include "imap/session/error_codes.h"
#include "mail/mailboxes.h"

namespace postamt::imap::commands {
namespace {

// The account's one quota root (RFC 9208 §3: the server names its roots). Every mailbox
// of the account is under it: the limits count all of them together.
constexpr std::string_view kRoot = "";

// The QUOTA response for the root: the resources that have a limit, STORAGE in units of
// 1024 octets (RFC 9208 §5.1, usage rounded up, limit down); nullopt when none has one
// (then the account has no quota root).
std::optional<proto::QuotaData> quota_data(const store::QuotaState& state) {
  proto::QuotaData data{std::string(kRoot), {}};
  if (state.limits.storage != 0)
    data.resources.push_back(
        {"STORAGE", (state.used.storage + 1023) / 1024, state.limits.storage / 1024});
  if (state.limits.messages != 0)
    data.resources.push_back({"MESSAGE", state.used.messages, state.limits.messages});
  if (data.resources.empty()) return std::nullopt;
  return data;
}

}  // namespace

// RFC 9208 §4.3: the mailbox's roots, and the QUOTA of each.
Reply get_quota_root(CommandContext& ctx, const proto::GetQuotaRootCmd& cmd) {
  auto name = mail::check_mailbox_name(cmd.mailbox);
  if (!name) return reply_for(name.error());
  auto mailbox = ctx.store.find_mailbox(ctx.account.id, *name);
  if (!mailbox) return reply_for(mailbox.error());
  auto state = ctx.store.quota(ctx.account.id);
  if (!state) return reply_for(state.error());
  auto data = quota_data(*state);
  Reply reply = Reply::ok("GETQUOTAROOT completed");
  proto::QuotaRootData roots{mailbox->name, {}};
  if (data) roots.roots.emplace_back(kRoot);
  reply.untagged.emplace_back(std::move(roots));
  if (data) reply.untagged.emplace_back(std::move(*data));
  return reply;
}

// RFC 9208 §4.2: the root's resources; any other root is unknown.
Reply get_quota(CommandContext& ctx, const proto::GetQuotaCmd& cmd) {
  auto state = ctx.store.quota(ctx.account.id);
  if (!state) return reply_for(state.error());
  auto data = quota_data(*state);
  if (cmd.root != kRoot || !data)
    return Reply::no(proto::ResponseCode::simple(proto::ResponseCode::Kind::nonexistent),
                     "No such quota root");
  Reply reply = Reply::ok("GETQUOTA completed");
  reply.untagged.emplace_back(std::move(*data));
  return reply;
}

}  // namespace postamt::imap::commands
