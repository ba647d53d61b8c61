#include "pop3/session/session.h"

// g++ 12 reports -Wmismatched-new-delete for Asio's coroutine frame allocator in large
// coroutines (a false positive: Asio pairs its own operator new/delete).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <utility>

#include "auth/auth_log.h"
#include "auth/password.h"
#include "auth/sasl.h"
#include "base/base64.h"
#include "base/log.h"
#include "mail/login.h"
#include "net/line_reader.h"
#include "pop3/proto/message.h"
#include "pop3/proto/response.h"
#include "pop3/session/maildrop.h"

namespace postamt::pop3 {
namespace {

using proto::ResponseCode;

enum class State { authorization, transaction };
enum class Next { keep_going, close };

// What the blocking password check found.
struct Verified {
  store::Account account;
};

class Session {
 public:
  Session(net::Connection& connection, net::SessionContext context, const Services& services)
      : conn_(connection), reader_(connection), ctx_(std::move(context)), s_(services) {}

  net::awaitable<void> run();
  // After run(): a session that logged in and did not reach QUIT's flagging (dropped,
  // timed out, shut down, closed for bad commands) still sets \Seen on what it
  // retrieved, best effort.
  net::awaitable<void> finish();

 private:
  net::awaitable<Next> reply(std::string text);
  net::awaitable<Next> bad_command(std::string text);
  net::awaitable<Next> dispatch(proto::Command command);

  // AUTHORIZATION state.
  net::awaitable<Next> on_user(proto::User command);
  net::awaitable<Next> on_pass(proto::Pass command);
  net::awaitable<Next> on_auth(proto::Auth command);
  net::awaitable<Next> on_stls();
  net::awaitable<Next> login(std::string user, std::string password, std::string mechanism);
  net::awaitable<Next> failed_login(std::string user, std::string mechanism);

  // Both states.
  net::awaitable<Next> on_capa();
  net::awaitable<Next> on_quit();

  // TRANSACTION state.
  net::awaitable<Next> on_stat();
  net::awaitable<Next> on_list(proto::List command);
  net::awaitable<Next> on_uidl(proto::Uidl command);
  net::awaitable<Next> on_dele(proto::Dele command);
  net::awaitable<Next> on_rset();
  net::awaitable<Next> on_retr(proto::Retr command);
  net::awaitable<Next> on_top(proto::Top command);
  // One store call that sets \Seen on the retrieved messages; failures are logged.
  net::awaitable<void> flag_retrieved(DeletedMessages deleted);

  auth::PlaintextMechanisms plaintext_mechanisms() const {
    return auth::plaintext_mechanisms(s_.plaintext, conn_.trust());
  }
  bool plaintext_allowed() const {
    return plaintext_mechanisms() == auth::PlaintextMechanisms::allowed;
  }
  const std::string& remote_ip() const { return conn_.remote().address; }
  void log_end(std::string_view how) const;

  net::Connection& conn_;
  net::LineReader reader_;
  net::SessionContext ctx_;
  const Services& s_;

