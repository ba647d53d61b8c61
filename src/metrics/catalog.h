// Postamt's metrics: every family the server exports, registered once in the process's
// registry (docs/monitoring.md lists them with their labels). Product code counts through
// catalog(), e.g.
//
//   metrics::catalog().logins.with({service, "ok"}).inc();
//
// Label values come from bounded sets only (registry.h): services are [listen] keys,
// protocols and command names come from the dispatch tables ("unknown" for a command that
// does not parse), results and kinds are the fixed words documented per family.
//
// Threads: catalog() and registry() are thread-safe (built on first use); so is every
// family (registry.h). set_queue_state is thread-safe.
#pragma once

#include <chrono>
#include <optional>

#include "metrics/registry.h"

namespace postamt::metrics {

// Bucket upper bounds in seconds: protocol commands (a FETCH of a large mailbox takes
// seconds, IDLE as long as the client idles) and disk work (an fsync on an SSD takes
// well under a millisecond, on a busy disk tens of milliseconds).
extern const std::vector<double> kCommandBuckets;
extern const std::vector<double> kDiskBuckets;

struct Catalog {
  explicit Catalog(Registry& registry);

  // net::Server. admission: "accepted" | "refused" (over a connection limit; still told so)
  CounterFamily& connections;     // postamt_connections_total{service,admission}
  GaugeFamily& open_connections;  // postamt_connections_open{service}
  CounterFamily& sessions;        // postamt_sessions_total{service}
  GaugeFamily& open_sessions;     // postamt_sessions_open{service}
  // protocol: imap | pop3 | smtp | jmap. result: imap ok|no|bad, pop3 ok|err,
  // smtp 2xx|3xx|4xx|5xx (the command's last reply), jmap ok|error.
  HistogramFamily& commands;        // postamt_command_duration_seconds{protocol,command,result}
  CounterFamily& logins;            // postamt_logins_total{service,result} ok|failed
  CounterFamily& smtp_messages;     // postamt_smtp_messages_total{service,result} accepted|rejected
  CounterFamily& smtp_bytes;        // postamt_smtp_accepted_bytes_total{service}
  GaugeFamily& queue_messages;      // postamt_queue_messages
  GaugeFamily& queue_oldest_age;    // postamt_queue_oldest_message_age_seconds
  CounterFamily& queue_recipients;  // postamt_queue_recipients_total{outcome} sent|deferred|bounced
  // kind: server | client | duplicate_dropped | duplicate_rejected | received
  CounterFamily& receipts;              // postamt_receipts_total{kind}
  HistogramFamily& store_transactions;  // postamt_store_transaction_seconds{mode} read|write
  HistogramFamily& store_commits;       // postamt_store_commit_seconds
  HistogramFamily& fsyncs;              // postamt_fsync_seconds{target} file|directory
  CounterFamily& blob_bytes;            // postamt_blob_written_bytes_total
  GaugeFamily& build_info;              // postamt_build_info{version} = 1
  GaugeFamily& resident_memory;         // process_resident_memory_bytes
  GaugeFamily& virtual_memory;          // process_virtual_memory_bytes
  GaugeFamily& open_fds;                // process_open_fds
  GaugeFamily& max_fds;                 // process_max_fds
};

// The process's registry and its catalog (registered together on first use).
Registry& registry();
Catalog& catalog();

// What the queue worker saw on its last pass: how many messages, and when the oldest
// arrived (nullopt: none). The age gauge is computed from it at each scrape.
void set_queue_state(size_t messages,
                     std::optional<std::chrono::system_clock::time_point> oldest_arrival);

// Seconds since construction, for latency histograms.
class Stopwatch {
 public:
  Stopwatch() : start_(std::chrono::steady_clock::now()) {}
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::chrono::steady_clock::time_point start_;
};

}  // namespace postamt::metrics
