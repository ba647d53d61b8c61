// GETMETADATA and SETMETADATA (RFC 5464): annotations on the user's mailboxes and, as the
// user sees it, on the server.
#include <algorithm>

#include "base/strings.h"
#include "imap/session/commands/commands.h"
#include "imap/session/error_codes.h"
#include "mail/mailboxes.h"

namespace postamt::imap::commands {
namespace {

using proto::ResponseCode;
using Kind = proto::ResponseCode::Kind;

ResponseCode metadata_code(std::string word, uint64_t number = 0) {
  ResponseCode code = ResponseCode::with_words(Kind::metadata, {std::move(word)});
  code.number = number;
  return code;
}

// The scope of "" (the server, nullopt) or of a mailbox of the user; the refusal when
// the mailbox does not exist (§3.3: NO).
std::variant<std::optional<MailboxId>, Reply> scope_of(CommandContext& ctx,
                                                       const std::string& mailbox) {
  if (mailbox.empty()) return std::optional<MailboxId>{};
  auto name = mail::check_mailbox_name(mailbox);
  if (!name) return reply_for(name.error());
  auto found = ctx.store.find_mailbox(ctx.account.id, *name);
  if (!found) return reply_for(found.error());
  return std::optional<MailboxId>{found->id};
}

// An entry `below` `name` within `depth` (§4.2.2): "/a" with DEPTH 1 takes "/a/b", not
// "/a/b/c"; INFINITY takes both.
bool within(std::string_view name_key, std::string_view entry_key, proto::MetadataDepth depth) {
  if (depth == proto::MetadataDepth::zero || !entry_key.starts_with(name_key) ||
      entry_key.size() <= name_key.size() + 1 || entry_key[name_key.size()] != '/')
    return false;
  if (depth == proto::MetadataDepth::infinity) return true;
  return entry_key.find('/', name_key.size() + 1) == std::string_view::npos;
}

}  // namespace

Reply get_metadata(CommandContext& ctx, const proto::GetMetadataCmd& cmd) {
  auto scope = scope_of(ctx, cmd.mailbox);
  if (auto* refused = std::get_if<Reply>(&scope)) return std::move(*refused);
  auto entries = ctx.store.list_metadata(ctx.account.id, std::get<0>(scope));
  if (!entries) return reply_for(entries.error());
  proto::MetadataData data;
  data.mailbox = cmd.mailbox;
  uint64_t longest = 0;
  auto take = [&](const store::MetadataEntry& e) {
    // §4.2.1: values over MAXSIZE are left out and the longest reported.
    if (cmd.max_size && e.value.size() > *cmd.max_size) {
      longest = std::max<uint64_t>(longest, e.value.size());
      return;
    }
    data.entries.emplace_back(e.name, e.value);
  };
  for (const std::string& wanted : cmd.entries) {
    std::string key = ascii_lower(wanted);
    bool found = false;
    for (const store::MetadataEntry& e : *entries) {
      std::string entry_key = ascii_lower(e.name);
      if (entry_key == key) {
        found = true;
        take(e);
      } else if (within(key, entry_key, cmd.depth)) {
        take(e);
      }
    }
    if (!found) data.entries.emplace_back(wanted, std::nullopt);
  }
  Reply reply = Reply::ok("GETMETADATA completed");
  reply.untagged.emplace_back(std::move(data));
  if (longest) reply.code = metadata_code("LONGENTRIES", longest);
  return reply;
}

Reply set_metadata(CommandContext& ctx, const proto::SetMetadataCmd& cmd) {
  // §3.3: server annotations under /shared would be seen by every user; Postamt keeps
  // the server's shared entries read-only and offers each user private ones.
  if (cmd.mailbox.empty())
    for (const auto& [name, value] : cmd.entries)
      if (ascii_lower(name).starts_with("/shared/"))
        return Reply::no(std::nullopt, "Shared server annotations are read-only");
  for (const auto& [name, value] : cmd.entries)
    if (value && value->size() > kMaxMetadataValue)
      return Reply::no(metadata_code("MAXSIZE", kMaxMetadataValue), "Annotation value too large");
  auto scope = scope_of(ctx, cmd.mailbox);
  if (auto* refused = std::get_if<Reply>(&scope)) return std::move(*refused);
  std::vector<store::MetadataChange> changes;
  for (const auto& [name, value] : cmd.entries) changes.push_back({name, value});
  auto set =
      ctx.store.set_metadata(ctx.account.id, std::get<0>(scope), changes, kMaxMetadataEntries);
  if (!set) {
    if (set.error().kind == ErrorKind::limit)
      return Reply::no(metadata_code("TOOMANY"), "Too many annotations");
    return reply_for(set.error());
  }
  return Reply::ok("SETMETADATA completed");
}

}  // namespace postamt::imap::commands
