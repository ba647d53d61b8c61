#include <algorithm>
#include <string>
#include <vector>

#include "imap/session/commands/commands.h"
#include "imap/session/commands/common.h"
#include "imap/session/commands/qresync.h"
#include "imap/session/error_codes.h"
#include "mail/mailboxes.h"
#include "model/mailbox_role.h"
#include "model/object_ids.h"

namespace postamt::imap::commands {

using proto::ResponseCode;
using Kind = proto::ResponseCode::Kind;

namespace {

proto::StatusResponse untagged_ok(ResponseCode code, std::string text) {
  return proto::StatusResponse{"", proto::Condition::ok, std::move(code), std::move(text)};
}

// RFC 7162 §3.2.5.1: the removals (VANISHED (EARLIER)) and then the flag changes (FETCH
// with UID and MODSEQ) after the client's modseq, limited to its known uids (all uids
// below UIDNEXT when it gave none); the removals also to the uids its sequence match data
// does not vouch for (§3.2.5.2).
Result<std::vector<proto::Response>> resync(CommandContext& ctx, const SelectedMailbox& selected,
                                            const proto::QresyncParams& params, Uid uid_next) {
  std::vector<proto::Response> out;
  Uid largest = uid_next - 1;
  if (largest == 0) return out;  // never had a message
  proto::SequenceSet known =
      params.known_uids ? *params.known_uids : proto::SequenceSet({{1, largest}});
  auto wanted = known.resolve(largest);
  auto vanished = vanished_earlier(ctx.store, selected, params.mod_seq, wanted,
                                   first_unmatched_uid(selected, params));
  if (!vanished) return vanished.error();
  if (*vanished) out.emplace_back(std::move(**vanished));
  for (auto& r : changed_since(selected, params.mod_seq, wanted)) out.push_back(std::move(r));
  return out;
}

}  // namespace

Reply select(CommandContext& ctx, const proto::SelectCmd& cmd) {
  // RFC 3501 §6.3.1: a SELECT, even a failing one, first leaves the selected state. A
  // server that offers CONDSTORE or QRESYNC says so with CLOSED whatever the client
  // enabled (RFC 7162 §3.2.11; RFC 9051 §7.1 the same for IMAP4rev2).
  Reply reply;
  if (ctx.selected)
    reply.untagged.emplace_back(
        untagged_ok(ResponseCode::simple(Kind::closed), "Previous mailbox is now closed"));
  ctx.selected.reset();
  // RFC 7162 §3.2.5: the QRESYNC parameter without ENABLE QRESYNC is BAD (and the session
  // is left unselected, as for any failed SELECT).
  if (cmd.qresync && !ctx.enabled.qresync) {
    Reply bad = Reply::bad("QRESYNC is not enabled");
    bad.untagged = std::move(reply.untagged);
    return bad;
  }
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

  std::vector<std::string> flags = SelectedMailbox::flag_list(*known);

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
  // RFC 3501 §2.3.2: \Recent for IMAP4rev1 only. A read-write session claims the
  // unclaimed messages (no write when there are none); EXAMINE sees them without taking them.
  std::vector<Uid> recent;
  if (!ctx.enabled.imap4rev2) {
    Uid last = messages->empty() ? 0 : messages->back().uid;
    Uid first = mailbox->first_recent_uid;
    if (access == Access::read_write && first <= last) {
      auto claimed = ctx.store.claim_recent(mailbox->id, last);
      if (!claimed) return reply_for(claimed.error());
      first = *claimed;
    }
    for (const auto& m : *messages)
      if (m.uid >= first) recent.push_back(m.uid);
  }
  std::optional<uint32_t> first_unseen;
  for (size_t i = 0; i < messages->size() && !first_unseen; ++i)
    if (!(*messages)[i].flags.has(SystemFlag::seen)) first_unseen = static_cast<uint32_t>(i) + 1;
  reply.untagged.emplace_back(proto::ExistsData{static_cast<uint32_t>(messages->size())});
  // IMAP4rev2 dropped both RECENT and the UNSEEN code (RFC 9051 Appendix E); an
  // IMAP4rev1 client expects them (RFC 3501 §6.3.1).
  if (!ctx.enabled.imap4rev2) {
    reply.untagged.emplace_back(proto::RecentData{static_cast<uint32_t>(recent.size())});
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
  // RFC 8474 §4.2: every successful SELECT and EXAMINE names the mailbox's MAILBOXID.
  reply.untagged.emplace_back(untagged_ok(
      ResponseCode::with_words(Kind::mailbox_id, {mailbox_object_id(mailbox->uid_validity)}),
      "Mailbox id"));

  // RFC 7162 §3.1.8: SELECT (CONDSTORE) is a CONDSTORE enabling command.
  if (cmd.condstore == proto::Condstore::on) ctx.enabled.condstore = true;
  ctx.selected.emplace(mailbox->id, mailbox->uid_validity, access, std::move(*messages),
                       mailbox->highest_modseq);
  ctx.selected->set_keywords_told(std::move(*known));
  if (!ctx.enabled.imap4rev2) ctx.selected->track_recent(std::move(recent));
  // RFC 7162 §3.2.5: with a matching UIDVALIDITY, what the client missed since its modseq.
  if (cmd.qresync && cmd.qresync->uid_validity == mailbox->uid_validity) {
    auto missed = resync(ctx, *ctx.selected, *cmd.qresync, uid_next);
    if (!missed) {
      ctx.selected.reset();
      Reply failed = reply_for(missed.error());
      failed.untagged = std::move(reply.untagged);
      return failed;
    }
    for (auto& r : *missed) reply.untagged.push_back(std::move(r));
  }
  bool read_only = access == Access::read_only;
  reply.code = ResponseCode::simple(read_only ? Kind::read_only : Kind::read_write);
  reply.text = read_only ? "EXAMINE completed" : "SELECT completed";
  return reply;
}

}  // namespace postamt::imap::commands
