#include "mail/thread.h"
#include "imap/session/commands/commands.h"
#include "imap/session/commands/matching.h"
#include "imap/session/error_codes.h"

namespace postamt::imap::commands {

Reply thread(CommandContext& ctx, const proto::ThreadCmd& cmd) {
  auto run = find_matches(ctx, cmd.key, proto::SearchReturn{});
  if (auto* failed = std::get_if<Reply>(&run)) return std::move(*failed);
  const Matches& matches = std::get<Matches>(run);

  std::vector<const store::MessageRecord*> records;
  records.reserve(matches.found.size());
  for (const Found& f : matches.found) records.push_back(f.record);
  const mail::ThreadAlgorithm algorithm = cmd.algorithm == proto::ThreadAlgorithmName::references
                                              ? mail::ThreadAlgorithm::references
                                              : mail::ThreadAlgorithm::ordered_subject;
  ctx.selected->thread_cache().set_max_bytes(ctx.sort_cache);
  auto forest = mail::thread_messages(ctx.store, ctx.blobs, ctx.selected->id(), records, algorithm,
                                      &ctx.selected->thread_cache());
  if (!forest) return reply_for(forest.error());

  // RFC 7162 §3.1.9: THREAD responses stay as they are with a MODSEQ key.
  proto::ThreadData data;
  data.nodes.reserve(forest->nodes.size());
  for (auto& node : forest->nodes) {
    uint32_t number = node.message == mail::ThreadForest::kNoMessage
                          ? 0
                          : number_of(matches.found[node.message], cmd.numbers);
    data.nodes.push_back(proto::ThreadData::Node{number, std::move(node.children)});
  }
  data.roots = std::move(forest->roots);
  Reply reply;
  reply.untagged.emplace_back(std::move(data));
  reply.text = cmd.numbers == proto::NumberKind::uid ? "UID THREAD completed" : "THREAD completed";
  return reply;
}

}  // namespace postamt::imap::commands
