// RFC 5322 §3.6.4 message identifiers: the one normalised form Postamt stores with each
// message ("<left@right>") so that copies of a message and the original of a read
// receipt (RFC 8098 Original-Message-ID) can be found by equality. Used by delivery,
// IMAP APPEND and the read-receipt layer. Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mime/header.h"

namespace postamt::mime {

// Normalises one msg-id value (raw, folded, or unfolded), for example the value of a
// Message-ID or Original-Message-ID field.
//
// Returns "<left@right>" for exactly one msg-id: optional CFWS around it (comments
// dropped, folding removed), id-left a dot-atom-text or a quoted-string whose content is
// a dot-atom-text (RFC 5322 §4.5.4 obs-id-left; the quotes are dropped), id-right a
// dot-atom-text or a no-fold-literal "[...]". Case is kept: msg-ids are compared
// byte-for-byte. Returns "" for anything else: empty, no angle brackets, several
// msg-ids, whitespace or control characters inside the brackets, 8-bit bytes, or more
// than kMaxMessageIdLength bytes. The result never contains CR, LF or spaces, so it is
// safe to copy into a generated header.
inline constexpr size_t kMaxMessageIdLength = 998;
std::string normalize_message_id(std::string_view value);

// The normalised Message-ID of a header block: the first Message-ID field's value passed
// to normalize_message_id(); "" when there is no such field or it is malformed.
std::string message_id_of(const HeaderView& header);

// The normalised Message-ID of a complete message (its top-level header block only);
// "" when there is none. Scans only the header, so it is cheap for large messages.
std::string message_id_of_message(std::string_view message);

// Every msg-id of a field that holds a list of them (References, In-Reply-To), in
// order, each normalised as normalize_message_id() does; an element that is not a valid
// msg-id is skipped, and so are comments and text between them.
std::vector<std::string> message_ids_in(std::string_view value);

// The references RFC 5256 §3 (THREAD=REFERENCES) threads a message by: the valid
// msg-ids of its first References field or, when that field is missing or holds none,
// the first valid msg-id of its first In-Reply-To field; none otherwise. Joined by single
// spaces (normalised ids hold none). When they exceed kMaxThreadReferencesLength bytes,
// the oldest are dropped: the last ones are the parent and its nearest ancestors.
inline constexpr size_t kMaxThreadReferencesLength = 8 * 1024;
std::string thread_references(const HeaderView& header);

}  // namespace postamt::mime
