#include "imap/session/commands/commands.h"

namespace postamt::imap::commands {

// RFC 2342: one personal namespace with no prefix and "/" as the delimiter; Postamt
// has no other users' or shared mailboxes.
Reply name_space(CommandContext&, const proto::NamespaceCmd&) {
  proto::NamespaceData data;
  data.personal.push_back(proto::NamespaceData::Entry{"", '/'});
  Reply reply = Reply::ok("NAMESPACE completed");
  reply.untagged.emplace_back(std::move(data));
  return reply;
}

}  // namespace postamt::imap::commands
