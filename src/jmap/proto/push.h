// Push (RFC 8620 §7) as values: the query of the event-source URL (§7.3) and the events
// the stream sends (§7.1 StateChange, §7.3 ping), in the text/event-stream format of the
// HTML EventSource specification. No I/O; the engine (jmap/engine/event_source.h) runs
// the stream.
#pragma once

#include <boost/json/object.hpp>

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace postamt::jmap {

enum class CloseAfter { state, no };

struct EventSourceParams {
  // The type names asked for, in the order given; empty = "*" (every type).
  std::vector<std::string> types;
  CloseAfter close_after = CloseAfter::no;
  std::chrono::seconds ping{0};  // as asked for; 0 = no pings
};

// RFC 8620 §7.3 "MUST NOT have a maximum allowed value less than 300": larger requests
// are lowered to this.
inline constexpr std::chrono::seconds kMaxPingInterval{300};

// Parses "types=..&closeafter=..&ping=.." (percent-encoded, any order, unknown
// parameters ignored). An absent parameter takes its default ("*", "no", 0), so that a
// client filling the template with empty strings still connects. invalid, naming the
// parameter, for: a type list with an empty or non-token name, a closeafter other than
// "state" or "no", a ping that is not a decimal number below 2^31.
Result<EventSourceParams> parse_event_source_query(std::string_view query);

// The interval the server uses for a requested one: 0 stays 0 (no pings), smaller ones
// are raised to `minimum`, larger ones lowered to kMaxPingInterval.
std::chrono::seconds ping_interval(std::chrono::seconds requested, std::chrono::seconds minimum);

// True when `params` asks for `type` ("*" asks for all).
bool wants_type(const EventSourceParams& params, std::string_view type);

// One event of the stream: "event: <name>\ndata: <json>\n\n".
std::string encode_event(std::string_view name, const boost::json::object& data);

// §7.1: {"@type":"StateChange","changed":{<account_id>:{<type>:<state>,...}}}, types in
// the given order.
boost::json::object state_change(std::string_view account_id,
                                 const std::vector<std::pair<std::string, std::string>>& states);

// §7.3: {"interval":<seconds>}.
boost::json::object ping_data(std::chrono::seconds interval);

}  // namespace postamt::jmap
