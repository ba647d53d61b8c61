// Object ids: the stable names IMAP OBJECTID (RFC 8474) and JMAP (RFC 8620 §1.2, RFC
// 8621) give mailboxes, messages and threads. Both protocols use these same functions,
// so a client that speaks both sees one id per object.
//
// Every id is a letter followed by digits or lowercase hex, so it is an RFC 8474
// objectid and a JMAP Id, never starts with a digit or dash, and is never "NIL"
// (RFC 8474 §8.1):
// - mailbox "F" + UIDVALIDITY in decimal. A mailbox's UIDVALIDITY comes from a
//   store-wide counter, never changes (RENAME keeps it) and is never given to another
//   mailbox, which is what RFC 8474 §4 asks of a MAILBOXID.
// - email "M" + the first 24 hex digits (96 bits) of the message's BlobRef, the SHA-256
//   of its bytes: a COPY or MOVE keeps the bytes and so the id (§5.1 MUST), and two
//   messages with the same bytes share one (§5.1 MAY).
// - thread "T" + the thread number the store gave the message (store::MessageRecord).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "model/blob_ref.h"
#include "model/ids.h"

namespace postamt {

std::string mailbox_object_id(UidValidity uid_validity);
std::string email_object_id(const BlobRef& blob);
std::string thread_object_id(uint64_t thread);

// The thread of a thread id: nullopt for anything thread_object_id never produces (wrong
// letter, a leading zero, a number out of range), so a search by a foreign or mistyped id
// finds nothing.
std::optional<uint64_t> parse_thread_object_id(std::string_view id);
// True when `id` is the email id of `blob`.
bool is_email_object_id_of(std::string_view id, const BlobRef& blob);

}  // namespace postamt
