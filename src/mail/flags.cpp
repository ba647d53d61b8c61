#include "mail/flags.h"

#include <string>

namespace postamt::mail {

Result<void> check_keyword_count(const Keywords& keywords) {
  if (keywords.size() <= kMaxKeywordsPerMessage) return {};
  return Error{ErrorKind::limit, "A message may carry at most " +
                                     std::to_string(kMaxKeywordsPerMessage) + " keywords"};
}

Result<store::FlagUpdateResult> update_flags(
    store::Store& store, MailboxId mailbox,
    const std::vector<const store::MessageRecord*>& messages, const FlagUpdate& update) {
  std::vector<Uid> uids;
  uids.reserve(messages.size());
  for (const store::MessageRecord* message : messages) {
    if (update.operation == FlagOperation::add) {
      Keywords after = message->keywords;
      for (const auto& k : update.keywords.items()) after.add(k);
      POSTAMT_TRY(check_keyword_count(after));
    } else if (update.operation == FlagOperation::replace) {
      POSTAMT_TRY(check_keyword_count(update.keywords));
    }
    uids.push_back(message->uid);
  }
  if (uids.empty()) return store::FlagUpdateResult{};
  return store.update_flags(mailbox, uids, update);
}

Result<store::FlagUpdateResult> add_system_flags(store::Store& store, MailboxId mailbox,
                                                 const std::vector<Uid>& uids, SystemFlags flags) {
  if (uids.empty()) return store::FlagUpdateResult{};
  FlagUpdate update;
  update.operation = FlagOperation::add;
  update.flags = flags;
  return store.update_flags(mailbox, uids, update);
}

}  // namespace postamt::mail
