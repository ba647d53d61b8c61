// Internal: the Session behind run_session() and what its commands share. session.cpp
// runs the command loop; dispatch.cpp checks each command's state (its kState in
// pop3/proto/command.h) and calls its function in commands/ (one file per command,
// commands/commands.h). Not part of the library's interface.
#pragma once

#include <optional>
#include <string>

#include "auth/policy.h"
#include "net/line_reader.h"
#include "pop3/session/maildrop.h"
#include "pop3/session/session.h"

namespace postamt::pop3::detail {

enum class State { authorization, transaction };
enum class Next { keep_going, close };

// The connection's state and the helpers every command uses. Commands run one at a
// time on the connection's executor; store and blob work goes through run_blocking.
class Session {
 public:
  Session(net::Connection& connection, net::SessionContext context, const Services& services)
      : conn_(connection), reader_(connection), ctx_(std::move(context)), s_(services) {}

  net::awaitable<void> run();
  // After run(): a session that logged in and did not reach QUIT's flagging (dropped,
  // timed out, shut down, closed for bad commands) still sets \Seen on what it
  // retrieved, best effort.
  net::awaitable<void> finish();

  // Writes `text` (one complete response).
  net::awaitable<Next> reply(std::string text);
  // Writes `text` and counts a bad command; the one that reaches max_bad_commands adds
  // "-ERR too many bad commands, closing connection" and closes.
  net::awaitable<Next> bad_command(std::string text);
  // One store call that sets \Seen on the retrieved messages (QUIT leaves out those
  // marked deleted); runs at most once; failures are logged.
  net::awaitable<void> flag_retrieved(DeletedMessages deleted);
  // Frees the maildrop lock, if this session holds it, on the blocking pool (cluster
  // mode releases its claim, maildrop_lock.h); a failure is logged and the release is
  // left to MaildropLocks::maintain().
  net::awaitable<void> release_lock();

  auth::PlaintextMechanisms plaintext_mechanisms() const {
    return auth::plaintext_mechanisms(s_.plaintext, conn_.trust());
  }
  const std::string& remote_ip() const { return conn_.remote().address; }
  void log_end(std::string_view how) const;

  net::Connection& conn_;
  net::LineReader reader_;
  net::SessionContext ctx_;
  const Services& s_;

  State state_ = State::authorization;
  std::optional<std::string> user_;  // after USER, until PASS
  // TRANSACTION state only.
  std::optional<store::Account> account_;
  std::optional<MaildropLock> lock_;
  std::optional<Maildrop> maildrop_;
  uint32_t retrieved_ = 0;
  uint32_t expunged_ = 0;

 private:
  uint32_t bad_commands_ = 0;
  // For metrics: whether the current command's first status line was +OK (nullopt: none
  // written yet).
  std::optional<bool> command_ok_;
  bool seen_flagged_ = false;  // flag_retrieved() ran
};

}  // namespace postamt::pop3::detail
