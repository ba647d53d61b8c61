// Postamt's configuration: one TOML file (docs/architecture.md). Key names are fixed because
// admins and scripts depend on them; new keys may be added, never renamed.
//
//   hostname = "mail.example.test"
//   data_dir = "var"                       # relative to the config file's folder
//   log_level = "info"                     # debug | info | warning | error
//   log_format = "text"                    # text (Postfix-style lines) | json (base/log.h)
//   [listen]    smtp submission submissions pop3 pop3s imap imaps http https = ["host:port", ...]
//               metrics = ["127.0.0.1:9465"]   # /metrics /healthz /readyz (docs/monitoring.md)
//   [tls]       certificate, private_key   # relative to data_dir
//   [storage]   backend = "sqlite"
//   [auth]      plaintext = "never" | "loopback" | "always"
//   [limits]    connections_per_ip, connections_per_service, connections,
//               connections_per_user, login_timeout, line_timeout
//   [smtp]      max_message_size, max_recipients, max_errors, max_received_headers,
//               command_timeout, data_timeout          (durations: "30s", "5m", "12h", "5d")
//               bare_newline = "normalize" | "reject"
//               trusted_networks = ["192.0.2.0/24", "2001:db8::/32", "127.0.0.1"]
//   [pop3]      max_bad_commands, idle_timeout
//   [http]      max_header_bytes, max_size_request, max_size_upload, max_concurrent_requests,
//               max_concurrent_upload, max_calls_in_request, max_objects_in_get,
//               max_objects_in_set, request_timeout, idle_timeout, cors_origins = ["https://..."],
//               base_url = "https://mail.example.test"  (JMAP and the webmail, src/jmap)
//               min_ping_interval = "10s" (1s-30s), max_event_streams  (JMAP push)
//               max_websocket_message (default: max_size_request), max_websockets,
//               websocket_ping_interval = "30s", websocket_idle_timeout = "90s"
//               (JMAP over WebSocket, RFC 8887)
//               push_max_subscriptions, push_max_expiry = "7d" (>= "48h"), push_ttl,
//               push_max_concurrent_posts, push_timeout, push_max_backoff, push_ca_file,
//               push_allow_private_addresses = false   (JMAP PushSubscription)
//   [webmail]   enabled = true, session_idle_timeout = "30m", session_lifetime = "7d",
//               secure_cookies = false  (the built-in web client, src/webmail)
//   [autoconfig] enabled = true, hostname = "mail.example.org" (default: hostname),
//               imap_port, imaps_port, pop3_port, pop3s_port, submission_port,
//               submissions_port, https_port (public ports; default: from [listen]),
//               max_request_body = 16384, mta_sts_mode = "testing" | "enforce" | "none",
//               mta_sts_max_age = "7d"   (client autoconfiguration, src/autoconfig)
//   [outbound]  relay = "host:port"         # smart host; absent: MX lookup (RFC 5321 §5.1)
//               max_age = "5d"              # give up and bounce after this (s, m, h, d)
//               mta_sts_max_policy_bytes = 65536, mta_sts_timeout = "1m"   # RFC 8461 §3.3
//                                           policy fetch (src/queue/mta_sts_fetch.h)
//               tls = "dane" | "opportunistic" | "verify"   # MX TLS policy (default dane)
//               ca_file = "ca.pem"          # replaces the system trust store for outbound
//               relay_username, relay_password_file, relay_tls = "starttls" | "implicit"
//   [outbound.tls_policy]  "example.org" = "verify"   # per destination domain
//   [dns]       forwarders = ["127.0.0.1:5353"]  # "ip", "ip:port", "[ipv6]:port"; absent:
//               the nameservers of /etc/resolv.conf (every lookup: MX, SPF, DKIM, DANE)
//               dnssec = true, trust_anchor_file = "/usr/share/dns/root.key" (relative to
//               the config file's folder), timeout = "10s" (1s-60s, one lookup),
//               resolve_test_names = false (RFC 6761 §6.2: .test names stay local)
//   [metrics]   ready_timeout = "2s"         # /readyz: the store must answer within this
//   [receipts]  on_download = "off" | "dispatched" | "displayed"   # server's own receipt
//               one_per_recipient = true    # RFC 8098 §2.1; false = legacy duplicates
//               duplicates = "drop" | "reject"   # a client receipt after one was sent
//                                           (overridable per domain and user, src/mdn/policy.h)
//   [mailauth]  enabled = true, enforce_dmarc = true, trusted_arc_sealers = ["fwd.example"],
//               check_timeout = "30s", max_header_bytes = 1048576
//                                           (the MX's DKIM/SPF/ARC/DMARC checks, src/mailauth)
//   [dmarc]     report_days = 31             # days of aggregate-report data kept
//               public_suffix_list = "/usr/share/publicsuffix/public_suffix_list.dat"
//                                           (docs/mail-authentication/dmarc.md)
//   [dkim]      sign = true                 # sign outbound mail with data_dir/dkim keys
//               max_signatures = 5, max_signed_fields = 64, min_rsa_bits = 1024,
//               unsigned_body = "policy" | "accept"   (verification, src/mailauth/dkim)
//   [arc]       max_instances = 50          # ARC sets a received chain may have (RFC 8617)
//   [process]   user = "postamt", group = "postamt"   # who Postamt runs as when started as
//               root (docs/process.md); group defaults to the user's primary group
//
// Unknown keys, wrong types and bad values are errors naming file, line and key:
//   "/etc/postamt.toml:7: listen.imap: "127.0.0.1:99999" is not a valid host:port (port 0-65535)"
// Every such error in the file is reported, one per line of the message, in the file's
// order (a TOML syntax error stops at the first).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/connection_trust.h"
#include "base/ip_network.h"
#include "base/log.h"
#include "base/result.h"

