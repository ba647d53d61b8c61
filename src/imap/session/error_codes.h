// The one mapping from Postamt's error vocabulary to IMAP (docs/architecture.md, Errors, RFC 5530).
// Pure functions, any thread.
#pragma once

#include "base/error.h"
#include "imap/proto/response.h"
#include "imap/session/reply.h"

namespace postamt::imap {

// invalid -> CANNOT, not_found -> NONEXISTENT, exists -> ALREADYEXISTS, limit -> LIMIT,
// over_quota -> OVERQUOTA, permission -> NOPERM, auth_failed -> AUTHENTICATIONFAILED,
// temporary/io/timeout/closed -> UNAVAILABLE, internal -> SERVERBUG.
proto::ResponseCode::Kind response_code_for(ErrorKind kind);

// "NO [code] text". The text is error.message for kinds whose messages are written for
// clients (invalid, not_found, exists, limit, over_quota, permission); for the others a
// fixed plain sentence, because their messages may carry server details (log those).
Reply reply_for(const Error& error);

}  // namespace postamt::imap
