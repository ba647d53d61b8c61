// The IMAP session object behind run_session() (session.h), shared by the files that
// define its parts: session.cpp (the read loop, dispatch, IDLE, the news) and
// session_login.cpp (STARTTLS, COMPRESS, LOGIN, AUTHENTICATE). Internal to
// imap/session; nothing else includes it.
//
// Every co_await in those files takes a named awaitable (`auto awaitable = f(...);
// co_await std::move(awaitable)`): g++ 12 can destroy temporaries inside a co_await
// expression twice, so no call with temporary arguments is awaited inline.
#pragma once

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/sasl.h"
#include "base/strings.h"
#include "imap/proto/command_reader.h"
#include "imap/proto/response.h"
#include "imap/session/append_staging.h"
#include "imap/session/notifier.h"
#include "imap/session/reply.h"
#include "imap/session/selected.h"
#include "imap/session/session.h"
#include "mail/connections.h"
#include "net/memory_budget.h"

namespace postamt::imap::detail {

using proto::Condition;
using proto::ResponseCode;
using Event = proto::CommandReader::Event;
using CodeKind = proto::ResponseCode::Kind;

// ended: reading stopped (ended_ says why); run() says goodbye as for a read that ended.
enum class Next { keep_going, close, ended };

// Why reading stopped without an event.
enum class Ended { closed, timeout, login_timeout, line_timeout, busy, shutdown, corrupt };

class Session {
 public:
  Session(net::Connection& connection, net::SessionContext context, const Services& services)
      : conn_(connection),
        ctx_(std::move(context)),
        s_(services),
        reader_(services.limits.unauthenticated),
        buffer_(services.limits.read_chunk_octets, '\0'),
        memory_(services.command_memory),
        login_deadline_(std::chrono::steady_clock::now() + services.limits.login_timeout) {}

  net::awaitable<void> run();

  // Named in the tables below the class; called through them only.
  template <class T>
  net::awaitable<Next> dispatch(std::string tag, proto::CommandBody body);
  // The session's own commands (kSessionCommand below); the reason is there.
  net::awaitable<Next> on_capability(std::string tag, proto::CapabilityCmd command);
  net::awaitable<Next> on_logout(std::string tag, proto::LogoutCmd command);
  net::awaitable<Next> on_id(std::string tag, proto::IdCmd command);
  net::awaitable<Next> on_login(std::string tag, proto::LoginCmd command);
  net::awaitable<Next> on_authenticate(std::string tag, proto::AuthenticateCmd command);
  net::awaitable<Next> on_starttls(std::string tag, proto::StartTlsCmd command);
  net::awaitable<Next> on_idle(std::string tag, proto::IdleCmd command);
  net::awaitable<Next> on_compress(std::string tag, proto::CompressCmd command);
  // NOTIFY (RFC 5465), session_notify.cpp: it changes how the session waits.
  net::awaitable<Next> on_notify(std::string tag, proto::NotifyCmd command);

 private:
  // The next reader event, reading from the connection as needed; nullopt when the
  // connection ended, timed out or the server is stopping (see ended_).
  net::awaitable<std::optional<Event>> next_event();
  // Same, but a read waits at most `wait`; on timeout returns nullopt with ended_ =
  // Ended::timeout and the session can go on.
  net::awaitable<std::optional<Event>> next_event_within(net::Duration wait);
  // A literal over the inline limit: streamed into the blob store for APPEND once
  // logged in, refused otherwise (the reader then reports the error).
  net::awaitable<Next> on_large_literal();
  net::awaitable<Next> on_literal_data(std::string piece);
  // The streamed literal is complete: finishes its blob into staged_.
  net::awaitable<void> finish_staging();
  net::awaitable<Next> write(std::string bytes);
  net::awaitable<Next> send(proto::Response response);
  net::awaitable<Next> finish(const std::string& tag, Reply reply);
  net::awaitable<Next> bad_command(std::string tag, std::string text);
  net::awaitable<Next> on_command(std::string text);
  net::awaitable<Next> on_reader_error();

