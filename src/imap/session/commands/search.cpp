#include <algorithm>

#include "imap/session/commands/commands.h"
#include "imap/session/commands/matching.h"

namespace postamt::imap::commands {
namespace {

// RFC 9051 §6.4.4.1 and RFC 4731 §3.2: with MIN and/or MAX but neither ALL nor COUNT, "$"
// and MODSEQ refer only to the returned minimum and maximum; otherwise to all found.
std::vector<Found> reported(const std::vector<Found>& found, const proto::SearchReturn& ret) {
  if (found.empty() || (!ret.min && !ret.max) || ret.all || ret.count) return found;
  std::vector<Found> out;
  if (ret.min) out.push_back(found.front());
  if (ret.max && (out.empty() || out.back().uid != found.back().uid)) out.push_back(found.back());
  return out;
}

}  // namespace

Reply search(CommandContext& ctx, const proto::SearchCmd& cmd) {
  SelectedMailbox& selected = *ctx.selected;
  const proto::SearchReturn& ret = cmd.returns;
  // A BAD answer leaves "$" as it was (RFC 9051 §6.4.4.1).
  auto run = find_matches(ctx, cmd.key);
  if (auto* failed = std::get_if<Reply>(&run)) {
    // RFC 9051 §6.4.4.1: a SAVE search answered NO empties "$".
    if (ret.save && failed->condition == proto::Condition::no) selected.save_result({});
    return std::move(*failed);
  }
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
  const bool only_save = ret.save && !ret.min && !ret.max && !ret.all && !ret.count;
  if (extended && !only_save) {
    // RFC 4731 §3.1: MIN, MAX and ALL are left out when nothing matched; COUNT never is.
    proto::ESearchData data;
    data.tag = std::string(ctx.tag);
    data.numbers = cmd.numbers;
    if (options.min && !found.empty()) data.min = number_of(found.front(), cmd.numbers);
    if (options.max && !found.empty()) data.max = number_of(found.back(), cmd.numbers);
    if (options.all && !found.empty()) {
      std::vector<uint32_t> numbers;
      for (const auto& f : found) numbers.push_back(number_of(f, cmd.numbers));
      data.all = proto::SequenceSet::from_numbers(std::move(numbers));
    }
    if (options.count) data.count = static_cast<uint32_t>(found.size());
    data.mod_seq = highest_modseq(matches, returned);
    reply.untagged.emplace_back(std::move(data));
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
