#include <algorithm>

#include "imap/session/commands/commands.h"
#include "imap/session/commands/context_updates.h"
#include "imap/session/commands/matching.h"

namespace postamt::imap::commands {

Reply search(CommandContext& ctx, const proto::SearchCmd& cmd) {
  // RFC 6855 §3: after ENABLE UTF8=ACCEPT a client sends no charset, and one that does
  // is refused with BAD.
  if (ctx.enabled.utf8_accept && cmd.charset_given)
    return Reply::bad("SEARCH CHARSET is not allowed after ENABLE UTF8=ACCEPT");
  SelectedMailbox& selected = *ctx.selected;
  const proto::SearchReturn& ret = cmd.returns;
  auto run = find_matches(ctx, cmd.key, ret);
  if (auto* failed = std::get_if<Reply>(&run)) return std::move(*failed);
  const Matches& matches = std::get<Matches>(run);
  const std::vector<Found>& found = matches.found;

  const bool extended = ret.requested || ctx.enabled.imap4rev2;
  // RFC 9051 §6.4.4: no result option means ALL.
  proto::SearchReturn options = ret;
  if (!ret.requested) options.all = true;
  std::vector<Found> returned = reported(found, options);

  Reply reply;
  if (ret.save) {
    std::vector<Uid> uids;
    for (const auto& f : returned) uids.push_back(f.uid);
    selected.save_result(std::move(uids));
  }
  const bool only_save = ret.save && !ret.min && !ret.max && !ret.all && !ret.count &&
                         !ret.partial && !ret.update && !ret.context;
  if (extended && !only_save) {
    reply.untagged.emplace_back(esearch_data(ctx, cmd.numbers, options, matches, found));
    if (auto refused = register_context(ctx, ret, cmd.numbers, matches, found, {}))
      reply.untagged.push_back(std::move(*refused));
  } else if (!extended) {
    proto::SearchData data;
    for (const auto& f : found) data.numbers.push_back(number_of(f, cmd.numbers));
    data.mod_seq = highest_modseq(matches, found);
    reply.untagged.emplace_back(std::move(data));
  }
  reply.text = cmd.numbers == proto::NumberKind::uid ? "UID SEARCH completed" : "SEARCH completed";
  return reply;
}

}  // namespace postamt::imap::commands
