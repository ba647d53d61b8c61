// Internal: the Session object behind run_session(), split over session.cpp (command
// loop, greeting, EHLO, STARTTLS, AUTH, simple commands) and session_mail.cpp (MAIL,
// RCPT, DATA, BDAT, delivery). Not part of the library's interface.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "delivery/transaction.h"
#include "net/line_reader.h"
#include "smtp/proto/command.h"
#include "smtp/proto/reply.h"
#include "smtp/server/session.h"
#include "smtp/server/trace.h"

namespace postamt::smtp::server::detail {

using proto::Reply;

struct RecipientEntry {
  std::string address;  // forward path, no angle brackets
  std::optional<proto::OriginalRecipient> orcpt;
  std::optional<proto::Notify> notify;
  std::vector<std::string> remote;  // remote addresses it reached (after aliases)
};

// One mail transaction, from MAIL to the final reply (or RSET).
struct MailTransaction {
  std::string queue_id;
  std::string sender;  // "" = null reverse-path
  proto::MailParams params;
  std::unique_ptr<delivery::Transaction> delivery;
  std::vector<RecipientEntry> recipients;
  std::string bdat_body;  // chunks received so far (RFC 3030)
  bool bdat_started = false;
};

enum class Next { proceed, close };

class Session {
 public:
  Session(std::unique_ptr<net::Connection> connection, net::SessionContext context,
          Services services, Options options);
  net::awaitable<void> run();

 private:
  // session.cpp
  net::awaitable<Result<void>> send(Reply reply);
  net::awaitable<Next> send_counting(Reply reply);  // counts 4xx/5xx toward max_errors
  net::awaitable<Next> handle_line(net::Line line);
  net::awaitable<Next> dispatch(proto::Command command);
  net::awaitable<Next> read_error(Error error);
  Reply on_ehlo(const proto::Ehlo& ehlo);
  Reply on_helo(const proto::Helo& helo);
  net::awaitable<Next> on_starttls();
  net::awaitable<Next> on_auth(proto::Auth command);
  net::awaitable<Next> check_password(std::string mechanism, std::string authcid,
                                      std::string password);
  net::awaitable<Next> auth_failed(std::string mechanism, std::string user);
  auth::PlaintextMechanisms plaintext_mechanisms() const;
  bool is_tls() const { return connection_->is_tls(); }
  std::string client_name() const;  // "unknown[192.0.2.10]"

  // session_mail.cpp
  net::awaitable<Reply> on_mail(proto::Mail command);
  net::awaitable<Reply> on_rcpt(proto::Rcpt command);
  net::awaitable<Next> on_data();
  net::awaitable<Next> on_bdat(proto::Bdat command);
  net::awaitable<Reply> finish_message(std::string message);
  net::awaitable<Result<bool>> owns_address(std::string address);
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
  size_t errors_ = 0;
};

// One mapping from delivery/store errors at RCPT to SMTP replies.
Reply recipient_error_reply(const Error& error, std::string_view address);

}  // namespace postamt::smtp::server::detail
