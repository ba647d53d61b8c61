#include "jmap/engine/arguments.h"
#include "jmap/engine/methods/methods.h"
#include "jmap/engine/standard.h"

namespace postamt::jmap::methods {
namespace {

constexpr std::string_view kProperties[] = {"id",  "name",          "email",         "replyTo",
                                            "bcc", "textSignature", "htmlSignature", "mayDelete"};

// The one identity of an account: its own address. "I" + the account's id.
std::string identity_id(CallContext& context) {
  return "I" + std::to_string(context.account().id.value());
}

}  // namespace

// RFC 8621 §6.1. Postamt lets an account send as its own address (mail/senders.h also
// accepts aliases that lead only to it, which are not offered as identities yet).
json::object identity_get(CallContext& context, const json::object& arguments) {
  GetArguments get = read_get(context, arguments, kProperties, kProperties);
  json::array list, not_found;
  std::string id = identity_id(context);
  auto add = [&] {
    json::object out{{"id", id}};
    if (wants(get, "name")) out["name"] = "";
    if (wants(get, "email")) out["email"] = context.account().address;
    if (wants(get, "replyTo")) out["replyTo"] = nullptr;
    if (wants(get, "bcc")) out["bcc"] = nullptr;
    if (wants(get, "textSignature")) out["textSignature"] = "";
    if (wants(get, "htmlSignature")) out["htmlSignature"] = "";
    if (wants(get, "mayDelete")) out["mayDelete"] = false;
    list.push_back(std::move(out));
  };
  if (!get.ids) {
    add();
  } else {
    for (const std::string& i : *get.ids) {
      if (i == id)
        add();
      else
        not_found.emplace_back(i);
    }
  }
  return {{"accountId", context.account_id()},
          {"state", state_string(context.view().modseq())},
          {"list", std::move(list)},
          {"notFound", std::move(not_found)}};
}

// Identities never change (the account's address is fixed): nothing since any state.
json::object identity_changes(CallContext& context, const json::object& arguments) {
  context.require_account(arguments);
  ModSeq now = context.view().modseq();
  return answer_changes(context, arguments, now, 0, {});
}

}  // namespace postamt::jmap::methods
