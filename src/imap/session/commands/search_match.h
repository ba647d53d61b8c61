// The SEARCH evaluator (RFC 9051 §6.4.4, RFC 3501 §6.4.4, RFC 7162 §3.1.5): a search
// program compiled once per command, then asked about each message of the view.
//
// What matches how:
//   flags, KEYWORD/UNKEYWORD   the record's flags; keyword names compare ignoring ASCII case.
//   NEW, RECENT                nothing (Postamt keeps no \Recent); OLD everything.
//   BEFORE/ON/SINCE            the internal date's UTC calendar day.
//   SENTBEFORE/SENTON/SENTSINCE the first Date header's calendar day as written (its own
//                              zone, time ignored); no parsable Date header: no match.
//   LARGER/SMALLER             RFC822.SIZE strictly above / below.
//   MODSEQ n                   modseq >= n.
//   <set>, UID <set>           resolved against the view when compiled ("$" included).
//   SUBJECT, HEADER name value every top-level field of that name, unfolded and RFC 2047
//                              decoded; an empty value only needs the field to exist.
//   FROM/TO/CC/BCC             the decoded field value, or the addresses as displayed:
//                              `Name <local@domain>, ...`.
//   BODY                       every text/* part, transfer encoding undone and converted
//                              to UTF-8 (mime/text_search.h), each part on its own.
//   TEXT                       BODY, or the top-level header as "Name: decoded value" lines.
// Strings match as substrings under Unicode simple case folding, for US-ASCII and UTF-8.
//
// Cost: a program of record keys never opens a blob; keys on the ENVELOPE fields read
// the store's envelope header lines when the caller supplies them; other header keys
// read only the header block; BODY and TEXT parse the whole message. Cheaper children of AND and OR
// are tried first, so "UNSEEN BODY x" decodes only unseen messages.
//
// Values of SearchProgram are immutable after compile(); use on one thread at a time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "blob/blob_store.h"
#include "imap/proto/search_key.h"
#include "imap/session/selected.h"
#include "store/api/types.h"

namespace postamt::imap::commands {

// What a key or a program needs to read per message, cheapest first.
enum class SearchInput { record, header, body };

// Limits of one SEARCH program (compile() refuses more with ErrorKind::limit).
inline constexpr size_t kMaxSearchKeys = 1000;
inline constexpr size_t kMaxSearchSets = 32;

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
  // Folds the strings and resolves the sets of `key` against `selected`. Errors:
  // ErrorKind::invalid when a set names a sequence number beyond the view or uses '*' in
  // an empty mailbox (the caller answers BAD, as FETCH does).
  static Result<SearchProgram> compile(const proto::SearchKey& key,
                                       const SelectedMailbox& selected);

  SearchInput input() const { return root_.input; }
  // True when the program contains a MODSEQ key (RFC 7162 §3.1.5 then reports MODSEQ).
  bool uses_mod_seq() const { return uses_mod_seq_; }
  // True when a key reads one of mime::kEnvelopeFields (SUBJECT, FROM, SENTON, ...):
  // then an EnvelopeSource is worth passing to matches().
  bool reads_envelope_fields() const { return reads_envelope_fields_; }

  // Whether the message with sequence number `seq` and `record` matches. Keys on the
  // envelope fields ask `envelopes` (when given) for the store's lines of this message
  // and read the message only when there are none; other content keys open the blob
  // through `blobs`; each only when the keys it gets to need it. Errors: the blob
  // store's, or the store's from `envelopes`.
  Result<bool> matches(uint32_t seq, const store::MessageRecord& record, blob::BlobStore& blobs,
                       EnvelopeSource* envelopes = nullptr) const;

  struct Node {
    proto::SearchKey::Kind kind = proto::SearchKey::Kind::all;
    SearchInput input = SearchInput::record;
    std::string text;         // folded needle; the keyword as given for (UN)KEYWORD
    std::string header_name;  // HEADER's field name
    int64_t day = 0;          // dates: days since 1970-01-01
    uint64_t number = 0;
    std::vector<uint32_t> members;  // sets: sorted sequence numbers or uids
    std::vector<Node> children;
  };

 private:
  Node root_;
  bool uses_mod_seq_ = false;
  bool reads_envelope_fields_ = false;
};

}  // namespace postamt::imap::commands
