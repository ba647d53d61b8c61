// The session's commands before and around login: STARTTLS (RFC 3501 §6.2.1), COMPRESS
// (RFC 4978), LOGIN and AUTHENTICATE (RFC 9051 §6.2), with the shared failure delay.
#include "imap/session/session_impl.h"

// g++ 12 reports -Wmismatched-new-delete for Asio's coroutine frame allocator in large
// coroutines (a false positive: Asio pairs its own operator new/delete).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#include "auth/auth_log.h"
#include "base/base64.h"
#include "base/log.h"
#include "imap/session/error_codes.h"
#include "mail/login.h"
#include "net/deflate_connection.h"

namespace postamt::imap::detail {

net::awaitable<Next> Session::on_starttls(std::string tag, proto::StartTlsCmd) {
  if (conn_.is_tls() || s_.starttls == StartTlsSupport::unavailable) {
    auto awaitable = finish(tag, Reply::no(std::nullopt, "TLS is not available"));
    co_return co_await std::move(awaitable);
  }
  auto begin = finish(tag, Reply::ok("Begin TLS negotiation now"));
  if (co_await std::move(begin) == Next::close) co_return Next::close;
  // RFC 3501 §6.2.1 / CVE-2011-0411: bytes pipelined after STARTTLS arrived in plaintext
  // and must not be run as if they came over TLS; a fresh reader drops them.
  reader_ = proto::CommandReader(s_.limits.unauthenticated);
  auto tls = co_await conn_.start_tls(s_.limits.tls_handshake_timeout);
  if (!tls) {
    log::info(ctx_.service, "TLS handshake with {} failed: {}", remote_ip(), tls.error().message);
    co_return Next::close;
  }
  co_return Next::keep_going;
}

// RFC 4978 §3: BAD for another mechanism or a second COMPRESS. The client must wait for
// the answer before it sends more; octets that came after the command anyway were sent
// before it could know, so nothing can read them: BAD, and compression stays off. The
// OK goes out uncompressed, everything after it compressed.
net::awaitable<Next> Session::on_compress(std::string tag, proto::CompressCmd command) {
  std::optional<Reply> refused;
  if (command.mechanism != "DEFLATE")
    refused = Reply::bad("Unknown compression mechanism");
  else if (compressed_)
    refused = Reply::bad("DEFLATE is already active");
  else if (reader_.buffered() > 0)
    refused = Reply::bad("Commands sent after COMPRESS before its answer");
  std::unique_ptr<net::Connection> layer;
  if (!refused) {
    auto created = net::DeflateConnection::create(conn_, buffer_.size());
    if (created)
      layer = std::move(*created);
    else
      refused = Reply::no(std::nullopt, "Compression is not available");
  }
  if (refused) {
    auto awaitable = finish(tag, std::move(*refused));
    co_return co_await std::move(awaitable);
  }
  auto ok = finish(tag, Reply::ok("DEFLATE active"));
  if (co_await std::move(ok) == Next::close) co_return Next::close;
  compressed_ = std::move(layer);
  io_ = compressed_.get();
  co_return Next::keep_going;
}

net::awaitable<Next> Session::on_login(std::string tag, proto::LoginCmd command) {
  if (plaintext_mechanisms() == auth::PlaintextMechanisms::refused) {
    auto awaitable = finish(tag, Reply::no(ResponseCode::simple(CodeKind::privacy_required),
                                           "Plaintext authentication is not allowed without TLS"));
    co_return co_await std::move(awaitable);
  }
  {
    auto awaitable =
        login(std::move(tag), std::move(command.userid), std::move(command.password), "LOGIN");
    co_return co_await std::move(awaitable);
  }
}

net::awaitable<Next> Session::on_authenticate(std::string tag, proto::AuthenticateCmd command) {
  auth::MechanismOptions options;
  auto mechanism = auth::create_mechanism(command.mechanism, plaintext_mechanisms(), options);
  if (!mechanism) {
    if (mechanism.error().kind == ErrorKind::permission) {
      auto awaitable =
          finish(tag, Reply::no(ResponseCode::simple(CodeKind::privacy_required),
                                "Plaintext authentication is not allowed without TLS"));
      co_return co_await std::move(awaitable);
    }
    auto awaitable = finish(tag, Reply::no(std::nullopt, "Unsupported authentication mechanism"));
    co_return co_await std::move(awaitable);
  }
  std::optional<std::string_view> initial;
  if (command.initial_response) initial = *command.initial_response;
  auth::SaslStep step = (*mechanism)->start(initial);
  std::string name((*mechanism)->name());
  for (;;) {
    if (auto* challenge = std::get_if<auth::Challenge>(&step)) {
      proto::Continuation prompt{base64::encode(challenge->data)};
      if (co_await send(std::move(prompt)) == Next::close) co_return Next::close;
      reader_.expect_line();
      auto event = co_await next_event();
      if (!event) co_return Next::close;
      if (*event == Event::error) {
        auto awaitable = bad_command(tag, reader_.error().message);
        co_return co_await std::move(awaitable);
      }
      std::string line = reader_.take_command();
      auto decoded = auth::decode_sasl_line(line);
      if (!decoded) {
        auto awaitable = finish(tag, Reply::bad("Invalid base64 in authentication response"));
        co_return co_await std::move(awaitable);
      }
      // RFC 3501 §6.2.2: "*" cancels, answered with BAD.
      if (std::holds_alternative<auth::SaslCancel>(*decoded)) {
        auto awaitable = finish(tag, Reply::bad("Authentication cancelled"));
        co_return co_await std::move(awaitable);
      }
      step = (*mechanism)->step(std::get<std::string>(*decoded));
      continue;
    }
    if (auto* check = std::get_if<auth::CheckPassword>(&step)) {
      auto awaitable = login(std::move(tag), std::move(check->authcid), std::move(check->password),
                             std::move(name));
      co_return co_await std::move(awaitable);
    }
    if (auto* failure = std::get_if<auth::Failure>(&step)) {
      if (failure->error.kind == ErrorKind::auth_failed ||
          failure->error.kind == ErrorKind::permission) {
        auto awaitable = failed_login(std::move(tag), std::string(), std::move(name));
        co_return co_await std::move(awaitable);
      }
      auto awaitable = finish(tag, Reply::bad(failure->error.message));
      co_return co_await std::move(awaitable);
    }
    // SCRAM is not offered, so no mechanism asks for a verifier or decides itself.
    {
      auto awaitable = finish(
          tag, Reply::no(ResponseCode::simple(CodeKind::server_bug), "Authentication failed"));
      co_return co_await std::move(awaitable);
    }
  }
}

net::awaitable<Next> Session::failed_login(std::string tag, std::string user,
                                           std::string mechanism) {
  auth::log_auth_failure(ctx_.service, user, remote_ip(), mechanism);
  if (s_.auth_failures) {
    net::Duration delay = s_.auth_failures->record_failure(remote_ip(), user);
    if (delay > net::Duration::zero()) co_await net::sleep(delay);
  }
  auto awaitable = finish(tag, reply_for(Error{ErrorKind::auth_failed, "wrong credentials"}));
  co_return co_await std::move(awaitable);
}

net::awaitable<Next> Session::login(std::string tag, std::string user, std::string password,
                                    std::string mechanism) {
  store::Store* store = s_.store;
  auto work = [store, user, password]() { return mail::verify_login(*store, user, password); };
  auto task = s_.runtime->run_blocking(std::move(work));
  auto account = co_await std::move(task);
  if (!account) {
    if (account.error().kind == ErrorKind::auth_failed) {
      auto awaitable = failed_login(std::move(tag), std::move(user), std::move(mechanism));
      co_return co_await std::move(awaitable);
    }
    log::warning(ctx_.service, "login of <{}> from {} failed: {}",
                 auth::sanitize_for_log(user, auth::kLogUserMax), remote_ip(),
                 account.error().message);
    auto awaitable = finish(tag, reply_for(account.error()));
    co_return co_await std::move(awaitable);
  }
  if (s_.auth_failures) s_.auth_failures->record_success(remote_ip(), user);
  auth::count_login_success(ctx_.service);
  if (s_.user_connections) {
    auto slot = s_.user_connections->try_acquire(account->id, remote_ip());
    if (slot) user_slot_.emplace(std::move(*slot));
    if (!slot) {
      log::info(ctx_.service, "login of <{}> from {} refused: more than {} connections",
                account->address, remote_ip(), s_.user_connections->limit());
      auto awaitable = finish(tag, Reply::no(ResponseCode::simple(CodeKind::unavailable),
                                             "Too many connections of this user from this "
                                             "address"));
      co_return co_await std::move(awaitable);
    }
  }
  log::info(ctx_.service, "login: user=<{}> rip={} mechanism={}", account->address, remote_ip(),
            mechanism);
  account_ = std::move(*account);
  reader_.set_limits(s_.limits.authenticated);
  // RFC 3501 §7.1: the capabilities change with the state, so they come with the OK.
  {
    auto awaitable = finish(
        tag,
        Reply::ok(ResponseCode::with_words(CodeKind::capability, capabilities()), "Logged in"));
    co_return co_await std::move(awaitable);
  }
}

}  // namespace postamt::imap::detail
