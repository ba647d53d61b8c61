// One function per command (docs/architecture.md, Protocol engines), one file each under commands/.
// Each runs BLOCKING store calls on a store thread (see reply.h for the threading contract) and
// returns the Reply; none writes to the connection. State checks happen before, in
// Session::dispatch (session.cpp), from each command's kState trait.
//
// Errors from the store become "NO [code] text" through reply_for (error_codes.h).
#pragma once

#include "imap/proto/command.h"
#include "imap/session/reply.h"

namespace postamt::imap::commands {

// SELECT / EXAMINE (RFC 3501 §6.3.1-2): FLAGS, PERMANENTFLAGS, EXISTS, RECENT (the
// messages this session took as \Recent; RECENT and UNSEEN not after ENABLE IMAP4rev2),
// UNSEEN (when some message is unseen), UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ, then
// OK [READ-WRITE] or [READ-ONLY]. Any previously selected mailbox is deselected first,
// also when the new selection fails (RFC 3501 §6.3.1), with OK [CLOSED]. With (QRESYNC
// ...) (RFC 7162 §3.2.5, BAD unless enabled): VANISHED (EARLIER) and FETCH for what
// changed since the client's modseq, before the tagged OK.
Reply select(CommandContext& ctx, const proto::SelectCmd& cmd);
// LIST / LSUB (RFC 3501 §6.3.8-9, RFC 6154 special-use, RFC 3348 children), with
// LIST-EXTENDED (RFC 5258: SUBSCRIBED, SPECIAL-USE, RECURSIVEMATCH -> CHILDINFO,
// \NonExistent) and RETURN (STATUS ...) (RFC 5819).
Reply list(CommandContext& ctx, const proto::ListCmd& cmd);
Reply status(CommandContext& ctx, const proto::StatusCmd& cmd);
Reply create(CommandContext& ctx, const proto::CreateCmd& cmd);
Reply delete_mailbox(CommandContext& ctx, const proto::DeleteCmd& cmd);
Reply rename(CommandContext& ctx, const proto::RenameCmd& cmd);
Reply subscribe(CommandContext& ctx, const proto::SubscribeCmd& cmd);
// Requires ctx.selected.
Reply close(CommandContext& ctx, const proto::CloseCmd& cmd);
Reply unselect(CommandContext& ctx, const proto::UnselectCmd& cmd);
Reply expunge(CommandContext& ctx, const proto::ExpungeCmd& cmd);
Reply check(CommandContext& ctx, const proto::CheckCmd& cmd);
// NOOP in the selected state: reports new and expunged messages (RFC 3501 §6.1.2).
Reply noop(CommandContext& ctx, const proto::NoopCmd& cmd);
// FETCH / UID FETCH (RFC 3501 §6.4.5): BODY[section] without .PEEK, RFC822 and
// RFC822.TEXT set \Seen in a read-write mailbox and add FLAGS to the response when
// that changed them. Messages another session expunged are skipped; no EXPUNGE is sent
// (RFC 3501 §7.4.1). BINARY[part] / BINARY.SIZE (RFC 3516) decode the part (binary.h);
// BINARY without .PEEK sets \Seen like BODY[]; an unknown transfer encoding fails the
// FETCH with NO [UNKNOWN-CTE] before any flag changes. Whole-message fetches (BINARY[]
// included) are listed in Reply::downloaded. PREVIEW (RFC 8970) is mail/preview.h's text,
// also with LAZY (never NIL). UID FETCH (CHANGEDSINCE n VANISHED) (RFC 7162 §3.2.6, with
// QRESYNC enabled) first sends VANISHED (EARLIER) (qresync.h).
Reply fetch(CommandContext& ctx, const proto::FetchCmd& cmd);
// STORE / UID STORE (RFC 3501 §6.4.6, RFC 7162 §3.1.3 UNCHANGEDSINCE -> [MODIFIED]).
// $MDNSent is a one-way latch (RFC 3503, docs/read-receipts.md): removing it succeeds without
// effect and FLAGS replacement keeps it.
Reply store(CommandContext& ctx, const proto::StoreCmd& cmd);

// ENABLE (RFC 5161) of CONDSTORE, QRESYNC and IMAP4rev2; BAD once a mailbox is selected.
Reply enable(CommandContext& ctx, const proto::EnableCmd& cmd);
// RFC 5464 limits, fixed: a value's octets (§4.3 MAXSIZE; the RFC asks for at least
// 1024) and the entries of one mailbox or of the server (TOOMANY; at least 10).
inline constexpr size_t kMaxMetadataValue = 16 * 1024;
inline constexpr size_t kMaxMetadataEntries = 100;
// GETMETADATA (RFC 5464 §4.2): one METADATA response with each named entry (NIL when it
// has no value) and, with DEPTH, those below it; MAXSIZE leaves larger values out with
// OK [METADATA LONGENTRIES n]. The mailbox "" is the server.
Reply get_metadata(CommandContext& ctx, const proto::GetMetadataCmd& cmd);
// SETMETADATA (RFC 5464 §4.3): all entries or none; NIL removes. NO [METADATA MAXSIZE n],
// NO [METADATA TOOMANY]; the server's /shared entries are read-only (NO).
Reply set_metadata(CommandContext& ctx, const proto::SetMetadataCmd& cmd);
// CANCELUPDATE (RFC 5267 §4.3.5): ends the UPDATE contexts of the given tags.
Reply cancel_update(CommandContext& ctx, const proto::CancelUpdateCmd& cmd);
// NAMESPACE (RFC 2342): the personal namespace "" with "/".
Reply name_space(CommandContext& ctx, const proto::NamespaceCmd& cmd);

// APPEND (RFC 3501 §6.3.11, RFC 4315 APPENDUID, RFC 3516 literal8, RFC 3502 MULTIAPPEND):
// blobs first, then every record in one transaction; OK [APPENDUID v uid-set]. Missing
// mailbox -> NO [TRYCREATE]; an empty message -> NO; any failure adds none.
Reply append(CommandContext& ctx, const proto::AppendCmd& cmd);
// COPY / MOVE and UID forms (RFC 3501 §6.4.7, RFC 6851, RFC 4315 COPYUID). Requires
// ctx.selected. MOVE puts COPYUID in an untagged OK; the dispatcher's refresh then sends
// the EXPUNGEs. Missing destination -> NO [TRYCREATE]; MOVE when read-only -> NO [READ-ONLY].
Reply copy(CommandContext& ctx, const proto::CopyCmd& cmd);
// GETQUOTAROOT / GETQUOTA / SETQUOTA (RFC 9208): an account with a limit (store.h,
// quota) has one quota root, "", over all its mailboxes, with STORAGE (KiB) and/or
// MESSAGE; without limits it has none (QUOTAROOT lists no root, GETQUOTA is NO
// [NONEXISTENT]). A quota administrator (ctx.quota_admin, [quota] admins) may also name
// any account's root as "#user/<address>", and SETQUOTA; anyone else's SETQUOTA is NO
// [NOPERM].
Reply get_quota_root(CommandContext& ctx, const proto::GetQuotaRootCmd& cmd);
Reply get_quota(CommandContext& ctx, const proto::GetQuotaCmd& cmd);
Reply set_quota(CommandContext& ctx, const proto::SetQuotaCmd& cmd);

// SEARCH / UID SEARCH (RFC 3501 §6.4.4, RFC 9051 §6.4.4, RFC 4731 ESEARCH, RFC 5182 SAVE,
// RFC 7162 §3.1.5 MODSEQ); the keys become a mail-core query (search_query.h) and match
// as mail/search.h says. "* SEARCH" or, with RETURN
// options or IMAP4rev2 enabled, "* ESEARCH (TAG ..)"; messages expunged by another session
// never match. Bad sequence numbers -> BAD; blob errors -> reply_for (and "$" emptied).
Reply search(CommandContext& ctx, const proto::SearchCmd& cmd);
// SORT / UID SORT (RFC 5256 §3, RFC 5957 DISPLAYFROM/DISPLAYTO): SEARCH's matches
// (matching.h) in the order mail/sort.h gives, "* SORT n..." with "(MODSEQ n)" after a
// MODSEQ key (RFC 7162 §3.1.9); with RETURN options (RFC 5267 ESORT) one ESEARCH whose
// MIN/MAX are the first/last in sorted order and whose ALL keeps that order. SAVE keeps
// the uids as a set (RFC 5182).
Reply sort(CommandContext& ctx, const proto::SortCmd& cmd);
// THREAD / UID THREAD (RFC 5256 §3, ORDEREDSUBJECT and REFERENCES, mail/thread.h):
// "* THREAD (..)(..)" over SEARCH's matches.
Reply thread(CommandContext& ctx, const proto::ThreadCmd& cmd);

}  // namespace postamt::imap::commands
