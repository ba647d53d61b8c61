// NOTIFY (RFC 5465) in the session: the command, the wait between commands that writes
// notifications as the store moves, and forgetting the session's own changes.
//
// Every co_await below takes a named awaitable (session_impl.h says why).

// g++ 12 reports -Wmismatched-new-delete for Asio's coroutine frame allocator in large
// coroutines (a false positive: Asio pairs its own operator new/delete).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#include <algorithm>
#include <chrono>
#include <memory>
#include <utility>
#include <vector>

#include "base/log.h"
#include "imap/session/commands/commands.h"
#include "imap/session/commands/context_updates.h"
#include "imap/session/error_codes.h"
#include "imap/session/session_impl.h"

namespace postamt::imap::detail {
namespace {

// What one look at the store found for the client.
struct Told {
  std::vector<proto::Response> responses;
  std::vector<Uid> downloaded;  // MessageNew's FETCH handed whole messages out
  bool overflow = false;
};

proto::FetchItem uid_item() {
  proto::FetchItem item;
  item.kind = proto::FetchItem::Kind::uid;
  return item;
}

// §5.2: the FETCH of MessageNew's fetch-att for the messages that just joined the view,
// through the FETCH command itself (UID added: §5.2's example and RFC 9051 §6.4.9).
Result<void> fetch_new(CommandContext& ctx, const std::vector<proto::FetchItem>& items,
                       const std::vector<Uid>& uids, Told& told) {
  proto::FetchCmd fetch;
  fetch.numbers = proto::NumberKind::uid;
  fetch.set = proto::SequenceSet::from_numbers(std::vector<uint32_t>(uids.begin(), uids.end()));
  fetch.items = items;
  if (std::none_of(items.begin(), items.end(),
                   [](const proto::FetchItem& i) { return i.kind == proto::FetchItem::Kind::uid; }))
    fetch.items.insert(fetch.items.begin(), uid_item());
  Reply reply = commands::fetch(ctx, fetch);
  for (;;) {
    for (auto& r : reply.untagged) told.responses.push_back(std::move(r));
    told.downloaded.insert(told.downloaded.end(), reply.downloaded.begin(), reply.downloaded.end());
    if (!reply.next) break;
    reply = reply.next();
  }
  if (reply.condition != proto::Condition::ok)
    return Error{ErrorKind::temporary, "FETCH for NOTIFY failed: " + reply.text};
  return {};
}

// Blocking: the selected mailbox's message events, then the other mailboxes' changes.
Result<Told> look(CommandContext& ctx, Notifier& notifier, Expunges expunges, size_t limit) {
  Told told;
  if (ctx.selected && notifier.selected_events() != SelectedEvents::none) {
    SelectedMailbox& selected = *ctx.selected;
    const Uid last = selected.messages().empty() ? 0 : selected.messages().back().uid;
    POSTAMT_TRY(selected.refresh(ctx.store));
    if (selected.gone()) return told;
    auto news =
        selected.announce(expunges, modseqs_for(ctx.enabled), expunge_form_for(ctx.enabled));
    for (auto& r : news) {
      // §5.1: FETCH (FLAGS) only when FlagChange was asked for.
      if (std::holds_alternative<proto::FetchData>(r) && !notifier.selected_flag_changes())
        continue;
      told.responses.push_back(std::move(r));
    }
    std::vector<Uid> joined;
    for (const auto& m : selected.messages())
      if (m.uid > last) joined.push_back(m.uid);
    // RFC 5465 §7 example: EXISTS, FETCH, then the contexts' ESEARCH.
    if (!joined.empty() && !notifier.new_message_items().empty())
      POSTAMT_TRY(fetch_new(ctx, notifier.new_message_items(), joined, told));
    for (auto& r : commands::context_updates(ctx.store, ctx.blobs, selected, ctx.sort_cache))
      told.responses.push_back(std::move(r));
    selected.tell_new_keywords(told.responses);
  }
  std::optional<MailboxId> selected_id;
  if (ctx.selected) selected_id = ctx.selected->id();
  auto changes = notifier.changes(ctx.store, ctx.account.id, selected_id, ctx.enabled);
  if (!changes) return changes.error();
  if (changes->size() > limit) {
    told.overflow = true;
    return told;
  }
  for (auto& r : *changes) told.responses.push_back(std::move(r));
  return told;
}

}  // namespace

net::awaitable<Next> Session::on_notify(std::string tag, proto::NotifyCmd command) {
  if (command.none) {
    notifier_.reset();
    auto awaitable = finish(tag, Reply::ok("NOTIFY completed"));
    co_return co_await std::move(awaitable);
  }
  if (!Notifier::supports(command)) {
    auto awaitable = finish(
        tag, Reply::no(ResponseCode::with_words(CodeKind::badevent, Notifier::supported_events()),
                       "Unsupported NOTIFY event"));
    co_return co_await std::move(awaitable);
  }
  // §3.1: "a successful NOTIFY SET command implies an implicit NOOP command".
  auto sent = send_news(Expunges::tell);
  if (co_await std::move(sent) == Next::close) co_return Next::close;
  const uint64_t version = s_.watch ? s_.watch->version() : 0;
  auto notifier = std::make_shared<Notifier>(command);
  std::optional<MailboxId> selected_id;
  if (selected_) selected_id = selected_->id();
  store::Store* store = s_.store;
  AccountId account = account_->id;
  Enabled enabled = enabled_;
  const bool status = command.status;
  auto work = [notifier, store, account, selected_id, enabled,
               status]() -> Result<std::vector<proto::Response>> {
    POSTAMT_TRY(notifier->start(*store, account));
    if (!status) return std::vector<proto::Response>{};
    return notifier->statuses(selected_id, enabled);
  };
  auto task = s_.runtime->run_blocking(std::move(work));
  auto statuses = co_await std::move(task);
  if (!statuses) {
    log::warning(ctx_.service, "NOTIFY for {} failed: {}", account_->address,
                 statuses.error().message);
    auto awaitable = finish(tag, reply_for(statuses.error()));
    co_return co_await std::move(awaitable);
  }
  notifier_.emplace(std::move(*notifier));
  notified_version_ = version;
  Reply reply = Reply::ok("NOTIFY completed");
  reply.untagged = std::move(*statuses);
  auto awaitable = finish(tag, std::move(reply));
  co_return co_await std::move(awaitable);
}

net::awaitable<Next> Session::tell_notifications(Expunges expunges) {
  if (!notifier_) co_return Next::keep_going;
  CommandContext context{*s_.store, *s_.blobs, *account_, selected_, enabled_, ""};
  context.sort_cache = s_.limits.sort_cache;
  Notifier* notifier = &*notifier_;
  const size_t limit = s_.limits.notify_max_changes;
  // The session coroutine waits, so the store thread has the context to itself.
  auto work = [&context, notifier, expunges, limit]() {
    return look(context, *notifier, expunges, limit);
  };
  auto task = s_.runtime->run_blocking(std::move(work));
  auto told = co_await std::move(task);
  if (!told) {
    // The next look tries again.
    log::warning(ctx_.service, "reading changes for NOTIFY failed: {}", told.error().message);
    co_return Next::keep_going;
  }
  if (selected_ && selected_->gone()) {
    auto bye = mailbox_gone();
    co_return co_await std::move(bye);
  }
  std::string bytes;
  for (const auto& r : told->responses) proto::encode(r, encode_options(), bytes);
  if (told->overflow) {
    // §5.8: say so and behave as after NOTIFY NONE.
    log::info(ctx_.service, "NOTIFY of {} overflowed", account_->address);
    notifier_.reset();
    proto::StatusResponse overflow{"", Condition::ok,
                                   ResponseCode::simple(CodeKind::notification_overflow),
                                   "Too many changes at once; notifications are off"};
    proto::encode(overflow, encode_options(), bytes);
  }
  if (!bytes.empty()) {
    auto written = write(std::move(bytes));
    if (co_await std::move(written) == Next::close) co_return Next::close;
  }
  report_downloads(told->downloaded);
  co_return Next::keep_going;
}

net::awaitable<std::optional<Event>> Session::next_event_notifying() {
  const auto started = std::chrono::steady_clock::now();
  for (;;) {
    const uint64_t version = s_.watch ? s_.watch->version() : 0;
    // The client is between commands: no line half read, no command waiting for the
    // rest of its literals (partial() keeps the text of one while its octets come).
    const bool between = !reader_.mid_line() && reader_.partial().empty() && !staging_;
    if (between && (!s_.watch || !notified_version_ || *notified_version_ != version)) {
      notified_version_ = version;
      // §6.1.2: SELECTED-DELAYED holds expunges until a command that allows them.
      const Expunges expunges = notifier_ && notifier_->selected_events() == SelectedEvents::delayed
                                    ? Expunges::hold
                                    : Expunges::tell;
      auto told = tell_notifications(expunges);
      if (co_await std::move(told) == Next::close) {
        ended_ = Ended::closed;
        co_return std::nullopt;
      }
      if (!notifier_) {
        auto rest = next_event();
        co_return co_await std::move(rest);
      }
    }
    auto event = co_await next_event_within(s_.limits.idle_poll_interval);
    if (event) co_return event;
    // A poll interval that passed only loops; the autologout counts from the start of
    // the wait, as without NOTIFY.
    if (ended_ != Ended::timeout ||
        std::chrono::steady_clock::now() - started >= s_.limits.idle_timeout_authenticated)
      co_return std::nullopt;
  }
}

net::awaitable<void> Session::absorb_own_changes(const proto::CommandBody& command,
                                                 std::optional<MailboxId> selected_before) {
  std::optional<MailboxId> selected_after;
  if (selected_) selected_after = selected_->id();
  // Only a change of selection makes the previously selected mailbox's record matter.
  if (selected_before == selected_after) {
    selected_before.reset();
    selected_after.reset();
  }
  Notifier* notifier = &*notifier_;
  store::Store* store = s_.store;
  AccountId account = account_->id;
  const proto::CommandBody* body = &command;
  auto work = [notifier, store, account, body, selected_before, selected_after]() {
    return notifier->absorb(*store, account, *body, selected_before, selected_after);
  };
  auto task = s_.runtime->run_blocking(std::move(work));
  auto absorbed = co_await std::move(task);
  if (!absorbed)
    log::warning(ctx_.service, "NOTIFY: reading own changes failed: {}", absorbed.error().message);
}

}  // namespace postamt::imap::detail
