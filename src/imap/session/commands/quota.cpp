#include <cstdint>

#include "base/log.h"
#include "imap/session/commands/commands.h"
#include "imap/session/commands/common.h"
#include "imap/session/error_codes.h"
#include "mail/mailboxes.h"

namespace postamt::imap::commands {
namespace {

// The account's one quota root (RFC 9208 §3: the server names its roots). Every mailbox
// of the account is under it: the limits count all of them together.
constexpr std::string_view kRoot = "";

// Another account's root, for a quota administrator.
constexpr std::string_view kUserRootPrefix = "#user/";

// The QUOTA response for `root`: the resources that have a limit, STORAGE in units of
// 1024 octets (RFC 9208 §5.1, usage rounded up, limit down); nullopt when none has one
// (then the account has no quota root).
std::optional<proto::QuotaData> quota_data(const store::QuotaState& state,
                                           std::string_view root = kRoot) {
  proto::QuotaData data{std::string(root), {}};
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

Reply no_such_root() {
  return Reply::no(proto::ResponseCode::simple(proto::ResponseCode::Kind::nonexistent),
                   "No such quota root");
}

// The account `root` names: the session's own for "", any account for "#user/<address>"
// when the session is a quota administrator; nullopt otherwise.
Result<std::optional<store::Account>> root_account(CommandContext& ctx, std::string_view root) {
  if (root == kRoot) return std::optional<store::Account>(ctx.account);
  if (!ctx.quota_admin || !root.starts_with(kUserRootPrefix)) return std::nullopt;
  auto account = ctx.store.find_account(root.substr(kUserRootPrefix.size()));
  if (!account) {
    if (account.error().kind == ErrorKind::not_found) return std::nullopt;
    return account.error();
  }
  return std::optional<store::Account>(std::move(*account));
}

// RFC 9208 §4.2: the root's resources; any other root is unknown.
Reply get_quota(CommandContext& ctx, const proto::GetQuotaCmd& cmd) {
  auto account = root_account(ctx, cmd.root);
  if (!account) return reply_for(account.error());
  if (!*account) return no_such_root();
  auto state = ctx.store.quota((*account)->id);
  if (!state) return reply_for(state.error());
  auto data = quota_data(*state, cmd.root);
  if (!data) return no_such_root();
  Reply reply = Reply::ok("GETQUOTA completed");
  reply.untagged.emplace_back(std::move(*data));
  return reply;
}

// RFC 9208 §4.1.3: the named limits replace all earlier ones; a resource left out has
// none. STORAGE is in units of 1024 octets. Postamt's 0 means "no limit", so a limit of
// 0 cannot be set (NO); the other resources (MAILBOX, ANNOTATION-STORAGE) are not kept.
Reply set_quota(CommandContext& ctx, const proto::SetQuotaCmd& cmd) {
  if (!ctx.quota_admin)
    return Reply::no(proto::ResponseCode::simple(proto::ResponseCode::Kind::no_perm),
                     "Only quota administrators may change quotas");
  auto account = root_account(ctx, cmd.root);
  if (!account) return reply_for(account.error());
  if (!*account) return no_such_root();
  store::QuotaSetting setting{0, 0};
  for (const auto& [name, limit] : cmd.limits) {
    if (name != "STORAGE" && name != "MESSAGE")
      return Reply::no(proto::ResponseCode::simple(proto::ResponseCode::Kind::cannot),
                       "Resource " + name.substr(0, kMaxQuotedWord) + " cannot be limited");
    if (limit == 0)
      return Reply::no(proto::ResponseCode::simple(proto::ResponseCode::Kind::cannot),
                       "A limit of 0 cannot be set; leave the resource out for no limit");
    if (name == "STORAGE") {
      if (limit > UINT64_MAX / 1024)
        return Reply::no(proto::ResponseCode::simple(proto::ResponseCode::Kind::limit),
                         "STORAGE limit too large");
      setting.storage = limit * 1024;
    } else {
      setting.messages = limit;
    }
  }
  if (auto set = ctx.store.set_quota((*account)->address, setting); !set)
    return reply_for(set.error());
  log::info("imap", "quota of {} set by {}: storage={} messages={}", (*account)->address,
            ctx.account.address, *setting.storage, *setting.messages);
  auto state = ctx.store.quota((*account)->id);
  if (!state) return reply_for(state.error());
  Reply reply = Reply::ok("SETQUOTA completed");
  if (auto data = quota_data(*state, cmd.root)) reply.untagged.emplace_back(std::move(*data));
  return reply;
}

}  // namespace postamt::imap::commands
