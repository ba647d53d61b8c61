#include "mail/changes.h"

#include <algorithm>

namespace postamt::mail {

Result<std::optional<store::MailboxChanges>> ChangeCursor::poll(store::Store& store) {
  auto version = store.data_version();
  POSTAMT_TRY(version);
  if (data_version_ && *data_version_ == *version) return std::optional<store::MailboxChanges>();
  auto changes = store.changes_since(mailbox_, known_modseq_);
  POSTAMT_TRY(changes);
  known_modseq_ = std::max(known_modseq_, changes->highest_modseq);
  data_version_ = *version;
  return std::optional<store::MailboxChanges>(std::move(*changes));
}

}  // namespace postamt::mail
