// The selected mailbox of one session: the client's view of it and its message
// sequence numbers (RFC 9051 §2.3.1.2).
//
// The view is the list of message records the client has been told about, ascending by
// uid; sequence number n is the n-th. It changes only when the client is told (EXISTS,
// EXPUNGE), so numbers stay stable between those responses (RFC 9051 §7.5.1).
//
// Changes by other sessions and processes reach the view in two steps:
//   refresh(store)  reads what changed since the last refresh through the mail core's
//                   ChangeCursor (mail/changes.h: one cheap call when the store's
//                   data_version did not move). Flag changes update the view's
//                   records at once; expunged messages stay in the view, marked vanished;
//                   new messages wait outside the view.
//   announce(...)   returns the untagged responses that tell the client: FETCH (FLAGS)
//                   for changed flags, then EXPUNGE for vanished messages (only where
//                   allowed: RFC 3501 §7.4.1 forbids them during FETCH, STORE and SEARCH),
//                   then EXISTS for new messages; and applies them to the view.
// The session's own writes go through update() so that they are not announced back.
//
// Not thread-safe: owned by one session (used on its store thread, see reply.h).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "imap/proto/response.h"
#include "imap/proto/sequence_set.h"
#include "mail/changes.h"
#include "mail/search.h"
#include "mail/sort.h"
#include "mail/thread.h"
#include "model/ids.h"
#include "store/api/store.h"
#include "store/api/types.h"

namespace postamt::imap {

enum class Access { read_write, read_only };
// Whether EXPUNGE responses may be sent at this point (RFC 3501 §7.4.1).
enum class Expunges { tell, hold };
// How removals are told: "* n EXPUNGE" each, or one "* VANISHED uids" once the client
// enabled QRESYNC (RFC 7162 §3.2.10.2).
enum class ExpungeForm { numbers, vanished };
// Whether unsolicited FETCH responses carry MODSEQ (RFC 7162 §3.1.4.1: once CONDSTORE
// is enabled they must).
enum class ModSeqs { omit, include };

// An UPDATE context (RFC 5267 §4.3): a SEARCH or SORT whose result the client keeps and
// the session keeps current with ADDTO and REMOVEFROM (commands/context_updates.h).
struct UpdateContext {
  std::string tag;
  proto::NumberKind numbers = proto::NumberKind::sequence;
  std::shared_ptr<const mail::SearchProgram> program;
  std::vector<mail::SortCriterion> criteria;  // empty: a SEARCH, in mailbox order
  std::vector<Uid> result;                    // as the client has it, in the requested order
};

class SelectedMailbox {
 public:
  // RFC 5267 §4.3.1: more UPDATE contexts than this get NO [NOUPDATE].
  static constexpr size_t kMaxUpdateContexts = 8;

  // `messages` ascending by uid, as listed by the store at SELECT time; `known_modseq`
  // the mailbox's highest_modseq read in the same transaction or before the listing.
  SelectedMailbox(MailboxId id, UidValidity uid_validity, Access access,
                  std::vector<store::MessageRecord> messages, ModSeq known_modseq);

  MailboxId id() const { return changes_.mailbox(); }
  UidValidity uid_validity() const { return uid_validity_; }
  Access access() const { return access_; }
  uint32_t exists() const { return static_cast<uint32_t>(view_.size()); }
  // The view, in sequence-number order (index = number - 1).
  const std::vector<store::MessageRecord>& messages() const { return view_; }
  // The view's record of `uid`, or null when the uid is not in the view.
  const store::MessageRecord* find(Uid uid) const;
  // True when `uid` is in the view but was expunged from the store (not yet told).
  bool vanished(Uid uid) const;
  // 1-based; nullopt when the uid is not in the view.
  std::optional<uint32_t> sequence_of(Uid uid) const;
  // The highest modseq the view has caught up with (for HIGHESTMODSEQ after commands).
  ModSeq known_modseq() const { return changes_.known_modseq(); }

  // The messages a FETCH/STORE/COPY/SEARCH set names, as (sequence number, uid)
  // ascending. Sequence numbers: with Beyond::invalid, invalid when a number exceeds
  // exists() or '*' is used in an empty mailbox (RFC 9051 §9 seq-number); with
  // Beyond::skip (a SEARCH key: a set of messages that matches those that exist, as other
  // servers answer), such numbers name nothing. UIDs: those not in the view are skipped
  // (RFC 9051 §6.4.9). "$" (RFC 5182) names the saved result's messages that are still in
  // the view, whatever `kind` is.
  struct Target {
    uint32_t seq = 0;
    Uid uid = 0;
  };
  enum class Beyond { invalid, skip };
  Result<std::vector<Target>> resolve(const proto::SequenceSet& set, proto::NumberKind kind,
                                      Beyond beyond = Beyond::invalid) const;

