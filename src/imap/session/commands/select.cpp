#include <algorithm>
#include <string>
#include <vector>

#include "base/strings.h"
#include "imap/session/commands/commands.h"
#include "imap/session/commands/common.h"
#include "imap/session/error_codes.h"
#include "mail/mailboxes.h"
#include "model/mailbox_role.h"

namespace postamt::imap::commands {

using proto::ResponseCode;
using Kind = proto::ResponseCode::Kind;

namespace {

proto::StatusResponse untagged_ok(ResponseCode code, std::string text) {
  return proto::StatusResponse{"", proto::Condition::ok, std::move(code), std::move(text)};
}

}  // namespace

Reply select(CommandContext& ctx, const proto::SelectCmd& cmd) {
  // RFC 3501 §6.3.1: a SELECT, even a failing one, first leaves the selected state;
  // RFC 9051 §7.1 (CLOSED) says so to an IMAP4rev2 client.
  Reply reply;
  if (ctx.selected && ctx.enabled.imap4rev2)
    reply.untagged.emplace_back(
        untagged_ok(ResponseCode::simple(Kind::closed), "Previous mailbox is now closed"));
  ctx.selected.reset();
  auto name = mail::check_mailbox_name(cmd.mailbox);
  if (!name) return reply_for(name.error());
  auto mailbox = ctx.store.find_mailbox(ctx.account.id, *name);
  if (!mailbox) {
    Reply failed = reply_for(mailbox.error());
    failed.untagged = std::move(reply.untagged);
    return failed;
  }
  auto messages = ctx.store.list_messages(mailbox->id);
  if (!messages) return reply_for(messages.error());
  auto known = ctx.store.known_keywords(ctx.account.id);
  if (!known) return reply_for(known.error());

  std::vector<std::string> flags;
  for (auto name : flag_names(SystemFlags::from_bits(SystemFlags::kAllBits)))
    flags.emplace_back(name);
  // $MDNSent is always offered: clients look for it before sending a receipt (RFC 3503 §3.1).
  flags.emplace_back(kMdnSentKeyword);
  for (const auto& k : *known)
    if (!iequals(k, kMdnSentKeyword)) flags.push_back(k);

  // RFC 9051 §6.3.1: an IMAP4rev2 server names the mailbox in an untagged LIST.
  if (ctx.enabled.imap4rev2) {
    proto::ListData list;
    if (auto attribute = special_use(mailbox->role); !attribute.empty())
      list.attributes.emplace_back(attribute);
    list.delimiter = '/';
    list.mailbox = mailbox->name;
    reply.untagged.emplace_back(std::move(list));
  }
  reply.untagged.emplace_back(proto::FlagsData{flags});
  Access access = cmd.mode == proto::SelectMode::examine ? Access::read_only : Access::read_write;
  if (access == Access::read_write) {
    std::vector<std::string> permanent = flags;
    permanent.emplace_back("\\*");  // RFC 3501 §7.1: new keywords may be created
    reply.untagged.emplace_back(untagged_ok(
        ResponseCode::with_words(Kind::permanent_flags, std::move(permanent)), "Flags permitted"));
  } else {
    // RFC 3501 §6.3.2: nothing can be changed in an examined mailbox.
    reply.untagged.emplace_back(
        untagged_ok(ResponseCode::with_words(Kind::permanent_flags, {}), "Read-only mailbox"));
  }
  // The mailbox row was read before the listing: a message appended in between is in
  // the listing, so UIDNEXT and HIGHESTMODSEQ must cover it (RFC 9051 §2.3.1.1).
  Uid uid_next = mailbox->uid_next;
  ModSeq highest_modseq = mailbox->highest_modseq;
  for (const auto& m : *messages) {
    uid_next = std::max<Uid>(uid_next, m.uid + 1);
    highest_modseq = std::max(highest_modseq, m.modseq);
  }
  std::optional<uint32_t> first_unseen;
  for (size_t i = 0; i < messages->size() && !first_unseen; ++i)
    if (!(*messages)[i].flags.has(SystemFlag::seen)) first_unseen = static_cast<uint32_t>(i) + 1;
  reply.untagged.emplace_back(proto::ExistsData{static_cast<uint32_t>(messages->size())});
  // Postamt keeps no \Recent and IMAP4rev2 dropped both RECENT and the UNSEEN code
  // (RFC 9051 Appendix E); an IMAP4rev1 client still expects them (RFC 3501 §6.3.1).
  if (!ctx.enabled.imap4rev2) {
    reply.untagged.emplace_back(proto::RecentData{0});
    if (first_unseen)
      reply.untagged.emplace_back(untagged_ok(
          ResponseCode::with_number(Kind::unseen, *first_unseen), "First unseen message"));
  }
  reply.untagged.emplace_back(untagged_ok(
      ResponseCode::with_number(Kind::uid_validity, mailbox->uid_validity), "UIDs valid"));
  reply.untagged.emplace_back(
      untagged_ok(ResponseCode::with_number(Kind::uid_next, uid_next), "Predicted next UID"));
  // RFC 7162 §3.1.2.1: a server with per-message modseqs reports the highest one.
  reply.untagged.emplace_back(
      untagged_ok(ResponseCode::with_number(Kind::highest_mod_seq, highest_modseq), "Highest"));

  // RFC 7162 §3.1.8: SELECT (CONDSTORE) is a CONDSTORE enabling command.
  if (cmd.condstore == proto::Condstore::on) ctx.enabled.condstore = true;
  ctx.selected.emplace(mailbox->id, mailbox->uid_validity, access, std::move(*messages),
                       mailbox->highest_modseq);
  bool read_only = access == Access::read_only;
  reply.code = ResponseCode::simple(read_only ? Kind::read_only : Kind::read_write);
  reply.text = read_only ? "EXAMINE completed" : "SELECT completed";
  return reply;
}

}  // namespace postamt::imap::commands