  net::awaitable<Next> login(std::string tag, std::string user, std::string password,
                             std::string mechanism);
  net::awaitable<Next> failed_login(std::string tag, std::string user, std::string mechanism);
  net::awaitable<Next> run_command(std::string tag, proto::CommandBody body);
  // The selected mailbox was deleted by someone else: BYE and close.
  net::awaitable<Next> mailbox_gone();
  // Refreshes the selected mailbox and returns the news as wire bytes (empty when none).
  net::awaitable<std::string> news(Expunges expunges);
  // news() written to the client; BYE and close when the selected mailbox is gone.
  net::awaitable<Next> send_news(Expunges expunges);
  // Tells the download observer (read receipts) that these messages of the selected
  // mailbox went to the client whole.
  void report_downloads(const std::vector<Uid>& uids) const;
  // With NOTIFY on (session_notify.cpp): next_event(), but whenever no command line is
  // half read and the store moved, the notifications are written first (RFC 5465 §3.1:
  // "the client listens for event notifications all the time").
  net::awaitable<std::optional<Event>> next_event_notifying();
  // Writes what NOTIFY asks for: the selected mailbox's news as selected_events() says
  // (`expunges` where they may be told), MessageNew's FETCH, then notifier_->changes().
  // Next::close when writing failed or the selected mailbox is gone (after the BYE).
  net::awaitable<Next> tell_notifications(Expunges expunges);
  // After a command: what it changed itself is not told back (Notifier::absorb).
  net::awaitable<void> absorb_own_changes(const proto::CommandBody& command,
                                          std::optional<MailboxId> selected_before);

  std::vector<std::string> capabilities() const;
  bool quota_admin() const {
    if (!account_) return false;
    std::string key = ascii_lower(account_->address);
    return std::find(s_.quota_admins.begin(), s_.quota_admins.end(), key) != s_.quota_admins.end();
  }
  proto::EncodeOptions encode_options() const {
    proto::EncodeOptions options;
    if (enabled_.imap4rev2 || enabled_.utf8_accept) {
      options.mailbox_encoding = proto::MailboxEncoding::utf8;
      options.strings = proto::StringCharset::utf8;
    }
    return options;
  }
  auth::PlaintextMechanisms plaintext_mechanisms() const {
    return auth::plaintext_mechanisms(s_.plaintext, conn_.trust());
  }
  const std::string& remote_ip() const { return conn_.remote().address; }
  void log_end(std::string_view how) const;

  net::Connection& conn_;
  // What reads and writes go through: conn_, or compressed_ after COMPRESS (RFC 4978).
  net::Connection* io_ = &conn_;
  std::unique_ptr<net::Connection> compressed_;
  net::SessionContext ctx_;
  const Services& s_;
  proto::CommandReader reader_;
  std::string buffer_;
  Ended ended_ = Ended::closed;
  std::unique_ptr<AppendStaging> staging_;
  // The streamed literal of the command that just arrived: its blob, or why it failed.
  std::vector<Result<BlobRef>> staged_;
  net::MemoryReservation memory_;
  std::optional<mail::ConnectionsPerUser::Slot> user_slot_;
  // Fixed at connect and when a command line begins; see SessionLimits.
  std::chrono::steady_clock::time_point login_deadline_;
  std::optional<std::chrono::steady_clock::time_point> line_deadline_;
  uint32_t bad_commands_ = 0;
  bool refused_literal_ = false;  // on_large_literal refused the literal just announced
  // For metrics: the command being answered and how its tagged response ended.
  std::string_view command_name_ = "unknown";
  Condition last_condition_ = Condition::bad;
  std::optional<store::Account> account_;
  std::optional<SelectedMailbox> selected_;
  Enabled enabled_;
  // Set by NOTIFY SET, reset by NOTIFY NONE and by a notification overflow.
  std::optional<Notifier> notifier_;
  // The StoreWatch version of the last look (with no watch, every wait looks).
  std::optional<uint64_t> notified_version_;
};

}  // namespace postamt::imap::detail
