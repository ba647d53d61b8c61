#include "jmap/engine/view_cache.h"

namespace postamt::jmap {

Result<std::shared_ptr<const AccountView>> ViewCache::get(store::Store& store, AccountId account) {
  auto modseq = store.account_modseq(account);
  if (!modseq) return modseq.error();
  {
    std::lock_guard lock(mutex_);
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->account != account) continue;
      if (it->view->modseq() == *modseq) {
        entries_.splice(entries_.begin(), entries_, it);
        return it->view;
      }
      cached_messages_ -= it->messages;
      entries_.erase(it);
      break;
    }
  }
  // Loaded outside the lock: another request of another account need not wait.
  auto loaded = AccountView::load(store, account);
  if (!loaded) return loaded.error();
  auto view = std::make_shared<const AccountView>(std::move(*loaded));
  size_t messages = 0;
  for (const store::Mailbox& m : view->mailboxes()) messages += view->messages(m).size();
  std::lock_guard lock(mutex_);
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->account == account) {
      cached_messages_ -= it->messages;
      entries_.erase(it);
      break;
    }
  }
  entries_.push_front({account, view, messages});
  cached_messages_ += messages;
  while (cached_messages_ > max_messages_ && entries_.size() > 1) {
    cached_messages_ -= entries_.back().messages;
    entries_.pop_back();
  }
  if (cached_messages_ > max_messages_) {  // one account alone is over: keep nothing
    cached_messages_ = 0;
    entries_.clear();
  }
  return view;
}

}  // namespace postamt::jmap
