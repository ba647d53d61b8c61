// A short plain-text preview of a message, for every protocol: IMAP FETCH PREVIEW (RFC
// 8970) now, JMAP Email/get's "preview" and the webmail's message list later.
//
// What it is: the message's first readable body part, decoded (transfer encoding and
// charset, mime/text_search.h) — text/plain when there is one, else text/html with its
// markup, <head>, <style> and <script> removed and the common character references
// decoded; parts marked as attachments do not count. Quoted lines ("> ...") and a
// signature after "-- " are left out; runs of whitespace become one space; control
// characters go. At most kPreviewCharacters characters (RFC 8970 §3.3: SHOULD 200, MUST
// NOT exceed 256), cut between characters, never inside one. "" when nothing readable
// is left (an image alone, an encrypted message). Always well-formed UTF-8.
//
// Threads: pure, any thread.
#pragma once

#include <cstddef>
#include <string>

#include "mime/message.h"

namespace postamt::mail {

inline constexpr size_t kPreviewCharacters = 200;

std::string message_preview(const mime::Message& message,
                            size_t max_characters = kPreviewCharacters);

}  // namespace postamt::mail
