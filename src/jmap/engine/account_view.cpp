#include "jmap/engine/account_view.h"

#include <algorithm>

#include "model/object_ids.h"

namespace postamt::jmap {

const store::MessageRecord& EmailEntry::latest() const {
  const store::MessageRecord* best = copies.front().record;
  for (const EmailCopy& c : copies)
    if (c.record->modseq > best->modseq) best = c.record;
  return *best;
}

ModSeq EmailEntry::modseq() const {
  ModSeq m = 0;
  for (const EmailCopy& c : copies) m = std::max(m, c.record->modseq);
  return m;
}

Result<AccountView> AccountView::load(store::Store& store, AccountId account) {
  AccountView view;
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto modseq = store.account_modseq(account);
    if (!modseq) return modseq.error();
    auto boxes = store.list_mailboxes(account);
    if (!boxes) return boxes.error();
    view.modseq_ = *modseq;
    view.mailboxes_ = std::move(*boxes);
    view.messages_.clear();
    bool unthreaded = false;
    for (const store::Mailbox& box : view.mailboxes_) {
      auto messages = store.list_messages(box.id);
      if (!messages) return messages.error();
      for (const store::MessageRecord& m : *messages)
        if (!m.thread) unthreaded = true;
      view.messages_.push_back(std::move(*messages));
    }
    if (!unthreaded || attempt == 1) break;
    // RFC 8621 §3: every Email is in a thread; mail stored before the store kept threads
    // is put in one now, once.
    auto assigned = store.assign_missing_threads(account);
    if (!assigned) return assigned.error();
  }
  view.index();
  return view;
}

void AccountView::index() {
  emails_.clear();
  email_index_.clear();
  threads_.clear();
  for (size_t b = 0; b < mailboxes_.size(); ++b) {
    for (const store::MessageRecord& m : messages_[b]) {
      std::string id = email_object_id(m.blob);
      auto [it, inserted] = email_index_.try_emplace(id, emails_.size());
      if (inserted) emails_.push_back(EmailEntry{std::move(id), {}});
      emails_[it->second].copies.push_back({&mailboxes_[b], &m});
    }
  }
  for (EmailEntry& e : emails_) {
    e.received_at_ = e.first().internal_date.time_since_epoch().count();
    for (const EmailCopy& c : e.copies)
      e.received_at_ =
          std::min<int64_t>(e.received_at_, c.record->internal_date.time_since_epoch().count());
    e.thread_ = e.first().thread.value_or(0);
  }
  // Oldest first, so that every listing without an explicit sort is stable.
  std::vector<size_t> order(emails_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    int64_t ra = emails_[a].received_at(), rb = emails_[b].received_at();
    if (ra != rb) return ra < rb;
    return emails_[a].id < emails_[b].id;
  });
  std::vector<EmailEntry> sorted;
  sorted.reserve(emails_.size());
  for (size_t i : order) sorted.push_back(std::move(emails_[i]));
  emails_ = std::move(sorted);
  for (size_t i = 0; i < emails_.size(); ++i) {
    email_index_[emails_[i].id] = i;
    threads_[emails_[i].thread()].push_back(i);
  }
}

const store::Mailbox* AccountView::mailbox(std::string_view jmap_id) const {
  for (const store::Mailbox& b : mailboxes_)
    if (mailbox_id(b) == jmap_id) return &b;
  return nullptr;
}

const store::Mailbox* AccountView::mailbox_named(std::string_view name) const {
  for (const store::Mailbox& b : mailboxes_)
    if (b.name == name) return &b;
  return nullptr;
}

std::string AccountView::mailbox_id(const store::Mailbox& mailbox) {
  return mailbox_object_id(mailbox.uid_validity);
}

const std::vector<store::MessageRecord>& AccountView::messages(
    const store::Mailbox& mailbox) const {
  return messages_[static_cast<size_t>(&mailbox - mailboxes_.data())];
}

const EmailEntry* AccountView::email(std::string_view id) const {
  auto it = email_index_.find(std::string(id));
  return it == email_index_.end() ? nullptr : &emails_[it->second];
}

std::vector<const EmailEntry*> AccountView::thread(uint64_t thread) const {
  std::vector<const EmailEntry*> out;
  auto it = threads_.find(thread);
  if (it == threads_.end()) return out;
  for (size_t i : it->second) out.push_back(&emails_[i]);
  return out;
}

}  // namespace postamt::jmap
