#include "jmap/engine/state_changes.h"

#include "jmap/engine/standard.h"

namespace postamt::jmap {

Result<Moved> read_moved(store::Store& store, AccountId account, ModSeq since) {
  auto now = store.account_modseq(account);
  if (!now) return now.error();
  Moved moved;
  moved.modseq = *now;
  if (*now == since) return moved;
  auto changes = store.account_changes(account, since);
  if (!changes) return changes.error();
  moved.modseq = changes->highest_modseq;
  moved.emails = !changes->messages.empty() || !changes->expunged.empty();
  moved.mailboxes = !changes->mailboxes.empty() || !changes->deleted_mailboxes.empty();
  for (const store::AccountMessage& m : changes->messages)
    if (m.record.created_modseq > since) moved.delivered = true;
  moved.threads = moved.delivered || !changes->expunged.empty();
  return moved;
}

std::vector<std::pair<std::string, std::string>> changed_types(
    const Moved& moved, const std::function<bool(std::string_view)>& wanted) {
  std::vector<std::pair<std::string, std::string>> states;
  const std::string state = state_string(moved.modseq);
  auto add = [&](std::string_view type, bool changed) {
    if (changed && wanted(type)) states.emplace_back(type, state);
  };
  add("Mailbox", moved.mailboxes);
  add("Email", moved.emails);
  add("Thread", moved.threads);
  add("EmailDelivery", moved.delivered);
  return states;
}

}  // namespace postamt::jmap
