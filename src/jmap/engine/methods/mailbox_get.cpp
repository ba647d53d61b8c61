#include "jmap/engine/mailbox_json.h"
#include "jmap/engine/methods/methods.h"

namespace postamt::jmap::methods {

// RFC 8621 §2.1 (RFC 8620 §5.1).
json::object mailbox_get(CallContext& context, const json::object& arguments) {
  GetArguments get = read_get(context, arguments, kMailboxProperties, kMailboxProperties);
  const AccountView& view = context.view();
  json::array list, not_found;
  if (!get.ids) {
    for (const store::Mailbox& m : view.mailboxes()) list.push_back(mailbox_json(view, m, get));
  } else {
    for (const std::string& id : *get.ids) {
      if (const store::Mailbox* m = view.mailbox(id))
        list.push_back(mailbox_json(view, *m, get));
      else
        not_found.emplace_back(id);
    }
  }
  return {{"accountId", context.account_id()},
          {"state", state_string(view.modseq())},
          {"list", std::move(list)},
          {"notFound", std::move(not_found)}};
}

}  // namespace postamt::jmap::methods