namespace postamt {

// [smtp] bare_newline.
enum class BareNewline { normalize, reject };

// [receipts] (docs/read-receipts.md): whether Postamt sends a receipt itself when a client
// downloads a message (POP3 RETR, IMAP first body fetch), and with which disposition.
enum class ReceiptOnDownload { off, dispatched, displayed };
// What happens to a receipt a client submits for a message that already has one:
// drop = accept (250) and deliver nothing; reject = 550 5.7.1.
enum class ReceiptDuplicates { drop, reject };

// [dkim] unsigned_body: what verification makes of body text after an l= count (RFC 6376
// §8.2): accept = pass (the reason says how much is unsigned); policy = result "policy".
enum class DkimUnsignedBody { accept, policy };

// [autoconfig] mta_sts_mode: the "mode" of the MTA-STS policy (RFC 8461 §3.2, §5).
enum class MtaStsMode { testing, enforce, none };

// [outbound] tls and the values of [outbound.tls_policy] (docs/mail-authentication/
// outbound-tls.md).
enum class OutboundTls { opportunistic, dane, verify };
// [outbound] relay_tls: STARTTLS on the relay's port, or TLS on connect (RFC 8314).
enum class RelayTls { unset, starttls, implicit };

// One "host:port" from [listen]. Port 0 asks the kernel for a free port.
struct ListenAddress {
  std::string host;  // IPv4, IPv6 (written "[::1]:143" in the file) or a name
  uint16_t port = 0;
  std::string text;  // as written in the file
};

enum class ServiceTls { plain, implicit };

struct ServiceListen {
  std::string_view name;  // "smtp", "imaps", ...: the key in [listen]
  ServiceTls tls;
  std::vector<ListenAddress> addresses;
};

struct Config {
  std::filesystem::path file;  // absolute path of the file that was loaded
  std::string hostname;
  std::filesystem::path data_dir;  // absolute
  log::Level log_level = log::Level::info;
  log::Format log_format = log::Format::text;

  struct Listen {
    std::vector<ListenAddress> smtp, submission, submissions, pop3, pop3s, imap, imaps, http, https;
    // Plain HTTP, unauthenticated: keep it on loopback (docs/monitoring.md). Default: none.
    std::vector<ListenAddress> metrics;
  } listen;

  struct Tls {
    std::filesystem::path certificate;  // absolute (resolved against data_dir)
    std::filesystem::path private_key;
  } tls;

