#include <algorithm>
#include <optional>

#include "imap/session/commands/commands.h"
#include "imap/session/commands/search_query.h"
#include "imap/session/error_codes.h"
#include "mail/envelope_lines.h"
#include "mail/search.h"

namespace postamt::imap::commands {
namespace {

// The stored envelope lines of the view's messages, loaded kEnvelopeChunk messages at a
// time (one store query per run of nearby uids, mail/envelope_lines.h), and only for
// chunks whose messages a header key reaches: "UID 99990:* SUBJECT x" loads one chunk.
class ViewEnvelopes final : public mail::EnvelopeSource {
 public:
  static constexpr size_t kEnvelopeChunk = 1000;

  ViewEnvelopes(store::Store& store, const SelectedMailbox& selected)
      : store_(store), selected_(selected) {}
  // The view index of the message about to be matched.
  void at(size_t index) { index_ = index; }

  Result<const std::string*> lines(Uid uid) override {
    size_t chunk = index_ / kEnvelopeChunk;
    if (chunk != loaded_chunk_) {
      const auto& messages = selected_.messages();
      std::vector<Uid> uids;
      for (size_t j = chunk * kEnvelopeChunk;
           j < std::min(messages.size(), (chunk + 1) * kEnvelopeChunk); ++j)
        uids.push_back(messages[j].uid);
      auto loaded = mail::EnvelopeLines::load(store_, selected_.id(), uids);
      if (!loaded) return loaded.error();
      loaded_.emplace(std::move(*loaded));
      loaded_chunk_ = chunk;
    }
    return loaded_->find(uid);
  }

 private:
  store::Store& store_;
  const SelectedMailbox& selected_;
  size_t index_ = 0;
  size_t loaded_chunk_ = static_cast<size_t>(-1);
  std::optional<mail::EnvelopeLines> loaded_;
};

struct Found {
  uint32_t seq = 0;
  Uid uid = 0;
  ModSeq modseq = 0;
};

// RFC 9051 §6.4.4.1 and RFC 4731 §3.2: with MIN and/or MAX but neither ALL nor COUNT, "$"
// and MODSEQ refer only to the returned minimum and maximum; otherwise to all found.
std::vector<Found> reported(const std::vector<Found>& found, const proto::SearchReturn& ret) {
  if (found.empty() || (!ret.min && !ret.max) || ret.all || ret.count) return found;
  std::vector<Found> out;
  if (ret.min) out.push_back(found.front());
  if (ret.max && (out.empty() || out.back().uid != found.back().uid)) out.push_back(found.back());
  return out;
}

uint32_t number_of(const Found& f, proto::NumberKind kind) {
  return kind == proto::NumberKind::uid ? f.uid : f.seq;
}

}  // namespace

Reply search(CommandContext& ctx, const proto::SearchCmd& cmd) {
  SelectedMailbox& selected = *ctx.selected;
  const proto::SearchReturn& ret = cmd.returns;
  // A BAD answer leaves "$" as it was (RFC 9051 §6.4.4.1).
  auto query = to_search_query(cmd.key, selected);
  if (!query) return Reply::bad(query.error().message);
  auto program = mail::SearchProgram::compile(*query);
  if (!program) return Reply::bad(program.error().message);
  const bool mod_seq = uses_mod_seq(cmd.key);
  // RFC 7162 §3.1: a SEARCH with MODSEQ enables CONDSTORE.
  if (mod_seq) ctx.enabled.condstore = true;

  std::vector<Found> found;
  const auto& messages = selected.messages();
  ViewEnvelopes envelopes(ctx.store, selected);
  for (size_t i = 0; i < messages.size(); ++i) {
    const store::MessageRecord& record = messages[i];
    // Expunged by another session, not yet told: it no longer exists to search.
    if (selected.vanished(record.uid)) continue;
    auto seq = static_cast<uint32_t>(i + 1);
    envelopes.at(i);
    auto matched = program->matches(record, ctx.blobs,
                                    program->reads_envelope_fields() ? &envelopes : nullptr);
    if (!matched) {
      // RFC 9051 §6.4.4.1: a SAVE search answered NO empties "$".
      if (ret.save) selected.save_result({});
      return reply_for(matched.error());
    }
    if (*matched) found.push_back(Found{seq, record.uid, record.modseq});
  }

  const bool extended = ret.requested || ctx.enabled.imap4rev2;
  // RFC 9051 §6.4.4: no result option means ALL.
  proto::SearchReturn options = ret;
  if (!ret.requested) options.all = true;
  std::vector<Found> returned = reported(found, options);

  auto highest_modseq = [&](const std::vector<Found>& of) -> std::optional<uint64_t> {
    // RFC 7162 §3.1.5: only with a MODSEQ key, and only for a non-empty result.
    if (!mod_seq || of.empty()) return std::nullopt;
    ModSeq highest = 0;
    for (const auto& f : of) highest = std::max(highest, f.modseq);
    return highest;
  };

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
    data.mod_seq = highest_modseq(returned);
    reply.untagged.emplace_back(std::move(data));
  } else if (!extended) {
    proto::SearchData data;
    for (const auto& f : found) data.numbers.push_back(number_of(f, cmd.numbers));
    data.mod_seq = highest_modseq(found);
    reply.untagged.emplace_back(std::move(data));
  }
  reply.text = cmd.numbers == proto::NumberKind::uid ? "UID SEARCH completed" : "SEARCH completed";
  return reply;
}

}  // namespace postamt::imap::commands
