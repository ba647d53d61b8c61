// Typed IMAP server responses and their encoder (RFC 9051 §7, RFC 3501 §7 and the
// extensions in README.md). Commands return these values; only encode() writes wire
// text (docs/architecture.md, Protocol engines). Pure functions, safe on any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "imap/proto/command.h"
#include "imap/proto/fetch_data.h"
#include "imap/proto/mailbox_name.h"
#include "imap/proto/sequence_set.h"
#include "imap/proto/writer.h"

namespace postamt::imap::proto {

// Response codes (RFC 9051 §7.1, RFC 5530, RFC 4315, RFC 7162, RFC 4469, RFC 3516).
struct ResponseCode {
  enum class Kind {
    alert,
    parse,
    permanent_flags,
    read_only,
    read_write,
    trycreate,
    uid_next,
    uid_validity,
    unseen,
    append_uid,
    copy_uid,
    uid_not_sticky,
    highest_mod_seq,
    no_mod_seq,
    modified,
    capability,
    badcharset,
    closed,
    toobig,
    unknown_cte,
    // RFC 5530
    unavailable,
    authentication_failed,
    authorization_failed,
    expired,
    privacy_required,
    contact_admin,
    no_perm,
    in_use,
    expunge_issued,
    corruption,
    server_bug,
    client_bug,
    cannot,
    limit,
    over_quota,
    already_exists,
    nonexistent,
    // RFC 9051 §7.1
    not_saved,
    has_children,
    // RFC 6154 §5.3
    use_attr,
    // RFC 4469 §4.1: words[0] is the URL
    badurl,
    // RFC 5267 §4.3.1: words[0] is the refused command's tag
    noupdate,
    // RFC 5464 §4.2.1, §4.3: words[0] LONGENTRIES/MAXSIZE (with `number`), TOOMANY,
    // NOPRIVATE
    metadata,
    // RFC 8474 §4.1, §4.2: words[0] is the objectid
    mailbox_id,
    // RFC 5465 §8: words are the supported event names
    badevent,
    // RFC 5465 §5.8
    notification_overflow,
  };
  Kind kind = Kind::alert;
  uint64_t number = 0;             // UIDNEXT, UIDVALIDITY, UNSEEN, HIGHESTMODSEQ,
                                   // APPENDUID/COPYUID uid-validity
  std::vector<std::string> words;  // PERMANENTFLAGS flags, CAPABILITY names, BADCHARSET charsets
  SequenceSet set;                 // APPENDUID uids, COPYUID source, MODIFIED
  SequenceSet set2;                // COPYUID destination

