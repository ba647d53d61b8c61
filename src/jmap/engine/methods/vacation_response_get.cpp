#include "jmap/engine/arguments.h"
#include "jmap/engine/methods/methods.h"
#include "jmap/engine/standard.h"
#include "jmap/engine/vacation_json.h"

namespace postamt::jmap::methods {
namespace {

constexpr std::string_view kProperties[] = {"id",      "isEnabled", "fromDate", "toDate",
                                            "subject", "textBody",  "htmlBody"};

}  // namespace

// RFC 8621 §8.1: a standard /get over the one object "singleton".
json::object vacation_response_get(CallContext& context, const json::object& arguments) {
  GetArguments get = read_get(context, arguments, kProperties, kProperties);
  vacation::Settings settings = load_vacation(context);
  json::array list, not_found;
  bool wanted = !get.ids;
  if (get.ids)
    for (const std::string& id : *get.ids) {
      if (id == kVacationId)
        wanted = true;
      else
        not_found.emplace_back(id);
    }
  if (wanted) {
    json::object full = vacation_json(settings), out;
    for (const std::string& p : get.properties) out[p] = full[p];
    list.push_back(std::move(out));
  }
  return {{"accountId", context.account_id()},
          {"state", vacation_state(settings)},
          {"list", std::move(list)},
          {"notFound", std::move(not_found)}};
}

}  // namespace postamt::jmap::methods
