#include "store/memory/memory_store.h"

#include <algorithm>

#include "base/strings.h"
#include "model/address.h"
#include "store/api/rules.h"

namespace postamt::store {

using Lock = std::lock_guard<std::mutex>;

namespace {

// RFC 8514 §3: a message's save date is when it entered its mailbox.
InternalDate save_date_now() {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

}  // namespace

// ---- domains ----

Result<void> MemoryStore::add_domain(std::string_view domain) {
  auto name = normalize_domain(domain);
  if (!name) return name.error();
  Lock lock(mutex_);
  if (!domains_.insert(*name).second) return errors::domain_exists(*name);
  ++data_version_;
  return {};
}

Result<void> MemoryStore::remove_domain(std::string_view domain) {
  auto name = normalize_domain(domain);
  if (!name) return name.error();
  Lock lock(mutex_);
  if (!domains_.count(*name)) return errors::domain_missing(*name);
  auto in_domain = [&](const std::string& key) {
    return key.size() > name->size() &&
           key.compare(key.size() - name->size(), name->size(), *name) == 0 &&
           key[key.size() - name->size() - 1] == '@';
  };
  int64_t accounts = 0, aliases = 0;
  for (const auto& [key, entry] : accounts_) accounts += in_domain(key);
  for (const auto& [key, alias] : aliases_) aliases += in_domain(key);
  if (accounts || aliases) return errors::domain_in_use(*name, accounts, aliases);
  policy_overrides_.erase(
      policy_overrides_.lower_bound({PolicyScope::domain, *name, ""}),
      policy_overrides_.upper_bound({PolicyScope::domain, *name, std::string(1, '\x7f')}));
  domains_.erase(*name);
  ++data_version_;
  return {};
}

Result<std::vector<std::string>> MemoryStore::list_domains() {
  Lock lock(mutex_);
  return std::vector<std::string>(domains_.begin(), domains_.end());
}

Result<bool> MemoryStore::domain_exists(std::string_view domain) {
  auto name = normalize_domain(domain);
  if (!name) return name.error();
  Lock lock(mutex_);
  return domains_.count(*name) > 0;
}

// ---- accounts ----

Result<AccountId> MemoryStore::create_account(std::string_view address,
                                              std::string_view password_hash) {
  auto parts = parse_address(address);
  if (!parts) return parts.error();
  std::string normal = parts->local_part + "@" + parts->domain;
  std::string key = *address_key(normal);
  Lock lock(mutex_);
  if (!domains_.count(parts->domain)) return errors::domain_missing(parts->domain);
  if (accounts_.count(key)) return errors::user_exists(normal);
  if (aliases_.count(key)) return errors::alias_exists(normal);
  AccountId id(next_account_id_++);
  accounts_[key] = AccountEntry{Account{id, normal}, std::string(password_hash), 0, {}};
  for (MailboxRole role : kDefaultRoles) {
    auto box =
        create_mailbox_locked(id, default_mailbox_name(role), role, Subscription::subscribed);
    if (!box) return box.error();
  }
  ++data_version_;
  return id;
}

Result<void> MemoryStore::remove_account(std::string_view address) {
  auto key = address_key(address);
  if (!key) return key.error();
  Lock lock(mutex_);
  auto it = accounts_.find(*key);
  if (it == accounts_.end()) return errors::user_missing(*normalize_address(address));
  AccountId id = it->second.account.id;
  std::erase_if(mailboxes_, [&](const auto& kv) { return kv.second.mailbox.account == id; });
  forget_account_receipts(id, *key);
  accounts_.erase(it);
  ++data_version_;
  return {};
}

Result<std::vector<Account>> MemoryStore::list_accounts() {
  Lock lock(mutex_);
  std::vector<Account> out;
  for (const auto& [key, entry] : accounts_) out.push_back(entry.account);
  return out;
}

Result<Account> MemoryStore::find_account(std::string_view address) {
  auto key = address_key(address);
  if (!key) return key.error();
  Lock lock(mutex_);
  auto it = accounts_.find(*key);
  if (it == accounts_.end()) return errors::user_missing(*normalize_address(address));
  return it->second.account;
}

Result<void> MemoryStore::set_password_hash(std::string_view address, std::string_view hash) {
  auto key = address_key(address);
  if (!key) return key.error();
  Lock lock(mutex_);
  auto it = accounts_.find(*key);
  if (it == accounts_.end()) return errors::user_missing(*normalize_address(address));
  it->second.password_hash = std::string(hash);
  // RFC 8620 §7.2: a new password revokes the old one and its push subscriptions.
  std::erase_if(it->second.push_subscriptions, [](const PushSubscription& s) {
    return s.credential.kind == CredentialKind::password;
  });
  ++data_version_;
  return {};
}

Result<void> MemoryStore::set_quota(std::string_view address, const QuotaSetting& setting) {
  auto key = address_key(address);
  if (!key) return key.error();
  Lock lock(mutex_);
  auto it = accounts_.find(*key);
  if (it == accounts_.end()) return errors::user_missing(*normalize_address(address));
  it->second.quota = setting;
  ++data_version_;
  return {};
}

QuotaState MemoryStore::quota_locked(const AccountEntry& account) {
  QuotaState state;
  state.setting = account.quota;
  state.limits = limits_of(account.quota);
  for (const auto& [id, box] : mailboxes_) {
    if (box.mailbox.account != account.account.id) continue;
    for (const auto& [uid, m] : box.messages) state.used.storage += m.size;
    state.used.messages += box.messages.size();
  }
  return state;
}

Result<QuotaState> MemoryStore::quota(AccountId account) {
  Lock lock(mutex_);
  AccountEntry* entry = account_by_id(account);
  if (!entry) return errors::account_id_missing(account);
  return quota_locked(*entry);
}

Result<void> MemoryStore::check_quota_locked(AccountId account, const QuotaLimits& adding) {
  AccountEntry* entry = account_by_id(account);
  if (!entry) return errors::account_id_missing(account);
  QuotaState state = quota_locked(*entry);
  return check_quota(entry->account.address, state.limits, state.used, adding);
}

Result<std::string> MemoryStore::password_hash(std::string_view address) {
  auto key = address_key(address);
  if (!key) return key.error();
  Lock lock(mutex_);
  auto it = accounts_.find(*key);
  if (it == accounts_.end()) return errors::user_missing(*normalize_address(address));
  return it->second.password_hash;
}

// ---- aliases ----

Result<void> MemoryStore::add_alias(std::string_view address,
                                    const std::vector<std::string>& targets) {
  auto parts = parse_address(address);
  if (!parts) return parts.error();
  std::string normal = parts->local_part + "@" + parts->domain;
  std::string key = *address_key(normal);
  Alias alias{normal, {}};
  std::set<std::string> target_keys;
  for (const std::string& t : targets) {
    auto n = normalize_address(t);
    if (!n) return n.error();
    if (target_keys.insert(*address_key(*n)).second) alias.targets.push_back(*n);
  }
  if (alias.targets.empty()) return errors::alias_without_targets(normal);
  Lock lock(mutex_);
  if (!domains_.count(parts->domain)) return errors::domain_missing(parts->domain);
  if (aliases_.count(key)) return errors::alias_exists(normal);
  if (accounts_.count(key)) return errors::user_exists(normal);
  aliases_[key] = std::move(alias);
  ++data_version_;
  return {};
}

Result<void> MemoryStore::remove_alias(std::string_view address) {
  auto key = address_key(address);
  if (!key) return key.error();
  Lock lock(mutex_);
  if (aliases_.erase(*key) == 0) return errors::alias_missing(*normalize_address(address));
  ++data_version_;
  return {};
}

Result<Alias> MemoryStore::find_alias(std::string_view address) {
  auto key = address_key(address);
  if (!key) return key.error();
  Lock lock(mutex_);
  auto it = aliases_.find(*key);
  if (it == aliases_.end()) return errors::alias_missing(*normalize_address(address));
  return it->second;
}

Result<std::vector<Alias>> MemoryStore::list_aliases() {
  Lock lock(mutex_);
  std::vector<Alias> out;
  for (const auto& [key, alias] : aliases_) out.push_back(alias);
  return out;
}

// ---- mailboxes ----

MemoryStore::AccountEntry* MemoryStore::account_by_id(AccountId id) {
  for (auto& [key, entry] : accounts_) {
    if (entry.account.id == id) return &entry;
  }
  return nullptr;
}

Result<MemoryStore::MailboxEntry*> MemoryStore::mailbox_entry(MailboxId id) {
  auto it = mailboxes_.find(id.value());
  if (it == mailboxes_.end()) return errors::mailbox_id_missing(id);
  return &it->second;
}

MemoryStore::MailboxEntry* MemoryStore::mailbox_by_key(AccountId account, std::string_view name) {
  for (auto& [id, entry] : mailboxes_) {
    if (entry.mailbox.account == account && entry.mailbox.name == name) return &entry;
  }
  return nullptr;
}

Result<std::vector<Mailbox>> MemoryStore::list_mailboxes(AccountId account) {
  Lock lock(mutex_);
  if (!account_by_id(account)) return errors::account_id_missing(account);
  std::vector<Mailbox> out;
  for (const auto& [id, entry] : mailboxes_) {
    if (entry.mailbox.account == account) out.push_back(entry.mailbox);
  }
  std::sort(out.begin(), out.end(),
            [](const Mailbox& a, const Mailbox& b) { return a.name < b.name; });
  return out;
}

Result<Mailbox> MemoryStore::find_mailbox(AccountId account, std::string_view name) {
  auto checked = check_mailbox_name(name);
  if (!checked) return errors::mailbox_missing(name);
  Lock lock(mutex_);
  MailboxEntry* entry = mailbox_by_key(account, *checked);
  if (!entry) return errors::mailbox_missing(*checked);
  return entry->mailbox;
}

Result<Mailbox> MemoryStore::find_mailbox_by_role(AccountId account, MailboxRole role) {
  Lock lock(mutex_);
  for (const auto& [id, entry] : mailboxes_) {
    if (entry.mailbox.account == account && entry.mailbox.role == role &&
        role != MailboxRole::none) {
      return entry.mailbox;
    }
  }
  return Error{ErrorKind::not_found, "no mailbox has role " + std::string(role_name(role))};
}

Result<Mailbox> MemoryStore::get_mailbox(MailboxId mailbox) {
  Lock lock(mutex_);
  auto entry = mailbox_entry(mailbox);
  if (!entry) return entry.error();
  return (*entry)->mailbox;
}

Result<Mailbox> MemoryStore::create_mailbox(AccountId account, std::string_view name,
                                            MailboxRole role) {
  Lock lock(mutex_);
  auto box = create_mailbox_locked(account, name, role, Subscription::unsubscribed);
  if (box) ++data_version_;
  return box;
}

Result<Mailbox> MemoryStore::create_mailbox_locked(AccountId account, std::string_view name,
                                                   MailboxRole role, Subscription subscription) {
  auto checked = check_mailbox_name(name);
  if (!checked) return checked.error();
  AccountEntry* owner = account_by_id(account);
  if (!owner) return errors::account_id_missing(account);
  if (mailbox_by_key(account, *checked)) return errors::mailbox_exists(*checked);
  if (role != MailboxRole::none) {
    for (const auto& [id, entry] : mailboxes_) {
      if (entry.mailbox.account == account && entry.mailbox.role == role) {
        return errors::role_taken(role);
      }
    }
  }
  Mailbox box;
  box.id = MailboxId(next_mailbox_id_++);
  box.account = account;
  box.name = *checked;
  box.role = role;
  if (subscription == Subscription::subscribed) owner->subscriptions.insert(*checked);
  // A subscription kept from a deleted mailbox of this name applies again.
  box.subscription =
      owner->subscriptions.count(*checked) ? Subscription::subscribed : Subscription::unsubscribed;
  box.uid_validity = next_uid_validity_++;
  box.highest_modseq = ++owner->modseq;
  box.modseq = box.highest_modseq;
  box.created_modseq = box.highest_modseq;
  mailboxes_[box.id.value()] = MailboxEntry{box, {}, {}};
  return box;
}

Result<void> MemoryStore::rename_mailbox(MailboxId mailbox, std::string_view new_name) {
  auto checked = check_mailbox_name(new_name);
  if (!checked) return checked.error();
  Lock lock(mutex_);
  auto entry = mailbox_entry(mailbox);
  if (!entry) return entry.error();
  Mailbox& box = (*entry)->mailbox;
  if (box.name == "INBOX") return errors::inbox_protected("renamed");
  if (*checked == box.name) return errors::mailbox_exists(*checked);
  if (is_same_or_below(*checked, box.name)) return errors::rename_below_itself(box.name);
  std::string old_name = box.name;
  std::vector<std::pair<MailboxEntry*, std::string>> renames;
  for (auto& [id, other] : mailboxes_) {
    if (other.mailbox.account != box.account || !is_same_or_below(other.mailbox.name, old_name)) {
      continue;
    }
    std::string target = *checked + other.mailbox.name.substr(old_name.size());
    auto target_name = check_mailbox_name(target);
    if (!target_name) return target_name.error();
    if (mailbox_by_key(box.account, *target_name)) return errors::mailbox_exists(*target_name);
    renames.emplace_back(&other, *target_name);
  }
  // RFC 8621 §2.2: a rename changes the name (and parentId) of every mailbox it moves.
  ModSeq modseq = ++account_by_id(box.account)->modseq;
  for (auto& [entry_ptr, target] : renames) {
    entry_ptr->mailbox.name = target;
    entry_ptr->mailbox.modseq = modseq;
  }
  // The subscriptions of the renamed names (and of names below, existing or not) go along.
  std::set<std::string>& subscriptions = account_by_id(box.account)->subscriptions;
  std::vector<std::string> moved;
  for (const auto& name : subscriptions)
    if (is_same_or_below(name, old_name)) moved.push_back(name);
  for (const auto& name : moved) {
    subscriptions.erase(name);
    if (auto target = check_mailbox_name(*checked + name.substr(old_name.size())))
      subscriptions.insert(*target);
  }
  for (auto& [entry_ptr, target] : renames)
    entry_ptr->mailbox.subscription =
        subscriptions.count(target) ? Subscription::subscribed : Subscription::unsubscribed;
  ++data_version_;
  return {};
}

Result<void> MemoryStore::delete_mailbox(MailboxId mailbox) {
  Lock lock(mutex_);
  auto entry = mailbox_entry(mailbox);
  if (!entry) return entry.error();
  if ((*entry)->mailbox.name == "INBOX") return errors::inbox_protected("deleted");
  if (AccountEntry* owner = account_by_id((*entry)->mailbox.account))
    std::erase_if(owner->metadata,
                  [&mailbox](const auto& kv) { return kv.first.first == mailbox.value(); });
  record_mailbox_deletion(**entry);
  mailboxes_.erase(mailbox.value());
  ++data_version_;
  return {};
}

Result<std::vector<MetadataEntry>> MemoryStore::list_metadata(AccountId account,
                                                              std::optional<MailboxId> mailbox) {
  Lock lock(mutex_);
  AccountEntry* owner = account_by_id(account);
  if (!owner) return errors::account_id_missing(account);
  int64_t scope = 0;
  if (mailbox) {
    auto entry = mailbox_entry(*mailbox);
    if (!entry) return entry.error();
    if ((*entry)->mailbox.account != account) return errors::mailbox_id_missing(*mailbox);
    scope = mailbox->value();
  }
  std::vector<MetadataEntry> out;
  for (const auto& [key, e] : owner->metadata)
    if (key.first == scope) out.push_back(e);
  return out;
}

Result<void> MemoryStore::set_metadata(AccountId account, std::optional<MailboxId> mailbox,
                                       const std::vector<MetadataChange>& changes,
                                       size_t max_entries) {
  Lock lock(mutex_);
  AccountEntry* owner = account_by_id(account);
  if (!owner) return errors::account_id_missing(account);
  MailboxEntry* box = nullptr;
  int64_t scope = 0;
  if (mailbox) {
    auto entry = mailbox_entry(*mailbox);
    if (!entry) return entry.error();
    if ((*entry)->mailbox.account != account) return errors::mailbox_id_missing(*mailbox);
    box = *entry;
    scope = mailbox->value();
  }
  auto next = owner->metadata;
  for (const MetadataChange& c : changes) {
    auto key = std::make_pair(scope, ascii_lower(c.name));
    if (!c.value) {
      next.erase(key);
      continue;
    }
    auto [it, added] = next.try_emplace(key, MetadataEntry{c.name, *c.value});
    if (!added) it->second.value = *c.value;
  }
  size_t count = 0;
  for (const auto& [key, e] : next) count += key.first == scope;
  if (count > max_entries) return errors::too_many_metadata(max_entries);
  owner->metadata = std::move(next);
  if (box) next_modseq(*box);
  ++data_version_;
  return {};
}

Result<Uid> MemoryStore::claim_recent(MailboxId mailbox, Uid last) {
  Lock lock(mutex_);
  auto entry = mailbox_entry(mailbox);
  if (!entry) return entry.error();
  Uid& first = (*entry)->mailbox.first_recent_uid;
  Uid before = first;
  if (before <= last) {
    first = last + 1;
    ++data_version_;
  }
  return before;
}

Result<void> MemoryStore::set_subscription(AccountId account, std::string_view name,
                                           Subscription subscription) {
  auto checked = check_mailbox_name(name);
  if (!checked) return checked.error();
  Lock lock(mutex_);
  AccountEntry* owner = account_by_id(account);
  if (!owner) return errors::account_id_missing(account);
  if ((owner->subscriptions.count(*checked) > 0) == (subscription == Subscription::subscribed))
    return {};
  if (subscription == Subscription::subscribed)
    owner->subscriptions.insert(*checked);
  else
    owner->subscriptions.erase(*checked);
  // RFC 8621 §2.2: isSubscribed is a property of the mailbox of that name.
  ModSeq modseq = ++owner->modseq;
  if (MailboxEntry* entry = mailbox_by_key(account, *checked)) {
    entry->mailbox.subscription = subscription;
    entry->mailbox.modseq = modseq;
  }
  ++data_version_;
  return {};
}

Result<std::vector<std::string>> MemoryStore::list_subscriptions(AccountId account) {
  Lock lock(mutex_);
  AccountEntry* owner = account_by_id(account);
  if (!owner) return errors::account_id_missing(account);
  return std::vector<std::string>(owner->subscriptions.begin(), owner->subscriptions.end());
}

// ---- messages ----

ModSeq MemoryStore::next_modseq(MailboxEntry& box) {
  AccountEntry* owner = account_by_id(box.mailbox.account);
  box.mailbox.highest_modseq = ++owner->modseq;
  return box.mailbox.highest_modseq;
}

Keywords MemoryStore::canonical_keywords(AccountId account, const Keywords& keywords) {
  AccountEntry* owner = account_by_id(account);
  Keywords out;
  for (const std::string& k : keywords.items()) {
    owner->known_keywords.add(k);
    out.add(*owner->known_keywords.find(k));
  }
  return out;
}

void MemoryStore::recount(MailboxEntry& box) {
  uint32_t unseen = 0;
  for (const auto& [uid, m] : box.messages) unseen += !m.flags.has(SystemFlag::seen);
  box.mailbox.messages = static_cast<uint32_t>(box.messages.size());
  box.mailbox.unseen = unseen;
}

Appended MemoryStore::add_message(MailboxEntry& box, MessageRecord record,
                                  const NewMessage& message) {
  record.keywords = canonical_keywords(box.mailbox.account, record.keywords);
  record.uid = box.mailbox.uid_next++;
  record.save_date = save_date_now();
  if (message.envelope_header || message.thread_refs)
    box.headers[record.uid] = StoredHeader{message.envelope_header, message.thread_refs};
  record.modseq = next_modseq(box);
  // The oldest thread a key of the message belongs to, else a new one named by its
  // modseq; the keys not yet linked join it (as SqlStore::thread_of does).
  auto& links = account_by_id(box.mailbox.account)->thread_links;
  std::vector<std::string> keys = thread_link_keys(message);
  uint64_t thread = record.modseq;
  for (const std::string& key : keys) {
    auto it = links.find(key);
    if (it != links.end()) thread = std::min(thread, it->second);
  }
  for (const std::string& key : keys) links.emplace(key, thread);
  record.thread = thread;
  record.created_modseq = record.modseq;
  Appended appended{box.mailbox.id, record.uid, record.modseq};
  box.messages[record.uid] = std::move(record);
  recount(box);
  return appended;
}

Result<Appended> MemoryStore::append(MailboxId mailbox, const NewMessage& message) {
  POSTAMT_TRY(check_keywords(message.keywords));
  Lock lock(mutex_);
  auto entry = mailbox_entry(mailbox);
  if (!entry) return entry.error();
  POSTAMT_TRY(check_quota_locked((*entry)->mailbox.account, QuotaLimits{message.size, 1}));
  MessageRecord record{0,
                       0,
                       message.flags,
                       message.keywords,
                       message.internal_date,
                       message.size,
                       message.blob,
                       message.message_id};
  Appended appended = add_message(**entry, std::move(record), message);
  ++data_version_;
  return appended;
}

Result<std::vector<Appended>> MemoryStore::append_all(MailboxId mailbox,
                                                      const std::vector<NewMessage>& messages) {
  for (const NewMessage& m : messages) POSTAMT_TRY(check_keywords(m.keywords));
  Lock lock(mutex_);
  auto entry = mailbox_entry(mailbox);
  if (!entry) return entry.error();
  QuotaLimits sum{0, 0};
  for (const NewMessage& m : messages) {
    sum.storage += m.size;
    sum.messages += 1;
  }
  POSTAMT_TRY(check_quota_locked((*entry)->mailbox.account, sum));
  std::vector<Appended> out;
  for (const NewMessage& m : messages) {
    MessageRecord record{0, 0, m.flags, m.keywords, m.internal_date, m.size, m.blob, m.message_id};
    out.push_back(add_message(**entry, std::move(record), m));
  }
  if (!out.empty()) ++data_version_;
  return out;
}

Result<std::vector<Appended>> MemoryStore::deliver(const NewMessage& message,
                                                   const std::vector<DeliveryTarget>& targets) {
  POSTAMT_TRY(check_keywords(message.keywords));
  for (const DeliveryTarget& t : targets) POSTAMT_TRY(check_keywords(t.keywords));
  Lock lock(mutex_);
  // All targets are checked before anything changes: all or nothing.
  std::map<int64_t, QuotaLimits> adding;  // by account
  for (const DeliveryTarget& t : targets) {
    auto entry = mailbox_entry(t.mailbox);
    if (!entry) return entry.error();
    QuotaLimits& sum = adding[(*entry)->mailbox.account.value()];
    sum.storage += message.size;
    sum.messages += 1;
  }
  for (const auto& [account, sum] : adding)
    POSTAMT_TRY(check_quota_locked(AccountId(account), sum));
  std::vector<Appended> out;
  for (const DeliveryTarget& t : targets) {
    Keywords keywords = message.keywords;
    for (const std::string& k : t.keywords.items()) keywords.add(k);
    MessageRecord record{0,
                         0,
                         message.flags | t.flags,
                         keywords,
                         message.internal_date,
                         message.size,
                         message.blob,
                         message.message_id};
    out.push_back(add_message(**mailbox_entry(t.mailbox), std::move(record), message));
  }
  ++data_version_;
  return out;
}

Result<std::vector<MessageRecord>> MemoryStore::list_messages(MailboxId mailbox) {
  Lock lock(mutex_);
  auto entry = mailbox_entry(mailbox);
  if (!entry) return entry.error();
  std::vector<MessageRecord> out;
  for (const auto& [uid, m] : (*entry)->messages) out.push_back(m);
  return out;
}

Result<MessageRecord> MemoryStore::get_message(MailboxId mailbox, Uid uid) {
  Lock lock(mutex_);
  auto entry = mailbox_entry(mailbox);
  if (!entry) return entry.error();
  auto it = (*entry)->messages.find(uid);
  if (it == (*entry)->messages.end()) return errors::message_missing(uid);
  return it->second;
}

FlagUpdateResult MemoryStore::update_flags_locked(MailboxEntry& box, const std::vector<Uid>& uids,
                                                  const FlagUpdate& update) {
  FlagUpdate canonical = update;
  // Removing compares case-insensitively and must not register new spellings.
  if (update.operation != FlagOperation::remove) {
    canonical.keywords = canonical_keywords(box.mailbox.account, update.keywords);
  }
  std::set<Uid> sorted(uids.begin(), uids.end());
  FlagUpdateResult result;
  ModSeq modseq = 0;
  for (Uid uid : sorted) {
    auto it = box.messages.find(uid);
    if (it == box.messages.end()) continue;
    MessageRecord& m = it->second;
    if (update.unchanged_since && m.modseq > *update.unchanged_since) {
      result.modified.push_back(uid);
      continue;
    }
    SystemFlags flags = m.flags;
    Keywords keywords = m.keywords;
    apply_flag_update(canonical, flags, keywords);
    if (flags == m.flags && keywords == m.keywords) continue;
    if (modseq == 0) modseq = next_modseq(box);
    m.flags = flags;
    m.keywords = std::move(keywords);
    m.modseq = modseq;
    result.changed.push_back(m);
  }
  if (modseq != 0) {
    recount(box);
    ++data_version_;
  }
  return result;
}

Result<FlagUpdateResult> MemoryStore::update_flags(MailboxId mailbox, const std::vector<Uid>& uids,
                                                   const FlagUpdate& update) {
  POSTAMT_TRY(check_keywords(update.keywords));
  Lock lock(mutex_);
  auto entry = mailbox_entry(mailbox);
  if (!entry) return entry.error();
  return update_flags_locked(**entry, uids, update);
}

std::vector<Expunged> MemoryStore::expunge_locked(MailboxEntry& box, const std::vector<Uid>& uids,
                                                  ExpungeScope scope) {
  std::set<Uid> sorted(uids.begin(), uids.end());
  std::vector<Expunged> out;
  ModSeq modseq = 0;
  for (Uid uid : sorted) {
    auto found = box.messages.find(uid);
    if (found == box.messages.end()) continue;
    if (scope == ExpungeScope::deleted_only && !found->second.flags.has(SystemFlag::deleted))
      continue;
    if (modseq == 0) modseq = next_modseq(box);
    record_removal(box, found->second, modseq);
    box.messages.erase(uid);
    box.headers.erase(uid);
    box.expunged[uid] = modseq;
    out.push_back(Expunged{uid, modseq});
  }
  recount(box);
  return out;
}

Result<std::vector<Expunged>> MemoryStore::expunge(MailboxId mailbox,
                                                   const std::vector<Uid>& uids) {
  Lock lock(mutex_);
  auto entry = mailbox_entry(mailbox);
  if (!entry) return entry.error();
  auto out = expunge_locked(**entry, uids);
  if (!out.empty()) ++data_version_;
  return out;
}

Result<std::vector<Expunged>> MemoryStore::expunge_deleted(MailboxId mailbox,
                                                           const std::vector<Uid>& uids) {
  Lock lock(mutex_);
  auto entry = mailbox_entry(mailbox);
  if (!entry) return entry.error();
  auto out = expunge_locked(**entry, uids, ExpungeScope::deleted_only);
  if (!out.empty()) ++data_version_;
  return out;
}

Result<CopyResult> MemoryStore::copy_locked(MailboxId source, const std::vector<Uid>& uids,
                                            MailboxId destination, bool check_quota) {
  auto from = mailbox_entry(source);
  if (!from) return from.error();
  auto to = mailbox_entry(destination);
  if (!to) return to.error();
  CopyResult result;
  result.destination_uid_validity = (*to)->mailbox.uid_validity;
  std::set<Uid> sorted(uids.begin(), uids.end());
  std::vector<MessageRecord> originals;
  for (Uid uid : sorted) {
    auto it = (*from)->messages.find(uid);
    if (it != (*from)->messages.end()) originals.push_back(it->second);
  }
  if (originals.empty()) return result;
  if (check_quota) {
    QuotaLimits adding{0, originals.size()};
    for (const MessageRecord& m : originals) adding.storage += m.size;
    POSTAMT_TRY(check_quota_locked((*to)->mailbox.account, adding));
  }
  // One modseq for the whole copy, like update_flags and expunge.
  ModSeq modseq = next_modseq(**to);
  for (MessageRecord record : originals) {
    Uid source_uid = record.uid;
    record.keywords = canonical_keywords((*to)->mailbox.account, record.keywords);
    record.uid = (*to)->mailbox.uid_next++;
    record.modseq = modseq;
    record.created_modseq = modseq;
    record.save_date = save_date_now();
    result.mapping.push_back(UidMapping{source_uid, record.uid});
    if (auto header = (*from)->headers.find(source_uid); header != (*from)->headers.end())
      (*to)->headers[record.uid] = header->second;
    (*to)->messages[record.uid] = std::move(record);
  }
  recount(**to);
  return result;
}

Result<CopyResult> MemoryStore::copy(MailboxId source, const std::vector<Uid>& uids,
                                     MailboxId destination) {
  Lock lock(mutex_);
  auto result = copy_locked(source, uids, destination);
  if (result && !result->mapping.empty()) ++data_version_;
  return result;
}

Result<CopyResult> MemoryStore::move(MailboxId source, const std::vector<Uid>& uids,
                                     MailboxId destination) {
  Lock lock(mutex_);
  auto result = copy_locked(source, uids, destination, false);
  if (!result) return result;
  std::vector<Uid> moved;
  for (const UidMapping& m : result->mapping) moved.push_back(m.source);
  expunge_locked(**mailbox_entry(source), moved);
  if (!result->mapping.empty()) ++data_version_;
  return result;
}

Result<std::vector<EnvelopeHeader>> MemoryStore::envelope_headers(MailboxId mailbox, Uid first,
                                                                  Uid last) {
  Lock lock(mutex_);
  auto entry = mailbox_entry(mailbox);
  if (!entry) return entry.error();
  std::vector<EnvelopeHeader> out;
  const auto& headers = (*entry)->headers;
  for (auto it = headers.lower_bound(first); it != headers.end() && it->first <= last; ++it)
    if (it->second.lines)
      out.push_back(EnvelopeHeader{it->first, *it->second.lines, it->second.thread_refs});
  return out;
}

Result<MailboxChanges> MemoryStore::changes_since(MailboxId mailbox, ModSeq since) {
  Lock lock(mutex_);
  auto entry = mailbox_entry(mailbox);
  if (!entry) return entry.error();
  MailboxChanges changes;
  changes.highest_modseq = (*entry)->mailbox.highest_modseq;
  for (const auto& [uid, m] : (*entry)->messages) {
    if (m.modseq > since) changes.changed.push_back(m);
  }
  for (const auto& [uid, modseq] : (*entry)->expunged) {
    if (modseq > since) changes.expunged.push_back(Expunged{uid, modseq});
  }
  return changes;
}

Result<std::vector<std::string>> MemoryStore::known_keywords(AccountId account) {
  Lock lock(mutex_);
  AccountEntry* owner = account_by_id(account);
  if (!owner) return errors::account_id_missing(account);
  return owner->known_keywords.items();
}

Result<uint64_t> MemoryStore::data_version() {
  Lock lock(mutex_);
  return data_version_;
}

Result<std::unordered_set<BlobRef>> MemoryStore::referenced_blobs() {
  Lock lock(mutex_);
  std::unordered_set<BlobRef> out;
  for (const auto& [id, entry] : mailboxes_) {
    for (const auto& [uid, m] : entry.messages) out.insert(m.blob);
  }
  return out;
}

}  // namespace postamt::store