  // [storage] (docs/cluster.md): SQLite in data_dir, or PostgreSQL shared by every node.
  struct Storage {
    std::string backend = "sqlite";  // "sqlite" | "postgres"
    // libpq connection string ("postgresql://..." or "host=/run/pg dbname=mail"); only
    // with backend "postgres", where it is required. Never logged: it may hold a password.
    std::string url;
    // A file whose first line is the database password (absolute, resolved against the
    // configuration file's folder); read at start, never logged. Empty: libpq's own
    // (the url, PGPASSWORD, ~/.pgpass).
    std::filesystem::path password_file;
    uint32_t pool_size = 8;  // PostgreSQL connections per node for reads
    std::chrono::seconds statement_timeout{30};
    std::chrono::seconds connect_timeout{10};
    // Where message bytes live: "files" (data_dir/blobs, the default with SQLite) or
    // "postgres" (in the database, the default with PostgreSQL; what several nodes need).
    std::string blobs = "files";
    // How long a cluster-wide claim a node holds (a POP3 maildrop lock) outlives the
    // node when it dies without releasing it; live nodes renew theirs every third of it.
    std::chrono::seconds lease{30};
  } storage;

  struct Auth {
    PlaintextAuth plaintext = PlaintextAuth::loopback;
  } auth;

  struct Limits {
    uint32_t connections_per_ip = 20;  // concurrent connections from one remote address
    // Concurrent connections of one listener service ("smtp", "imap", "imaps", ...), so
    // that clients of one cannot take what another needs.
    uint32_t connections_per_service = 500;
    // Concurrent connections in all; above the sum of the per-service defaults, so that
    // with the defaults no service can starve another.
    uint32_t connections = 4000;
    // Concurrent IMAP sessions of one account from one remote address (Dovecot's
    // mail_max_userip_connections).
    uint32_t connections_per_user = 10;
    // From connect to a successful login (IMAP, POP3); not extended by traffic or NOOP.
    std::chrono::seconds login_timeout{60};
    // A command line whose first byte arrived must be complete within this (SMTP, POP3,
    // IMAP), however slowly its bytes trickle in.
    std::chrono::seconds line_timeout{60};
  } limits;
  // Limits of the SMTP engine (src/smtp/server/session.h Limits has the rest, fixed by RFC).
  struct Smtp {
    uint64_t max_message_size = 50ull * 1024 * 1024;  // octets; advertised with SIZE
    uint32_t max_recipients = 100;                    // RCPT per message
    uint32_t max_errors = 10;                         // bad commands before 421 and close
    uint32_t max_received_headers = 50;               // more is a mail loop
    std::chrono::seconds command_timeout{300};        // RFC 5321 §4.5.3.2.7: 5 minutes
    std::chrono::seconds data_timeout{600};           // one whole DATA or BDAT chunk
    // A bare CR or LF in message data (RFC 5321 §2.3.8): stored as CRLF, or the message
    // refused with 550 5.6.0.
    BareNewline bare_newline = BareNewline::normalize;
    // Clients that may send mail with a sender address of a local domain without logging
    // in; the MX refuses it from everyone else (550 5.7.1). Empty: nobody.
    std::vector<IpNetwork> trusted_networks;
  } smtp;

  struct Pop3 {
    uint32_t max_bad_commands = 10;          // before -ERR and close
    std::chrono::seconds idle_timeout{600};  // RFC 1939 §3: at least 10 minutes
  } pop3;

  // Limits of the IMAP engine (src/imap/session/session.h SessionLimits has the rest).
  struct Imap {
    uint32_t max_bad_commands = 20;              // in a row; the one that reaches it closes
    std::chrono::seconds idle_timeout{1800};     // authenticated; RFC 9051 §5.4: >= 30 minutes
    uint64_t max_line = 64 * 1024;               // one command line once logged in (octets)
    uint64_t max_literal = 64ull * 1024 * 1024;  // an APPENDed message (streamed, not held)
    // Every other literal is held in memory with its command: at most this large, and
    // the whole command at most max_command.
    uint64_t max_inline_literal = 64 * 1024;
    uint64_t max_command = 1024 * 1024;
    // What all sessions' commands may hold in memory together (beyond 64 KiB each).
    uint64_t command_memory = 256ull * 1024 * 1024;
    // SORT's values kept per selected mailbox (mail/sort.h SortCache); 0 keeps none.
    uint64_t sort_cache = 16ull * 1024 * 1024;
    // Offer UTF8=ACCEPT (RFC 6855). Its §4 makes an APPEND with 8-bit header octets NO
    // until the client enables it; false takes such messages as they are (migrations
    // with tools that never enable it) and does not offer the extension.
    bool utf8_accept = true;
    // NOTIFY (RFC 5465 §5.8): notifications one look may produce before the session
    // turns them off with NOTIFICATIONOVERFLOW.
    uint64_t notify_max_changes = 1000;
  } imap;

