#include "imap/session/dispatch.h"

#include <algorithm>
#include <iterator>
#include <memory>
#include <type_traits>

#include "base/log.h"
#include "imap/session/commands/commands.h"
#include "imap/session/commands/context_updates.h"

namespace postamt::imap {
namespace {

// The table: one line per command.
template <class T>
constexpr auto kHandler = nullptr;
template <>
constexpr auto kHandler<proto::SelectCmd> = &commands::select;
template <>
constexpr auto kHandler<proto::ListCmd> = &commands::list;
template <>
constexpr auto kHandler<proto::StatusCmd> = &commands::status;
template <>
constexpr auto kHandler<proto::CreateCmd> = &commands::create;
template <>
constexpr auto kHandler<proto::DeleteCmd> = &commands::delete_mailbox;
template <>
constexpr auto kHandler<proto::RenameCmd> = &commands::rename;
template <>
constexpr auto kHandler<proto::SubscribeCmd> = &commands::subscribe;
template <>
constexpr auto kHandler<proto::CloseCmd> = &commands::close;
template <>
constexpr auto kHandler<proto::UnselectCmd> = &commands::unselect;
template <>
constexpr auto kHandler<proto::ExpungeCmd> = &commands::expunge;
template <>
constexpr auto kHandler<proto::CheckCmd> = &commands::check;
template <>
constexpr auto kHandler<proto::NoopCmd> = &commands::noop;
template <>
constexpr auto kHandler<proto::FetchCmd> = &commands::fetch;
template <>
constexpr auto kHandler<proto::StoreCmd> = &commands::store;
template <>
constexpr auto kHandler<proto::EnableCmd> = &commands::enable;
template <>
constexpr auto kHandler<proto::NamespaceCmd> = &commands::name_space;
template <>
constexpr auto kHandler<proto::AppendCmd> = &commands::append;
template <>
constexpr auto kHandler<proto::CopyCmd> = &commands::copy;
template <>
constexpr auto kHandler<proto::GetQuotaRootCmd> = &commands::get_quota_root;
template <>
constexpr auto kHandler<proto::GetQuotaCmd> = &commands::get_quota;
template <>
constexpr auto kHandler<proto::SetQuotaCmd> = &commands::set_quota;
template <>
constexpr auto kHandler<proto::SearchCmd> = &commands::search;
template <>
constexpr auto kHandler<proto::SortCmd> = &commands::sort;
template <>
constexpr auto kHandler<proto::ThreadCmd> = &commands::thread;
template <>
constexpr auto kHandler<proto::CancelUpdateCmd> = &commands::cancel_update;
template <>
constexpr auto kHandler<proto::GetMetadataCmd> = &commands::get_metadata;
template <>
constexpr auto kHandler<proto::SetMetadataCmd> = &commands::set_metadata;

template <class T>
constexpr bool kHasHandler =
    !std::is_same_v<std::remove_cv_t<decltype(kHandler<T>)>, std::nullptr_t>;

// Commands that select or deselect: the old mailbox's changes are not worth telling.
template <class T>
constexpr bool kChangesSelection =
    std::is_same_v<T, proto::SelectCmd> || std::is_same_v<T, proto::CloseCmd> ||
    std::is_same_v<T, proto::UnselectCmd>;

// RFC 3501 §7.4.1: no EXPUNGE response while responding to FETCH, STORE or SEARCH, nor
// SORT or THREAD (RFC 5256 §3); the UID forms are held back too, which the RFCs allow.
template <class T>
constexpr bool kHoldsExpunges =
    std::is_same_v<T, proto::FetchCmd> || std::is_same_v<T, proto::StoreCmd> ||
    std::is_same_v<T, proto::SearchCmd> || std::is_same_v<T, proto::SortCmd> ||
    std::is_same_v<T, proto::ThreadCmd>;

// RFC 7162 §3.2.7, §3.2.9 and RFC 6851 §4.4: with QRESYNC on, EXPUNGE, UID EXPUNGE and
// (UID) MOVE end with the mailbox's HIGHESTMODSEQ; CLOSE never does (§3.2.8).
template <class T>
bool reports_highest_modseq([[maybe_unused]] const T& cmd) {
  if constexpr (std::is_same_v<T, proto::ExpungeCmd>) return true;
  if constexpr (std::is_same_v<T, proto::CopyCmd>) return cmd.action == proto::Transfer::move;
  return false;
}

// A failed refresh only delays the news to the next command; the command itself goes on.
void refresh(CommandContext& ctx) {
  if (auto done = ctx.selected->refresh(ctx.store); !done)
    log::warning("imap", "reading mailbox changes failed: {}", done.error().message);
}

// Appends what changed meanwhile to the command's last Reply (after its final batch).
void add_news(CommandContext& ctx, Reply& reply, Expunges expunges) {
  if (reply.next) {
    reply.next = [&ctx, rest = std::move(reply.next), expunges]() {
      Reply more = rest();
      add_news(ctx, more, expunges);
      return more;
    };
    return;
  }
  if (!ctx.selected) return;
  refresh(ctx);
  auto news =
      ctx.selected->announce(expunges, modseqs_for(ctx.enabled), expunge_form_for(ctx.enabled));
  for (auto& r : news) reply.untagged.push_back(std::move(r));
  for (auto& r : commands::context_updates(ctx.store, ctx.blobs, *ctx.selected, ctx.sort_cache))
    reply.untagged.push_back(std::move(r));
}

// RFC 7162 §3.2: when a command's FETCH responses carried a MODSEQ above a removal the
// client has not been told of (a FETCH, STORE or SEARCH holds them back), a HIGHESTMODSEQ
// below that removal follows, so that a client that resynchronises from the largest value
// it saw does not skip the removal. `largest` is shared by the batches of one command.
void keep_modseq_below_held(CommandContext& ctx, Reply& reply, std::shared_ptr<ModSeq> largest) {
  for (const auto& r : reply.untagged)
    if (const auto* fetch = std::get_if<proto::FetchData>(&r))
      for (const auto& item : fetch->items)
        if (const auto* m = std::get_if<proto::FetchModSeq>(&item))
          *largest = std::max(*largest, m->mod_seq);
  if (reply.next) {
    reply.next = [&ctx, rest = std::move(reply.next), largest]() {
      Reply more = rest();
      keep_modseq_below_held(ctx, more, largest);
      return more;
    };
    return;
  }
  if (!ctx.selected) return;
  auto held = ctx.selected->held_expunge_modseq();
  if (!held || *largest < *held) return;
  reply.untagged.emplace_back(proto::StatusResponse{
      "", proto::Condition::ok,
      proto::ResponseCode::with_number(proto::ResponseCode::Kind::highest_mod_seq, *held - 1),
      "Highest"});
}

// Announces keywords before the FETCH responses of every batch that first carry them.
void tell_keywords(CommandContext& ctx, Reply& reply) {
  if (ctx.selected) ctx.selected->tell_new_keywords(reply.untagged);
  if (reply.next) {
    reply.next = [&ctx, rest = std::move(reply.next)]() {
      Reply more = rest();
      tell_keywords(ctx, more);
      return more;
    };
  }
}

}  // namespace

bool allowed_after_login(proto::CommandState state, bool mailbox_selected) {
  switch (state) {
    case proto::CommandState::any:
    case proto::CommandState::authenticated:
      return true;
    case proto::CommandState::selected:
      return mailbox_selected;
    case proto::CommandState::not_authenticated:
      return false;
  }
  return false;
}

bool has_handler(const proto::CommandBody& body) {
  return std::visit([](const auto& c) { return kHasHandler<std::decay_t<decltype(c)>>; }, body);
}

Reply run_handler(CommandContext& ctx, const proto::CommandBody& body) {
  return std::visit(
      [&ctx](const auto& c) -> Reply {
        using T = std::decay_t<decltype(c)>;
        if constexpr (kHasHandler<T>) {
          if constexpr (kChangesSelection<T>) {
            return kHandler<T>(ctx, c);
          } else {
            // Before: the command works on current flags. After: the client hears of
            // everything that changed meanwhile, including its own EXPUNGE.
            // New messages and flag changes are told first, so that the command sees what
            // the store has (UID FETCH n:* includes a message that just arrived); EXPUNGE
            // waits, since the client's sequence numbers in this command predate it.
            std::vector<proto::Response> early;
            if (ctx.selected) {
              refresh(ctx);
              early = ctx.selected->announce(Expunges::hold, modseqs_for(ctx.enabled));
            }
            // The session says BYE after this answer (session.cpp).
            if (ctx.selected && ctx.selected->gone())
              return Reply::no(proto::ResponseCode::simple(proto::ResponseCode::Kind::nonexistent),
                               "The selected mailbox was deleted");
            const bool condstore_before = ctx.enabled.condstore;
            const ModSeq modseq_before = ctx.selected ? ctx.selected->known_modseq() : 0;
            Reply reply = kHandler<T>(ctx, c);
            // RFC 7162 §3.1: the first CONDSTORE enabling command with a mailbox selected
            // returns its HIGHESTMODSEQ, ahead of the command's own responses (Example 4).
            if (!condstore_before && ctx.enabled.condstore && ctx.selected)
              early.emplace_back(proto::StatusResponse{
                  "", proto::Condition::ok,
                  proto::ResponseCode::with_number(proto::ResponseCode::Kind::highest_mod_seq,
                                                   modseq_before),
                  "Highest"});
            if (!early.empty())
              reply.untagged.insert(reply.untagged.begin(), std::make_move_iterator(early.begin()),
                                    std::make_move_iterator(early.end()));
            add_news(ctx, reply, kHoldsExpunges<T> ? Expunges::hold : Expunges::tell);
            if (kHoldsExpunges<T> && ctx.enabled.condstore)
              keep_modseq_below_held(ctx, reply, std::make_shared<ModSeq>(0));
            // After add_news every change up to known_modseq() has been told.
            if (reports_highest_modseq(c) && ctx.enabled.qresync && ctx.selected &&
                reply.condition == proto::Condition::ok && !reply.code && !reply.next)
              reply.code = proto::ResponseCode::with_number(
                  proto::ResponseCode::Kind::highest_mod_seq, ctx.selected->known_modseq());
            tell_keywords(ctx, reply);
            return reply;
          }
        } else {
          // Unreachable: the session asks has_handler() first and answers such commands
          // itself; the same words as there.
          return Reply::bad("Command not supported");
        }
      },
      body);
}

}  // namespace postamt::imap
