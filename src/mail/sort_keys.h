// The values messages are ordered and threaded by (RFC 5256 SORT and THREAD, RFC 5957
// SORT=DISPLAY), computed from one header block. Protocol-neutral: IMAP SORT/THREAD use
// them through mail/sort.h and mail/thread.h; JMAP's Email/query sort will too.
//
// Threads: pure functions, any thread (ICU's normalizer instance is immutable).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "mime/header.h"

namespace postamt::mail {

// The i;unicode-casemap collation key of `utf8` (RFC 5051 §2): each code point replaced by
// its Unicode simple titlecase mapping, the result decomposed to NFKD. Two strings
// collate as their keys compare octet by octet; equal keys are equal strings under the
// collation. Bytes that are not well-formed UTF-8 are kept as they are, so every input
// has a key and the order stays total.
std::string casemap_key(std::string_view utf8);

// RFC 5256 §2.1 base subject of a raw Subject value (folded, RFC 2047 encoded words
// and all), exactly as the steps there say: decode, collapse whitespace, strip
// "(fwd)"/whitespace trailers, "Re:"/"Fw:"/"Fwd:" leaders with their "[blob]"s, a leading
// "[blob]" that is not the whole rest, and a "[fwd: ...]" wrapper, until none is left.
// `reply_or_forward` tells whether a subj-refwd, a "(fwd)" trailer or a "[fwd: ...]"
// wrapper was removed (RFC 5256 §3, REFERENCES: "a reply or forward").
struct BaseSubject {
  std::string text;  // UTF-8 when the subject was
  bool reply_or_forward = false;
};
BaseSubject base_subject(std::string_view raw_subject);

// RFC 5256 §2.2 sent date in seconds since the epoch (UTC): the first Date field when it
// parses (mime::parse_date; a missing zone counts as UTC), otherwise `internal_date`.
int64_t sent_date(const mime::HeaderView& header, int64_t internal_date);

// The [IMAP] addr-mailbox of the first address of the first field `name` (SORT FROM, TO,
// CC): the local part of a mailbox, the name of a group; "" when there is none.
std::string first_address_mailbox(const mime::HeaderView& header, std::string_view name);

// RFC 5957 display value of the first address of the first field `name` (SORT
// DISPLAYFROM, DISPLAYTO): its display name decoded (RFC 2047) when that is not empty or
// all whitespace, otherwise its addr-spec "local@domain"; a group's name; "" when there
// is no address.
std::string first_address_display(const mime::HeaderView& header, std::string_view name);

}  // namespace postamt::mail
