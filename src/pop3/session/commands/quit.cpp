#include <fmt/format.h>

#include "base/log.h"
#include "mail/messages.h"
#include "pop3/proto/response.h"
#include "pop3/session/commands/commands.h"

namespace postamt::pop3::commands {

net::awaitable<Next> quit(Session& session, proto::Quit) {
  if (session.state_ == detail::State::authorization) {
    std::string ok = proto::ok("Postamt POP3 server signing off");
    co_await session.reply(std::move(ok));
    co_return Next::close;
  }
  // Messages about to be expunged need no \Seen. Flagging first means a failed expunge
  // still leaves the retrieved messages read.
  co_await session.flag_retrieved(DeletedMessages::exclude);
  // UPDATE state (RFC 1939 §6): every DELE mark in one store expunge, all or nothing.
  std::vector<Uid> uids = session.maildrop_->deleted_uids();
  if (!uids.empty()) {
    store::Store* store = session.s_.store;
    MailboxId mailbox = session.maildrop_->mailbox();
    auto removed_work = [store, mailbox, uids]() {
      return mail::expunge_messages(*store, mailbox, uids, store::ExpungeScope::listed);
    };
    auto removed_task = session.s_.runtime->run_blocking(std::move(removed_work));
    auto removed = co_await std::move(removed_task);
    if (!removed) {
      log::warning(session.ctx_.service, "user=<{}>: expunge of {} messages failed: {}",
                   session.account_->address, uids.size(), removed.error().message);
      std::string e =
          proto::err("deleted messages could not be removed", proto::ResponseCode::sys_temp);
      co_await session.reply(std::move(e));
      co_return Next::close;
    }
    session.expunged_ = static_cast<uint32_t>(removed->size());
  }
  // RFC 1939 §6 releases the lock after this reply; releasing it just before is the same
  // to the client, except that a client reconnecting after the +OK (to this node or
  // another) always finds its maildrop free.
  co_await session.release_lock();
  size_t left = session.maildrop_->totals().messages;
  std::string ok = proto::ok(
      left == 0 ? std::string("Postamt POP3 server signing off (maildrop empty)")
                : fmt::format("Postamt POP3 server signing off ({} messages left)", left));
  co_await session.reply(std::move(ok));
  co_return Next::close;
}

}  // namespace postamt::pop3::commands
