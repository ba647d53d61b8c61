// The event-source resource (RFC 8620 §7.3): GET /jmap/eventsource?types=&closeafter=&ping=
// answers text/event-stream and sends a "state" event (a StateChange, §7.1) whenever the
// account's state moves, and "ping" events every ping interval.
//
// How a change is noticed: change_watch.h (StoreWatch, looked at every kWatchCheck; a
// write by any protocol or process reaches the client within about a second, and an idle
// stream costs no store reads).
//
// Which types a state event names: state_changes.h, only those the client asked for; no
// event when none of those changed.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "http/message.h"
#include "jmap/engine/change_watch.h"
#include "jmap/engine/services.h"
#include "store/api/types.h"

namespace postamt::jmap {

// The open event streams of each account, bounded by Limits::max_event_streams. Shared
// by the streams (which may outlive a request), so held by shared_ptr.
class EventStreams {
 public:
  EventStreams() = default;
  EventStreams(const EventStreams&) = delete;
  EventStreams& operator=(const EventStreams&) = delete;

  // Streams of `account` open now.
  uint32_t open(AccountId account) const;

 private:
  friend class StreamSlot;
  mutable std::mutex mutex_;
  std::unordered_map<int64_t, uint32_t> open_;
};

// Answers GET /jmap/eventsource for an authenticated account: 200 with the stream, 400
// (problem) for a malformed query, 429 (problem type urn:ietf:params:jmap:error:limit,
// limit "maxEventStreams") when the account already has max_event_streams streams open,
// 503 when the store cannot be read. Runs on the connection's strand; `services`
// outlives the stream.
net::awaitable<http::Response> open_event_source(const Services& services,
                                                 std::shared_ptr<EventStreams> streams,
                                                 store::Account account, http::Request request);

}  // namespace postamt::jmap
