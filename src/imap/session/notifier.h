// NOTIFY (RFC 5465) for one session: which events the client asked for, and for the
// mailboxes other than the selected one, what it last saw of the account, so that
// changes() can tell what moved since.
//
// What is looked at (one look = a handful of store calls, made only when the store's
// version moved, see session_notify.cpp):
//   the account's mailbox records   -> STATUS (§5.1-5.3; MESSAGES, UIDNEXT, UIDVALIDITY,
//                                      UNSEEN are kept on the record, nothing is counted)
//                                      and LIST for created, deleted, renamed (§5.4)
//   the subscription list           -> LIST with or without \Subscribed (§5.5)
//   metadata of watched mailboxes   -> METADATA mailbox entry... (§5.6)
//   the server's metadata           -> METADATA "" entry... (§5.7)
// The selected mailbox's message events are the session's (selected.h); here the selected
// mailbox only gets mailbox events.
//
// Threads: every function that takes a store blocks; call on a store thread while the
// session waits (reply.h). Not thread-safe: one session owns it.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/result.h"
#include "imap/proto/command.h"
#include "imap/proto/response.h"
#include "imap/session/reply.h"
#include "store/api/store.h"

namespace postamt::imap {

// How the selected mailbox's message events reach the client between commands (§6.1).
enum class SelectedEvents {
  none,       // no SELECTED filter, or SELECTED NONE: only at command ends, as without NOTIFY
  immediate,  // SELECTED: EXISTS, EXPUNGE/VANISHED, FETCH as they happen
  delayed,    // SELECTED-DELAYED: expunges wait for a command that allows them (§6.1.2)
};

class Notifier {
 public:
  // The event names BADEVENT lists (§3.1): every event but AnnotationChange (Postamt
  // keeps no per-message annotations).
  static std::vector<std::string> supported_events();
  // False when `cmd` asks for an event not in supported_events() (an unknown event-ext
  // atom included): the command is answered NO [BADEVENT (...)].
  static bool supports(const proto::NotifyCmd& cmd);

  // Requires supports(cmd) and !cmd.none. Mailbox names in SUBTREE and MAILBOXES are
  // normalised as the store keeps them (NFC); a name no mailbox can have never matches.
  explicit Notifier(const proto::NotifyCmd& cmd);

  SelectedEvents selected_events() const { return selected_; }
  // SELECTED/SELECTED-DELAYED with FlagChange: FETCH (FLAGS) for other sessions' changes.
  bool selected_flag_changes() const { return selected_flags_; }
  // MessageNew's fetch-att list for the selected mailbox; empty: EXISTS only.
  const std::vector<proto::FetchItem>& new_message_items() const { return new_items_; }

  // The first look at the account; nothing is reported for what is there already.
  Result<void> start(store::Store& store, AccountId account);
  // §3.1 STATUS indicator: "* STATUS" for every mailbox with message events, except
  // `selected`, in name order, from the first look.
  std::vector<proto::Response> statuses(std::optional<MailboxId> selected,
                                        const Enabled& enabled) const;
  // What changed since the last look, as untagged responses: LIST for mailbox names,
  // LIST for subscriptions, STATUS, METADATA, in that order; the look becomes the last.
  Result<std::vector<proto::Response>> changes(store::Store& store, AccountId account,
                                               std::optional<MailboxId> selected,
                                               const Enabled& enabled);
  // §5: "The server SHOULD omit notifying the client if the event is caused by this
  // client." After the session's own command, what that command can change (the names
  // for CREATE, DELETE, RENAME; subscriptions for those and (UN)SUBSCRIBE; metadata for
  // SETMETADATA; the target mailbox's record for APPEND, COPY, MOVE; the records of the
  // mailboxes selected before and after) is taken as seen. Other sessions' changes
  // to the same things during the command are taken as seen with it; a STATUS then
  // follows the next change of that mailbox.
  Result<void> absorb(store::Store& store, AccountId account, const proto::CommandBody& command,
                      std::optional<MailboxId> selected_before,
                      std::optional<MailboxId> selected_after);

 private:
  struct Group {
    proto::NotifyFilter filter = proto::NotifyFilter::personal;
    std::vector<std::string> names;
    std::vector<proto::NotifyEvent> events;
  };
  struct Look {
    std::map<MailboxId, store::Mailbox> mailboxes;
    std::set<std::string> subscriptions;
    std::map<MailboxId, std::vector<store::MetadataEntry>> metadata;  // watched ones only
    std::vector<store::MetadataEntry> server_metadata;
  };
  // Whether a group other than SELECTED/SELECTED-DELAYED with `event` covers `name`
  // (subscriptions for SUBSCRIBED).
  bool wants(proto::NotifyEvent event, const std::string& name,
             const std::set<std::string>& subscriptions) const;
  bool wants_any(proto::NotifyEvent event) const;
  Result<Look> look(store::Store& store, AccountId account) const;

  std::vector<Group> groups_;
  SelectedEvents selected_ = SelectedEvents::none;
  bool selected_flags_ = false;
  std::vector<proto::FetchItem> new_items_;
  Look last_;
};

}  // namespace postamt::imap
