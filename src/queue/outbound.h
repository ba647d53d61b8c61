// The outbound queue as `serve` runs it: opens the queue (data_dir/queue, or with
// `[storage] backend = "postgres"` the queue in the database: StoreQueue), starts the
// delivery worker on the runtime, and is the delivery::OutboundQueue that every
// delivery::Transaction hands remote recipients to.
//
//   auto outbound = queue::start_outbound(config, runtime, local, resolver);
//   delivery.outbound = outbound->get();     // transactions call enqueue() (blocking pool)
//   ... on shutdown: (*outbound)->stop(); then stop the runtime; then destroy it.
#pragma once

#include <memory>

#include "base/config.h"
#include "delivery/transaction.h"
#include "dns/resolver.h"
#include "net/runtime.h"
#include "queue/clock.h"
#include "queue/spool.h"
#include "queue/worker.h"

namespace postamt::queue {

class OutboundService final : public delivery::OutboundQueue {
 public:
  ~OutboundService() override;

  // Queue: durable before it returns (Spool::enqueue); the worker picks the message
  // up within WorkerOptions::poll_interval. Blocking; any thread.
  Result<std::string> enqueue(const delivery::OutboundMessage& message) override;
  Result<std::vector<delivery::QueuedRecipient>> queued_recipients(std::string_view id) override;

  // Asks the worker to finish after its current attempt. Idempotent, any thread.
  void stop();

  Spool& spool() { return *state_->queue; }

  struct State {
    std::unique_ptr<Spool> queue;
    std::shared_ptr<dns::Resolver> resolver;  // shared with the rest of serve
    std::unique_ptr<Worker> worker;
    std::unique_ptr<dkim::KeyRing> dkim;          // data_dir/dkim keys when dkim.sign
    std::unique_ptr<StsPolicySource> sts;         // MTA-STS policies (data_dir/mta-sts)
    std::unique_ptr<TlsAttemptSink> tls_reports;  // TLS-RPT data (data_dir/tls-rpt)
  };
  explicit OutboundService(std::shared_ptr<State> state) : state_(std::move(state)) {}

 private:
  std::shared_ptr<State> state_;
};

// [outbound] tls and [outbound.tls_policy] as the worker reads them. Pure.
TlsPolicyConfig tls_policy_config(const Config& config);

// The longest relay password accepted (octets).
inline constexpr size_t kMaxRelayPassword = 1024;

// Reads [outbound] relay_password_file: one line (a final line end is dropped), at most
// kMaxRelayPassword octets. Refuses a file that others may access (any "other" mode
// bit), one that is not a regular file, or a link. Errors: io (cannot open or read),
// invalid (the file's mode, size or contents; the message never contains the password).
Result<std::string> read_relay_password(const std::filesystem::path& path);

// Fills the relay's TLS and credentials (WorkerOptions) from [outbound]; reads the
// password file. Errors: read_relay_password's.
Result<void> relay_settings(const Config& config, WorkerOptions& options);

// Opens the queue: with storage.backend "postgres" a StoreQueue over `local.store`
// (required then; several nodes share it), else a FileQueue in `config.data_dir / "queue"`.
// Builds the TLS client context (the trust store:
// outbound.ca_file, else the system's), the TLS policy, the relay's TLS and credentials
// (relay_settings) and the worker (relay from outbound.relay, max_age from
// outbound.max_age) with `resolver` (the process's one resolver, app/resolver.h) for MX
// routing and TLSA lookups, claims lasting outbound.claim_lease), and spawns the worker
// on `runtime`. `local` delivers DSNs to
// local senders (its `outbound` is ignored: the worker uses its own queue; store and
// blobs null: DSNs are queued). What it points to and the runtime must outlive the
// service; the worker keeps its own state (and the resolver) alive until it returns.
// MTA-STS policies are fetched with the same trust store and cached under
// data_dir/mta-sts; every delivery's TLS outcome is written as TLS-RPT data under
// data_dir/tls-rpt (tls_report.h).
// With dkim.sign (the default) it loads the DKIM keys under data_dir/dkim once
// (dkim::KeyRing; keys added later are used after a restart) and logs how many.
// Errors: io (queue directory), invalid (TLS context, no resolver, no store for the
// database queue, the relay password
// file), the key ring's (a key file that others can read is a permission error naming it).
Result<std::unique_ptr<OutboundService>> start_outbound(const Config& config, net::Runtime& runtime,
                                                        delivery::Services local,
                                                        std::shared_ptr<dns::Resolver> resolver,
                                                        Clock clock = system_clock_now);

}  // namespace postamt::queue
