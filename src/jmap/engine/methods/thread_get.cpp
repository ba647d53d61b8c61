#include "jmap/engine/methods/methods.h"
#include "jmap/engine/standard.h"
#include "model/object_ids.h"

namespace postamt::jmap::methods {

// RFC 8621 §3.1: a thread's Emails, oldest first (receivedAt, then id).
json::object thread_get(CallContext& context, const json::object& arguments) {
  static constexpr std::string_view kProperties[] = {"id", "emailIds"};
  GetArguments get = read_get(context, arguments, kProperties, kProperties);
  const AccountView& view = context.view();
  std::vector<uint64_t> threads;
  json::array not_found;
  if (!get.ids) {
    for (const EmailEntry& e : view.emails())
      if (std::find(threads.begin(), threads.end(), e.thread()) == threads.end())
        threads.push_back(e.thread());
  } else {
    for (const std::string& id : *get.ids) {
      auto thread = parse_thread_object_id(id);
      if (thread && !view.thread(*thread).empty())
        threads.push_back(*thread);
      else
        not_found.emplace_back(id);
    }
  }
  json::array list;
  for (uint64_t thread : threads) {
    json::object t{{"id", thread_object_id(thread)}};
    if (wants(get, "emailIds")) {
      json::array ids;
      for (const EmailEntry* e : view.thread(thread)) ids.emplace_back(e->id);
      t["emailIds"] = std::move(ids);
    }
    list.push_back(std::move(t));
  }
  return {{"accountId", context.account_id()},
          {"state", state_string(view.modseq())},
          {"list", std::move(list)},
          {"notFound", std::move(not_found)}};
}

}  // namespace postamt::jmap::methods
