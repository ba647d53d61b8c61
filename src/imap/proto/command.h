// Typed IMAP commands (RFC 9051 §6, RFC 3501 §6 and the extensions listed in
// README.md), the result of parse_command(). Mailbox names are UTF-8 with INBOX
// normalised (see mailbox_name.h). Each command type carries its state trait
// (RFC 9051 §3: in which connection state it is valid) as `kState`, so the session
// checks state in one place (docs/architecture.md, Protocol engines).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "imap/proto/imap_url.h"
#include "imap/proto/search_key.h"
#include "imap/proto/sequence_set.h"
#include "imap/proto/types.h"

namespace postamt::imap::proto {

enum class CommandState { any, not_authenticated, authenticated, selected };
// Whether numbers in a set are message sequence numbers or UIDs ("UID FETCH" etc.).
enum class NumberKind { sequence, uid };

struct CapabilityCmd {
  static constexpr CommandState kState = CommandState::any;
};
struct NoopCmd {
  static constexpr CommandState kState = CommandState::any;
};
struct LogoutCmd {
  static constexpr CommandState kState = CommandState::any;
};
// IDLE (RFC 2177); the session reads "DONE" with CommandReader::expect_line().
struct IdleCmd {
  static constexpr CommandState kState = CommandState::authenticated;
};
// COMPRESS (RFC 4978 §3): the mechanism as written, upper-cased; the session answers
// BAD for anything but DEFLATE.
struct CompressCmd {
  static constexpr CommandState kState = CommandState::authenticated;
  std::string mechanism;
};
struct NamespaceCmd {
  static constexpr CommandState kState = CommandState::authenticated;
};
struct StartTlsCmd {
  static constexpr CommandState kState = CommandState::not_authenticated;
};
struct CheckCmd {
  static constexpr CommandState kState = CommandState::selected;
};
struct CloseCmd {
  static constexpr CommandState kState = CommandState::selected;
};
struct UnselectCmd {
  static constexpr CommandState kState = CommandState::selected;
};

// RFC 9051 §6.2.2 with SASL-IR (RFC 4959): `initial_response` is the decoded octets;
// "=" gives an empty string, no argument gives nullopt.
struct AuthenticateCmd {
  static constexpr CommandState kState = CommandState::not_authenticated;
  std::string mechanism;  // upper-cased
  std::optional<std::string> initial_response;
};

struct LoginCmd {
  static constexpr CommandState kState = CommandState::not_authenticated;
  std::string userid;
  std::string password;
};

// RFC 7162 §3.2.5 QRESYNC select parameter.
struct QresyncParams {
  uint32_t uid_validity = 0;
  uint64_t mod_seq = 0;
  std::optional<SequenceSet> known_uids;
  std::optional<SequenceSet> known_sequence_set;  // seq-match-data, first half
  std::optional<SequenceSet> known_uid_set;       // seq-match-data, second half
};

enum class SelectMode { select, examine };
enum class Condstore { off, on };

struct SelectCmd {
  static constexpr CommandState kState = CommandState::authenticated;
  SelectMode mode = SelectMode::select;
  std::string mailbox;
  Condstore condstore = Condstore::off;  // "(CONDSTORE)" parameter, RFC 7162 §3.1.8
  std::optional<QresyncParams> qresync;
};

// CREATE with RFC 6154 §5.3 "USE (...)"; special-use attributes as written ("\Sent").
struct CreateCmd {
  static constexpr CommandState kState = CommandState::authenticated;
  std::string mailbox;
  std::vector<std::string> special_use;
};

struct DeleteCmd {
  static constexpr CommandState kState = CommandState::authenticated;
  std::string mailbox;
};

struct RenameCmd {
  static constexpr CommandState kState = CommandState::authenticated;
  std::string from;
  std::string to;
};

enum class Subscription { subscribe, unsubscribe };
struct SubscribeCmd {
  static constexpr CommandState kState = CommandState::authenticated;
  Subscription action = Subscription::subscribe;
  std::string mailbox;
};

// LIST selection options (RFC 5258 §3.1, RFC 6154 §5.2).
struct ListSelect {
  bool subscribed = false;
  bool remote = false;
  bool recursive_match = false;
  bool special_use = false;
  friend bool operator==(const ListSelect&, const ListSelect&) = default;
};

// LIST return options (RFC 5258 §3.2, RFC 5819 STATUS, RFC 6154 SPECIAL-USE).
struct ListReturn {
  bool subscribed = false;
  bool children = false;
  bool special_use = false;
  std::vector<StatusItem> status;  // empty: no STATUS return option
  friend bool operator==(const ListReturn&, const ListReturn&) = default;
};

// LIST (basic or extended) and LSUB. `reference` and `patterns` are UTF-8; wildcards
// "%" and "*" are kept as written. `extended` is true when selection options, several
// patterns or return options were given (RFC 5258 §3).
struct ListCmd {
  static constexpr CommandState kState = CommandState::authenticated;
  enum class Kind { list, lsub };
  Kind kind = Kind::list;
  std::string reference;
  std::vector<std::string> patterns;
  ListSelect select;
  ListReturn returns;
  bool extended = false;
};

struct StatusCmd {
  static constexpr CommandState kState = CommandState::authenticated;
  std::string mailbox;
  std::vector<StatusItem> items;
};

// One message of an APPEND. `form` says whether it came as a literal8 (RFC 3516 BINARY
// APPEND).
enum class MessageForm { literal, literal8 };
// One part of a CATENATE (RFC 4469 §5): a TEXT literal's octets, or a URL naming a
// message or a part of one (`url` is nullopt when it does not parse: NO [BADURL]).
struct CatenatePart {
  enum class Kind { text, url };
  Kind kind = Kind::text;
  std::string text;  // TEXT's octets, or the URL as written
  std::optional<ImapUrl> url;
  bool utf8 = false;  // TEXT given as UTF8 (literal8) (RFC 6855 §4)
};
// The most parts one CATENATE may have; more is BAD.
inline constexpr size_t kMaxCatenateParts = 256;
struct AppendMessage {
  std::vector<std::string> flags;
  std::optional<DateTime> internal_date;
  std::string message;  // empty with CATENATE
  MessageForm form = MessageForm::literal;
  bool catenate = false;  // RFC 4469: the message is `parts`, one after the other
  std::vector<CatenatePart> parts;
  bool utf8 = false;  // RFC 6855 §4: sent as UTF8 (literal8), headers may be UTF-8
};
// The most messages one APPEND may carry (MULTIAPPEND); more is BAD.
inline constexpr size_t kMaxAppendMessages = 1000;
// APPEND of one message or, with MULTIAPPEND (RFC 3502 §6.3.11), several: all are
// added or none.
struct AppendCmd {
  static constexpr CommandState kState = CommandState::authenticated;
  std::string mailbox;
  std::vector<AppendMessage> messages;  // at least one
};

// EXPUNGE, or UID EXPUNGE <set> (RFC 4315 §2.1) when `uids` is present.
struct ExpungeCmd {
  static constexpr CommandState kState = CommandState::selected;
  std::optional<SequenceSet> uids;
};

// RFC 4731 / RFC 9051 §6.4.4 RETURN options. An empty RETURN () means ALL (RFC 4731
// §3.1); `requested` is false when no RETURN was given (plain SEARCH response).
// A PARTIAL range (RFC 5267 §4.4): results first..last of the requested order, 1-based.
struct PartialRange {
  uint32_t first = 0;
  uint32_t last = 0;
  friend bool operator==(const PartialRange&, const PartialRange&) = default;
};

struct SearchReturn {
  bool requested = false;
  bool min = false;
  bool max = false;
  bool all = false;
  bool count = false;
  bool save = false;
  // RFC 5267 §4: CONTEXT (a hint), UPDATE (ADDTO/REMOVEFROM as results change), PARTIAL.
  bool context = false;
  bool update = false;
  std::optional<PartialRange> partial;
  friend bool operator==(const SearchReturn&, const SearchReturn&) = default;
};

// GETMETADATA (RFC 5464 §4.2): entry names as written (checked by the parser), with
// MAXSIZE and DEPTH; the mailbox "" means the server.
enum class MetadataDepth { zero, one, infinity };
struct GetMetadataCmd {
  static constexpr CommandState kState = CommandState::authenticated;
  std::string mailbox;
  std::optional<uint64_t> max_size;
  MetadataDepth depth = MetadataDepth::zero;
  std::vector<std::string> entries;
};
// SETMETADATA (RFC 5464 §4.3): each entry with its value, or NIL to remove it.
struct SetMetadataCmd {
  static constexpr CommandState kState = CommandState::authenticated;
  std::string mailbox;
  std::vector<std::pair<std::string, std::optional<std::string>>> entries;
};

// CANCELUPDATE (RFC 5267 §4.3.5): the tags of the searching commands whose updates end.
struct CancelUpdateCmd {
  static constexpr CommandState kState = CommandState::selected;
  std::vector<std::string> tags;
};

enum class SearchCharset { us_ascii, utf8 };

struct SearchCmd {
  static constexpr CommandState kState = CommandState::selected;
  NumberKind numbers = NumberKind::sequence;
  SearchCharset charset = SearchCharset::us_ascii;
  bool charset_given = false;
  SearchReturn returns;
  SearchKey key;  // the program: an `and_` of all top-level keys
};

// RFC 5256 §3 sort-key, RFC 5957 DISPLAYFROM/DISPLAYTO. More criteria than
// kMaxSortCriteria are refused (each costs a key per message; the nine keys with and
// without REVERSE are fewer).
inline constexpr size_t kMaxSortCriteria = 18;
enum class SortKeyName { arrival, cc, date, from, size, subject, to, display_from, display_to };
struct SortCriterion {
  SortKeyName key = SortKeyName::arrival;
  bool reverse = false;
  friend bool operator==(const SortCriterion&, const SortCriterion&) = default;
};

// SORT / UID SORT (RFC 5256 §3, RFC 5267 §3 ESORT's RETURN options). The charset is
// mandatory; the search program is SEARCH's.
struct SortCmd {
  static constexpr CommandState kState = CommandState::selected;
  NumberKind numbers = NumberKind::sequence;
  SearchReturn returns;
  std::vector<SortCriterion> criteria;
  SearchCharset charset = SearchCharset::us_ascii;
  SearchKey key;
};

enum class ThreadAlgorithmName { ordered_subject, references };

// THREAD / UID THREAD (RFC 5256 §3).
struct ThreadCmd {
  static constexpr CommandState kState = CommandState::selected;
  NumberKind numbers = NumberKind::sequence;
  ThreadAlgorithmName algorithm = ThreadAlgorithmName::references;
  SearchCharset charset = SearchCharset::us_ascii;
  SearchKey key;
};

enum class Peek { no, yes };

// One FETCH data item after macro expansion (ALL/FAST/FULL, RFC 9051 §6.4.5).
struct FetchItem {
  enum class Kind {
    envelope,
    flags,
    internal_date,
    rfc822_size,
    body,
    body_structure,
    uid,
    mod_seq,
    rfc822,
    rfc822_header,
    rfc822_text,
    body_section,  // BODY[...] / BODY.PEEK[...]
    binary,        // BINARY[...] / BINARY.PEEK[...] (RFC 3516)
    binary_size,   // BINARY.SIZE[...]
    preview,       // PREVIEW [(LAZY)] (RFC 8970)
    save_date,     // SAVEDATE (RFC 8514 §4.2)
    email_id,      // EMAILID (RFC 8474 §5.3)
    thread_id,     // THREADID
  };
  Kind kind = Kind::flags;
  Section section;                 // body_section, binary (part only), binary_size
  std::optional<Partial> partial;  // body_section, binary
  Peek peek = Peek::no;
  bool lazy = false;  // preview: the LAZY modifier (RFC 8970 §4.1)
  friend bool operator==(const FetchItem&, const FetchItem&) = default;
};

// For UID FETCH the parser adds a UID item when the client did not ask for one
// (RFC 9051 §6.4.9: UID FETCH responses always carry the UID). Items implied by
// CHANGEDSINCE (MODSEQ, RFC 7162 §3.1.4.1) are left to the session.
struct FetchCmd {
  static constexpr CommandState kState = CommandState::selected;
  NumberKind numbers = NumberKind::sequence;
  SequenceSet set;
  std::vector<FetchItem> items;
  std::optional<uint64_t> changed_since;  // RFC 7162 §3.1.4
  bool vanished = false;                  // RFC 7162 §3.2.6 (UID FETCH only)
};

enum class StoreMode { replace, add, remove };
enum class Silent { no, yes };

struct StoreCmd {
  static constexpr CommandState kState = CommandState::selected;
  NumberKind numbers = NumberKind::sequence;
  SequenceSet set;
  StoreMode mode = StoreMode::replace;
  Silent silent = Silent::no;
  std::vector<std::string> flags;
  std::optional<uint64_t> unchanged_since;  // RFC 7162 §3.1.3
};

enum class Transfer { copy, move };
struct CopyCmd {
  static constexpr CommandState kState = CommandState::selected;
  Transfer action = Transfer::copy;  // COPY or MOVE (RFC 6851)
  NumberKind numbers = NumberKind::sequence;
  SequenceSet set;
  std::string mailbox;
};

// NOTIFY (RFC 5465 §3.1, grammar §8). The parser enforces the grammar's rules and
// §5/§6.1 (answered BAD): MessageNew and MessageExpunge only together, FlagChange and
// AnnotationChange only with both, a fetch-att list only for SELECTED/SELECTED-DELAYED,
// only message events for those, and at most one of them. Whether an event is supported
// is the session's question (NO [BADEVENT]): `unknown_events` keeps event-ext atoms
// as written.
enum class NotifyFilter {
  selected,
  selected_delayed,
  inboxes,
  personal,
  subscribed,
  subtree,
  mailboxes
};
enum class NotifyEvent {
  message_new,
  message_expunge,
  flag_change,
  annotation_change,
  mailbox_name,
  subscription_change,
  mailbox_metadata_change,
  server_metadata_change,
};
struct NotifyGroup {
  NotifyFilter filter = NotifyFilter::personal;
  // SUBTREE and MAILBOXES: UTF-8 names; a name that cannot be decoded names no mailbox
  // and is left out (§3.1: names of no mailbox are ignored).
  std::vector<std::string> mailboxes;
  std::vector<NotifyEvent> events;  // empty: NONE
  std::vector<FetchItem> fetch;     // MessageNew's fetch-att list (selected filters only)
  std::vector<std::string> unknown_events;
};
struct NotifyCmd {
  static constexpr CommandState kState = CommandState::authenticated;
  bool none = false;    // NOTIFY NONE
  bool status = false;  // NOTIFY SET STATUS
  std::vector<NotifyGroup> groups;
};

// RFC 2971: ID NIL gives nullopt values list; values may be NIL too.
struct IdCmd {
  static constexpr CommandState kState = CommandState::any;
  std::optional<std::vector<std::pair<std::string, std::optional<std::string>>>> params;
};

struct EnableCmd {
  static constexpr CommandState kState = CommandState::authenticated;
  std::vector<std::string> capabilities;  // upper-cased
};

struct GetQuotaCmd {
  static constexpr CommandState kState = CommandState::authenticated;
  std::string root;
};

// SETQUOTA (RFC 9208 §4.1.3): the new limits of a root, resource names upper-cased, in
// the order given (each name at most once; the parser checks).
struct SetQuotaCmd {
  static constexpr CommandState kState = CommandState::authenticated;
  std::string root;
  std::vector<std::pair<std::string, uint64_t>> limits;
};

struct GetQuotaRootCmd {
  static constexpr CommandState kState = CommandState::authenticated;
  std::string mailbox;
};

using CommandBody =
    std::variant<CapabilityCmd, NoopCmd, LogoutCmd, IdleCmd, NamespaceCmd, StartTlsCmd, CheckCmd,
                 CloseCmd, UnselectCmd, AuthenticateCmd, LoginCmd, SelectCmd, CreateCmd, DeleteCmd,
                 RenameCmd, SubscribeCmd, ListCmd, StatusCmd, AppendCmd, ExpungeCmd, SearchCmd,
                 FetchCmd, StoreCmd, CopyCmd, IdCmd, EnableCmd, GetQuotaCmd, GetQuotaRootCmd,
                 SortCmd, ThreadCmd, CompressCmd, CancelUpdateCmd, GetMetadataCmd, SetMetadataCmd,
                 NotifyCmd, SetQuotaCmd>;

struct Command {
  std::string tag;
  CommandBody body;
};

}  // namespace postamt::imap::proto
