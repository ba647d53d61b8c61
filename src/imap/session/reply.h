// What a command hands back to the session (docs/architecture.md, Protocol engines: commands return
// values, only imap/proto writes wire text), and what a command may touch.
//
// Threads: command functions (commands/commands.h) run on a store thread through
// Runtime::run_blocking while the session coroutine waits, so they may use the
// CommandContext freely; nothing else touches it meanwhile.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.h"
#include "blob/blob_store.h"
#include "imap/proto/response.h"
#include "imap/session/selected.h"
#include "store/api/store.h"

namespace postamt::imap {

// The untagged responses (in order) and the tagged completion; the session adds the tag.
struct Reply {
  std::vector<proto::Response> untagged;
  proto::Condition condition = proto::Condition::ok;
  std::optional<proto::ResponseCode> code;
  std::string text;
  // Whole messages of the selected mailbox handed to the client (FETCH BODY[] or RFC822
  // without .PEEK or a partial range); the session reports them to
  // Services::downloads after the response was written (mail/events.h).
  std::vector<Uid> downloaded;
  // Set when the command is not finished (a FETCH of many or large messages is answered
  // in batches, so that no answer has to fit in memory at once): the session writes
  // `untagged`, then runs next() the same way as the command (on a store thread) and
  // handles its Reply like this one. condition/code/text count only without next.
  std::function<Reply()> next;

  static Reply ok(std::string text) {
    Reply r;
    r.text = std::move(text);
    return r;
  }
  static Reply ok(proto::ResponseCode code, std::string text) {
    Reply r = ok(std::move(text));
    r.code = std::move(code);
    return r;
  }
  static Reply no(std::optional<proto::ResponseCode> code, std::string text) {
    Reply r;
    r.condition = proto::Condition::no;
    r.code = std::move(code);
    r.text = std::move(text);
    return r;
  }
  static Reply bad(std::string text) {
    Reply r;
    r.condition = proto::Condition::bad;
    r.text = std::move(text);
    return r;
  }
};

// What the client has turned on for this session (RFC 5161 ENABLE, and RFC 7162 §3.1's
// implicit CONDSTORE enabling by any command that uses it). Only ever switched on.
struct Enabled {
  bool condstore = false;    // MODSEQ in FETCH responses caused by flag changes
  bool qresync = false;      // RFC 7162 §3.2: VANISHED for EXPUNGE; implies condstore
  bool imap4rev2 = false;    // RFC 9051 behaviour (ESEARCH replies, no RECENT, ...)
  bool utf8_accept = false;  // RFC 6855: UTF-8 mailbox names and quoted strings
};

// The session state a command may read and change. `selected` empty means the
// authenticated state; a command that selects or closes a mailbox sets or resets it.
// How the selected mailbox's news reach this client (selected.h announce()).
inline ModSeqs modseqs_for(const Enabled& e) {
  return e.condstore ? ModSeqs::include : ModSeqs::omit;
}
inline ExpungeForm expunge_form_for(const Enabled& e) {
  return e.qresync ? ExpungeForm::vanished : ExpungeForm::numbers;
}

struct CommandContext {
  store::Store& store;
  blob::BlobStore& blobs;
  const store::Account& account;
  std::optional<SelectedMailbox>& selected;
  Enabled& enabled;
  std::string_view tag;  // the command's tag, for ESEARCH's (TAG "...") correlator
  // The largest message APPEND takes (RFC 7889 APPENDLIMIT; [imap] max_literal).
  uint64_t append_limit = 0;
  // What SORT may keep of the selected mailbox's sort values ([imap] sort_cache).
  uint64_t sort_cache = 0;
  // Whether UTF8=ACCEPT is offered (Services::utf8_accept).
  bool utf8_accept = false;
  // Whether the account is a quota administrator (Services::quota_admins).
  bool quota_admin = false;
  // The command's literals that were too large to hold in memory, already in the blob
  // store, in the order they came (APPEND's messages; the command text has "{0}" in
  // their place).
  std::vector<BlobRef> staged_messages = {};
};

}  // namespace postamt::imap
