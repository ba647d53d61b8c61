// What changed in an account, by JMAP type (RFC 8620 §7.1 TypeState): the one place that
// turns the mail core's account changes into the type names a push names. Every push
// channel uses it: the event source (event_source.h), push subscriptions and WebSocket
// push (RFC 8887 §4.3.5).
//
// Which types a change names: Email when messages were added, changed or removed, Thread
// when they were added or removed (a Thread's only property is its emailIds, RFC 8621
// §3), Mailbox when mailboxes or their counts changed, EmailDelivery (RFC 8621 §1.5)
// when a message was stored in a mailbox (delivery, append, copy, move). Identity,
// whose state is the account modseq as well, is never named: its objects do not change
// with mail. Every state is the account's modseq (standard.h).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "store/api/store.h"

namespace postamt::jmap {

struct Moved {
  ModSeq modseq = 0;  // the account's modseq now
  bool emails = false;
  bool threads = false;
  bool mailboxes = false;
  bool delivered = false;
};

// What changed since `since` (the modseq the client knows). Blocking: call on a store
// thread.
Result<Moved> read_moved(store::Store& store, AccountId account, ModSeq since);

// The (type, state) pairs of `moved` that `wanted` admits, in the order Mailbox, Email,
// Thread, EmailDelivery; empty when none changed or none is wanted.
std::vector<std::pair<std::string, std::string>> changed_types(
    const Moved& moved, const std::function<bool(std::string_view)>& wanted);

}  // namespace postamt::jmap
