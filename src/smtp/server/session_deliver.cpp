// The end of a mail transaction: loop and sender checks, trace headers, local delivery
// and the outbound queue. 250 only after every durable write returned.
#include <fmt/format.h>

#include "base/log.h"
#include "smtp/server/session_impl.h"
#include "smtp/server/trace.h"

namespace postamt::smtp::server::detail {

namespace {
constexpr std::string_view kLog = "smtpd";

queue::Notify to_queue_notify(const std::optional<proto::Notify>& notify) {
  queue::Notify n;
  if (!notify) return n;  // RFC 3461 §4.1 default: failure and delay
  n.never = notify->never;
  n.success = notify->success;
  n.failure = notify->failure;
  n.delay = notify->delay;
  return n;
}

// RFC 8098 §2.3: the header is only correct for a copy when every local recipient gave
// the same ORCPT, because one blob is stored for all of them.
std::optional<proto::OriginalRecipient> common_orcpt(const std::vector<RecipientEntry>& all) {
  std::optional<proto::OriginalRecipient> common;
  for (const auto& r : all) {
    if (!r.orcpt) return std::nullopt;
    if (common && !(*common == *r.orcpt)) return std::nullopt;
    common = r.orcpt;
  }
  return common;
}
}  // namespace

using proto::make_reply;
namespace code = proto::code;

net::awaitable<Reply> Session::finish_message(std::string message) {
  MailTransaction& t = *transaction_;
  if (count_received(message) > options_.limits.max_received_headers) {
    log::info(kLog, "{}: reject: too many Received headers (mail loop)", t.queue_id);
    co_return make_reply(554, proto::EnhancedCode{5, 4, 6},
                         "Too many Received header fields: mail loop detected");
  }
  if (user_) {
    // RFC 6409 §8: the submission server may check the author against the login.
    if (auto from = from_addresses(message)) {
      for (const auto& address : *from) {
        auto owned = co_await owns_address(address);
        if (!owned)
          co_return make_reply(451, code::kTempSystem, "Temporary lookup failure, try again");
        if (!*owned) {
          log::info(kLog, "{}: reject: From <{}> not owned by {}", t.queue_id, address, *user_);
          co_return make_reply(
              550, code::kPolicyRejected,
              fmt::format("From header address <{}> is not owned by user {}", address, *user_));
        }
      }
    }
  }

  if (options_.mode == Mode::submission && user_ && services_.submission_check) {
    std::vector<std::string> recipients;
    for (const auto& r : t.recipients) recipients.push_back(r.address);
    SubmissionCheck* hook = services_.submission_check;
    Submission submission{*user_, t.sender, &recipients, message};
    // `submission` points into this frame, which stays alive while the call runs.
    auto check =
        services_.runtime->run_blocking([hook, &submission] { return hook->check(submission); });
    auto decision = co_await std::move(check);
    if (!decision) {
      log::warning(kLog, "{}: submission check failed: {}", t.queue_id, decision.error().message);
      co_return make_reply(451, code::kTempSystem, "Temporary failure, try again later");
    }
    if (decision->verdict == SubmissionVerdict::reject) {
      log::info(kLog, "{}: reject: {}", t.queue_id, decision->text);
      co_return make_reply(550, code::kPolicyRejected, decision->text);
    }
    if (decision->verdict == SubmissionVerdict::drop) {
      log::info(kLog, "{}: from=<{}>, size={}, nrcpt={}, status=dropped (nothing delivered)",
                t.queue_id, t.sender, message.size(), t.recipients.size());
      co_return make_reply(250, code::kOk, fmt::format("Ok: queued as {}", t.queue_id));
    }
  }

  ReceivedInfo info;
  info.helo = *helo_;
  info.remote_ip = connection_->remote().address;
  info.hostname = options_.hostname;
  info.protocol = with_protocol(greeting_, is_tls() ? Secured::tls : Secured::no,
                                user_ ? Authenticated::yes : Authenticated::no,
                                t.params.smtputf8 ? Utf8Mail::yes : Utf8Mail::no);
  info.queue_id = t.queue_id;
  if (auto tls = connection_->tls_info()) {
    info.tls_version = tls->version;
    info.tls_cipher = tls->cipher;
    info.tls_bits = tls->bits;
  }
  if (user_) info.authenticated_user = *user_;
  if (t.recipients.size() == 1) info.recipient = t.recipients.front().address;
  info.when = options_.clock();
  const std::string received = received_header(info);

  // RFC 5321 §4.4: Return-Path only at final delivery, so relayed copies lack it.
  std::string local = return_path_header(t.sender);
  if (auto orcpt = common_orcpt(t.recipients))
    local += original_recipient_header(orcpt->addr_type, orcpt->address);
  local += received;
  local += message;
  const uint64_t size = message.size();

  delivery::Transaction* tx = t.delivery.get();
  auto commit = services_.runtime->run_blocking([tx, body = std::move(local)]() mutable {
    tx->set_body(std::move(body));
    return tx->commit();
  });
  auto committed = co_await std::move(commit);
  if (!committed) {
    log::warning(kLog, "{}: delivery failed: {}", t.queue_id, committed.error().message);
    co_return make_reply(451, code::kTempSystem, "Local delivery failed, try again later");
  }
  log::info(kLog, "{}: from=<{}>, size={}, nrcpt={}", t.queue_id, t.sender, size,
            t.recipients.size());
  for (const auto& d : committed->delivered)
    log::info(kLog, "{}: to=<{}>, relay=local, dsn=2.0.0, status=sent (delivered to INBOX)",
              t.queue_id, d.account);

  if (!committed->remote.empty()) {
    queue::OutboundMessage outbound;
    outbound.envelope_sender = t.sender;
    if (t.params.envid) outbound.envid = *t.params.envid;
    if (t.params.ret)
      outbound.ret =
          *t.params.ret == proto::DsnReturn::full ? queue::Ret::full : queue::Ret::headers;
    for (const auto& address : committed->remote) {
      queue::OutboundRecipient r;
      r.address = address;
      for (const auto& entry : t.recipients) {
        if (std::find(entry.remote.begin(), entry.remote.end(), address) == entry.remote.end())
          continue;
        if (entry.orcpt) r.orcpt = entry.orcpt->addr_type + ";" + entry.orcpt->address;
        r.notify = to_queue_notify(entry.notify);
        break;
      }
      outbound.recipients.push_back(std::move(r));
    }
    outbound.body = received + message;
    queue::Queue* q = services_.outbound;
    auto enqueue =
        services_.runtime->run_blocking([q, m = std::move(outbound)]() { return q->enqueue(m); });
    auto queued = co_await std::move(enqueue);
    if (!queued) {
      // Local copies (if any) are already durable; a retry by the client may duplicate
      // them, which is better than losing the remote ones.
      log::warning(kLog, "{}: queueing failed: {}", t.queue_id, queued.error().message);
      co_return make_reply(451, code::kTempSystem, "Queueing failed, try again later");
    }
    for (const auto& address : committed->remote)
      log::info(kLog, "{}: to=<{}>, relay=queue, status=queued as {}", t.queue_id, address,
                *queued);
  }
  co_return make_reply(250, code::kOk, fmt::format("Ok: queued as {}", t.queue_id));
}

}  // namespace postamt::smtp::server::detail
