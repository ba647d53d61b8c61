#include "imap/session/notifier.h"

#include <algorithm>
#include <utility>
#include <variant>

#include "base/strings.h"
#include "mail/mailboxes.h"
#include "model/mailbox_role.h"

namespace postamt::imap {
namespace {

using proto::NotifyEvent;
using proto::NotifyFilter;

constexpr char kDelimiter = '/';

bool has(const std::vector<NotifyEvent>& events, NotifyEvent e) {
  return std::find(events.begin(), events.end(), e) != events.end();
}

bool is_selected(NotifyFilter f) {
  return f == NotifyFilter::selected || f == NotifyFilter::selected_delayed;
}

bool below_or_same(const std::string& name, const std::string& top) {
  return name == top || (name.size() > top.size() && name.compare(0, top.size(), top) == 0 &&
                         name[top.size()] == kDelimiter);
}

using ByName = std::map<std::string, const store::Mailbox*>;

template <class Look>
ByName by_name(const Look& look) {
  ByName out;
  for (const auto& [id, mailbox] : look.mailboxes) out.emplace(mailbox.name, &mailbox);
  return out;
}

// §5.4, §5.5: a LIST response with accurately computed attributes (RFC 5258 §3:
// \NonExistent for a name no mailbox has), \Subscribed when the name is subscribed.
proto::ListData list_data(const std::string& name, const ByName& names,
                          const std::set<std::string>& subscriptions) {
  proto::ListData data;
  data.delimiter = kDelimiter;
  data.mailbox = name;
  auto it = names.find(name);
  const store::Mailbox* mailbox = it == names.end() ? nullptr : it->second;
  if (!mailbox) data.attributes.emplace_back("\\NonExistent");
  std::string prefix = name + kDelimiter;
  auto child = names.lower_bound(prefix);
  bool children = child != names.end() && child->first.compare(0, prefix.size(), prefix) == 0;
  data.attributes.emplace_back(children ? "\\HasChildren" : "\\HasNoChildren");
  if (subscriptions.count(name)) data.attributes.emplace_back("\\Subscribed");
  std::string_view use = mailbox ? special_use(mailbox->role) : std::string_view();
  if (!use.empty()) data.attributes.emplace_back(use);
  return data;
}

proto::StatusData status_of(const store::Mailbox& m, const Enabled& enabled) {
  using proto::StatusItem;
  proto::StatusData data;
  data.mailbox = m.name;
  data.items = {{StatusItem::messages, m.messages},
                {StatusItem::uid_next, m.uid_next},
                {StatusItem::uid_validity, m.uid_validity},
                {StatusItem::unseen, m.unseen}};
  // §5.1-5.3: HIGHESTMODSEQ once CONDSTORE or QRESYNC is on.
  if (enabled.condstore) data.items.emplace_back(StatusItem::highest_mod_seq, m.highest_modseq);
  return data;
}

// The names of the entries that differ between two lists (each ascending by name
// ignoring ASCII case, as the store lists them), in that order.
std::vector<std::string> changed_entries(const std::vector<store::MetadataEntry>& before,
                                         const std::vector<store::MetadataEntry>& after) {
  std::vector<std::string> out;
  size_t i = 0, j = 0;
  while (i < before.size() || j < after.size()) {
    int order = i == before.size() ? 1
                : j == after.size()
                    ? -1
                    : ascii_lower(before[i].name).compare(ascii_lower(after[j].name));
    if (order < 0) {
      out.push_back(before[i++].name);  // deleted: always told (RFC 5465 §5.6)
    } else if (order > 0) {
      out.push_back(after[j++].name);
    } else {
      if (before[i].value != after[j].value) out.push_back(after[j].name);
      ++i;
      ++j;
    }
  }
  return out;
}

proto::MetadataData metadata_names(std::string mailbox, std::vector<std::string> names) {
  proto::MetadataData data;
  data.mailbox = std::move(mailbox);
  data.names_only = true;
  for (auto& n : names) data.entries.emplace_back(std::move(n), std::nullopt);
  return data;
}

}  // namespace

std::vector<std::string> Notifier::supported_events() {
  return {"MessageNew",         "MessageExpunge",        "FlagChange",          "MailboxName",
          "SubscriptionChange", "MailboxMetadataChange", "ServerMetadataChange"};
}

bool Notifier::supports(const proto::NotifyCmd& cmd) {
  for (const auto& group : cmd.groups)
    if (!group.unknown_events.empty() || has(group.events, NotifyEvent::annotation_change))
      return false;
  return true;
}

Notifier::Notifier(const proto::NotifyCmd& cmd) {
  for (const auto& g : cmd.groups) {
    if (is_selected(g.filter)) {
      if (has(g.events, NotifyEvent::message_new)) {
        selected_ = g.filter == NotifyFilter::selected ? SelectedEvents::immediate
                                                       : SelectedEvents::delayed;
        selected_flags_ = has(g.events, NotifyEvent::flag_change);
        new_items_ = g.fetch;
      }
      continue;
    }
    Group group;
    group.filter = g.filter;
    group.events = g.events;
    for (const auto& name : g.mailboxes) {
      auto checked = mail::check_mailbox_name(name);
      group.names.push_back(checked ? std::move(*checked) : name);
    }
    groups_.push_back(std::move(group));
  }
}

bool Notifier::wants(NotifyEvent event, const std::string& name,
                     const std::set<std::string>& subscriptions) const {
  for (const auto& g : groups_) {
    if (!has(g.events, event)) continue;
    switch (g.filter) {
      case NotifyFilter::personal:
        return true;
      case NotifyFilter::inboxes:
        // §6.3: delivery (delivery/transaction.cpp) only ever files into INBOX.
        if (name == "INBOX") return true;
        break;
      case NotifyFilter::subscribed:
        if (subscriptions.count(name)) return true;
        break;
      case NotifyFilter::subtree:
        for (const auto& top : g.names)
          if (below_or_same(name, top)) return true;
        break;
      case NotifyFilter::mailboxes:
        // §6.6: no wildcard expansion.
        for (const auto& n : g.names)
          if (n == name) return true;
        break;
      case NotifyFilter::selected:
      case NotifyFilter::selected_delayed:
        break;
    }
  }
  return false;
}

bool Notifier::wants_any(NotifyEvent event) const {
  return std::any_of(groups_.begin(), groups_.end(),
                     [event](const Group& g) { return has(g.events, event); });
}

Result<Notifier::Look> Notifier::look(store::Store& store, AccountId account) const {
  Look now;
  auto mailboxes = store.list_mailboxes(account);
  if (!mailboxes) return mailboxes.error();
  auto subscriptions = store.list_subscriptions(account);
  if (!subscriptions) return subscriptions.error();
  now.subscriptions.insert(subscriptions->begin(), subscriptions->end());
  for (auto& m : *mailboxes) {
    if (wants(NotifyEvent::mailbox_metadata_change, m.name, now.subscriptions)) {
      auto entries = store.list_metadata(account, m.id);
      // Deleted meanwhile: the next look sees it gone.
      if (entries) now.metadata.emplace(m.id, std::move(*entries));
    }
    MailboxId id = m.id;
    now.mailboxes.emplace(id, std::move(m));
  }
  if (wants_any(NotifyEvent::server_metadata_change)) {
    auto entries = store.list_metadata(account, std::nullopt);
    if (!entries) return entries.error();
    now.server_metadata = std::move(*entries);
  }
  return now;
}

Result<void> Notifier::start(store::Store& store, AccountId account) {
  auto now = look(store, account);
  if (!now) return now.error();
  last_ = std::move(*now);
  return {};
}

std::vector<proto::Response> Notifier::statuses(std::optional<MailboxId> selected,
                                                const Enabled& enabled) const {
  std::vector<proto::Response> out;
  for (const auto& [name, mailbox] : by_name(last_)) {
    if (selected && mailbox->id == *selected) continue;
    if (wants(NotifyEvent::message_new, name, last_.subscriptions) ||
        wants(NotifyEvent::flag_change, name, last_.subscriptions))
      out.emplace_back(status_of(*mailbox, enabled));
  }
  return out;
}

Result<std::vector<proto::Response>> Notifier::changes(store::Store& store, AccountId account,
                                                       std::optional<MailboxId> selected,
                                                       const Enabled& enabled) {
  auto looked = look(store, account);
  if (!looked) return looked.error();
  Look& now = *looked;
  const ByName before = by_name(last_);
  const ByName after = by_name(now);
  std::vector<proto::Response> out;
  std::set<std::string> listed;  // names already in a LIST of this round
  auto list = [&](const std::string& name, const std::optional<std::string>& old_name) {
    if (!listed.insert(name).second) return;
    proto::ListData data = list_data(name, after, now.subscriptions);
    data.old_name = old_name;
    out.emplace_back(std::move(data));
  };
  // §5.4: "the mailbox itself and its direct parent (whether it is an existing mailbox
  // or not) are considered to be affected."
  auto list_with_parent = [&](const std::string& name, const std::set<std::string>& subs) {
    list(name, std::nullopt);
    size_t slash = name.rfind(kDelimiter);
    if (slash == std::string::npos) return;
    std::string parent = name.substr(0, slash);
    if (wants(NotifyEvent::mailbox_name, parent, subs)) list(parent, std::nullopt);
  };

  // §5.4 MailboxName. Renames first: one LIST with OLDNAME for the mailbox renamed, none
  // for the children that moved with it.
  std::set<std::string> renamed_names;
  std::vector<std::pair<std::string, std::string>> renames;  // old, new
  for (const auto& [id, mailbox] : now.mailboxes) {
    auto it = last_.mailboxes.find(id);
    if (it != last_.mailboxes.end() && it->second.name != mailbox.name)
      renames.emplace_back(it->second.name, mailbox.name);
  }
  for (const auto& [old_name, new_name] : renames) {
    renamed_names.insert(old_name);
    renamed_names.insert(new_name);
    bool moved_with_parent = std::any_of(renames.begin(), renames.end(), [&](const auto& r) {
      return r.first != old_name && below_or_same(old_name, r.first) &&
             new_name == r.second + old_name.substr(r.first.size());
    });
    if (moved_with_parent) continue;
    if (wants(NotifyEvent::mailbox_name, new_name, now.subscriptions) ||
        wants(NotifyEvent::mailbox_name, old_name, last_.subscriptions))
      list(new_name, old_name);
  }
  for (const auto& [id, mailbox] : last_.mailboxes)
    if (!now.mailboxes.count(id) && !after.count(mailbox.name) &&
        wants(NotifyEvent::mailbox_name, mailbox.name, last_.subscriptions))
      list_with_parent(mailbox.name, last_.subscriptions);
  for (const auto& [id, mailbox] : now.mailboxes)
    if (!last_.mailboxes.count(id) &&
        wants(NotifyEvent::mailbox_name, mailbox.name, now.subscriptions))
      list_with_parent(mailbox.name, now.subscriptions);

  // §5.5 SubscriptionChange: the names subscribed or unsubscribed, except those a rename
  // took along (the rename's LIST says \Subscribed).
  std::vector<std::string> flipped;
  std::set_symmetric_difference(last_.subscriptions.begin(), last_.subscriptions.end(),
                                now.subscriptions.begin(), now.subscriptions.end(),
                                std::back_inserter(flipped));
  for (const auto& name : flipped) {
    if (renamed_names.count(name)) continue;
    if (wants(NotifyEvent::subscription_change, name, now.subscriptions) ||
        wants(NotifyEvent::subscription_change, name, last_.subscriptions))
      list(name, std::nullopt);
  }

  // §5.1-5.3: STATUS for the other mailboxes, from their records.
  for (const auto& [name, mailbox] : after) {
    if (selected && mailbox->id == *selected) continue;
    auto it = last_.mailboxes.find(mailbox->id);
    if (it == last_.mailboxes.end()) continue;
    const store::Mailbox& was = it->second;
    const bool messages = wants(NotifyEvent::message_new, name, now.subscriptions);
    const bool flags = wants(NotifyEvent::flag_change, name, now.subscriptions);
    const bool count_moved = was.messages != mailbox->messages ||
                             was.uid_next != mailbox->uid_next ||
                             was.uid_validity != mailbox->uid_validity;
    // §5.1: a flag change is told by UNSEEN, and with CONDSTORE by HIGHESTMODSEQ.
    const bool flags_moved = was.unseen != mailbox->unseen ||
                             was.uid_validity != mailbox->uid_validity ||
                             (enabled.condstore && was.highest_modseq != mailbox->highest_modseq);
    if ((messages && count_moved) || (flags && flags_moved))
      out.emplace_back(status_of(*mailbox, enabled));
  }

  // §5.6, §5.7: the names of changed entries (RFC 5464 §4.4.2's unsolicited form).
  for (const auto& [id, entries] : now.metadata) {
    auto it = last_.metadata.find(id);
    if (it == last_.metadata.end()) continue;  // newly watched: nothing to compare with
    auto names = changed_entries(it->second, entries);
    if (!names.empty()) out.emplace_back(metadata_names(now.mailboxes.at(id).name, names));
  }
  if (wants_any(NotifyEvent::server_metadata_change)) {
    auto names = changed_entries(last_.server_metadata, now.server_metadata);
    if (!names.empty()) out.emplace_back(metadata_names("", names));
  }
  last_ = std::move(now);
  return out;
}

Result<void> Notifier::absorb(store::Store& store, AccountId account,
                              const proto::CommandBody& command,
                              std::optional<MailboxId> selected_before,
                              std::optional<MailboxId> selected_after) {
  const bool names = std::holds_alternative<proto::CreateCmd>(command) ||
                     std::holds_alternative<proto::DeleteCmd>(command) ||
                     std::holds_alternative<proto::RenameCmd>(command);
  const bool subscriptions = names || std::holds_alternative<proto::SubscribeCmd>(command);
  const bool metadata = std::holds_alternative<proto::SetMetadataCmd>(command);
  std::optional<std::string> target;
  if (const auto* append = std::get_if<proto::AppendCmd>(&command)) target = append->mailbox;
  if (const auto* copy = std::get_if<proto::CopyCmd>(&command)) target = copy->mailbox;
  if (!names && !subscriptions && !metadata && !target && !selected_before && !selected_after)
    return {};

  auto looked = look(store, account);
  if (!looked) return looked.error();
  Look& now = *looked;
  auto take_record = [&](MailboxId id) {
    auto it = now.mailboxes.find(id);
    if (it == now.mailboxes.end()) return;
    auto was = last_.mailboxes.find(id);
    // The name stays as it was: a rename by someone else is still to be told.
    std::string name = was == last_.mailboxes.end() ? it->second.name : was->second.name;
    last_.mailboxes[id] = it->second;
    last_.mailboxes[id].name = std::move(name);
  };
  if (selected_before) take_record(*selected_before);
  if (selected_after) take_record(*selected_after);
  if (target) {
    auto name = mail::check_mailbox_name(*target);
    if (name)
      for (const auto& [id, mailbox] : now.mailboxes)
        if (mailbox.name == *name) take_record(id);
  }
  if (names) {
    for (auto it = last_.mailboxes.begin(); it != last_.mailboxes.end();)
      it = now.mailboxes.count(it->first) ? std::next(it) : last_.mailboxes.erase(it);
    for (const auto& [id, mailbox] : now.mailboxes) {
      auto it = last_.mailboxes.find(id);
      if (it == last_.mailboxes.end())
        last_.mailboxes.emplace(id, mailbox);
      else
        it->second.name = mailbox.name;
    }
  }
  if (subscriptions) last_.subscriptions = now.subscriptions;
  if (metadata) {
    last_.metadata = now.metadata;
    last_.server_metadata = now.server_metadata;
  } else {
    // Which mailboxes are watched can change with names and subscriptions; the ones
    // that joined are compared from now on, the ones that left are forgotten.
    for (auto it = last_.metadata.begin(); it != last_.metadata.end();)
      it = now.metadata.count(it->first) ? std::next(it) : last_.metadata.erase(it);
    for (auto& [id, entries] : now.metadata)
      if (!last_.metadata.count(id)) last_.metadata.emplace(id, std::move(entries));
  }
  return {};
}

}  // namespace postamt::imap
