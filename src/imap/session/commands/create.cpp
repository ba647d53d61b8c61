#include <string>

#include "imap/session/commands/commands.h"
#include "imap/session/commands/common.h"
#include "imap/session/error_codes.h"
#include "mail/mailboxes.h"
#include "model/object_ids.h"

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
  // Checked (and normalized) again by the core; here so that a bad name is refused
  // before its USE attribute is looked at.
  if (auto valid = mail::check_mailbox_name(name); !valid) return reply_for(valid.error());
  MailboxRole role = MailboxRole::none;
  if (cmd.special_use.size() > 1)
    return Reply::no(ResponseCode::simple(Kind::use_attr),
                     "Only one special-use attribute per mailbox");
  if (cmd.special_use.size() == 1) {
    auto found = role_from_special_use(cmd.special_use.front());
    if (!found)
      return Reply::no(
          ResponseCode::simple(Kind::use_attr),
          "Unsupported special-use attribute " + cmd.special_use.front().substr(0, kMaxQuotedWord));
    role = *found;
    // A taken role is a USEATTR refusal here (the core would say ALREADYEXISTS).
    auto holder = mail::mailbox_with_role(ctx.store, ctx.account.id, role);
    if (!holder) return reply_for(holder.error());
    if (*holder)
      return Reply::no(ResponseCode::simple(Kind::use_attr),
                       "A mailbox with role " + std::string(role_name(role)) + " exists already");
  }
  auto made = mail::create_mailbox(ctx.store, ctx.account.id, name, role);
  if (!made) return reply_for(made.error());
  // RFC 8474 §4.1: every successful CREATE names the new mailbox's MAILBOXID.
  return Reply::ok(
      ResponseCode::with_words(Kind::mailbox_id, {mailbox_object_id(made->uid_validity)}),
      "CREATE completed");
}

}  // namespace postamt::imap::commands