  static ResponseCode simple(Kind k) { return ResponseCode{k, 0, {}, {}, {}}; }
  static ResponseCode with_number(Kind k, uint64_t n) { return ResponseCode{k, n, {}, {}, {}}; }
  static ResponseCode with_words(Kind k, std::vector<std::string> w) {
    return ResponseCode{k, 0, std::move(w), {}, {}};
  }
  static ResponseCode append_uid(uint32_t uid_validity, SequenceSet uids) {
    return ResponseCode{Kind::append_uid, uid_validity, {}, std::move(uids), {}};
  }
  static ResponseCode copy_uid(uint32_t uid_validity, SequenceSet from, SequenceSet to) {
    return ResponseCode{Kind::copy_uid, uid_validity, {}, std::move(from), std::move(to)};
  }
  static ResponseCode modified(SequenceSet set) {
    return ResponseCode{Kind::modified, 0, {}, std::move(set), {}};
  }
};

enum class Condition { ok, no, bad, preauth, bye };

// "tag OK [CODE] text" or, with an empty tag, "* OK [CODE] text" (greeting, BYE,
// untagged OK/NO/BAD).
struct StatusResponse {
  std::string tag;
  Condition condition = Condition::ok;
  std::optional<ResponseCode> code;
  std::string text;
};

// "+ text" (RFC 9051 §7.6); a SASL challenge is its base64 text.
struct Continuation {
  std::string text;
};

struct CapabilityData {
  std::vector<std::string> capabilities;
};
struct ExistsData {
  uint32_t count = 0;
};
struct RecentData {
  uint32_t count = 0;
};
struct ExpungeData {
  uint32_t seq = 0;
};
struct FlagsData {
  std::vector<std::string> flags;
};

// "* LIST (attrs) "/" name [(extended items)]" or LSUB. `mailbox` is UTF-8.
struct ListData {
  ListCmd::Kind kind = ListCmd::Kind::list;
  std::vector<std::string> attributes;
  std::optional<char> delimiter;  // nullopt -> NIL (flat namespace)
  std::string mailbox;
  std::vector<std::string> child_info;  // RFC 5258 CHILDINFO ("SUBSCRIBED")
  std::optional<std::string> old_name;  // RFC 9051 OLDNAME
};

// A MAILBOXID item's number is unused: its objectid is `mailbox_id` (RFC 8474 §4.3).
struct StatusData {
  std::string mailbox;
  std::vector<std::pair<StatusItem, uint64_t>> items;
  std::string mailbox_id;
};

// "* SEARCH 2 3 [(MODSEQ n)]" (RFC 7162 §3.1.5 adds the MODSEQ part).
struct SearchData {
  std::vector<uint32_t> numbers;
  std::optional<uint64_t> mod_seq;
};

// "* ESEARCH (TAG "a1") UID MIN 1 MAX 9 ALL 1:3,9 COUNT 4 MODSEQ 7" (RFC 4731 §3.1).
// After an extended SORT, ALL is in sorted order (SequenceSet::in_order, RFC 5267 §3.2).
// RFC 5267 §4.3.3/4.3.4: (position set) pairs of an ADDTO or REMOVEFROM, applied in order.
struct ContextChange {
  uint32_t position = 0;  // 0: wherever mailbox order puts them (SEARCH contexts)
  SequenceSet set;
};
struct ESearchData {
  std::string tag;  // empty: no correlator
  NumberKind numbers = NumberKind::sequence;
  std::optional<uint32_t> min;
  std::optional<uint32_t> max;
  std::optional<SequenceSet> all;
  std::optional<uint32_t> count;
  std::optional<uint64_t> mod_seq;
  // RFC 5267 §4.4: PARTIAL (first:last set), the set NIL (nullopt) when empty.
  std::optional<PartialRange> partial;
  std::optional<SequenceSet> partial_set;
  std::vector<ContextChange> removed;  // REMOVEFROM, written before ADDTO
  std::vector<ContextChange> added;    // ADDTO
};

// "* SORT 2 3 6 [(MODSEQ n)]" (RFC 5256 §4, RFC 7162 §3.1.9), numbers in sorted order.
struct SortData {
  std::vector<uint32_t> numbers;
  std::optional<uint64_t> mod_seq;
};

// "* THREAD (2)(3 6 (4 23)(44 7 96))" (RFC 5256 §4): a forest of message numbers. A node
// with number 0 stands for a message that is not in the result; its children are
// siblings of one thread (it is written as their thread-lists only).
struct ThreadData {
  struct Node {
    uint32_t number = 0;
    std::vector<uint32_t> children;  // node indexes
  };
  std::vector<Node> nodes;
  std::vector<uint32_t> roots;  // node indexes
};

// RFC 2342 §5; an empty list is NIL.
struct NamespaceData {
  struct Entry {
    std::string prefix;
    std::optional<char> delimiter;
  };
  std::vector<Entry> personal, other_users, shared;
};

struct IdData {
  std::optional<std::vector<std::pair<std::string, std::optional<std::string>>>> params;
};
struct EnabledData {
  std::vector<std::string> capabilities;
};

// RFC 9208 §5.1
struct QuotaData {
  struct Resource {
    std::string name;  // "STORAGE" (in KiB), "MESSAGE", ...
    uint64_t usage = 0;
    uint64_t limit = 0;
  };
  std::string root;
  std::vector<Resource> resources;
};
// "* METADATA mailbox (entry value ...)" (RFC 5464 §4.4.1); NIL for an entry without one.
struct MetadataData {
  std::string mailbox;
  std::vector<std::pair<std::string, std::optional<std::string>>> entries;
  // The unsolicited form (RFC 5464 §4.4.2, RFC 5465 §5.6): the entries' names only.
  bool names_only = false;
};

struct QuotaRootData {
  std::string mailbox;
  std::vector<std::string> roots;
};

enum class Earlier { no, yes };
// "* VANISHED [(EARLIER)] uids" (RFC 7162 §3.2.10).
struct VanishedData {
  Earlier earlier = Earlier::no;
  SequenceSet uids;
};

using Response = std::variant<StatusResponse, Continuation, CapabilityData, ExistsData, RecentData,
                              ExpungeData, FlagsData, ListData, StatusData, SearchData, ESearchData,
                              NamespaceData, IdData, EnabledData, QuotaData, QuotaRootData,
                              VanishedData, FetchData, SortData, ThreadData, MetadataData>;

struct EncodeOptions {
  MailboxEncoding mailbox_encoding = MailboxEncoding::modified_utf7;
  StringCharset strings = StringCharset::ascii;
};

// Appends the response with its CRLF to `out`. Free text (resp-text) never carries a
// control character, since it may quote a client: CR, LF and NUL become a space; other
// C0 controls, DEL and malformed UTF-8 become '?'; 8-bit octets become '?' unless
// `strings` is utf8, and then C1 controls and U+2028/U+2029 do. Mailbox names must be valid
// UTF-8 (the mail layer guarantees it); an invalid one is sent as a literal of its
// octets rather than dropped.
void encode(const Response& response, const EncodeOptions& options, std::string& out);
std::string encode(const Response& response, const EncodeOptions& options = {});

// "17-Jul-1996 02:44:25 -0700" (RFC 9051 §9 date-time, without the quotes).
std::string format_date_time(const DateTime& dt);

}  // namespace postamt::imap::proto
