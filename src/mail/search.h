// The search evaluator, for every protocol: a SearchQuery (model/search_query.h) is
// compiled once, then asked about each message. IMAP SEARCH compiles its keys to a
// query (imap/session/commands/search_query.h), JMAP Email/query its filters.
//
// What matches how:
//   has/lacks_flag, has/lacks_keyword  the record's flags; keywords compare ignoring
//                          ASCII case.
//   received               the internal date, to the second.
//   saved                  the save date, to the second; a message stored before save
//                          dates were kept is judged by its internal date (RFC 8514 §4.3).
//   sent_day               the first Date header's calendar day as written (its own
//                          zone, time ignored, RFC 9051 §6.4.4); no parsable Date: no match.
//   size_above/below       the size strictly above / below.
//   modseq_at_least        modseq >= n (RFC 7162 §3.1.5).
//   uid_in                 the uid is in the list.
//   email_id, thread_in    the email object id of the bytes (model/object_ids.h), the
//                          thread the store gave the message; no thread: no match.
//   subject, header        every top-level field of that name, unfolded and RFC 2047
//                          decoded; an empty text only needs the field to exist.
//   from/to/cc/bcc         the decoded field value, or the addresses as displayed:
//                          `Name <local@domain>, ...`.
//   body                   every text/* part, transfer encoding undone and converted to
//                          UTF-8 (mime/text_search.h), each part on its own.
//   text                   body, or the top-level header as "Name: decoded value" lines.
// Strings match as substrings under Unicode simple case folding, for US-ASCII and UTF-8.
//
// Cost: a query of record keys never opens a blob; keys on the envelope fields read the
// store's envelope header lines when the caller supplies them; other header keys read
// only the header block; body and text parse the whole message. Cheaper children of
// all_of and any_of are tried first, so "unseen and body x" decodes only unseen messages.
//
// Values of SearchProgram are immutable after compile(); use on one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "blob/blob_store.h"
#include "model/search_query.h"
#include "store/api/types.h"

namespace postamt::mail {

// What a key or a program needs to read per message, cheapest first.
enum class SearchInput { record, header, body };

// Limits of one query (compile() refuses more with ErrorKind::limit): each key costs
// work per message and each uid list memory, so one request cannot ask for more.
inline constexpr size_t kMaxSearchKeys = 1000;
inline constexpr size_t kMaxSearchSets = 32;
// ErrorKind::limit when a query of `keys` nodes with `sets` uid lists is over those
// limits. compile() checks it; a protocol whose sets are costly to resolve (IMAP's
// sequence sets) checks it on its own tree first.
Result<void> check_search_size(size_t keys, size_t sets);

// Supplies messages' stored envelope header lines (envelope_lines.h) on demand, so that
// a search loads them only for messages its header keys reach.
class EnvelopeSource {
 public:
  virtual ~EnvelopeSource() = default;
  // The lines kept for `uid` (nullptr: none), or the store's error.
  virtual Result<const std::string*> lines(Uid uid) = 0;
};

class SearchProgram {
 public:
  // Folds the strings once. Errors: limit (more than kMaxSearchKeys nodes or
  // kMaxSearchSets uid lists), invalid (not_ without exactly one child).
  static Result<SearchProgram> compile(const SearchQuery& query);

  SearchInput input() const { return root_.input; }
  // True when a key reads one of mime::kEnvelopeFields (subject, from, sent_day, ...):
  // then an EnvelopeSource is worth passing to matches().
  bool reads_envelope_fields() const { return reads_envelope_fields_; }

  // Whether the message with `record` matches. Keys on the envelope fields ask
  // `envelopes` (when given) for the store's lines of this message and read the message
  // only when there are none; other content keys open the blob through `blobs`; each
  // only when the keys it gets to need it. Errors: the blob store's, or the store's
  // from `envelopes`.
  Result<bool> matches(const store::MessageRecord& record, blob::BlobStore& blobs,
                       EnvelopeSource* envelopes = nullptr) const;

  struct Node {
    SearchQuery::Kind kind = SearchQuery::Kind::all_of;
    SearchInput input = SearchInput::record;
    SystemFlag flag = SystemFlag::seen;
    std::string text;         // folded needle; the keyword as given for has_keyword
    std::string header_name;  // header's field name
    std::optional<int64_t> from;
    std::optional<int64_t> until;
    uint64_t number = 0;
    std::vector<Uid> uids;  // ascending
    std::vector<Node> children;
  };

 private:
  Node root_;
  bool reads_envelope_fields_ = false;
};

}  // namespace postamt::mail
