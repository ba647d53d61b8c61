#include "imap/session/commands/commands.h"

namespace postamt::imap::commands {

// RFC 5161 §3.1: only before a mailbox is selected; the ENABLED response names just the
// extensions this command turned on (unknown names and ones already on are left out).
// RFC 7162 §3.2.3: QRESYNC turns CONDSTORE on too; "ENABLE QRESYNC" and "ENABLE QRESYNC
// CONDSTORE" have the same effect.
Reply enable(CommandContext& ctx, const proto::EnableCmd& cmd) {
  if (ctx.selected) return Reply::bad("ENABLE is only valid before a mailbox is selected");
  proto::EnabledData enabled;
  for (const auto& name : cmd.capabilities) {
    bool* flag = nullptr;
    if (name == "CONDSTORE") flag = &ctx.enabled.condstore;
    if (name == "IMAP4REV2") flag = &ctx.enabled.imap4rev2;
    if (name == "QRESYNC") flag = &ctx.enabled.qresync;
    if (name == "UTF8=ACCEPT" && ctx.utf8_accept) flag = &ctx.enabled.utf8_accept;
    if (!flag || *flag) continue;
    *flag = true;
    if (flag == &ctx.enabled.qresync) ctx.enabled.condstore = true;
    enabled.capabilities.push_back(name == "IMAP4REV2" ? "IMAP4rev2" : name);
  }
  Reply reply = Reply::ok("ENABLE completed");
  reply.untagged.emplace_back(std::move(enabled));
  return reply;
}

}  // namespace postamt::imap::commands