  // The HTTP service: JMAP (RFC 8620 §2 names the max* capabilities) and its limits.
  struct Http {
    uint64_t max_header_bytes = 16 * 1024;     // request line and header fields
    uint64_t max_size_request = 10'000'000;    // an API request body (maxSizeRequest)
    uint64_t max_size_upload = 50'000'000;     // one uploaded blob (maxSizeUpload)
    uint32_t max_concurrent_requests = 4;      // API requests of one account at once
    uint32_t max_concurrent_upload = 4;        // uploads of one account at once
    uint32_t max_calls_in_request = 32;        // method calls in one API request
    uint32_t max_objects_in_get = 500;         // ids one /get may name
    uint32_t max_objects_in_set = 500;         // create + update + destroy in one /set
    std::chrono::seconds request_timeout{30};  // from a request's first byte to its last
    std::chrono::seconds idle_timeout{60};     // a kept-alive connection's wait
    // Browser origins allowed to call the API from pages served elsewhere (CORS); empty:
    // none.
    std::vector<std::string> cors_origins;
    // The URL clients reach the service at (behind a proxy); "" = taken from each
    // request's Host field.
    std::string base_url;
    // JMAP push (RFC 8620 §7.3): event-source pings asked for more often are sent this
    // often; at most 30s (the RFC's ceiling for a minimum).
    std::chrono::seconds min_ping_interval{10};
    uint32_t max_event_streams = 8;  // event streams one account may hold open
    // JMAP over WebSocket (RFC 8887): the largest message (unset: max_size_request), the
    // WebSockets one account may hold open, the silence after which the server pings,
    // and the longer one after which it closes (the ping interval must be shorter).
    std::optional<uint64_t> max_websocket_message;
    uint32_t max_websockets = 8;
    std::chrono::seconds websocket_ping_interval{30};
    std::chrono::seconds websocket_idle_timeout{90};
    // JMAP PushSubscription (RFC 8620 §7.2): records per account; the longest life of a
    // subscription made with a password or token (at least 48h, the RFC's floor); the
    // TTL field of every POST (RFC 8030 §5.2); POSTs in flight at once; the time one POST
    // may take; the longest wait between retries after failures.
    uint32_t push_max_subscriptions = 16;
    std::chrono::seconds push_max_expiry{7 * 24 * 3600};
    std::chrono::seconds push_ttl{24 * 3600};
    uint32_t push_max_concurrent_posts = 4;
    std::chrono::seconds push_timeout{30};
    std::chrono::seconds push_max_backoff{600};
    // PEM CA certificates push services are verified against instead of the system's
    // (absolute; relative to the config file's folder); empty: the system trust store.
    std::filesystem::path push_ca_file;
    // Whether push URLs may lead to loopback, private, link-local and other non-global
    // addresses (RFC 8620 §8.6 server-side request forgery); for tests.
    bool push_allow_private_addresses = false;
  } http;

  // The webmail (docs/protocols/webmail.md) on the http/https listeners.
  struct Webmail {
    bool enabled = true;
    std::chrono::seconds session_idle_timeout{30 * 60};    // a session unused this long ends
    std::chrono::seconds session_lifetime{7 * 24 * 3600};  // and every session this old
    // Session cookies carry Secure on http too (behind a proxy that terminates TLS).
    bool secure_cookies = false;
  } webmail;

