#include "jmap/engine/account_changes.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "base/log.h"
#include "jmap/engine/arguments.h"
#include "model/object_ids.h"

namespace postamt::jmap {
namespace {

void note(std::map<std::string, ModSeq>& into, const std::string& id, ModSeq modseq) {
  auto [it, inserted] = into.try_emplace(id, modseq);
  if (!inserted) it->second = std::max(it->second, modseq);
}

std::vector<Change> as_list(const std::map<std::string, ModSeq>& m) {
  std::vector<Change> out;
  for (const auto& [id, modseq] : m) out.push_back({id, modseq});
  return out;
}

}  // namespace

AccountDelta account_delta(CallContext& context, ModSeq since) {
  auto changes = context.store().account_changes(context.account().id, since);
  if (!changes) {
    log::warning("jmap", "cannot read the changes of <{}>: {}", context.account().address,
                 changes.error().message);
    fail_store(changes.error(), "the mailbox store could not be read");
  }
  // The view must be at least as new as the changes, so that an Email they name is in it
  // unless it was removed since.
  context.invalidate();
  const AccountView& view = context.view();
  AccountDelta delta;
  delta.now = changes->highest_modseq;
  delta.history_start = changes->history_start;

  // Mailboxes (RFC 8621 §2.2): created after `since`, else updated (own properties or
  // counts), and the deleted ones.
  std::map<std::string, ModSeq> created, updated, destroyed;
  for (const store::Mailbox& m : changes->mailboxes) {
    std::string id = AccountView::mailbox_id(m);
    if (m.created_modseq > since) {
      note(created, id, m.created_modseq);
    } else {
      if (m.modseq > since) delta.mailbox_counts_only = false;
      note(updated, id, std::max(m.modseq, m.highest_modseq));
    }
  }
  for (const store::MailboxTombstone& t : changes->deleted_mailboxes)
    note(destroyed, mailbox_object_id(t.uid_validity), t.modseq);
  delta.mailboxes = {as_list(created), as_list(updated), as_list(destroyed)};

  // Emails (RFC 8621 §4.3) and their threads (§3.2). An Email is new when none of its
  // copies existed at `since`; it is gone when no copy is left.
  std::map<std::string, ModSeq> e_created, e_updated, e_destroyed;
  std::map<std::string, ModSeq> t_created, t_updated, t_destroyed;
  std::set<std::string> expunged_ids;
  for (const store::AccountExpunge& x : changes->expunged)
    expunged_ids.insert(email_object_id(x.blob));
  auto note_thread = [&](uint64_t thread, ModSeq modseq) {
    std::string id = thread_object_id(thread);
    bool exists = !view.thread(thread).empty();
    if (!exists)
      note(t_destroyed, id, modseq);
    else if (thread > since)  // a thread is named by the modseq of its first message
      note(t_created, id, modseq);
    else
      note(t_updated, id, modseq);
  };
  for (const store::AccountMessage& m : changes->messages) {
    std::string id = email_object_id(m.record.blob);
    const EmailEntry* email = view.email(id);
    if (!email) continue;  // removed again since: the expunge below reports it
    bool is_new = !expunged_ids.contains(id);
    for (const EmailCopy& c : email->copies)
      if (c.record->created_modseq <= since) is_new = false;
    note(is_new ? e_created : e_updated, id, m.record.modseq);
    if (m.record.thread) note_thread(*m.record.thread, m.record.modseq);
  }
  for (const store::AccountExpunge& x : changes->expunged) {
    std::string id = email_object_id(x.blob);
    if (view.email(id)) {
      if (!e_created.contains(id)) note(e_updated, id, x.modseq);
    } else {
      note(e_destroyed, id, x.modseq);
    }
    if (x.thread) note_thread(*x.thread, x.modseq);
  }
  for (const auto& [id, modseq] : e_created) e_updated.erase(id);
  for (const auto& [id, modseq] : t_created) t_updated.erase(id);
  for (const auto& [id, modseq] : t_destroyed) {
    t_created.erase(id);
    t_updated.erase(id);
  }
  delta.emails = {as_list(e_created), as_list(e_updated), as_list(e_destroyed)};
  delta.threads = {as_list(t_created), as_list(t_updated), as_list(t_destroyed)};
  return delta;
}

}  // namespace postamt::jmap
