#include "delivery/message_log.h"

#include <fmt/format.h>

#include "base/log.h"
#include "mime/message_id.h"

namespace postamt::delivery {
namespace {
constexpr log::Level kInfo = log::Level::info;
}

std::string format_delay(std::chrono::steady_clock::duration elapsed) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count();
  if (ms < 0) ms = 0;
  return fmt::format("{}.{}", ms / 1000, (ms % 1000) / 100);
}

void log_committed(const Transaction& transaction, const Committed& committed) {
  const std::string& id = committed.id;
  // The message as the protocol gave it; a local copy differs only by Return-Path.
  const std::string message_id = mime::message_id_of_message(transaction.body());
  if (!message_id.empty()) log::message(kInfo, "cleanup", id, "message-id={}", message_id);
  log::message(kInfo, "qmgr", id, "from=<{}>, size={}, nrcpt={} (queue active)",
               transaction.envelope_sender(), committed.size, transaction.recipient_count());
  const std::string delay = format_delay(std::chrono::steady_clock::now() - transaction.started());
  // Quarantined mail goes to Junk (Transaction::set_quarantine); the log says where.
  const std::string_view where = transaction.quarantined() ? "Junk (quarantined)" : "INBOX";
  for (const Delivered& d : committed.delivered)
    log::message(kInfo, "local", id,
                 "to=<{}>, relay=local, delay={}, dsn=2.0.0, status=sent (delivered to {})",
                 d.address, delay, where);
  if (committed.queue_id == id) return;  // the worker goes on under this id
  if (!committed.queue_id.empty())
    log::message(kInfo, "qmgr", id, "remote part queued as {}", committed.queue_id);
  log::message(kInfo, "qmgr", id, "removed");
}

}  // namespace postamt::delivery
