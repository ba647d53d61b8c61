#include "jmap/proto/push.h"

#include <boost/json/serialize.hpp>

#include <algorithm>

#include "base/strings.h"

namespace postamt::jmap {
namespace {

namespace json = boost::json;

// Type names are JMAP data type names ("Email", "CalendarEvent"): letters and digits.
bool is_type_name(std::string_view s) {
  if (s.empty() || s.size() > 255) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  });
}

Error invalid(std::string message) {
  return Error{ErrorKind::invalid, std::move(message)};
}

}  // namespace

Result<EventSourceParams> parse_event_source_query(std::string_view query) {
  EventSourceParams params;
  for (std::string_view pair : split(query, '&')) {
    size_t eq = pair.find('=');
    std::string_view name = pair.substr(0, eq);
    std::string value = eq == std::string_view::npos ? "" : percent_decode(pair.substr(eq + 1));
    if (name == "types") {
      params.types.clear();
      if (value.empty() || value == "*") continue;
      for (std::string_view type : split(value, ',')) {
        if (!is_type_name(type)) return invalid("types: expected \"*\" or a list of type names");
        params.types.emplace_back(type);
      }
    } else if (name == "closeafter") {
      if (value == "state")
        params.close_after = CloseAfter::state;
      else if (value == "no" || value.empty())
        params.close_after = CloseAfter::no;
      else
        return invalid("closeafter: expected \"state\" or \"no\"");
    } else if (name == "ping") {
      if (value.empty()) {
        params.ping = std::chrono::seconds(0);
        continue;
      }
      if (value.size() > 10 ||
          !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return invalid("ping: expected a number of seconds");
      uint64_t n = std::stoull(value);
      if (n >= (1ull << 31)) return invalid("ping: expected a number of seconds");
      params.ping = std::chrono::seconds(n);
    }
  }
  return params;
}

std::chrono::seconds ping_interval(std::chrono::seconds requested, std::chrono::seconds minimum) {
  if (requested.count() == 0) return requested;
  return std::clamp(requested, std::min(minimum, kMaxPingInterval), kMaxPingInterval);
}

bool wants_type(const EventSourceParams& params, std::string_view type) {
  return params.types.empty() ||
         std::find(params.types.begin(), params.types.end(), type) != params.types.end();
}

std::string encode_event(std::string_view name, const json::object& data) {
  // serialize() never writes a line break, so the data fits one "data:" line.
  std::string out = "event: ";
  out += name;
  out += "\ndata: ";
  out += json::serialize(data);
  out += "\n\n";
  return out;
}

json::object state_change(std::string_view account_id,
                          const std::vector<std::pair<std::string, std::string>>& states) {
  json::object types;
  for (const auto& [type, state] : states) types[type] = state;
  json::object changed;
  changed[account_id] = std::move(types);
  return json::object{{"@type", "StateChange"}, {"changed", std::move(changed)}};
}

json::object ping_data(std::chrono::seconds interval) {
  return json::object{{"interval", interval.count()}};
}

}  // namespace postamt::jmap
