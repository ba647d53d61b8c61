#include "metrics/catalog.h"

#include <atomic>

#include "metrics/process.h"

namespace postamt::metrics {

const std::vector<double> kCommandBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                             0.25,   0.5,   1,      2.5,   5,    10,    30,   60};
const std::vector<double> kDiskBuckets = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};

namespace {

// The queue's oldest arrival in milliseconds since the epoch; -1 while the queue is empty.
std::atomic<int64_t> queue_oldest_ms{-1};

}  // namespace

Catalog::Catalog(Registry& r)
    : connections(r.counter("postamt_connections_total",
                            "TCP connections accepted by a listener, by [listen] service and "
                            "whether they were admitted or refused over a connection limit.",
                            {"service", "admission"})),
      open_connections(r.gauge("postamt_connections_open",
                               "TCP connections open now, admitted or being refused.",
                               {"service"})),
      sessions(r.counter("postamt_sessions_total",
                         "Protocol sessions started (admitted connections that completed the "
                         "TLS handshake on implicit-TLS listeners).",
                         {"service"})),
      open_sessions(
          r.gauge("postamt_sessions_open", "Protocol sessions running now.", {"service"})),
      commands(r.histogram("postamt_command_duration_seconds",
                           "Protocol commands by protocol, command and result, with the time "
                           "from the command's arrival to its final response.",
                           kCommandBuckets, {"protocol", "command", "result"})),
      logins(r.counter("postamt_logins_total",
                       "Password and token logins by [listen] service and result (ok, failed).",
                       {"service", "result"})),
      smtp_messages(r.counter("postamt_smtp_messages_total",
                              "Messages at the end of SMTP DATA or BDAT LAST, accepted (2xx) or "
                              "rejected (4xx, 5xx).",
                              {"service", "result"})),
      smtp_bytes(r.counter("postamt_smtp_accepted_bytes_total",
                           "Octets of the messages SMTP accepted (as received, without the "
                           "Received field Postamt adds).",
                           {"service"})),
      queue_messages(r.gauge("postamt_queue_messages",
                             "Messages in the outbound queue at the delivery worker's last pass.")),
      queue_oldest_age(r.gauge("postamt_queue_oldest_message_age_seconds",
                               "Age of the oldest message in the outbound queue (as of the "
                               "worker's last pass), 0 when the queue is empty.")),
      queue_recipients(r.counter("postamt_queue_recipients_total",
                                 "Outcomes of outbound delivery per recipient: sent, deferred "
                                 "(tried again later) or bounced (failed for good or expired).",
                                 {"outcome"})),
      receipts(r.counter("postamt_receipts_total",
                         "Read receipts (RFC 8098) by kind: server (sent by Postamt on "
                         "download), client (submitted by a client and recorded), "
                         "duplicate_dropped and duplicate_rejected (a client's second receipt "
                         "for one message), received (recorded for a local user).",
                         {"kind"})),
      store_transactions(r.histogram("postamt_store_transaction_seconds",
                                     "Store transactions from BEGIN to COMMIT (retries included).",
                                     kDiskBuckets, {"mode"})),
      store_commits(r.histogram("postamt_store_commit_seconds",
                                "SQLite COMMIT statements (the durable write of a transaction).",
                                kDiskBuckets)),
      fsyncs(r.histogram("postamt_fsync_seconds",
                         "fsync calls of the blob store, on message files and their folders.",
                         kDiskBuckets, {"target"})),
      blob_bytes(r.counter("postamt_blob_written_bytes_total",
                           "Octets written to new message files in the blob store.")),
      build_info(
          r.gauge("postamt_build_info", "Always 1; the label names the version.", {"version"})),
      resident_memory(
          r.gauge("process_resident_memory_bytes", "Resident memory of the process in bytes.")),
      virtual_memory(
          r.gauge("process_virtual_memory_bytes", "Virtual memory of the process in bytes.")),
      open_fds(r.gauge("process_open_fds", "Open file descriptors of the process.")),
      max_fds(r.gauge("process_max_fds", "The process's limit of open file descriptors.")) {
  // Series without labels, and the fixed label sets, exist from the start at 0.
  queue_messages.with({});
  queue_oldest_age.with({});
  store_commits.with({});
  blob_bytes.with({});
  for (auto outcome : {"sent", "deferred", "bounced"}) queue_recipients.with({outcome});
  for (auto kind : {"server", "client", "duplicate_dropped", "duplicate_rejected", "received"})
    receipts.with({kind});
  for (auto mode : {"read", "write"}) store_transactions.with({mode});
  for (auto target : {"file", "directory"}) fsyncs.with({target});
  r.on_collect([this] {
    const int64_t oldest = queue_oldest_ms.load(std::memory_order_relaxed);
    double age = 0;
    if (oldest >= 0) {
      const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
      age = now > oldest ? static_cast<double>(now - oldest) / 1000.0 : 0.0;
    }
    queue_oldest_age.with({}).set(age);
    if (auto stats = read_process_stats()) {
      resident_memory.with({}).set(static_cast<double>(stats->resident_bytes));
      virtual_memory.with({}).set(static_cast<double>(stats->virtual_bytes));
      open_fds.with({}).set(static_cast<double>(stats->open_fds));
      max_fds.with({}).set(static_cast<double>(stats->max_fds));
    }
  });
}

Registry& registry() {
  static Registry instance;
  return instance;
}

Catalog& catalog() {
  static Catalog instance(registry());
  return instance;
}

void set_queue_state(size_t messages,
                     std::optional<std::chrono::system_clock::time_point> oldest_arrival) {
  catalog().queue_messages.with({}).set(static_cast<double>(messages));
  queue_oldest_ms.store(oldest_arrival ? std::chrono::duration_cast<std::chrono::milliseconds>(
                                             oldest_arrival->time_since_epoch())
                                             .count()
                                       : -1,
                        std::memory_order_relaxed);
}

}  // namespace postamt::metrics
