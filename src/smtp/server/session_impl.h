// Internal: the Session behind run_session() and what its commands share. session.cpp
// runs the command loop; dispatch.cpp checks each command's state rules and calls its
// function in commands/ (one file per command, commands/commands.h). Not part of the
// library's interface.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "delivery/transaction.h"
#include "net/line_reader.h"
#include "smtp/proto/command.h"
#include "smtp/proto/reply.h"
#include "smtp/server/session.h"
#include "smtp/server/trace.h"

namespace postamt::smtp::server::detail {

using proto::Reply;

// One mail transaction, from MAIL to the final reply (or RSET). The recipients'
// addresses, ORCPT and NOTIFY are kept by `delivery`.
struct MailTransaction {
  std::string queue_id;
  std::string sender;  // "" = null reverse-path
  proto::MailParams params;
  std::unique_ptr<delivery::Transaction> delivery;
  std::vector<std::string> recipients;  // forward paths as given at RCPT
  std::string bdat_body;                // chunks received so far (RFC 3030)
  bool bdat_started = false;
};

enum class Next { proceed, close };

// The connection's state and the helpers every command uses. Commands run one at a
// time on the connection's strand; blocking work goes through runtime->run_blocking.
class Session {
 public:
  Session(std::unique_ptr<net::Connection> connection, net::SessionContext context,
          Services services, Options options);
  net::awaitable<void> run();

  // Writes `reply`; its failure is the connection's.
  net::awaitable<Result<void>> send(Reply reply);
  // Writes `reply` and counts a 4xx/5xx toward Limits::max_errors (the one that reaches
  // it adds "421 4.7.0" and closes).
  net::awaitable<Next> answer(Reply reply);
  // Says goodbye for a read that failed (timeout, shutdown, over-long line) and closes;
  // an over-long command line (ErrorKind::limit) is answered and the session goes on.
  net::awaitable<Next> read_error(Error error);

  auth::PlaintextMechanisms plaintext_mechanisms() const;
  bool is_tls() const { return connection_->is_tls(); }
  std::string client_name() const;  // "unknown[192.0.2.10]"
  // The client's address is in Options::trusted_networks.
  bool from_trusted_network() const;
  // Logs a refused MAIL or RCPT the way Postfix does, so that admins see probes and
  // fail2ban can act (docs/protocols/smtp.md):
  //   NOQUEUE: reject: RCPT from unknown[192.0.2.10]: 554 5.7.1 <x@y>: Relay access
  //   denied; from=<a@b> to=<x@y> proto=ESMTP helo=<client.example>
  // "NOQUEUE" until a recipient of the transaction was accepted, its queue id after.
  // `to` is empty for MAIL.
  void log_reject(std::string_view command, const Reply& reply, std::string_view from,
                  std::string_view to) const;
  std::string new_queue_id() const;
  void reset_transaction() { transaction_.reset(); }

  std::unique_ptr<net::Connection> connection_;
  net::SessionContext context_;
  Services services_;
  Options options_;
  net::LineReader reader_;

  std::optional<std::string> helo_;  // domain from EHLO/HELO; reset by STARTTLS
  Greeting greeting_ = Greeting::ehlo;
  std::optional<std::string> user_;  // authenticated account address
  std::optional<MailTransaction> transaction_;

 private:
  net::awaitable<Next> handle_line(net::Line line);

  size_t errors_ = 0;
  // For metrics: the command being answered and the code of the last reply sent.
  std::string_view command_name_ = "unknown";
  int last_reply_code_ = 0;
};

}  // namespace postamt::smtp::server::detail
