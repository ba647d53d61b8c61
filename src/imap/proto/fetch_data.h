// Typed FETCH response items (RFC 9051 §7.5.2) and the plain envelope/bodystructure
// input structs they are built from. src/mime had no envelope/bodystructure structs
// when this was written, so these are imap/proto's own; imap/session fills them from
// the MIME parser's results.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "imap/proto/types.h"

namespace postamt::imap::proto {

// RFC 9051 §9 "address": each field is already unquoted/decoded text (NIL = absent).
// A group start has host NIL and the group name in mailbox; a group end has mailbox
// and host NIL.
struct Address {
  std::optional<std::string> name;
  std::optional<std::string> adl;
  std::optional<std::string> mailbox;
  std::optional<std::string> host;
};

// RFC 9051 §7.5.2 ENVELOPE; an empty address list is written as NIL.
struct Envelope {
  std::optional<std::string> date;
  std::optional<std::string> subject;
  std::vector<Address> from, sender, reply_to, to, cc, bcc;
  std::optional<std::string> in_reply_to;
  std::optional<std::string> message_id;
};

struct Disposition {
  std::string type;  // "attachment", "inline"
  std::vector<std::pair<std::string, std::string>> params;
};

// One body part (RFC 9051 §7.5.2 BODYSTRUCTURE). For multipart/*, `parts` holds the
// children and only `subtype` and the extension fields apply. For message/rfc822 and
// message/global, `envelope` and `parts[0]` describe the enclosed message.
struct BodyStructure {
  std::string type = "TEXT";
  std::string subtype = "PLAIN";
  std::vector<std::pair<std::string, std::string>> params;  // empty -> NIL
  std::optional<std::string> id;
  std::optional<std::string> description;
  std::string encoding = "7BIT";
  uint64_t size = 0;   // octets of the encoded body
  uint64_t lines = 0;  // text/* and message/rfc822|global only
  std::optional<Envelope> envelope;
  std::vector<BodyStructure> parts;
  // Extension data (BODYSTRUCTURE only).
  std::optional<std::string> md5;
  std::optional<Disposition> disposition;
  std::vector<std::string> language;  // empty -> NIL, one -> string, more -> list
  std::optional<std::string> location;
};

enum class Extensible { no, yes };  // BODY vs BODYSTRUCTURE

struct FetchFlags {
  std::vector<std::string> flags;
};
struct FetchUid {
  uint32_t uid = 0;
};
struct FetchModSeq {
  uint64_t mod_seq = 0;
};
struct FetchInternalDate {
  DateTime date;
};
struct FetchSize {
  uint64_t size = 0;
};  // RFC822.SIZE
struct FetchEnvelope {
  Envelope envelope;
};
struct FetchBody {
  BodyStructure body;
  Extensible extensible = Extensible::yes;
};
// BODY[section]<origin>: `data` NIL when the section does not exist.
struct FetchSection {
  Section section;
  std::optional<uint64_t> origin;  // set for partial fetches (RFC 9051 §7.5.2)
  std::optional<std::string> data;
};
// BINARY[part]<origin> (RFC 3516 §4.2): literal8 when the data holds NUL.
struct FetchBinary {
  std::vector<uint32_t> part;
  std::optional<uint64_t> origin;
  std::optional<std::string> data;
};
struct FetchBinarySize {
  std::vector<uint32_t> part;
  uint64_t size = 0;
};
// RFC822 / RFC822.HEADER / RFC822.TEXT (RFC 3501 §7.4.2).
struct FetchRfc822 {
  enum class Kind { whole, header, text };
  Kind kind = Kind::whole;
  std::optional<std::string> data;
};

// SAVEDATE (RFC 8514 §4.2): NIL when the save date is not known.
struct FetchSaveDate {
  std::optional<DateTime> date;
};

// PREVIEW (RFC 8970 §3.2): UTF-8 text; NIL only for a LAZY request not answered now.
struct FetchPreview {
  std::optional<std::string> text;
};

// EMAILID and THREADID (RFC 8474 §5.3): objectids; THREADID NIL when the message has
// no thread.
struct FetchEmailId {
  std::string id;
};
struct FetchThreadId {
  std::optional<std::string> id;
};

using FetchAttr =
    std::variant<FetchFlags, FetchUid, FetchModSeq, FetchInternalDate, FetchSize, FetchEnvelope,
                 FetchBody, FetchSection, FetchBinary, FetchBinarySize, FetchRfc822, FetchPreview,
                 FetchSaveDate, FetchEmailId, FetchThreadId>;

// "* <seq> FETCH (...)"
struct FetchData {
  uint32_t seq = 0;
  std::vector<FetchAttr> items;
};

}  // namespace postamt::imap::proto