  // RFC 5182 SEARCHRES: the uids a SEARCH RETURN (SAVE) found; replaces the previous
  // result. Empty until the first save; kept until the mailbox is deselected.
  void save_result(std::vector<Uid> uids) { saved_ = std::move(uids); }
  const std::vector<Uid>& saved_result() const { return saved_; }
  // SORT's values of this mailbox's messages, kept for the selection (mail/sort.h); made
  // by the first SORT, so that a session that never sorts pays nothing.
  mail::SortCache& sort_cache() {
    if (!sort_cache_) sort_cache_ = std::make_unique<mail::SortCache>();
    return *sort_cache_;
  }
  // THREAD's inputs, the same way (mail/thread.h).
  mail::ThreadCache& thread_cache() {
    if (!thread_cache_) thread_cache_ = std::make_unique<mail::ThreadCache>(0);
    return *thread_cache_;
  }

  // UPDATE contexts of this selection; they end with it.
  std::vector<UpdateContext>& contexts() { return contexts_; }
  bool has_context(std::string_view tag) const;
  // CANCELUPDATE: drops the contexts of these tags (unknown tags are ignored).
  void cancel_contexts(const std::vector<std::string>& tags);
  // The uids (ascending) whose flags changed or that joined the view since the last call,
  // while any context exists: what the contexts must look at again.
  std::vector<Uid> take_context_dirty();

  // The session's own flag changes as returned by the store: the records in the view
  // are replaced, and a later refresh does not report them again.
  void update(const std::vector<store::MessageRecord>& changed);

  // Reads the store's changes to this mailbox since the last refresh (see the header
  // comment). Errors are the store's; the view is unchanged then. When the mailbox no
  // longer exists (another session deleted or renamed it away), gone() turns true and
  // the result is OK: the session ends (RFC 3501 leaves this open; Dovecot also
  // disconnects).
  Result<void> refresh(store::Store& store);
  bool gone() const { return gone_; }

  // Untagged responses for what refresh() found, in the order described above, applied
  // to the view. FETCH responses carry FLAGS and UID (and MODSEQ when asked).
  std::vector<proto::Response> announce(Expunges expunges, ModSeqs modseqs,
                                        ExpungeForm form = ExpungeForm::numbers);
  // The lowest modseq of the removals found but not yet told (announce() held them), or
  // nullopt when none wait. RFC 7162 §3.2: while they wait, a HIGHESTMODSEQ told to the
  // client must stay below it.
  std::optional<ModSeq> held_expunge_modseq() const { return held_expunge_modseq_; }

  // IMAP4rev1 \Recent (RFC 3501 §2.3.2), off in an IMAP4rev2 session (RFC 9051 drops it).
  // SELECT turns it on with the messages this session claimed (Store::claim_recent; an
  // EXAMINEd mailbox only reads which are unclaimed). From then on refresh() claims the
  // new messages it finds the same way, and announce() follows EXISTS with RECENT.
  void track_recent(std::vector<Uid> recent);
  bool is_recent(Uid uid) const;
  // Ascending; those still in the view.
  const std::vector<Uid>& recent_uids() const { return recent_; }
  // The FLAGS of a message as FETCH gives them: \Recent added when it is recent here.
  std::vector<std::string> flags_of(const store::MessageRecord& message) const;

  // The keywords the client has been told are defined (RFC 3501 §7.2.6, RFC 9051 §7.3.5:
  // FETCH may only carry flags that a FLAGS response listed). SELECT sets them with the
  // FLAGS response it sends (flag_list() of them).
  void set_keywords_told(std::vector<std::string> keywords) {
    keywords_told_ = std::move(keywords);
  }
  // Before the first FETCH in `responses` whose FLAGS carry a keyword the client was not
  // told of (STORE, APPEND, COPY, MOVE, another session's change), inserts the new FLAGS
  // list and, when read-write, the PERMANENTFLAGS that go with it; the keywords count as
  // told from then on.
  void tell_new_keywords(std::vector<proto::Response>& responses);
  // The FLAGS list: the system flags (no \Recent), $MDNSent (always offered: clients
  // look for it before sending a receipt, RFC 3503 §3.1), then `keywords`.
  static std::vector<std::string> flag_list(const std::vector<std::string>& keywords);

 private:
  size_t index_of(Uid uid) const;  // view_.size() when absent

  mail::ChangeCursor changes_;
  UidValidity uid_validity_ = 0;
  Access access_ = Access::read_write;
  std::vector<store::MessageRecord> view_;
  std::vector<Uid> vanished_;                  // sorted; in view_, gone from the store
  std::optional<ModSeq> held_expunge_modseq_;  // the lowest modseq of vanished_
  std::vector<store::MessageRecord> new_;      // sorted; uids above view_, not yet told
  std::vector<Uid> flags_changed_;             // sorted; in view_, FETCH not yet sent
  std::vector<Uid> saved_;
  std::unique_ptr<mail::SortCache> sort_cache_;
  std::unique_ptr<mail::ThreadCache> thread_cache_;
  std::vector<std::string> keywords_told_;
  std::vector<UpdateContext> contexts_;
  std::vector<Uid> context_dirty_;  // sorted
  bool recent_tracked_ = false;
  std::vector<Uid> recent_;    // sorted
  Uid recent_checked_to_ = 0;  // the largest uid whose \Recent state is known
  bool gone_ = false;
};

}  // namespace postamt::imap