  // Client autoconfiguration (docs/protocols/autoconfig.md): what the Thunderbird,
  // Outlook and Apple documents and `postamt dns records` tell clients and senders.
  struct Autoconfig {
    bool enabled = true;  // serve the documents on the http/https listeners
    // The host name clients and MX lookups reach this server by; "" = `hostname`.
    std::string hostname;
    // The port clients reach a service on, when it differs from the first [listen]
    // address (NAT, a proxy, a listener on port 0); 0 = do not advertise the service.
    // Absent: the first [listen] address's port, or the service's IANA port when that is
    // 0. Only services with a [listen] address can be advertised.
    std::optional<uint16_t> imap_port, imaps_port, pop3_port, pop3s_port, submission_port,
        submissions_port, https_port;
    // The largest Outlook autodiscover request body (octets); larger ones get 413.
    uint64_t max_request_body = 16 * 1024;
    MtaStsMode mta_sts_mode = MtaStsMode::testing;
    // The policy's max_age (RFC 8461 §3.2: at most 31557600 seconds).
    std::chrono::seconds mta_sts_max_age{7 * 24 * 3600};
  } autoconfig;

  struct Outbound {
    std::optional<ListenAddress> relay;  // port must not be 0
    std::chrono::seconds max_age = std::chrono::hours(24 * 5);
    // MTA-STS policy fetches (RFC 8461 §3.3 suggests 64 KiB and one minute): the largest
    // policy body accepted (1024 - 1 MiB), and the time one HTTPS GET may take (1s - 10m).
    uint64_t mta_sts_max_policy_bytes = 64 * 1024;
    std::chrono::seconds mta_sts_timeout{60};
    OutboundTls tls = OutboundTls::dane;            // MX deliveries without an entry below
    std::map<std::string, OutboundTls> tls_policy;  // lower-case domain -> mode
    // PEM bundle that replaces the system trust store for outbound certificate checks.
    std::filesystem::path ca_file;
    // Smart-host AUTH (RFC 4954): both or neither; the file is read when the server
    // starts (queue/outbound.h), never here. Either, or relay_tls, makes TLS to the relay
    // mandatory and verified.
    std::string relay_username;
    std::filesystem::path relay_password_file;
    RelayTls relay_tls = RelayTls::unset;
    // How long one node's claim on a queued message lasts before another node may take
    // it over (the claimant renews it every third of this while it delivers).
    std::chrono::seconds claim_lease{120};
  } outbound;

  // [dns] (docs/mail-authentication/dns.md): the one resolver every DNS lookup goes
  // through (dns/unbound_resolver.h).
  struct Dns {
    // Recursive resolvers to ask, as written ("ip", "ip:port", "[ipv6]:port", a bare
    // IPv6 literal); checked to be address literals with ports 1-65535. Empty: the
    // nameservers of /etc/resolv.conf.
    std::vector<std::string> forwarders;
    bool dnssec = true;  // validate; answers carry secure / bogus
    std::filesystem::path trust_anchor_file = "/usr/share/dns/root.key";
    std::chrono::seconds timeout{10};  // one lookup, 1s-60s
    // RFC 6761 §6.2: names under "test." are answered NXDOMAIN locally unless this
    // option (off by default) sends them to the forwarders.
    bool resolve_test_names = false;
  } dns;

  // Quota (RFC 9208) of accounts without their own (`postamt user quota set`); 0 = none.
  struct Quota {
    uint64_t storage = 0;   // octets of all an account's messages
    uint64_t messages = 0;  // how many
    // Accounts that may change quotas over IMAP (SETQUOTA, RFC 9208 §4.1.3), their own
    // and, as the root "#user/<address>", anyone's. Addresses compare ignoring case.
    std::vector<std::string> admins;
  } quota;

  struct Receipts {
    ReceiptOnDownload on_download = ReceiptOnDownload::off;
    bool one_per_recipient = true;  // RFC 8098 §2.1: at most one receipt per recipient
    ReceiptDuplicates duplicates = ReceiptDuplicates::drop;
    // Receipts the server itself sends on download to REMOTE requesters, per account in
    // any sliding hour; more are suppressed and logged (0: none at all). Keeps a mailbox
    // full of requests from turning the server into a mail cannon.
    uint32_t max_remote_per_hour = 100;
  } receipts;

