#include "imap/session/commands/matching.h"

#include <algorithm>
#include <optional>

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

}  // namespace

std::variant<Matches, Reply> find_matches(CommandContext& ctx, const proto::SearchKey& key,
                                          const proto::SearchReturn& returns) {
  SelectedMailbox& selected = *ctx.selected;
  // RFC 5267 §4.3: UPDATE under a tag that names a context already is BAD.
  if (returns.update && selected.has_context(ctx.tag)) return Reply::bad("Tag reuse");
  auto query = to_search_query(key, selected);
  if (!query) return Reply::bad(query.error().message);
  auto program = mail::SearchProgram::compile(*query);
  if (!program) return Reply::bad(program.error().message);
  Matches out;
  out.program = std::make_shared<const mail::SearchProgram>(std::move(*program));
  out.mod_seq = uses_mod_seq(key);
  // RFC 7162 §3.1: a SEARCH with MODSEQ enables CONDSTORE.
  if (out.mod_seq) ctx.enabled.condstore = true;

  const auto& messages = selected.messages();
  ViewEnvelopes envelopes(ctx.store, selected);
  for (size_t i = 0; i < messages.size(); ++i) {
    const store::MessageRecord& record = messages[i];
    if (selected.vanished(record.uid)) continue;
    envelopes.at(i);
    auto matched = out.program->matches(
        record, ctx.blobs, out.program->reads_envelope_fields() ? &envelopes : nullptr);
    if (!matched) {
      if (returns.save) selected.save_result({});
      return reply_for(matched.error());
    }
    if (*matched)
      out.found.push_back(Found{static_cast<uint32_t>(i + 1), record.uid, record.modseq, &record});
  }
  return out;
}

std::optional<uint64_t> highest_modseq(const Matches& matches, const std::vector<Found>& found) {
  if (!matches.mod_seq || found.empty()) return std::nullopt;
  ModSeq highest = 0;
  for (const auto& f : found) highest = std::max(highest, f.modseq);
  return highest;
}

uint32_t number_of(const Found& f, proto::NumberKind kind) {
  return kind == proto::NumberKind::uid ? f.uid : f.seq;
}

std::vector<Found> reported(const std::vector<Found>& found, const proto::SearchReturn& ret) {
  if (found.empty() || (!ret.min && !ret.max) || ret.all || ret.count) return found;
  std::vector<Found> out;
  if (ret.min) out.push_back(found.front());
  if (ret.max && (out.empty() || out.back().uid != found.back().uid)) out.push_back(found.back());
  return out;
}

proto::ESearchData esearch_data(const CommandContext& ctx, proto::NumberKind numbers,
                                const proto::SearchReturn& ret, const Matches& matches,
                                const std::vector<Found>& found) {
  proto::ESearchData data;
  data.tag = std::string(ctx.tag);
  data.numbers = numbers;
  if (ret.min && !found.empty()) data.min = number_of(found.front(), numbers);
  if (ret.max && !found.empty()) data.max = number_of(found.back(), numbers);
  if (ret.all && !found.empty()) {
    std::vector<uint32_t> all;
    for (const Found& f : found) all.push_back(number_of(f, numbers));
    data.all = proto::SequenceSet::in_order(all);
  }
  if (ret.count) data.count = static_cast<uint32_t>(found.size());
  // RFC 5267 §4.4: results first..last of the requested order; NIL beyond the end.
  if (ret.partial) {
    data.partial = ret.partial;
    std::vector<uint32_t> part;
    for (size_t i = ret.partial->first - 1; i < found.size() && i < ret.partial->last; ++i)
      part.push_back(number_of(found[i], numbers));
    if (!part.empty()) data.partial_set = proto::SequenceSet::in_order(part);
  }
  data.mod_seq = highest_modseq(matches, reported(found, ret));
  return data;
}

}  // namespace postamt::imap::commands
