#include "imap/session/session.h"

// g++ 12 reports -Wmismatched-new-delete for Asio's coroutine frame allocator in large
// coroutines (a false positive: Asio pairs its own operator new/delete).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#include <array>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "auth/auth_log.h"
#include "auth/sasl.h"
#include "base/log.h"
#include "base/strings.h"
#include "imap/proto/parse_command.h"
#include "imap/proto/response.h"
#include "imap/session/append_staging.h"
#include "imap/session/command_metrics.h"
#include "imap/session/commands/context_updates.h"
#include "imap/session/dispatch.h"
#include "imap/session/error_codes.h"
#include "imap/session/reply.h"
#include "imap/session/session_impl.h"
#include "metrics/catalog.h"

// Every co_await below takes a named awaitable (`auto awaitable = f(...); co_await
// std::move(awaitable)`): g++ 12 can destroy temporaries inside a co_await expression
// twice, so no call with temporary arguments is awaited inline.

namespace postamt::imap::detail {

// What a logged-in client may use (RFC 9051 §7.2.2; each name is backed by a command
// file or session code and its tests).
constexpr const char* kAuthenticatedCapabilities[] = {"BINARY",
                                                      "CATENATE",
                                                      "CHILDREN",
                                                      "COMPRESS=DEFLATE",
                                                      "CONDSTORE",
                                                      "CONTEXT=SEARCH",
                                                      "CONTEXT=SORT",
                                                      "CREATE-SPECIAL-USE",
                                                      "ENABLE",
                                                      "ESEARCH",
                                                      "ESORT",
                                                      "ID",
                                                      "IDLE",
                                                      "LIST-EXTENDED",
                                                      "LIST-STATUS",
                                                      "METADATA",
                                                      "METADATA-SERVER",
                                                      "MOVE",
                                                      "MULTIAPPEND",
                                                      "NAMESPACE",
                                                      "NOTIFY",
                                                      "OBJECTID",
                                                      "PREVIEW",
                                                      "QRESYNC",
                                                      "QUOTA",
                                                      "QUOTA=RES-MESSAGE",
                                                      "QUOTA=RES-STORAGE",
                                                      "SAVEDATE",
                                                      "SEARCHRES",
                                                      "SORT",
                                                      "SORT=DISPLAY",
                                                      "SPECIAL-USE",
                                                      "STATUS=SIZE",
                                                      "THREAD=ORDEREDSUBJECT",
                                                      "THREAD=REFERENCES",
                                                      "UIDPLUS",
                                                      "UNSELECT"};

// The session's own commands: the ones that talk to the connection in the middle of
// the command (STARTTLS's handshake, AUTHENTICATE's challenges, IDLE's continuation and
// DONE, LOGOUT's close, LOGIN's failure delay) or answer from the session's own state
// without the store (CAPABILITY, ID). They are coroutines of the session; every other
// command is a store-thread function returning a Reply, in dispatch.h's table.
template <class T>
constexpr auto kSessionCommand = nullptr;
template <>
constexpr auto kSessionCommand<proto::CapabilityCmd> = &Session::on_capability;
template <>
constexpr auto kSessionCommand<proto::LogoutCmd> = &Session::on_logout;
template <>
constexpr auto kSessionCommand<proto::IdCmd> = &Session::on_id;
template <>
constexpr auto kSessionCommand<proto::LoginCmd> = &Session::on_login;
template <>
constexpr auto kSessionCommand<proto::AuthenticateCmd> = &Session::on_authenticate;
template <>
constexpr auto kSessionCommand<proto::StartTlsCmd> = &Session::on_starttls;
template <>
constexpr auto kSessionCommand<proto::IdleCmd> = &Session::on_idle;
template <>
constexpr auto kSessionCommand<proto::CompressCmd> = &Session::on_compress;
template <>
constexpr auto kSessionCommand<proto::NotifyCmd> = &Session::on_notify;

// Session::dispatch<T> for each alternative of the command variant, by its index.
template <class V>
struct kDispatch;
template <class... T>
struct kDispatch<std::variant<T...>> {
  using Entry = net::awaitable<Next> (Session::*)(std::string, proto::CommandBody);
  static constexpr std::array<Entry, sizeof...(T)> entries = {&Session::template dispatch<T>...};
};

net::awaitable<Next> Session::write(std::string bytes) {
  auto written = co_await io_->write(bytes, s_.limits.write_timeout);
  if (!written) {
    log::info(ctx_.service, "write to {} failed: {}", remote_ip(), written.error().message);
    co_return Next::close;
  }
  co_return Next::keep_going;
}

net::awaitable<Next> Session::send(proto::Response response) {
  std::string bytes = proto::encode(response);
  auto awaitable = write(std::move(bytes));
  co_return co_await std::move(awaitable);
}

net::awaitable<Next> Session::finish(const std::string& tag, Reply reply) {
  std::string bytes;
  for (const auto& r : reply.untagged) proto::encode(r, encode_options(), bytes);
  // A command that did not end in BAD ends a run of bad ones (see bad_command).
  if (reply.condition != Condition::bad) bad_commands_ = 0;
  last_condition_ = reply.condition;
  proto::StatusResponse done{tag, reply.condition, std::move(reply.code), std::move(reply.text)};
  proto::encode(done, {}, bytes);
  auto awaitable = write(std::move(bytes));
  co_return co_await std::move(awaitable);
}

net::awaitable<Next> Session::bad_command(std::string tag, std::string text) {
  last_condition_ = Condition::bad;
  proto::StatusResponse bad{std::move(tag), Condition::bad, std::nullopt, std::move(text)};
  std::string bytes = proto::encode(bad);
  if (++bad_commands_ >= s_.limits.max_bad_commands) {
    log::info(ctx_.service, "too many bad commands from {}", remote_ip());
    proto::StatusResponse bye{"", Condition::bye, std::nullopt, "Too many invalid commands"};
    proto::encode(bye, {}, bytes);
    co_await write(std::move(bytes));
    co_return Next::close;
  }
  auto awaitable = write(std::move(bytes));
  co_return co_await std::move(awaitable);
}

void Session::log_end(std::string_view how) const {
  if (account_)
    log::info(ctx_.service, "disconnect from {}: {}, user=<{}>", remote_ip(), how,
              account_->address);
  else
    log::info(ctx_.service, "disconnect from {}: {}", remote_ip(), how);
}

std::vector<std::string> Session::capabilities() const {
  // Both revisions: an IMAP4rev2 client turns rev2 behaviour on with ENABLE (RFC 9051
  // §6.3.1); LITERAL+ includes LITERAL- (RFC 7888 §4).
  std::vector<std::string> caps = {"IMAP4rev1", "IMAP4rev2", "LITERAL+"};
  if (!account_) {
    caps.emplace_back("SASL-IR");
    if (!conn_.is_tls() && s_.starttls == StartTlsSupport::available) caps.emplace_back("STARTTLS");
    // RFC 3501 §6.2.3: LOGINDISABLED tells the client not to send LOGIN at all.
    if (plaintext_mechanisms() == auth::PlaintextMechanisms::refused)
      caps.emplace_back("LOGINDISABLED");
    for (auto name : auth::offered_mechanisms(plaintext_mechanisms(), auth::ScramSupport::disabled))
      caps.push_back("AUTH=" + std::string(name));
  } else {
    // RFC 7889: one limit for every mailbox, the APPEND literal limit.
    caps.push_back("APPENDLIMIT=" + std::to_string(s_.limits.authenticated.max_literal));
    for (const char* name : kAuthenticatedCapabilities) caps.emplace_back(name);
    if (s_.utf8_accept) caps.emplace_back("UTF8=ACCEPT");
    if (quota_admin()) caps.emplace_back("QUOTASET");
  }
  return caps;
}

net::awaitable<std::optional<Event>> Session::next_event() {
  net::Duration idle =
      account_ ? s_.limits.idle_timeout_authenticated : s_.limits.idle_timeout_unauthenticated;
  auto awaitable = next_event_within(idle);
  co_return co_await std::move(awaitable);
}

net::awaitable<std::optional<Event>> Session::next_event_within(net::Duration wait) {
  for (;;) {
    Event event = reader_.next();
    if (!reader_.mid_line()) line_deadline_.reset();
    if (event != Event::need_more) co_return event;
    if (conn_.shutdown_requested()) {
      ended_ = Ended::shutdown;
      co_return std::nullopt;
    }
    // Neither deadline moves with traffic: a client that trickles bytes or sends NOOPs
    // cannot hold a connection open by it (docs/architecture.md, Limits).
    const auto now = std::chrono::steady_clock::now();
    if (reader_.mid_line() && !line_deadline_) line_deadline_ = now + s_.limits.line_timeout;
    Ended on_timeout = Ended::timeout;
    auto until = now + wait;
    if (!account_ && login_deadline_ < until) {
      until = login_deadline_;
      on_timeout = Ended::login_timeout;
    }
    if (line_deadline_ && *line_deadline_ < until) {
      until = *line_deadline_;
      on_timeout = Ended::line_timeout;
    }
    if (until <= now) {
      ended_ = on_timeout;
      co_return std::nullopt;
    }
    auto got = co_await io_->read_some(std::span<char>(buffer_), until - now);
    if (!got) {
      if (conn_.shutdown_requested())
        ended_ = Ended::shutdown;
      else if (got.error().kind == ErrorKind::timeout)
        ended_ = on_timeout;
      else if (got.error().kind == ErrorKind::invalid)  // COMPRESS: not DEFLATE
        ended_ = Ended::corrupt;
      else
        ended_ = Ended::closed;
      co_return std::nullopt;
    }
    reader_.feed(std::string_view(buffer_.data(), *got));
    // What every session holds for commands in flight is bounded together.
    if (!memory_.resize(reader_.held() + (staging_ ? staging_->held() : 0))) {
      ended_ = Ended::busy;
      co_return std::nullopt;
    }
  }
}

net::awaitable<Next> Session::on_large_literal() {
  // MULTIAPPEND (RFC 3502): the previous message's literal has ended.
  if (staging_) co_await finish_staging();
  if (!account_ || reader_.command_name() != "APPEND" ||
      staged_.size() >= proto::kMaxAppendMessages) {
    refused_literal_ = true;
    reader_.refuse_literal();
    co_return Next::keep_going;
  }
  const bool sync = reader_.literal().sync == proto::LiteralSync::synchronizing;
  auto begun = AppendStaging::begin(*s_.runtime, *s_.blobs);
  staging_ = co_await std::move(begun);
  reader_.stream_literal();
  if (!sync) co_return Next::keep_going;
  proto::Continuation ready{"Ready for literal data"};
  auto sent = send(std::move(ready));
  co_return co_await std::move(sent);
}

net::awaitable<Next> Session::on_literal_data(std::string piece) {
  if (!staging_) co_return Next::keep_going;
  auto added = staging_->add(std::move(piece));
  co_await std::move(added);
  co_return Next::keep_going;
}

net::awaitable<void> Session::finish_staging() {
  auto finished = staging_->finish();
  staged_.push_back(co_await std::move(finished));
  staging_.reset();
}

net::awaitable<void> Session::run() {
  if (ctx_.admission != net::Admission::accepted) {
    log::info(ctx_.service, "refused {}: too many connections", remote_ip());
    proto::StatusResponse bye{"", Condition::bye, std::nullopt, "Too many connections"};
    co_await send(std::move(bye));
    co_return;
  }
  log::info(ctx_.service, "connect from {}{}", remote_ip(), conn_.is_tls() ? " (TLS)" : "");
  proto::StatusResponse greeting{"", Condition::ok,
                                 ResponseCode::with_words(CodeKind::capability, capabilities()),
                                 "Postamt IMAP server ready"};
  if (co_await send(std::move(greeting)) == Next::close) co_return;

  for (;;) {
    auto waited = notifier_ ? next_event_notifying() : next_event();
    auto event = co_await std::move(waited);
    if (!event) break;
    Next next = Next::keep_going;
    switch (*event) {
      case Event::literal_announced: {
        if (reader_.literal().large) {
          next = co_await on_large_literal();
          break;
        }
        // The reader has already refused literals over the state's limits (RFC 7888 §4).
        proto::Continuation ready{"Ready for literal data"};
        next = co_await send(std::move(ready));
        reader_.accept_literal();
        break;
      }
      case Event::literal_data: {
        auto handled = on_literal_data(reader_.take_literal_data());
        next = co_await std::move(handled);
        break;
      }
      case Event::command: {
        if (staging_) co_await finish_staging();
        const metrics::Stopwatch watch;
        next = co_await on_command(reader_.take_command());
        metrics::catalog()
            .commands.with({"imap", command_name_, command_metric_result(last_condition_)})
            .observe(watch.seconds());
        staged_.clear();
        break;
      }
      case Event::line:
        // Only after expect_line(), which on_authenticate consumes itself.
        (void)reader_.take_command();
        break;
      case Event::error:
        // The command is dropped, and with it what its literals staged.
        staging_.reset();
        staged_.clear();
        next = co_await on_reader_error();
        break;
      case Event::need_more:
        break;
    }
    if (next == Next::ended) break;
    if (next == Next::close) {
      log_end(account_ ? "closed" : "closed before login");
      co_return;
    }
  }
  switch (ended_) {
    case Ended::shutdown: {
      proto::StatusResponse bye{"", Condition::bye, std::nullopt, "Server shutting down"};
      co_await send(std::move(bye));
      log_end("server shutting down");
      break;
    }
    case Ended::timeout: {
      // RFC 3501 §5.4: autologout.
      proto::StatusResponse bye{"", Condition::bye, std::nullopt, "Autologout; idle for too long"};
      co_await send(std::move(bye));
      log_end("idle timeout");
      break;
    }
    case Ended::busy: {
      proto::StatusResponse bye{"", Condition::bye, std::nullopt, "Server busy, try again later"};
      co_await send(std::move(bye));
      log_end("command memory budget exhausted");
      break;
    }
    case Ended::login_timeout: {
      proto::StatusResponse bye{"", Condition::bye, std::nullopt, "Login time exceeded"};
      co_await send(std::move(bye));
      log_end("login timeout");
      break;
    }
    case Ended::line_timeout: {
      proto::StatusResponse bye{"", Condition::bye, std::nullopt,
                                "Command line not completed in time"};
      co_await send(std::move(bye));
      log_end("line timeout");
      break;
    }
    case Ended::corrupt: {
      // What the client sends cannot be read any more; what we send still can.
      proto::StatusResponse bye{"", Condition::bye, std::nullopt,
                                "Compressed data could not be read"};
      co_await send(std::move(bye));
      log_end("bad compressed data");
      break;
    }
    case Ended::closed:
      log_end("connection closed by client");
      break;
  }
}

net::awaitable<Next> Session::on_reader_error() {
  const proto::ReadError& error = reader_.error();
  // RFC 7889 §4: a message over APPENDLIMIT is NO [TOOBIG], not a bad command (a
  // literal refused for another reason, such as a second one in the command, stays BAD).
  const bool refused = std::exchange(refused_literal_, false);
  if (account_ && !refused && error.kind == proto::ReadErrorKind::literal_too_large &&
      error.command == "APPEND") {
    std::string bytes;
    proto::StatusResponse no{error.tag, Condition::no, ResponseCode::simple(CodeKind::toobig),
                             "Message too large"};
    proto::encode(no, {}, bytes);
    if (error.recovery == proto::Recovery::close) {
      proto::StatusResponse bye{"", Condition::bye, std::nullopt, error.message};
      proto::encode(bye, {}, bytes);
      co_await write(std::move(bytes));
      co_return Next::close;
    }
    auto awaitable = write(std::move(bytes));
    co_return co_await std::move(awaitable);
  }
  if (error.recovery == proto::Recovery::close) {
    std::string bytes;
    proto::StatusResponse bad{error.tag, Condition::bad, std::nullopt, error.message};
    proto::encode(bad, {}, bytes);
    proto::StatusResponse bye{"", Condition::bye, std::nullopt, error.message};
    proto::encode(bye, {}, bytes);
    co_await write(std::move(bytes));
    co_return Next::close;
  }
  auto awaitable = bad_command(error.tag, error.message);
  co_return co_await std::move(awaitable);
}

net::awaitable<Next> Session::on_command(std::string text) {
  refused_literal_ = false;  // it concerned the command before, if any
  // RFC 9051 §5.1, RFC 6855 §3: once IMAP4rev2 or UTF8=ACCEPT is enabled, mailbox names
  // travel as UTF-8; after UTF8=ACCEPT a quoted string must be UTF-8.
  proto::ParseOptions options;
  if (enabled_.imap4rev2 || enabled_.utf8_accept)
    options.mailbox_encoding = proto::MailboxEncoding::utf8;
  options.utf8_quoted = enabled_.utf8_accept;
  auto parsed = proto::parse_command(text, options);
  command_name_ = parsed ? command_metric_name(parsed->body) : "unknown";
  if (!parsed) {
    const proto::ParseError& error = parsed.error();
    if (error.kind == proto::ParseErrorKind::bad_charset) {
      auto awaitable =
          finish(error.tag,
                 Reply::no(ResponseCode::with_words(CodeKind::badcharset, {"US-ASCII", "UTF-8"}),
                           error.message));
      co_return co_await std::move(awaitable);
    }
    // Only commands of the authenticated states take mailbox names; before login the
    // command is answered BAD like any other out of its state.
    if (account_ && (error.kind == proto::ParseErrorKind::no_such_mailbox ||
                     error.kind == proto::ParseErrorKind::invalid_mailbox_name)) {
      auto code = error.kind == proto::ParseErrorKind::no_such_mailbox ? CodeKind::nonexistent
                                                                       : CodeKind::cannot;
      auto awaitable = finish(error.tag, Reply::no(ResponseCode::simple(code), error.message));
      co_return co_await std::move(awaitable);
    }
    auto awaitable = bad_command(error.tag, error.message);
    co_return co_await std::move(awaitable);
  }
  proto::Command command = std::move(*parsed);
  const auto entry = kDispatch<proto::CommandBody>::entries[command.body.index()];
  auto dispatched = (this->*entry)(std::move(command.tag), std::move(command.body));
  co_return co_await std::move(dispatched);
}

// The state rule from the command's kState (RFC 9051 §3), then the session's own
// command (kSessionCommand) or the store command of dispatch.h's table.
template <class T>
net::awaitable<Next> Session::dispatch(std::string tag, proto::CommandBody body) {
  constexpr proto::CommandState state = T::kState;
  if (!account_ && state != proto::CommandState::any &&
      state != proto::CommandState::not_authenticated) {
    auto awaitable = bad_command(std::move(tag), "Log in first");
    co_return co_await std::move(awaitable);
  }
  if (account_ && !allowed_after_login(state, selected_.has_value())) {
    auto awaitable = bad_command(std::move(tag), "Command not valid in this state");
    co_return co_await std::move(awaitable);
  }
  if constexpr (!std::is_same_v<std::remove_cv_t<decltype(kSessionCommand<T>)>, std::nullptr_t>) {
    auto awaitable = (this->*kSessionCommand<T>)(std::move(tag), std::get<T>(std::move(body)));
    co_return co_await std::move(awaitable);
  } else {
    if (!account_) {
      // Before login the only store command the state allows is NOOP (RFC 9051 §6.1.2),
      // and there is no mailbox to report on.
      auto awaitable = finish(tag, Reply::ok("NOOP completed"));
      co_return co_await std::move(awaitable);
    }
    if (!has_handler(body)) {
      auto awaitable = finish(tag, Reply::bad("Command not supported"));
      co_return co_await std::move(awaitable);
    }
    auto awaitable = run_command(std::move(tag), std::move(body));
    co_return co_await std::move(awaitable);
  }
}

net::awaitable<Next> Session::on_capability(std::string tag, proto::CapabilityCmd) {
  Reply reply = Reply::ok("CAPABILITY completed");
  reply.untagged.emplace_back(proto::CapabilityData{capabilities()});
  auto awaitable = finish(tag, std::move(reply));
  co_return co_await std::move(awaitable);
}

net::awaitable<Next> Session::on_logout(std::string tag, proto::LogoutCmd) {
  Reply reply = Reply::ok("LOGOUT completed");
  reply.untagged.emplace_back(
      proto::StatusResponse{"", Condition::bye, std::nullopt, "Logging out"});
  auto awaitable = finish(tag, std::move(reply));
  co_await std::move(awaitable);
  co_return Next::close;
}

net::awaitable<Next> Session::run_command(std::string tag, proto::CommandBody body) {
  for (const auto& staged : staged_) {
    if (staged) continue;
    // A streamed literal could not be stored: the command cannot run without it.
    log::warning(ctx_.service, "storing the literal of {} from {} failed: {}", account_->address,
                 remote_ip(), staged.error().message);
    auto awaitable = finish(tag, reply_for(staged.error()));
    co_return co_await std::move(awaitable);
  }
  std::optional<MailboxId> selected_before;
  if (selected_) selected_before = selected_->id();
  CommandContext context{*s_.store, *s_.blobs, *account_, selected_, enabled_, tag};
  context.append_limit = s_.limits.authenticated.max_literal;
  context.sort_cache = s_.limits.sort_cache;
  context.utf8_accept = s_.utf8_accept;
  context.quota_admin = quota_admin();
  for (const auto& staged : staged_) context.staged_messages.push_back(*staged);
  // The session coroutine waits for the result, so the store thread has the context
  // (and selected_) to itself meanwhile.
  auto work = [&context, &body]() { return run_handler(context, body); };
  auto task = s_.runtime->run_blocking(std::move(work));
  Reply reply = co_await std::move(task);
  std::vector<Uid> downloaded = std::move(reply.downloaded);
  while (reply.next) {
    std::string bytes;
    for (const auto& r : reply.untagged) proto::encode(r, encode_options(), bytes);
    auto written = write(std::move(bytes));
    if (co_await std::move(written) == Next::close) co_return Next::close;
    auto more = s_.runtime->run_blocking(std::move(reply.next));
    reply = co_await std::move(more);
    downloaded.insert(downloaded.end(), reply.downloaded.begin(), reply.downloaded.end());
  }
  if (notifier_) {
    auto absorbed = absorb_own_changes(body, selected_before);
    co_await std::move(absorbed);
  }
  auto written = finish(tag, std::move(reply));
  Next next = co_await std::move(written);
  if (next == Next::keep_going && selected_ && selected_->gone()) {
    auto bye = mailbox_gone();
    co_return co_await std::move(bye);
  }
  if (next == Next::keep_going) report_downloads(downloaded);
  co_return next;
}

void Session::report_downloads(const std::vector<Uid>& uids) const {
  if (!s_.downloads || !selected_) return;
  for (Uid uid : uids) {
    mail::DownloadEvent event;
    event.account = account_->id;
    event.account_address = account_->address;
    event.mailbox = selected_->id();
    event.uid = uid;
    if (const store::MessageRecord* record = selected_->find(uid)) event.blob = record->blob;
    event.kind = mail::DownloadKind::full_message;
    s_.downloads->on_download(event);
  }
}

net::awaitable<Next> Session::send_news(Expunges expunges) {
  auto pending = news(expunges);
  std::string bytes = co_await std::move(pending);
  if (selected_ && selected_->gone()) {
    auto bye = mailbox_gone();
    co_return co_await std::move(bye);
  }
  if (bytes.empty()) co_return Next::keep_going;
  auto written = write(std::move(bytes));
  co_return co_await std::move(written);
}

net::awaitable<Next> Session::on_id(std::string tag, proto::IdCmd command) {
  if (command.params) {
    std::string described;
    for (const auto& [key, value] : *command.params) {
      if (!described.empty()) described += ", ";
      described += auth::sanitize_for_log(key, 64) + "=" +
                   (value ? auth::sanitize_for_log(*value, 128) : std::string("NIL"));
    }
    log::info(ctx_.service, "client id from {}: {}", remote_ip(), described);
  }
  // RFC 2971 §3.3: the server's own fields; nothing that helps an attacker more than
  // the greeting already does.
  Reply reply = Reply::ok("ID completed");
  proto::IdData data;
  data.params.emplace();
  data.params->emplace_back("name", "Postamt");
  data.params->emplace_back("vendor", "Postamt");
  reply.untagged.emplace_back(std::move(data));
  auto awaitable = finish(tag, std::move(reply));
  co_return co_await std::move(awaitable);
}

net::awaitable<Next> Session::mailbox_gone() {
  proto::StatusResponse bye{"", Condition::bye, std::nullopt,
                            "The selected mailbox was deleted by another client"};
  co_await send(std::move(bye));
  log::info(ctx_.service, "selected mailbox of {} deleted by another client", account_->address);
  co_return Next::close;
}

net::awaitable<std::string> Session::news(Expunges expunges) {
  std::string bytes;
  if (!selected_) co_return bytes;
  SelectedMailbox* selected = &*selected_;
  store::Store* store = s_.store;
  ModSeqs modseqs = modseqs_for(enabled_);
  ExpungeForm form = expunge_form_for(enabled_);
  blob::BlobStore* blobs = s_.blobs;
  uint64_t sort_cache = s_.limits.sort_cache;
  auto work = [selected, store, blobs, expunges, modseqs, form,
               sort_cache]() -> Result<std::vector<proto::Response>> {
    POSTAMT_TRY(selected->refresh(*store));
    auto responses = selected->announce(expunges, modseqs, form);
    for (auto& r : commands::context_updates(*store, *blobs, *selected, sort_cache))
      responses.push_back(std::move(r));
    selected->tell_new_keywords(responses);
    return responses;
  };
  auto task = s_.runtime->run_blocking(std::move(work));
  auto responses = co_await std::move(task);
  if (!responses) {
    log::warning(ctx_.service, "reading mailbox changes failed: {}", responses.error().message);
    co_return bytes;
  }
  for (const auto& r : *responses) proto::encode(r, encode_options(), bytes);
  co_return bytes;
}

// RFC 2177: "+ idling", then news as it happens until the client sends DONE. News is
// looked for every idle_poll_interval; with a StoreWatch only when the store's version
// moved. The autologout timer keeps running (RFC 2177 §3: clients re-issue IDLE).
net::awaitable<Next> Session::on_idle(std::string tag, proto::IdleCmd) {
  proto::Continuation idling{"idling"};
  if (co_await send(std::move(idling)) == Next::close) co_return Next::close;
  reader_.expect_line();
  auto started = std::chrono::steady_clock::now();
  std::optional<uint64_t> seen_version;
  bool first = true;
  for (;;) {
    uint64_t version = s_.watch ? s_.watch->version() : 0;
    if (first || !s_.watch || !seen_version || *seen_version != version) {
      seen_version = version;
      first = false;
      // RFC 5465 §4: with NOTIFY on, IDLE sends exactly the events it asks for.
      if (notifier_) {
        auto told = tell_notifications(Expunges::tell);
        if (co_await std::move(told) == Next::close) co_return Next::close;
      } else {
        auto sent = send_news(Expunges::tell);
        if (co_await std::move(sent) == Next::close) co_return Next::close;
      }
    }
    auto event = co_await next_event_within(s_.limits.idle_poll_interval);
    if (!event) {
      // Shutdown, a closed connection and the autologout end the session the usual way
      // (run() sends the BYE); a poll interval that passed only loops.
      if (ended_ != Ended::timeout ||
          std::chrono::steady_clock::now() - started >= s_.limits.idle_timeout_authenticated)
        co_return Next::ended;
      continue;
    }
    if (*event == Event::error) {
      auto awaitable = bad_command(tag, reader_.error().message);
      co_return co_await std::move(awaitable);
    }
    std::string line = reader_.take_command();
    if (!iequals(line, "DONE")) {
      auto awaitable = bad_command(tag, "Expected DONE to end IDLE");
      co_return co_await std::move(awaitable);
    }
    auto awaitable = finish(tag, Reply::ok("IDLE terminated"));
    co_return co_await std::move(awaitable);
  }
}

}  // namespace postamt::imap::detail

namespace postamt::imap {

net::awaitable<void> run_session(net::Connection& connection, net::SessionContext context,
                                 const Services* services) {
  detail::Session session(connection, std::move(context), *services);
  co_await session.run();
}

}  // namespace postamt::imap
