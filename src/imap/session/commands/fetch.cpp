#include <algorithm>
#include <limits>
#include <memory>
#include <span>

#include "imap/session/commands/binary.h"
#include "imap/session/commands/commands.h"
#include "imap/session/commands/fetch_items.h"
#include "imap/session/commands/qresync.h"
#include "imap/session/error_codes.h"
#include "mail/envelope_lines.h"
#include "mail/preview.h"
#include "mime/imap_data.h"
#include "mime/message.h"
#include "model/object_ids.h"

namespace postamt::imap::commands {
namespace {

using Item = proto::FetchItem;
using K = proto::FetchItem::Kind;

bool sets_seen(const Item& item) {
  return ((item.kind == K::body_section || item.kind == K::binary) &&
          item.peek == proto::Peek::no) ||
         item.kind == K::rfc822 || item.kind == K::rfc822_text;
}

// The whole message, as a read: what the read-receipt engine hears about (mail/events.h).
bool downloads_whole(const Item& item) {
  if (item.kind == K::rfc822) return true;
  if (item.kind == K::binary)
    return item.peek == proto::Peek::no && !item.partial && item.section.part.empty();
  return item.kind == K::body_section && item.peek == proto::Peek::no && !item.partial &&
         item.section.part.empty() && item.section.text == proto::SectionText::none;
}

bool carries_content(const Item& item) {
  return item.kind == K::body_section || item.kind == K::binary || item.kind == K::rfc822 ||
         item.kind == K::rfc822_header || item.kind == K::rfc822_text;
}

bool needs_message(const Item& item) {
  switch (item.kind) {
    case K::envelope:
    case K::body:
    case K::body_structure:
    case K::body_section:
    case K::rfc822:
    case K::rfc822_header:
    case K::rfc822_text:
    case K::binary:
    case K::binary_size:
    case K::preview:
      return true;
    default:
      return false;
  }
}

std::string slice(std::string_view bytes, const std::optional<proto::Partial>& partial) {
  if (!partial) return std::string(bytes);
  // RFC 3501 §6.4.5: an origin beyond the end gives an empty string.
  if (partial->offset >= bytes.size()) return std::string();
  return std::string(bytes.substr(partial->offset, partial->length));
}

bool is_binary(const Item& item) {
  return item.kind == K::binary || item.kind == K::binary_size;
}

Reply unknown_cte(const Error& error) {
  return Reply::no(proto::ResponseCode::simple(proto::ResponseCode::Kind::unknown_cte),
                   error.message);
}

// RFC 3516 §4.2: an undecodable part fails the whole FETCH. Checked before anything is
// changed, so that a failing FETCH sets no \Seen.
std::optional<Reply> check_binary(CommandContext& ctx, const SelectedMailbox& selected,
                                  const std::vector<SelectedMailbox::Target>& targets,
                                  const std::vector<Item>& items) {
  for (const auto& t : targets) {
    if (selected.vanished(t.uid)) continue;
    auto opened = ctx.blobs.open(selected.find(t.uid)->blob);
    if (!opened) return reply_for(opened.error());
    mime::Message message = mime::parse(opened->bytes());
    for (const auto& item : items) {
      if (!is_binary(item)) continue;
      if (auto content = binary_content(message, item.section.part); !content)
        return unknown_cte(content.error());
    }
  }
  return std::nullopt;
}

// FETCH answers in batches (Reply::next) of at most this many messages or, roughly, this
// much message data, so that "FETCH 1:* BODY[]" on a large mailbox never has to be held
// in memory at once.
constexpr size_t kBatchMessages = 1000;
constexpr uint64_t kBatchOctets = 8 * 1024 * 1024;
// Distinct data items one FETCH may ask for, and how many of them may carry message
// content (each is a copy of up to the whole message in the answer).
constexpr size_t kMaxFetchItems = 64;
constexpr std::ptrdiff_t kMaxContentItems = 16;

// What every batch of one FETCH needs; shared by the batches' continuations.
struct FetchPlan {
  std::vector<Item> items;
  std::vector<SelectedMailbox::Target> targets;
  bool seen_items = false;
  bool message_items = false;
  bool whole_items = false;
  bool flags_asked = false;
  // ENVELOPE is the only item that reads the message: the store's envelope header lines
  // answer it without opening the message file (mail/envelope_lines.h).
  bool envelope_only = false;
  uint64_t message_item_count = 0;  // items that may each carry the whole message
  std::string done_text;
};

Reply fetch_batch(CommandContext& ctx, std::shared_ptr<const FetchPlan> plan, size_t start);

}  // namespace

Reply fetch(CommandContext& ctx, const proto::FetchCmd& cmd) {
  SelectedMailbox& selected = *ctx.selected;
  // RFC 7162 §3.2.6: BAD unless QRESYNC was enabled (the parser checked UID FETCH and
  // CHANGEDSINCE).
  if (cmd.vanished && !ctx.enabled.qresync) return Reply::bad("VANISHED needs ENABLE QRESYNC");
  auto targets = selected.resolve(cmd.set, cmd.numbers);
  if (!targets) return Reply::bad(targets.error().message);
  // Repeated items are answered once; a FETCH asking for more distinct items than any
  // client needs is refused, so that one line cannot multiply the answer's size.
  std::vector<Item> items;
  for (const auto& item : cmd.items)
    if (std::find(items.begin(), items.end(), item) == items.end()) items.push_back(item);
  if (items.size() > kMaxFetchItems) return Reply::bad("Too many FETCH data items");
  if (std::count_if(items.begin(), items.end(), carries_content) > kMaxContentItems)
    return Reply::bad("Too many FETCH body sections in one command");
  auto has = [&items](K kind) {
    return std::any_of(items.begin(), items.end(),
                       [kind](const Item& i) { return i.kind == kind; });
  };
  if (cmd.changed_since) {
    // RFC 7162 §3.1.4: only messages changed after the given modseq, each with MODSEQ.
    ctx.enabled.condstore = true;
    std::erase_if(*targets, [&](const SelectedMailbox::Target& t) {
      const store::MessageRecord* m = selected.find(t.uid);
      return m->modseq <= *cmd.changed_since;
    });
  }
  // RFC 7162 §3.1: once CONDSTORE is on, FETCH responses that carry flags carry MODSEQ
  // too, also the FLAGS a body fetch adds when it sets \Seen.
  bool flags_may_appear = has(K::flags) || std::any_of(items.begin(), items.end(), sets_seen);
  if ((cmd.changed_since || (ctx.enabled.condstore && flags_may_appear)) && !has(K::mod_seq)) {
    Item modseq;
    modseq.kind = K::mod_seq;
    items.push_back(modseq);
  }
  if (std::any_of(items.begin(), items.end(), is_binary))
    if (auto refused = check_binary(ctx, selected, *targets, items)) return std::move(*refused);
  auto plan = std::make_shared<FetchPlan>();
  plan->seen_items = std::any_of(items.begin(), items.end(), sets_seen);
  plan->message_item_count =
      static_cast<uint64_t>(std::count_if(items.begin(), items.end(), needs_message));
  plan->message_items = plan->message_item_count > 0;
  plan->envelope_only = plan->message_item_count == 1 && has(K::envelope);
  plan->whole_items = std::any_of(items.begin(), items.end(), downloads_whole);
  plan->flags_asked =
      std::any_of(items.begin(), items.end(), [](const Item& i) { return i.kind == K::flags; });
  plan->items = std::move(items);
  plan->targets = std::move(*targets);
  plan->done_text =
      cmd.numbers == proto::NumberKind::uid ? "UID FETCH completed" : "FETCH completed";
  // RFC 7162 §3.2.6: the removals in the set since CHANGEDSINCE, ahead of every FETCH.
  // '*' reaches past the last message, so that removals above it are named too.
  std::optional<proto::VanishedData> vanished;
  if (cmd.vanished) {
    proto::SequenceSet set =
        cmd.set.is_saved() ? proto::SequenceSet::from_numbers(selected.saved_result()) : cmd.set;
    auto earlier = vanished_earlier(ctx.store, selected, *cmd.changed_since,
                                    set.resolve(std::numeric_limits<Uid>::max()));
    if (!earlier) return reply_for(earlier.error());
    vanished = std::move(*earlier);
  }
  Reply reply = fetch_batch(ctx, std::move(plan), 0);
  if (vanished) reply.untagged.insert(reply.untagged.begin(), std::move(*vanished));
  return reply;
}

namespace {

Reply fetch_batch(CommandContext& ctx, std::shared_ptr<const FetchPlan> plan, size_t start) {
  SelectedMailbox& selected = *ctx.selected;
  const std::vector<Item>& items = plan->items;
  // This batch: up to kBatchMessages messages or about kBatchOctets of message data.
  size_t end = start;
  uint64_t octets = 0;
  while (end < plan->targets.size() && end - start < kBatchMessages &&
         (end == start || octets < kBatchOctets)) {
    if (plan->message_items && !selected.vanished(plan->targets[end].uid))
      octets += selected.find(plan->targets[end].uid)->size * plan->message_item_count;
    ++end;
  }
  std::span<const SelectedMailbox::Target> batch(plan->targets.data() + start, end - start);

  // RFC 3501 §6.4.5: \Seen is set implicitly, but never in an EXAMINEd mailbox.
  std::vector<Uid> newly_seen;
  if (plan->seen_items && selected.access() == Access::read_write) {
    std::vector<Uid> unseen;
    for (const auto& t : batch) {
      const store::MessageRecord* m = selected.find(t.uid);
      if (!selected.vanished(t.uid) && !m->flags.has(SystemFlag::seen)) unseen.push_back(t.uid);
    }
    if (!unseen.empty()) {
      FlagUpdate update;
      update.operation = FlagOperation::add;
      update.flags = SystemFlags{SystemFlag::seen};
      auto updated = ctx.store.update_flags(selected.id(), unseen, update);
      if (!updated) return reply_for(updated.error());
      for (const auto& m : updated->changed) newly_seen.push_back(m.uid);
      selected.update(updated->changed);
    }
  }

  std::optional<mail::EnvelopeLines> envelopes;
  if (plan->envelope_only) {
    std::vector<Uid> uids;
    for (const auto& t : batch) uids.push_back(t.uid);
    std::sort(uids.begin(), uids.end());
    auto loaded = mail::EnvelopeLines::load(ctx.store, selected.id(), uids);
    if (!loaded) return reply_for(loaded.error());
    envelopes.emplace(std::move(*loaded));
  }

  Reply reply;
  for (const auto& t : batch) {
    // Expunged by another session meanwhile: RFC 2180 §4.1.2 lets the server omit it.
    if (selected.vanished(t.uid)) continue;
    const store::MessageRecord& record = *selected.find(t.uid);
    std::optional<blob::BlobView> view;
    std::optional<mime::Message> message;
    const std::string* envelope_lines = envelopes ? envelopes->find(record.uid) : nullptr;
    if (plan->message_items && !envelope_lines) {
      auto opened = ctx.blobs.open(record.blob);
      if (!opened) return reply_for(opened.error());
      view.emplace(std::move(*opened));
      message.emplace(mime::parse(view->bytes()));
    }
    proto::FetchData data;
    data.seq = t.seq;
    for (const auto& item : items) {
      switch (item.kind) {
        case K::flags:
          data.items.emplace_back(proto::FetchFlags{selected.flags_of(record)});
          break;
        case K::uid:
          data.items.emplace_back(proto::FetchUid{record.uid});
          break;
        case K::mod_seq:
          ctx.enabled.condstore = true;  // RFC 7162 §3.1: FETCH MODSEQ enables CONDSTORE
          data.items.emplace_back(proto::FetchModSeq{record.modseq});
          break;
        case K::internal_date:
          data.items.emplace_back(proto::FetchInternalDate{to_date_time(record.internal_date)});
          break;
        case K::save_date:
          data.items.emplace_back(proto::FetchSaveDate{
              record.save_date ? std::optional(to_date_time(*record.save_date)) : std::nullopt});
          break;
        case K::rfc822_size:
          data.items.emplace_back(proto::FetchSize{record.size});
          break;
        case K::email_id:  // RFC 8474 §5.3
          data.items.emplace_back(proto::FetchEmailId{email_object_id(record.blob)});
          break;
        case K::thread_id:
          data.items.emplace_back(proto::FetchThreadId{
              record.thread ? std::optional(thread_object_id(*record.thread)) : std::nullopt});
          break;
        case K::envelope:
          data.items.emplace_back(proto::FetchEnvelope{
              to_imap(envelope_lines ? mime::envelope_of_header(*envelope_lines)
                                     : mime::envelope(*message, message->root()))});
          break;
        case K::body:
        case K::body_structure:
          data.items.emplace_back(proto::FetchBody{
              to_imap(mime::body_structure(*message, message->root())),
              item.kind == K::body ? proto::Extensible::no : proto::Extensible::yes});
          break;
        case K::body_section: {
          proto::FetchSection section;
          section.section = item.section;
          if (item.partial) section.origin = item.partial->offset;
          auto bytes = section_bytes(*message, item.section);
          if (bytes) section.data = slice(*bytes, item.partial);
          data.items.emplace_back(std::move(section));
          break;
        }
        case K::rfc822:
        case K::rfc822_header:
        case K::rfc822_text: {
          proto::Section whole;
          whole.text = item.kind == K::rfc822_header ? proto::SectionText::header
                       : item.kind == K::rfc822_text ? proto::SectionText::text
                                                     : proto::SectionText::none;
          proto::FetchRfc822 rfc822;
          rfc822.kind = item.kind == K::rfc822_header ? proto::FetchRfc822::Kind::header
                        : item.kind == K::rfc822_text ? proto::FetchRfc822::Kind::text
                                                      : proto::FetchRfc822::Kind::whole;
          rfc822.data = section_bytes(*message, whole);
          data.items.emplace_back(std::move(rfc822));
          break;
        }
        case K::preview:
          // Always made, also for LAZY (RFC 8970 §4.1 allows NIL, never requires it): the
          // message is open for this FETCH anyway.
          data.items.emplace_back(proto::FetchPreview{mail::message_preview(*message)});
          break;
        case K::binary:
        case K::binary_size: {
          auto content = binary_content(*message, item.section.part);
          if (!content) return unknown_cte(content.error());
          if (item.kind == K::binary_size) {
            data.items.emplace_back(
                proto::FetchBinarySize{item.section.part, *content ? (*content)->size() : 0});
            break;
          }
          proto::FetchBinary binary;
          binary.part = item.section.part;
          if (item.partial) binary.origin = item.partial->offset;
          if (*content) binary.data = slice(**content, item.partial);
          data.items.emplace_back(std::move(binary));
          break;
        }
      }
    }
    if (!plan->flags_asked &&
        std::find(newly_seen.begin(), newly_seen.end(), record.uid) != newly_seen.end())
      data.items.emplace_back(proto::FetchFlags{selected.flags_of(record)});
    reply.untagged.emplace_back(std::move(data));
    if (plan->whole_items) reply.downloaded.push_back(record.uid);
  }
  if (end < plan->targets.size()) {
    reply.next = [&ctx, plan = std::move(plan), end]() mutable {
      return fetch_batch(ctx, std::move(plan), end);
    };
    return reply;
  }
  reply.text = plan->done_text;
  return reply;
}

}  // namespace

}  // namespace postamt::imap::commands