  State state_ = State::authorization;
  uint32_t bad_commands_ = 0;
  std::optional<std::string> user_;  // after USER, until PASS
  // TRANSACTION state only.
  std::optional<store::Account> account_;
  std::optional<MaildropLock> lock_;
  std::optional<Maildrop> maildrop_;
  uint32_t retrieved_ = 0;
  bool seen_flagged_ = false;  // flag_retrieved() ran
  uint32_t expunged_ = 0;
};

constexpr std::string_view kPlaintextRefused =
    "plaintext authentication is not allowed on this connection, use STLS first";

net::awaitable<Next> Session::reply(std::string text) {
  auto written = co_await conn_.write(text, s_.limits.write_timeout);
  if (!written) {
    log::info(ctx_.service, "write to {} failed: {}", remote_ip(), written.error().message);
    co_return Next::close;
  }
  co_return Next::keep_going;
}

net::awaitable<Next> Session::bad_command(std::string text) {
  if (++bad_commands_ >= s_.limits.max_bad_commands) {
    log::info(ctx_.service, "too many bad commands from {}", remote_ip());
    std::string bye = proto::err("too many bad commands, closing connection");
    co_await reply(std::move(bye));
    co_return Next::close;
  }
  co_return co_await reply(std::move(text));
}

void Session::log_end(std::string_view how) const {
  if (account_)
    log::info(ctx_.service, "disconnect from {}: {}, user=<{}> retr={} deleted={}", remote_ip(),
              how, account_->address, retrieved_, expunged_);
  else
    log::info(ctx_.service, "disconnect from {}: {}", remote_ip(), how);
}

net::awaitable<void> Session::run() {
  if (ctx_.admission != net::Admission::accepted) {
    log::info(ctx_.service, "refused {}: too many connections", remote_ip());
    std::string refusal = proto::err("too many connections", ResponseCode::sys_temp);
    co_await reply(std::move(refusal));
    co_return;
  }
  log::info(ctx_.service, "connect from {}{}", remote_ip(), conn_.is_tls() ? " (TLS)" : "");
  std::string greeting = proto::ok("Postamt POP3 server ready");
  if (co_await reply(std::move(greeting)) == Next::close) co_return;

  // The limit counts the CRLF (RFC 2449 §4); LineReader's max_bytes does not.
  const size_t max_text = s_.limits.max_command_line_octets - 2;
  for (;;) {
    if (conn_.shutdown_requested()) break;
    auto line = co_await reader_.read_line(max_text, s_.limits.idle_timeout);
    if (!line) {
      ErrorKind kind = line.error().kind;
      if (kind == ErrorKind::limit) {
        std::string e = proto::err("command line too long");
        if (co_await bad_command(std::move(e)) == Next::close) {
          log_end("too many bad commands");
          co_return;
        }
        continue;
      }
      if (conn_.shutdown_requested()) break;
      if (kind == ErrorKind::timeout) {
        // RFC 1939 §3: autologout; the session does not enter UPDATE.
        std::string e = proto::err("autologout: idle for too long");
        co_await reply(std::move(e));
        log_end("idle timeout");
        co_return;
      }
      if (kind == ErrorKind::invalid) {
        std::string e = proto::err("command line too long, closing connection");
        co_await reply(std::move(e));
      }
      log_end(line.error().message);
      co_return;
    }
    auto command = proto::parse_command(line->text);
    Next next = Next::keep_going;
    if (!command) {
      std::string e = proto::err(command.error().message);
      next = co_await bad_command(std::move(e));
    } else {
      next = co_await dispatch(std::move(*command));
    }
    if (next == Next::close) {
      log_end("closed");
      co_return;
    }
  }
  std::string bye = proto::err("server shutting down", ResponseCode::sys_temp);
  co_await reply(std::move(bye));
  log_end("server shutting down");
}

net::awaitable<Next> Session::dispatch(proto::Command command) {
  if (std::holds_alternative<proto::Capa>(command)) co_return co_await on_capa();
  if (std::holds_alternative<proto::Quit>(command)) co_return co_await on_quit();
  if (state_ == State::authorization) {
    if (auto* c = std::get_if<proto::User>(&command)) co_return co_await on_user(std::move(*c));
    if (auto* c = std::get_if<proto::Pass>(&command)) co_return co_await on_pass(std::move(*c));
    if (auto* c = std::get_if<proto::Auth>(&command)) co_return co_await on_auth(std::move(*c));
    if (std::holds_alternative<proto::Stls>(command)) co_return co_await on_stls();
    std::string e = proto::err("command not valid before login");
    co_return co_await bad_command(std::move(e));
  }
  if (std::holds_alternative<proto::Stat>(command)) co_return co_await on_stat();
  if (auto* c = std::get_if<proto::List>(&command)) co_return co_await on_list(*c);
  if (auto* c = std::get_if<proto::Uidl>(&command)) co_return co_await on_uidl(*c);
  if (auto* c = std::get_if<proto::Retr>(&command)) co_return co_await on_retr(*c);
  if (auto* c = std::get_if<proto::Top>(&command)) co_return co_await on_top(*c);
  if (auto* c = std::get_if<proto::Dele>(&command)) co_return co_await on_dele(*c);
  if (std::holds_alternative<proto::Rset>(command)) co_return co_await on_rset();
  if (std::holds_alternative<proto::Noop>(command)) {
    std::string ok = proto::ok();
    co_return co_await reply(std::move(ok));
  }
  std::string e = proto::err("command not valid after login");
  co_return co_await bad_command(std::move(e));
}

// ---- AUTHORIZATION ------------------------------------------------------------------

net::awaitable<Next> Session::on_user(proto::User command) {
  if (!plaintext_allowed()) {
    std::string e = proto::err(kPlaintextRefused);
    co_return co_await reply(std::move(e));
  }
  user_ = std::move(command.name);
  std::string ok = proto::ok("send PASS");
  co_return co_await reply(std::move(ok));
}

net::awaitable<Next> Session::on_pass(proto::Pass command) {
  if (!plaintext_allowed()) {
    std::string e = proto::err(kPlaintextRefused);
    co_return co_await reply(std::move(e));
  }
  if (!user_) {
    std::string e = proto::err("send USER first");
    co_return co_await reply(std::move(e));
  }
  // RFC 1939 §7: after a failed PASS the client starts again with USER.
  std::string user = std::move(*user_);
  user_.reset();
  co_return co_await login(std::move(user), std::move(command.password), "USER");
}

net::awaitable<Next> Session::on_auth(proto::Auth command) {
  if (!command.mechanism) {
    std::vector<std::string> names;
    for (auto n : auth::offered_mechanisms(plaintext_mechanisms(), auth::ScramSupport::disabled))
      names.emplace_back(n);
    std::string listing = proto::multiline("SASL mechanisms follow", names);
    co_return co_await reply(std::move(listing));
  }
  auth::MechanismOptions options;
  auto mechanism = auth::create_mechanism(*command.mechanism, plaintext_mechanisms(), options);
  if (!mechanism) {
    std::string e = proto::err(mechanism.error().kind == ErrorKind::permission
                                   ? std::string(kPlaintextRefused)
                                   : "unsupported authentication mechanism");
    co_return co_await reply(std::move(e));
  }
  std::optional<std::string> initial;
  if (command.initial_response) {
    auto decoded = auth::decode_initial_response(*command.initial_response);
    if (!decoded) {
      std::string e = proto::err("initial response is not valid base64");
      co_return co_await reply(std::move(e));
    }
    initial = std::move(*decoded);
  }
  auth::SaslStep step = (*mechanism)->start(initial);
  for (;;) {
    if (auto* challenge = std::get_if<auth::Challenge>(&step)) {
      std::string prompt = proto::continuation(base64::encode(challenge->data));
      if (co_await reply(std::move(prompt)) == Next::close) co_return Next::close;
      auto line =
          co_await reader_.read_line(s_.limits.max_sasl_line_octets, s_.limits.idle_timeout);
      if (!line) {
        if (line.error().kind != ErrorKind::limit) co_return Next::close;
        std::string e = proto::err("authentication response too long");
        co_return co_await reply(std::move(e));
      }
      auto decoded = auth::decode_sasl_line(line->text);
      if (!decoded) {
        std::string e = proto::err("authentication response is not valid base64");
        co_return co_await reply(std::move(e));
      }
      if (std::holds_alternative<auth::SaslCancel>(*decoded)) {
        // RFC 5034 §4: "*" cancels the exchange with -ERR.
        std::string e = proto::err("authentication cancelled");
        co_return co_await reply(std::move(e));
      }
      step = (*mechanism)->step(std::get<std::string>(*decoded));
      continue;
    }
    if (auto* check = std::get_if<auth::CheckPassword>(&step)) {
      std::string name((*mechanism)->name());
      co_return co_await login(std::move(check->authcid), std::move(check->password),
                               std::move(name));
    }
    if (auto* failure = std::get_if<auth::Failure>(&step)) {
      if (failure->error.kind == ErrorKind::auth_failed ||
          failure->error.kind == ErrorKind::permission) {
        std::string name((*mechanism)->name());
        co_return co_await failed_login(std::string(), std::move(name));
      }
      std::string e = proto::err(failure->error.message);
      co_return co_await reply(std::move(e));
    }
    // SCRAM is not offered, so no mechanism asks for a verifier or decides by itself.
    std::string e = proto::err("authentication failed", ResponseCode::sys_perm);
    co_return co_await reply(std::move(e));
  }
}

net::awaitable<Next> Session::on_stls() {
  if (conn_.is_tls()) {
    std::string e = proto::err("TLS is already active");
    co_return co_await reply(std::move(e));
  }
  if (s_.stls == StlsSupport::unavailable) {
    std::string e = proto::err("TLS is not available");
    co_return co_await reply(std::move(e));
  }
  std::string ok = proto::ok("begin TLS negotiation");
  if (co_await reply(std::move(ok)) == Next::close) co_return Next::close;
  // RFC 2595 §4 / CVE-2011-0411: commands pipelined after STLS arrived in plaintext and
  // must not be run as if they came over TLS.
  size_t dropped = reader_.discard_buffered();
  if (dropped)
    log::info(ctx_.service, "dropped {} plaintext bytes pipelined after STLS from {}", dropped,
              remote_ip());
  auto tls = co_await conn_.start_tls(s_.limits.tls_handshake_timeout);
  if (!tls) {
    log::info(ctx_.service, "TLS handshake with {} failed: {}", remote_ip(), tls.error().message);
    co_return Next::close;
  }
  user_.reset();
  co_return Next::keep_going;
}

net::awaitable<Next> Session::failed_login(std::string user, std::string mechanism) {
  auth::log_auth_failure(ctx_.service, user, remote_ip(), mechanism);
  if (s_.auth_failures) {
    net::Duration delay = s_.auth_failures->record_failure(remote_ip(), user);
    if (delay > net::Duration::zero()) co_await net::sleep(delay);
  }
  std::string e = proto::err("invalid user name or password", ResponseCode::auth);
  co_return co_await reply(std::move(e));
}

net::awaitable<Next> Session::login(std::string user, std::string password, std::string mechanism) {
  store::Store* store = s_.store;
  auto verified_work = [store, user, password]() -> Result<Verified> {
    auto account = mail::verify_login(*store, user, password);
    if (!account) return account.error();
    return Verified{std::move(*account)};
  };
  auto verified_task = s_.runtime->run_blocking(std::move(verified_work));
  auto verified = co_await std::move(verified_task);
  if (!verified) {
    if (verified.error().kind == ErrorKind::auth_failed)
      co_return co_await failed_login(std::move(user), std::move(mechanism));
    log::warning(ctx_.service, "login of <{}> from {} failed: {}",
                 auth::sanitize_for_log(user, auth::kLogUserMax), remote_ip(),
                 verified.error().message);
    std::string e = proto::err("temporary failure, try again later", ResponseCode::sys_temp);
    co_return co_await reply(std::move(e));
  }
  if (s_.auth_failures) s_.auth_failures->record_success(remote_ip(), user);
  const store::Account& account = verified->account;

  auto lock = s_.locks->try_lock(account.id);
  if (!lock) {
    log::info(ctx_.service, "login of <{}> from {}: maildrop in use", account.address, remote_ip());
    std::string e = proto::err("maildrop is locked by another session", ResponseCode::in_use);
    co_return co_await reply(std::move(e));
  }
  blob::BlobStore* blobs = s_.blobs;
  AccountId id = account.id;
  auto maildrop_work = [store, blobs, id]() { return Maildrop::load(*store, *blobs, id); };
  auto maildrop_task = s_.runtime->run_blocking(std::move(maildrop_work));
  auto maildrop = co_await std::move(maildrop_task);
  if (!maildrop) {
    log::warning(ctx_.service, "cannot open the maildrop of <{}>: {}", account.address,
                 maildrop.error().message);
    std::string e = proto::err("cannot open the maildrop", ResponseCode::sys_temp);
    co_return co_await reply(std::move(e));
  }
  MaildropTotals totals = maildrop->totals();
  log::info(ctx_.service, "login: user=<{}> rip={} mechanism={} messages={}", account.address,
            remote_ip(), mechanism, totals.messages);
  account_ = account;
  lock_ = std::move(lock);
  maildrop_.emplace(std::move(*maildrop));
  state_ = State::transaction;
  std::string ok = proto::ok(fmt::format("{} has {} messages ({} octets)", account.address,
                                         totals.messages, totals.octets));
  co_return co_await reply(std::move(ok));
}

// ---- both states --------------------------------------------------------------------

net::awaitable<Next> Session::on_capa() {
  proto::Capabilities caps;
  // RFC 2449 §5: what AUTHORIZATION offers is announced in both states; STLS is the
  // exception because it is only valid before login (RFC 2595 §4).
  caps.user = plaintext_allowed();
  caps.stls =
      !conn_.is_tls() && s_.stls == StlsSupport::available && state_ == State::authorization;
  for (auto n : auth::offered_mechanisms(plaintext_mechanisms(), auth::ScramSupport::disabled))
    caps.sasl.emplace_back(n);
  caps.implementation = s_.implementation;
  std::string listing = proto::multiline("Capability list follows", proto::capa_lines(caps));
  co_return co_await reply(std::move(listing));
}

net::awaitable<Next> Session::on_quit() {
  if (state_ == State::authorization) {
    std::string ok = proto::ok("Postamt POP3 server signing off");
    co_await reply(std::move(ok));
    co_return Next::close;
  }
  // Messages about to be expunged need no \Seen. Flagging first means a failed expunge
  // still leaves the retrieved messages read.
  co_await flag_retrieved(DeletedMessages::exclude);
  // UPDATE state (RFC 1939 §6): every DELE mark in one store expunge, all or nothing.
  std::vector<Uid> uids = maildrop_->deleted_uids();
  if (!uids.empty()) {
    store::Store* store = s_.store;
    MailboxId mailbox = maildrop_->mailbox();
    auto removed_work = [store, mailbox, uids]() { return store->expunge(mailbox, uids); };
    auto removed_task = s_.runtime->run_blocking(std::move(removed_work));
    auto removed = co_await std::move(removed_task);
    if (!removed) {
      log::warning(ctx_.service, "user=<{}>: expunge of {} messages failed: {}", account_->address,
                   uids.size(), removed.error().message);
      std::string e = proto::err("deleted messages could not be removed", ResponseCode::sys_temp);
      co_await reply(std::move(e));
      co_return Next::close;
    }
    expunged_ = static_cast<uint32_t>(removed->size());
  }
  size_t left = maildrop_->totals().messages;
  std::string ok = proto::ok(
      left == 0 ? std::string("Postamt POP3 server signing off (maildrop empty)")
                : fmt::format("Postamt POP3 server signing off ({} messages left)", left));
  co_await reply(std::move(ok));
  co_return Next::close;
}

// ---- TRANSACTION ----------------------------------------------------------------------

net::awaitable<Next> Session::on_stat() {
  MaildropTotals t = maildrop_->totals();
  std::string ok = proto::ok(fmt::format("{} {}", t.messages, t.octets));  // RFC 1939 §5
  co_return co_await reply(std::move(ok));
}

net::awaitable<Next> Session::on_list(proto::List command) {
  if (!command.msg) {
    MaildropTotals t = maildrop_->totals();
    std::string listing = proto::multiline(
        fmt::format("{} messages ({} octets)", t.messages, t.octets), maildrop_->scan_listing());
    co_return co_await reply(std::move(listing));
  }
  auto found = maildrop_->find(*command.msg);
  std::string r = found ? proto::ok(fmt::format("{} {}", *command.msg, (*found)->octets))
                        : proto::err(found.error().message);
  co_return co_await reply(std::move(r));
}

net::awaitable<Next> Session::on_uidl(proto::Uidl command) {
  if (!command.msg) {
    std::string listing =
        proto::multiline("unique-id listing follows", maildrop_->unique_id_listing());
    co_return co_await reply(std::move(listing));
  }
  auto found = maildrop_->find(*command.msg);
  std::string r = found
                      ? proto::ok(fmt::format("{} {}", *command.msg,
                                              unique_id(maildrop_->uid_validity(), (*found)->uid)))
                      : proto::err(found.error().message);
  co_return co_await reply(std::move(r));
}

net::awaitable<Next> Session::on_dele(proto::Dele command) {
  auto marked = maildrop_->mark_deleted(command.msg);
  std::string r = marked ? proto::ok(fmt::format("message {} deleted", command.msg))
                         : proto::err(marked.error().message);
  co_return co_await reply(std::move(r));
}

net::awaitable<Next> Session::on_rset() {
  maildrop_->unmark_all();
  MaildropTotals t = maildrop_->totals();
  std::string ok =
      proto::ok(fmt::format("maildrop has {} messages ({} octets)", t.messages, t.octets));
  co_return co_await reply(std::move(ok));
}

// The whole TOP response, built on a store thread because it reads and scans the
// message. A blob that is gone (the message was expunged by IMAP and
// garbage-collected) is not_found.
Result<std::string> build_top_response(blob::BlobStore* blobs, BlobRef ref, uint64_t body_lines) {
  auto view = blobs->open(ref);
  if (!view) return view.error();
  return proto::multiline_payload("top of message follows",
                                  proto::top_payload(view->bytes(), body_lines));
}

// A RETR in progress: the blob's bytes and where the wire encoding stands. The
// encoder points into the view's bytes, which stay put when the view is moved.
struct RetrStream {
  blob::BlobView view;
  std::optional<proto::RetrEncoder> encoder;
};

// On a store thread: opens the blob and puts the status line and the first piece
// into `out` (cleared first). Errors: the blob store's (not_found when the message's
// bytes are gone).
Result<void> start_retr(blob::BlobStore* blobs, BlobRef ref, size_t piece_octets,
                        RetrStream* stream, std::string* out) {
  auto view = blobs->open(ref);
  if (!view) return view.error();
  stream->view = std::move(*view);
  std::string_view bytes = stream->view.bytes();
  out->clear();
  *out = proto::ok(fmt::format("{} octets", proto::message_octets(bytes)));
  // The wire form is at most the stored size plus CRLFs for bare LFs and stuffed dots;
  // 1/16 covers typical mail without a reallocation, the piece size bounds it.
  out->reserve(out->size() + std::min(piece_octets, bytes.size() + bytes.size() / 16 + 8));
  stream->encoder.emplace(bytes);
  stream->encoder->append_next(*out, piece_octets);
  return {};
}

net::awaitable<Next> Session::on_retr(proto::Retr command) {
  auto found = maildrop_->find(command.msg);
  if (!found) {
    std::string e = proto::err(found.error().message);
    co_return co_await reply(std::move(e));
  }
  const MaildropMessage message = **found;
  blob::BlobStore* blobs = s_.blobs;
  const size_t piece_octets = s_.limits.retr_piece_octets;
  RetrStream stream;
  std::string piece;
  RetrStream* stream_ptr = &stream;
  std::string* piece_ptr = &piece;
  // Both pointers outlive the work: this coroutine awaits it before going on.
  auto started_work = [blobs, ref = message.blob, piece_octets, stream_ptr, piece_ptr]() {
    return start_retr(blobs, ref, piece_octets, stream_ptr, piece_ptr);
  };
  auto started_task = s_.runtime->run_blocking(std::move(started_work));
  auto started = co_await std::move(started_task);
  if (!started) {
    log::warning(ctx_.service, "user=<{}>: RETR {} (uid {}): {}", account_->address, command.msg,
                 message.uid, started.error().message);
    std::string e = proto::err(
        fmt::format("message {} is no longer available, another client removed it", command.msg));
    co_return co_await reply(std::move(e));
  }
  for (;;) {
    auto written = co_await conn_.write(piece, s_.limits.write_timeout);
    if (!written) {
      log::info(ctx_.service, "write to {} failed: {}", remote_ip(), written.error().message);
      co_return Next::close;
    }
    if (stream.encoder->done()) break;
    // Later pieces only exist for messages over a piece; a large blob may be mapped,
    // so touching its pages can wait on the disk: encode on a store thread.
    auto encoded_work = [piece_octets, stream_ptr, piece_ptr]() {
      piece_ptr->clear();
      stream_ptr->encoder->append_next(*piece_ptr, piece_octets);
    };
    co_await s_.runtime->run_blocking(std::move(encoded_work));
  }
  ++retrieved_;
  // \Seen is set for all retrieved messages in one store write when the session ends:
  // a write transaction (with fsync) per RETR cost more than the download itself.
  maildrop_->mark_retrieved(command.msg);
  if (s_.downloads) {
    mail::DownloadEvent event;
    event.account = account_->id;
    event.account_address = account_->address;
    event.mailbox = maildrop_->mailbox();
    event.uid = message.uid;
    event.blob = message.blob;
    event.kind = mail::DownloadKind::full_message;
    s_.downloads->on_download(event);
  }
  co_return Next::keep_going;
}

net::awaitable<void> Session::flag_retrieved(DeletedMessages deleted) {
  if (seen_flagged_ || !maildrop_) co_return;
  seen_flagged_ = true;
  std::vector<Uid> uids = maildrop_->retrieved_uids(deleted);
  if (uids.empty()) co_return;
  // So that IMAP shows the messages as read. A message expunged meanwhile is simply
  // not there to flag (update_flags ignores absent uids).
  store::Store* store = s_.store;
  MailboxId mailbox = maildrop_->mailbox();
  auto flagged_work = [store, mailbox, uids]() {
    store::FlagUpdate update;
    update.operation = store::FlagOperation::add;
    update.flags = SystemFlags{SystemFlag::seen};
    return store->update_flags(mailbox, uids, update);
  };
  auto flagged_task = s_.runtime->run_blocking(std::move(flagged_work));
  auto flagged = co_await std::move(flagged_task);
  if (!flagged)
    log::warning(ctx_.service, "user=<{}>: cannot set \\Seen on {} retrieved messages: {}",
                 account_->address, uids.size(), flagged.error().message);
}

net::awaitable<void> Session::finish() {
  co_await flag_retrieved(DeletedMessages::include);
}

net::awaitable<Next> Session::on_top(proto::Top command) {
  auto found = maildrop_->find(command.msg);
  if (!found) {
    std::string e = proto::err(found.error().message);
    co_return co_await reply(std::move(e));
  }
  blob::BlobStore* blobs = s_.blobs;
  BlobRef ref = (*found)->blob;
  uint64_t lines = command.lines;
  auto response_work = [blobs, ref, lines]() { return build_top_response(blobs, ref, lines); };
  auto response_task = s_.runtime->run_blocking(std::move(response_work));
  auto response = co_await std::move(response_task);
  if (!response) {
    std::string e = proto::err(
        fmt::format("message {} is no longer available, another client removed it", command.msg));
    co_return co_await reply(std::move(e));
  }
  co_return co_await reply(std::move(*response));
}

}  // namespace

net::awaitable<void> run_session(net::Connection& connection, net::SessionContext context,
                                 const Services* services) {
  Session session(connection, std::move(context), *services);
  co_await session.run();
  co_await session.finish();
}

}  // namespace postamt::pop3
