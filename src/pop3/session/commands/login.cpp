#include <fmt/format.h>

#include "auth/auth_log.h"
#include "base/log.h"
#include "mail/login.h"
#include "pop3/proto/response.h"
#include "pop3/session/commands/commands.h"

namespace postamt::pop3::commands {

namespace {

// What the blocking password check found.
struct Verified {
  store::Account account;
};

}  // namespace

net::awaitable<Next> login(Session& session, std::string user, std::string password,
                           std::string mechanism) {
  store::Store* store = session.s_.store;
  auto verified_work = [store, user, password]() -> Result<Verified> {
    auto account = mail::verify_login(*store, user, password);
    if (!account) return account.error();
    return Verified{std::move(*account)};
  };
  auto verified_task = session.s_.runtime->run_blocking(std::move(verified_work));
  auto verified = co_await std::move(verified_task);
  if (!verified) {
    if (verified.error().kind == ErrorKind::auth_failed)
      co_return co_await failed_login(session, std::move(user), std::move(mechanism));
    log::warning(session.ctx_.service, "login of <{}> from {} failed: {}",
                 auth::sanitize_for_log(user, auth::kLogUserMax), session.remote_ip(),
                 verified.error().message);
    std::string e = proto::err("temporary failure, try again later", proto::ResponseCode::sys_temp);
    co_return co_await session.reply(std::move(e));
  }
  if (session.s_.auth_failures) session.s_.auth_failures->record_success(session.remote_ip(), user);
  auth::count_login_success(session.ctx_.service);
  const store::Account& account = verified->account;

  // Cluster mode asks the store (maildrop_lock.h), so the lock is taken on the blocking
  // pool in either mode.
  MaildropLocks* locks = session.s_.locks;
  AccountId id = account.id;
  auto lock_task = session.s_.runtime->run_blocking([locks, id] { return locks->try_lock(id); });
  auto locked = co_await std::move(lock_task);
  if (!locked) {
    log::warning(session.ctx_.service, "login of <{}> from {}: cannot lock the maildrop: {}",
                 account.address, session.remote_ip(), locked.error().message);
    std::string e =
        proto::err("cannot lock the maildrop, try again later", proto::ResponseCode::sys_temp);
    co_return co_await session.reply(std::move(e));
  }
  std::optional<MaildropLock> lock = std::move(*locked);
  if (!lock) {
    log::info(session.ctx_.service, "login of <{}> from {}: maildrop in use", account.address,
              session.remote_ip());
    std::string e =
        proto::err("maildrop is locked by another session", proto::ResponseCode::in_use);
    co_return co_await session.reply(std::move(e));
  }
  blob::BlobStore* blobs = session.s_.blobs;
  auto maildrop_work = [store, blobs, id]() { return Maildrop::load(*store, *blobs, id); };
  auto maildrop_task = session.s_.runtime->run_blocking(std::move(maildrop_work));
  auto maildrop = co_await std::move(maildrop_task);
  if (!maildrop) {
    log::warning(session.ctx_.service, "cannot open the maildrop of <{}>: {}", account.address,
                 maildrop.error().message);
    // Freed now, not at the end of the session: the client may try again at once.
    MaildropLock* held = &*lock;
    auto released_task = session.s_.runtime->run_blocking([held] { return held->release(); });
    auto released = co_await std::move(released_task);
    if (!released)
      log::warning(session.ctx_.service, "user=<{}>: releasing the maildrop lock failed: {}",
                   account.address, released.error().message);
    std::string e = proto::err("cannot open the maildrop", proto::ResponseCode::sys_temp);
    co_return co_await session.reply(std::move(e));
  }
  MaildropTotals totals = maildrop->totals();
  log::info(session.ctx_.service, "login: user=<{}> rip={} mechanism={} messages={}",
            account.address, session.remote_ip(), mechanism, totals.messages);
  session.account_ = account;
  session.lock_ = std::move(lock);
  session.maildrop_.emplace(std::move(*maildrop));
  session.state_ = detail::State::transaction;
  std::string ok = proto::ok(fmt::format("{} has {} messages ({} octets)", account.address,
                                         totals.messages, totals.octets));
  co_return co_await session.reply(std::move(ok));
}

net::awaitable<Next> failed_login(Session& session, std::string user, std::string mechanism) {
  auth::log_auth_failure(session.ctx_.service, user, session.remote_ip(), mechanism);
  if (session.s_.auth_failures) {
    net::Duration delay = session.s_.auth_failures->record_failure(session.remote_ip(), user);
    if (delay > net::Duration::zero()) co_await net::sleep(delay);
  }
  std::string e = proto::err("invalid user name or password", proto::ResponseCode::auth);
  co_return co_await session.reply(std::move(e));
}

}  // namespace postamt::pop3::commands
