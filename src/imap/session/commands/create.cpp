#include <string>

#include "imap/session/commands/commands.h"
#include "imap/session/commands/mailbox_rules.h"
#include "imap/session/error_codes.h"

namespace postamt::imap::commands {

using proto::ResponseCode;
using Kind = proto::ResponseCode::Kind;

// RFC 3501 §6.3.3: a trailing delimiter only says the client means to create children;
// missing superior names are created too ("SHOULD"). RFC 6154 §3 (CREATE-SPECIAL-USE):
// USE (\Sent) gives the new mailbox that role; an unsupported or taken role fails the
// whole CREATE before anything is created, with the USEATTR code (RFC 6154 §5.3).
Reply create(CommandContext& ctx, const proto::CreateCmd& cmd) {
  std::string name = cmd.mailbox;
  if (!name.empty() && name.back() == '/') name.pop_back();
  if (auto valid = check_mailbox_name(name); !valid) return reply_for(valid.error());
  MailboxRole role = MailboxRole::none;
  if (cmd.special_use.size() > 1)
    return Reply::no(ResponseCode::simple(Kind::use_attr),
                     "Only one special-use attribute per mailbox");
  if (cmd.special_use.size() == 1) {
    auto found = role_from_special_use(cmd.special_use.front());
    if (!found)
      return Reply::no(ResponseCode::simple(Kind::use_attr),
                       "Unsupported special-use attribute " + cmd.special_use.front());
    role = *found;
    auto holder = ctx.store.find_mailbox_by_role(ctx.account.id, role);
    // Same words as the store's refusal, but before any parent is created.
    if (holder)
      return Reply::no(ResponseCode::simple(Kind::use_attr),
                       "A mailbox with role " + std::string(role_name(role)) + " exists already");
    if (holder.error().kind != ErrorKind::not_found) return reply_for(holder.error());
  }
  for (size_t slash = name.find('/'); slash != std::string::npos;
       slash = name.find('/', slash + 1)) {
    std::string parent = name.substr(0, slash);
    auto exists = ctx.store.find_mailbox(ctx.account.id, parent);
    if (exists) continue;
    if (exists.error().kind != ErrorKind::not_found) return reply_for(exists.error());
    auto made = ctx.store.create_mailbox(ctx.account.id, parent, MailboxRole::none);
    if (!made) return reply_for(made.error());
  }
  auto made = ctx.store.create_mailbox(ctx.account.id, name, role);
  if (!made) return reply_for(made.error());
  return Reply::ok("CREATE completed");
}

}  // namespace postamt::imap::commands