  // [process] (docs/process.md): the account `serve` drops to after binding its listeners,
  // and that the admin commands act as, when started as root. Resolved when the file is
  // loaded: the user and group must exist, and neither may be root.
  struct Process {
    std::string user;   // empty: no change of identity
    std::string group;  // the user's primary group when not given
    uint32_t uid = 0;   // of `user`; meaningful only when user is not empty
    uint32_t gid = 0;   // of `group`
  } process;

  // [mailauth]: the SMTP MX's checks of mail from outside (docs/mail-authentication.md,
  // src/mailauth/checker.h).
  struct MailAuth {
    bool enabled = true;        // DKIM, SPF, ARC and DMARC; the Authentication-Results field
    bool enforce_dmarc = true;  // apply DMARC's reject (550 5.7.1) and quarantine (Junk)
    // Forwarders (ARC-Seal d= domains, lower-case) whose passing ARC chain overrides a
    // DMARC failure (RFC 7489 §6.7 local policy, RFC 8617 §7.2.1).
    std::vector<std::string> trusted_arc_sealers;
    // Named limits: the DNS lookups of one message's checks must start within
    // check_timeout (1s-5m); a header larger than max_header_bytes (4 KiB - 64 MiB) is not
    // DKIM- or ARC-verified.
    std::chrono::seconds check_timeout{30};
    uint64_t max_header_bytes = 1024 * 1024;
  } mailauth;

  // DMARC (docs/mail-authentication/dmarc.md, src/mailauth/dmarc).
  struct Dmarc {
    // Days of aggregate-report data (data_dir/dmarc/YYYY-MM-DD.jsonl) kept before the
    // day being written; older files are removed when a new day starts (1 to 3660).
    uint32_t report_days = 31;
    // The public suffix list for organizational domains (RFC 7489 §3.2); absolute
    // (relative to the config file's folder). Debian's `publicsuffix` package by default.
    std::filesystem::path public_suffix_list = "/usr/share/publicsuffix/public_suffix_list.dat";
  } dmarc;

  // The admin listener's endpoints (listen.metrics, src/app/engine_metrics.h).
  struct Metrics {
    // /readyz answers 503 when a trivial store read takes longer (1s to 60s).
    std::chrono::seconds ready_timeout{2};
  } metrics;

  // [dkim] (docs/mail-authentication/dkim.md): signing outbound mail and the limits of
  // verification.
  struct Dkim {
    bool sign = true;                 // sign with every key of the From domain, if any
    uint32_t max_signatures = 5;      // DKIM-Signature fields verified per message (1-50)
    uint32_t max_signed_fields = 64;  // h= entries a signature may list (1-1000)
    uint32_t min_rsa_bits = 1024;     // smaller RSA keys give "policy" (1024-8192)
    DkimUnsignedBody unsigned_body = DkimUnsignedBody::policy;
  } dkim;

  // ARC validation of received mail (docs/mail-authentication/arc.md, src/mailauth/arc).
  struct Arc {
    // A chain with more ARC sets fails (RFC 8617 §5.2 step 1); 1 to 50 (§4.2.1).
    uint32_t max_instances = 50;
  } arc;

  // Every [listen] service in a fixed order, with its TLS mode, including empty ones.
  std::vector<ServiceListen> services() const;
};

// Loads and validates `path`. Relative paths inside are resolved as documented above.
Result<Config> load_config(const std::filesystem::path& path);

// Same, from text; `path` is used for messages and to resolve data_dir.
Result<Config> parse_config(std::string_view text, const std::filesystem::path& path);

// Parses "host:port" / "[v6]:port". Error message says what is wrong.
Result<ListenAddress> parse_listen_address(std::string_view text);

// Checks a [dns] forwarder: an IPv4 or IPv6 literal, "ip:port" or "[ipv6]:port" with a
// port from 1 to 65535. Returns it unchanged; the error (invalid) says what is wrong.
Result<std::string> parse_dns_forwarder(std::string_view text);

// Parses a duration: a positive integer with one unit, "45s", "30m", "12h", "5d".
// Errors (invalid) say what is wrong; values beyond 100 years are refused.
Result<std::chrono::seconds> parse_duration(std::string_view text);

}  // namespace postamt
