#include "base/config.h"

#include <gtest/gtest.h>

namespace postamt {
namespace {

Result<Config> parse(std::string_view text) {
  return parse_config(text, "/etc/postamt/postamt.toml");
}

std::string error_of(std::string_view text) {
  auto r = parse(text);
  return r ? "OK" : r.error().message;
}

}  // namespace

TEST(Config, FullExampleFromTheIssue) {
  auto cfg = parse(R"(
hostname = "mail.example.test"
data_dir = "var"

[listen]
smtp        = ["127.0.0.1:2525"]
submission  = ["127.0.0.1:2587"]
submissions = ["127.0.0.1:2465"]
pop3        = ["127.0.0.1:2110"]
pop3s       = ["127.0.0.1:2995"]
imap        = ["127.0.0.1:2143", "[::1]:0"]
imaps       = ["127.0.0.1:2993"]
http        = ["127.0.0.1:8080"]

[tls]
certificate = "tls/cert.pem"
private_key = "tls/key.pem"

[storage]
backend = "sqlite"

[auth]
plaintext = "loopback"
)");
  ASSERT_TRUE(cfg) << cfg.error().message;
  EXPECT_EQ(cfg->hostname, "mail.example.test");
  EXPECT_EQ(cfg->data_dir, "/etc/postamt/var");
  EXPECT_EQ(cfg->tls.certificate, "/etc/postamt/var/tls/cert.pem");
  EXPECT_EQ(cfg->tls.private_key, "/etc/postamt/var/tls/key.pem");
  ASSERT_EQ(cfg->listen.imap.size(), 2u);
  EXPECT_EQ(cfg->listen.imap[0].host, "127.0.0.1");
  EXPECT_EQ(cfg->listen.imap[0].port, 2143);
  EXPECT_EQ(cfg->listen.imap[1].host, "::1");
  EXPECT_EQ(cfg->listen.imap[1].port, 0);
  EXPECT_EQ(cfg->auth.plaintext, PlaintextAuth::loopback);
  auto services = cfg->services();
  ASSERT_EQ(services.size(), 10u);
  EXPECT_EQ(services[8].name, "https");
  EXPECT_EQ(services[8].tls, ServiceTls::implicit);
  EXPECT_EQ(services[2].name, "submissions");
  EXPECT_EQ(services[2].tls, ServiceTls::implicit);
  EXPECT_EQ(services[0].addresses[0].port, 2525);
}

TEST(Config, HttpSection) {
  auto cfg = parse(
      "hostname = \"mx.example.org\"\n"
      "[listen]\nhttps = [\"127.0.0.1:8443\"]\n"
      "[http]\nmax_size_request = 2048\nmax_calls_in_request = 4\nmax_objects_in_get = 7\n"
      "max_concurrent_requests = 2\nrequest_timeout = \"5s\"\n"
      "cors_origins = [\"https://mail.example.org\"]\nbase_url = \"https://mail.example.org/\"\n");
  ASSERT_TRUE(cfg) << cfg.error().message;
  EXPECT_EQ(cfg->listen.https.at(0).port, 8443);
  EXPECT_EQ(cfg->http.max_size_request, 2048u);
  EXPECT_EQ(cfg->http.max_calls_in_request, 4u);
  EXPECT_EQ(cfg->http.max_objects_in_get, 7u);
  EXPECT_EQ(cfg->http.max_objects_in_set, 500u);
  EXPECT_EQ(cfg->http.max_concurrent_requests, 2u);
  EXPECT_EQ(cfg->http.request_timeout, std::chrono::seconds(5));
  EXPECT_EQ(cfg->http.cors_origins, std::vector<std::string>{"https://mail.example.org"});
  EXPECT_EQ(cfg->http.base_url, "https://mail.example.org");
  EXPECT_EQ(cfg->http.min_ping_interval, std::chrono::seconds(10));
  EXPECT_EQ(cfg->http.max_event_streams, 8u);
}

TEST(Config, WebmailSection) {
  auto defaults = parse("");
  ASSERT_TRUE(defaults) << defaults.error().message;
  EXPECT_TRUE(defaults->webmail.enabled);
  EXPECT_EQ(defaults->webmail.session_idle_timeout, std::chrono::minutes(30));
  EXPECT_EQ(defaults->webmail.session_lifetime, std::chrono::hours(24 * 7));
  EXPECT_FALSE(defaults->webmail.secure_cookies);
  auto cfg = parse(
      "[webmail]\nenabled = false\nsession_idle_timeout = \"2m\"\nsession_lifetime = \"1d\"\n"
      "secure_cookies = true\n");
  ASSERT_TRUE(cfg) << cfg.error().message;
  EXPECT_FALSE(cfg->webmail.enabled);
  EXPECT_EQ(cfg->webmail.session_idle_timeout, std::chrono::minutes(2));
  EXPECT_EQ(cfg->webmail.session_lifetime, std::chrono::hours(24));
  EXPECT_TRUE(cfg->webmail.secure_cookies);
  auto typo = parse("[webmail]\nsession_timeout = \"2m\"\n");
  ASSERT_FALSE(typo);
  EXPECT_NE(typo.error().message.find("webmail.session_timeout"), std::string::npos)
      << typo.error().message;
}

TEST(Config, MailAuth) {
  auto defaults = parse("");
  ASSERT_TRUE(defaults) << defaults.error().message;
  EXPECT_TRUE(defaults->mailauth.enabled);
  EXPECT_TRUE(defaults->mailauth.enforce_dmarc);
  EXPECT_TRUE(defaults->mailauth.trusted_arc_sealers.empty());
  auto cfg = parse(
      "[mailauth]\nenabled = false\nenforce_dmarc = false\n"
      "trusted_arc_sealers = [\"Lists.Example.org\", \"fwd.example.net\"]\n");
  ASSERT_TRUE(cfg) << cfg.error().message;
  EXPECT_FALSE(cfg->mailauth.enabled);
  EXPECT_FALSE(cfg->mailauth.enforce_dmarc);
  EXPECT_EQ(cfg->mailauth.trusted_arc_sealers,
            (std::vector<std::string>{"lists.example.org", "fwd.example.net"}));
  EXPECT_EQ(error_of("[mailauth]\ntrusted_arc_sealers = [\"not a domain\"]\n"),
            "/etc/postamt/postamt.toml:2: mailauth.trusted_arc_sealers: \"not a domain\" is not "
            "a domain name");
  EXPECT_EQ(error_of("[mailauth]\ntrusted_arc_sealers = \"x.example\"\n"),
            "/etc/postamt/postamt.toml:2: mailauth.trusted_arc_sealers: expected a list of domain "
            "names");
  EXPECT_EQ(defaults->mailauth.check_timeout, std::chrono::seconds(30));
  EXPECT_EQ(defaults->mailauth.max_header_bytes, 1048576u);
  auto limits = parse("[mailauth]\ncheck_timeout = \"5m\"\nmax_header_bytes = 4096\n");
  ASSERT_TRUE(limits) << limits.error().message;
  EXPECT_EQ(limits->mailauth.check_timeout, std::chrono::minutes(5));
  EXPECT_EQ(limits->mailauth.max_header_bytes, 4096u);
  EXPECT_EQ(error_of("[mailauth]\ncheck_timeout = \"6m\"\n"),
            "/etc/postamt/postamt.toml:2: mailauth.check_timeout: must be between 1s and 5m");
  EXPECT_EQ(error_of("[mailauth]\nmax_header_bytes = 4095\n"),
            "/etc/postamt/postamt.toml:2: mailauth.max_header_bytes: 4095 is out of range "
            "4096-67108864");
  EXPECT_EQ(error_of("[mailauth]\nenforce = true\n"),
            "/etc/postamt/postamt.toml:2: mailauth.enforce: unknown key");
}

TEST(Config, Dmarc) {
  auto defaults = parse("");
  ASSERT_TRUE(defaults) << defaults.error().message;
  EXPECT_EQ(defaults->dmarc.report_days, 31u);
  EXPECT_EQ(defaults->dmarc.public_suffix_list, "/usr/share/publicsuffix/public_suffix_list.dat");
  auto cfg = parse("[dmarc]\nreport_days = 7\npublic_suffix_list = \"psl/list.dat\"\n");
  ASSERT_TRUE(cfg) << cfg.error().message;
  EXPECT_EQ(cfg->dmarc.report_days, 7u);
  EXPECT_EQ(cfg->dmarc.public_suffix_list, "/etc/postamt/psl/list.dat");
  auto absolute = parse("[dmarc]\npublic_suffix_list = \"/srv/psl.dat\"\n");
  ASSERT_TRUE(absolute) << absolute.error().message;
  EXPECT_EQ(absolute->dmarc.public_suffix_list, "/srv/psl.dat");
  EXPECT_EQ(parse("[dmarc]\nreport_days = 1\n")->dmarc.report_days, 1u);
  EXPECT_EQ(parse("[dmarc]\nreport_days = 3660\n")->dmarc.report_days, 3660u);
  EXPECT_EQ(error_of("[dmarc]\nreport_days = 0\n"),
            "/etc/postamt/postamt.toml:2: dmarc.report_days: 0 is out of range 1-3660");
  EXPECT_EQ(error_of("[dmarc]\nreport_days = 3661\n"),
            "/etc/postamt/postamt.toml:2: dmarc.report_days: 3661 is out of range 1-3660");
  EXPECT_EQ(error_of("[dmarc]\npublic_suffix_list = \"\"\n"),
            "/etc/postamt/postamt.toml:2: dmarc.public_suffix_list: must not be empty");
  EXPECT_EQ(error_of("[dmarc]\npublic_suffix_list = 3\n"),
            "/etc/postamt/postamt.toml:2: dmarc.public_suffix_list: expected a string");
  EXPECT_EQ(error_of("[dmarc]\nreport_dayz = 3\n"),
            "/etc/postamt/postamt.toml:2: dmarc.report_dayz: unknown key");
}

TEST(Config, ArcMaxInstances) {
  auto defaults = parse("");
  ASSERT_TRUE(defaults) << defaults.error().message;
  EXPECT_EQ(defaults->arc.max_instances, 50u);
  auto cfg = parse("[arc]\nmax_instances = 10\n");
  ASSERT_TRUE(cfg) << cfg.error().message;
  EXPECT_EQ(cfg->arc.max_instances, 10u);
  // RFC 8617 §4.2.1: instances stop at 50.
  EXPECT_EQ(error_of("[arc]\nmax_instances = 51\n"),
            "/etc/postamt/postamt.toml:2: arc.max_instances: 51 is out of range 1-50");
  EXPECT_EQ(error_of("[arc]\nmax_instances = 0\n"),
            "/etc/postamt/postamt.toml:2: arc.max_instances: 0 is out of range 1-50");
  EXPECT_EQ(error_of("[arc]\nseal = true\n"), "/etc/postamt/postamt.toml:2: arc.seal: unknown key");
}

TEST(Config, MetricsListenerAndReadyTimeout) {
  auto defaults = parse("");
  ASSERT_TRUE(defaults) << defaults.error().message;
  EXPECT_TRUE(defaults->listen.metrics.empty());
  EXPECT_EQ(defaults->metrics.ready_timeout, std::chrono::seconds(2));
  auto cfg = parse(
      "[listen]\nmetrics = [\"127.0.0.1:9465\", \"[::1]:9465\"]\n[metrics]\nready_timeout = "
      "\"5s\"\n");
  ASSERT_TRUE(cfg) << cfg.error().message;
  ASSERT_EQ(cfg->listen.metrics.size(), 2u);
  EXPECT_EQ(cfg->listen.metrics[0].host, "127.0.0.1");
  EXPECT_EQ(cfg->listen.metrics[0].port, 9465);
  EXPECT_EQ(cfg->metrics.ready_timeout, std::chrono::seconds(5));
  const auto services = cfg->services();
  ASSERT_EQ(services.back().name, "metrics");
  EXPECT_EQ(services.back().tls, ServiceTls::plain);
  EXPECT_EQ(services.back().addresses.size(), 2u);
  EXPECT_EQ(error_of("[metrics]\nready_timeout = \"2m\"\n"),
            "/etc/postamt/postamt.toml:2: metrics.ready_timeout: must be between 1s and 60s");
  EXPECT_EQ(error_of("[metrics]\nport = 9465\n"),
            "/etc/postamt/postamt.toml:2: metrics.port: unknown key");
  EXPECT_EQ(error_of("[listen]\nmetrics = [\"127.0.0.1:99999\"]\n"),
            "/etc/postamt/postamt.toml:2: listen.metrics: \"127.0.0.1:99999\" is not a valid "
            "host:port (port 0-65535)");
}

TEST(Config, HttpPushLimits) {
  auto cfg = parse("[http]\nmin_ping_interval = \"2s\"\nmax_event_streams = 3\n");
  ASSERT_TRUE(cfg) << cfg.error().message;
  EXPECT_EQ(cfg->http.min_ping_interval, std::chrono::seconds(2));
  EXPECT_EQ(cfg->http.max_event_streams, 3u);
  auto slow = parse("[http]\nmin_ping_interval = \"31s\"\n");
  ASSERT_FALSE(slow);
  EXPECT_EQ(slow.error().message,
            "/etc/postamt/postamt.toml:2: http.min_ping_interval: expected at most \"30s\" "
            "(RFC 8620 §7.3)");
  auto none = parse("[http]\nmax_event_streams = 0\n");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message,
            "/etc/postamt/postamt.toml:2: http.max_event_streams: 0 is out of range 1-1000");
  ASSERT_FALSE(parse("[http]\nmin_ping_interval = 5\n"));
}

TEST(Config, HttpWebSocketLimits) {
  auto defaults = parse("[http]\nmax_size_request = 2048\n");
  ASSERT_TRUE(defaults) << defaults.error().message;
  EXPECT_FALSE(defaults->http.max_websocket_message);  // the engine uses max_size_request
  EXPECT_EQ(defaults->http.max_websockets, 8u);
  EXPECT_EQ(defaults->http.websocket_ping_interval, std::chrono::seconds(30));
  EXPECT_EQ(defaults->http.websocket_idle_timeout, std::chrono::seconds(90));
  auto cfg = parse(
      "[http]\nmax_websocket_message = 4096\nmax_websockets = 2\n"
      "websocket_ping_interval = \"1s\"\nwebsocket_idle_timeout = \"3s\"\n");
  ASSERT_TRUE(cfg) << cfg.error().message;
  EXPECT_EQ(cfg->http.max_websocket_message, 4096u);
  EXPECT_EQ(cfg->http.max_websockets, 2u);
  EXPECT_EQ(cfg->http.websocket_ping_interval, std::chrono::seconds(1));
  EXPECT_EQ(cfg->http.websocket_idle_timeout, std::chrono::seconds(3));
  auto bad = parse("[http]\nmax_websocket_message = 10\nmax_websockets = 0\n");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message,
            "/etc/postamt/postamt.toml:2: http.max_websocket_message: 10 is out of range "
            "1024-1073741824\n"
            "/etc/postamt/postamt.toml:3: http.max_websockets: 0 is out of range 1-1000");
  auto order = parse("[http]\nwebsocket_idle_timeout = \"20s\"\n");
  ASSERT_FALSE(order);
  EXPECT_EQ(order.error().message,
            "/etc/postamt/postamt.toml:2: http.websocket_idle_timeout: websocket_idle_timeout "
            "must be longer than websocket_ping_interval");
  auto zero = parse("[http]\nwebsocket_ping_interval = \"0s\"\n");
  ASSERT_FALSE(zero);
}

TEST(Config, HttpPushSubscriptions) {
  auto defaults = parse("");
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->http.push_max_subscriptions, 16u);
  EXPECT_EQ(defaults->http.push_max_expiry, std::chrono::hours(24 * 7));
  EXPECT_EQ(defaults->http.push_ttl, std::chrono::hours(24));
  EXPECT_EQ(defaults->http.push_max_concurrent_posts, 4u);
  EXPECT_EQ(defaults->http.push_timeout, std::chrono::seconds(30));
  EXPECT_EQ(defaults->http.push_max_backoff, std::chrono::minutes(10));
  EXPECT_EQ(defaults->http.push_ca_file, std::filesystem::path());
  EXPECT_FALSE(defaults->http.push_allow_private_addresses);
  auto cfg = parse(
      "[http]\npush_max_subscriptions = 2\npush_max_expiry = \"3d\"\npush_ttl = \"60s\"\n"
      "push_max_concurrent_posts = 1\npush_timeout = \"5s\"\npush_max_backoff = \"2m\"\n"
      "push_ca_file = \"ca/push.pem\"\npush_allow_private_addresses = true\n");
  ASSERT_TRUE(cfg) << cfg.error().message;
  EXPECT_EQ(cfg->http.push_max_subscriptions, 2u);
  EXPECT_EQ(cfg->http.push_max_expiry, std::chrono::hours(72));
  EXPECT_EQ(cfg->http.push_ttl, std::chrono::seconds(60));
  EXPECT_EQ(cfg->http.push_max_concurrent_posts, 1u);
  EXPECT_EQ(cfg->http.push_timeout, std::chrono::seconds(5));
  EXPECT_EQ(cfg->http.push_max_backoff, std::chrono::minutes(2));
  EXPECT_EQ(cfg->http.push_ca_file, std::filesystem::path("/etc/postamt/ca/push.pem"));
  EXPECT_TRUE(cfg->http.push_allow_private_addresses);
  auto short_life = parse("[http]\npush_max_expiry = \"47h\"\n");
  ASSERT_FALSE(short_life);
  EXPECT_EQ(short_life.error().message,
            "/etc/postamt/postamt.toml:2: http.push_max_expiry: expected at least \"48h\" "
            "(RFC 8620 §7.2)");
  auto none = parse("[http]\npush_max_subscriptions = 0\n");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message,
            "/etc/postamt/postamt.toml:2: http.push_max_subscriptions: 0 is out of range 1-1000");
  ASSERT_FALSE(parse("[http]\npush_allow_private_addresses = \"yes\"\n"));
  ASSERT_FALSE(parse("[http]\npush_timeout = \"0s\"\n"));
}

TEST(Config, HttpSectionRefusesBadValues) {
  auto cfg = parse(
      "hostname = \"mx.example.org\"\n"
      "[http]\nmax_calls_in_request = 0\ncors_origins = [\"*\"]\nbase_url = \"mail\"\n");
  ASSERT_FALSE(cfg);
  EXPECT_NE(cfg.error().message.find("http.max_calls_in_request"), std::string::npos)
      << cfg.error().message;
  EXPECT_NE(cfg.error().message.find("http.cors_origins"), std::string::npos);
  EXPECT_NE(cfg.error().message.find("http.base_url"), std::string::npos);
}

TEST(Config, Defaults) {
  auto cfg = parse("hostname = \"mx.example.org\"\n");
  ASSERT_TRUE(cfg);
  EXPECT_EQ(cfg->data_dir, "/etc/postamt/var");
  EXPECT_EQ(cfg->storage.backend, "sqlite");
  EXPECT_EQ(cfg->auth.plaintext, PlaintextAuth::loopback);
  EXPECT_EQ(cfg->limits.connections_per_ip, 20u);
  EXPECT_EQ(cfg->limits.connections_per_service, 500u);
  EXPECT_EQ(cfg->limits.connections, 4000u);
  EXPECT_EQ(cfg->limits.connections_per_user, 10u);
  EXPECT_EQ(cfg->limits.login_timeout, std::chrono::seconds(60));
  EXPECT_EQ(cfg->limits.line_timeout, std::chrono::seconds(60));
  for (const auto& s : cfg->services()) EXPECT_TRUE(s.addresses.empty()) << s.name;
  EXPECT_EQ(cfg->process.user, "");
  EXPECT_EQ(cfg->process.group, "");
}

TEST(Config, LogLevelAndFormat) {
  auto defaults = parse("");
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->log_level, log::Level::info);
  EXPECT_EQ(defaults->log_format, log::Format::text);
  auto json = parse("log_level = \"debug\"\nlog_format = \"json\"\n");
  ASSERT_TRUE(json) << json.error().message;
  EXPECT_EQ(json->log_level, log::Level::debug);
  EXPECT_EQ(json->log_format, log::Format::json);
  EXPECT_EQ(parse("log_format = \"text\"\n")->log_format, log::Format::text);
  EXPECT_EQ(error_of("hostname = \"a\"\nlog_format = \"JSON\"\n"),
            "/etc/postamt/postamt.toml:2: log_format: \"JSON\" is not one of \"text\", \"json\"");
  EXPECT_EQ(error_of("log_format = 1\n"),
            "/etc/postamt/postamt.toml:1: log_format: expected a string");
}

TEST(Config, ConnectionLimitsAndDeadlines) {
  auto cfg = parse(
      "[limits]\nconnections_per_service = 7\nconnections_per_user = 3\n"
      "login_timeout = \"30s\"\nline_timeout = \"2m\"\n");
  ASSERT_TRUE(cfg) << cfg.error().message;
  EXPECT_EQ(cfg->limits.connections_per_service, 7u);
  EXPECT_EQ(cfg->limits.connections_per_user, 3u);
  EXPECT_EQ(cfg->limits.login_timeout, std::chrono::seconds(30));
  EXPECT_EQ(cfg->limits.line_timeout, std::chrono::seconds(120));
  auto zero = parse("[limits]\nconnections_per_service = 0\n");
  ASSERT_FALSE(zero);
  EXPECT_EQ(zero.error().message,
            "/etc/postamt/postamt.toml:2: limits.connections_per_service: 0 is out of range "
            "1-10000000");
  auto never = parse("[limits]\nlogin_timeout = \"0s\"\n");
  ASSERT_FALSE(never);
}

TEST(Config, AbsoluteDataDirStaysAbsolute) {
  auto cfg = parse("data_dir = \"/srv/mail\"\n[tls]\ncertificate = \"/etc/ssl/c.pem\"\n");
  ASSERT_TRUE(cfg);
  EXPECT_EQ(cfg->data_dir, "/srv/mail");
  EXPECT_EQ(cfg->tls.certificate, "/etc/ssl/c.pem");
}

TEST(Config, ErrorsNameFileLineAndKey) {
  EXPECT_EQ(error_of("hostname = \"a\"\nfoo = 1\n"),
            "/etc/postamt/postamt.toml:2: foo: unknown key");
  EXPECT_EQ(error_of("[listen]\n\nimapx = []\n"),
            "/etc/postamt/postamt.toml:3: listen.imapx: unknown key");
  EXPECT_EQ(error_of("hostname = 5\n"), "/etc/postamt/postamt.toml:1: hostname: expected a string");
  EXPECT_EQ(error_of("[listen]\nimap = \"127.0.0.1:143\"\n"),
            "/etc/postamt/postamt.toml:2: listen.imap: expected a list of \"host:port\" strings");
  EXPECT_EQ(error_of("[listen]\nimap = [\"127.0.0.1:99999\"]\n"),
            "/etc/postamt/postamt.toml:2: listen.imap: \"127.0.0.1:99999\" is not a valid "
            "host:port (port 0-65535)");
  EXPECT_EQ(error_of("[listen]\nimap = [\"localhost\"]\n"),
            "/etc/postamt/postamt.toml:2: listen.imap: \"localhost\" is not a valid host:port");
  EXPECT_EQ(error_of("[auth]\nplaintext = \"sometimes\"\n"),
            "/etc/postamt/postamt.toml:2: auth.plaintext: \"sometimes\" is not one of \"never\", "
            "\"loopback\", \"always\"");
  EXPECT_EQ(error_of("[storage]\nbackend = \"mysql\"\n"),
            "/etc/postamt/postamt.toml:2: storage.backend: \"mysql\" is not one of \"sqlite\", "
            "\"postgres\"");
  EXPECT_EQ(error_of("listen = 3\n"), "/etc/postamt/postamt.toml:1: listen: expected a table");
  EXPECT_EQ(error_of("hostname = \"bad host\"\n"),
            "/etc/postamt/postamt.toml:1: hostname: \"bad host\" is not a valid host name");
  EXPECT_EQ(error_of("[limits]\nconnections_per_ip = 0\n"),
            "/etc/postamt/postamt.toml:2: limits.connections_per_ip: 0 is out of range 1-1000000");
  EXPECT_EQ(error_of("[tls]\ncertificate = \"a\"\nkey = \"b\"\n"),
            "/etc/postamt/postamt.toml:3: tls.key: unknown key");
}

// One run names every error, in the order of the file's lines, one per line; a wrong
// value is named once (a hostname that is no string is not also a bad host name).
TEST(Config, EveryErrorIsReportedInFileOrder) {
  auto r = parse(R"(hostname = 5
colour = "blue"
[listen]
imap = ["127.0.0.1:99999", "localhost", "127.0.0.1:143"]
pop3 = "127.0.0.1:110"
[smtp]
max_recipients = 0
data_timeout = "soon"
[pop3]
idle_timeout = "5m"
[outbound]
relay = "mx.test:0"
max_age = 5
resolver = "127.0.0.1:53"
[receipts]
send = true
)");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::invalid);
  EXPECT_EQ(r.error().message,
            "/etc/postamt/postamt.toml:1: hostname: expected a string\n"
            "/etc/postamt/postamt.toml:2: colour: unknown key\n"
            "/etc/postamt/postamt.toml:4: listen.imap: \"127.0.0.1:99999\" is not a valid "
            "host:port (port 0-65535)\n"
            "/etc/postamt/postamt.toml:4: listen.imap: \"localhost\" is not a valid host:port\n"
            "/etc/postamt/postamt.toml:5: listen.pop3: expected a list of \"host:port\" strings\n"
            "/etc/postamt/postamt.toml:7: smtp.max_recipients: 0 is out of range 1-100000\n"
            "/etc/postamt/postamt.toml:8: smtp.data_timeout: \"soon\" is not a duration like "
            "\"30m\", \"12h\" or \"5d\"\n"
            "/etc/postamt/postamt.toml:10: pop3.idle_timeout: must be at least 10 minutes "
            "(RFC 1939 §3)\n"
            "/etc/postamt/postamt.toml:12: outbound.relay: \"mx.test:0\" needs a port\n"
            "/etc/postamt/postamt.toml:13: outbound.max_age: expected a string\n"
            "/etc/postamt/postamt.toml:14: outbound.resolver: removed: use [dns] forwarders = "
            "[\"ip:port\"]\n"
            "/etc/postamt/postamt.toml:16: receipts.send: unknown key");
  // A section that is no table is one error; the file's other errors are still named.
  EXPECT_EQ(error_of("listen = 3\n[smtp]\nmax_errors = 0\n"),
            "/etc/postamt/postamt.toml:1: listen: expected a table\n"
            "/etc/postamt/postamt.toml:3: smtp.max_errors: 0 is out of range 1-1000");
}

TEST(Config, SyntaxErrorNamesLine) {
  std::string e = error_of("hostname = \"a\"\n[listen\n");
  EXPECT_EQ(e.rfind("/etc/postamt/postamt.toml:2: ", 0), 0u) << e;
}

TEST(Config, MissingFile) {
  auto r = load_config("/nonexistent/postamt.toml");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::not_found);
  EXPECT_EQ(r.error().message,
            "/nonexistent/postamt.toml: cannot read configuration: No such file or directory");
}

TEST(Config, ListenAddressForms) {
  EXPECT_EQ(parse_listen_address("[::]:993")->host, "::");
  EXPECT_EQ(parse_listen_address("0.0.0.0:25")->port, 25);
  EXPECT_FALSE(parse_listen_address("::1:25"));
  EXPECT_FALSE(parse_listen_address(":25"));
  EXPECT_FALSE(parse_listen_address("[::1]25"));
  EXPECT_FALSE(parse_listen_address("host:-1"));
}

TEST(Config, OutboundDefaultsAndValues) {
  auto d = parse("");
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->outbound.relay);
  EXPECT_EQ(d->outbound.max_age, std::chrono::hours(120));
  EXPECT_EQ(d->outbound.mta_sts_max_policy_bytes, 65536u);
  EXPECT_EQ(d->outbound.mta_sts_timeout, std::chrono::minutes(1));
  auto cfg = parse(R"(
[outbound]
relay = "smarthost.example.test:587"
max_age = "30m"
mta_sts_max_policy_bytes = 1024
mta_sts_timeout = "10m"
)");
  ASSERT_TRUE(cfg) << cfg.error().message;
  ASSERT_TRUE(cfg->outbound.relay);
  EXPECT_EQ(cfg->outbound.relay->host, "smarthost.example.test");
  EXPECT_EQ(cfg->outbound.relay->port, 587);
  EXPECT_EQ(cfg->outbound.max_age, std::chrono::minutes(30));
  EXPECT_EQ(cfg->outbound.mta_sts_max_policy_bytes, 1024u);
  EXPECT_EQ(cfg->outbound.mta_sts_timeout, std::chrono::minutes(10));
}

TEST(Config, OutboundTlsPolicyAndRelayAuth) {
  auto d = parse("");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->outbound.tls, OutboundTls::dane);
  EXPECT_TRUE(d->outbound.tls_policy.empty());
  EXPECT_TRUE(d->outbound.ca_file.empty());
  EXPECT_EQ(d->outbound.relay_tls, RelayTls::unset);
  auto cfg = parse(R"(
[outbound]
relay = "smtp.provider.test:465"
relay_username = "me@example.org"
relay_password_file = "relay.pass"
relay_tls = "implicit"
tls = "opportunistic"
ca_file = "ca.pem"
[outbound.tls_policy]
"Partner.Example" = "verify"
"bank.example" = "dane"
"legacy.example" = "opportunistic"
)");
  ASSERT_TRUE(cfg) << cfg.error().message;
  EXPECT_EQ(cfg->outbound.tls, OutboundTls::opportunistic);
  EXPECT_EQ(cfg->outbound.tls_policy,
            (std::map<std::string, OutboundTls>{{"partner.example", OutboundTls::verify},
                                                {"bank.example", OutboundTls::dane},
                                                {"legacy.example", OutboundTls::opportunistic}}));
  EXPECT_EQ(cfg->outbound.ca_file, "/etc/postamt/ca.pem");
  EXPECT_EQ(cfg->outbound.relay_username, "me@example.org");
  EXPECT_EQ(cfg->outbound.relay_password_file, "/etc/postamt/relay.pass");
  EXPECT_EQ(cfg->outbound.relay_tls, RelayTls::implicit);
}

TEST(Config, OutboundTlsErrors) {
  EXPECT_EQ(error_of("[outbound]\ntls = \"must\"\n"),
            "/etc/postamt/postamt.toml:2: outbound.tls: \"must\" is not one of \"opportunistic\", "
            "\"dane\", \"verify\"");
  EXPECT_EQ(error_of("[outbound.tls_policy]\n\"x.test\" = \"always\"\n"),
            "/etc/postamt/postamt.toml:2: outbound.tls_policy.x.test: \"always\" is not one of "
            "\"opportunistic\", \"dane\", \"verify\"");
  EXPECT_EQ(error_of("[outbound.tls_policy]\n\"user@x.test\" = \"verify\"\n"),
            "/etc/postamt/postamt.toml:2: outbound.tls_policy.user@x.test: expected a domain name");
  EXPECT_EQ(error_of("[outbound]\nrelay_tls = \"implicit\"\n"),
            "/etc/postamt/postamt.toml:2: outbound.relay_tls: needs outbound.relay");
  EXPECT_EQ(error_of("[outbound]\nrelay = \"r.test:587\"\nrelay_tls = \"smtps\"\n"),
            "/etc/postamt/postamt.toml:3: outbound.relay_tls: \"smtps\" is not one of "
            "\"starttls\", \"implicit\"");
  EXPECT_EQ(error_of("[outbound]\nrelay = \"r.test:587\"\nrelay_username = \"me\"\n"),
            "/etc/postamt/postamt.toml:3: outbound.relay_username: needs "
            "outbound.relay_password_file");
  EXPECT_EQ(error_of("[outbound]\nrelay = \"r.test:587\"\nrelay_password_file = \"p\"\n"),
            "/etc/postamt/postamt.toml:3: outbound.relay_password_file: needs "
            "outbound.relay_username");
}

TEST(Config, OutboundErrors) {
  EXPECT_EQ(error_of("[outbound]\nrelay = \"mx.test:0\"\n"),
            "/etc/postamt/postamt.toml:2: outbound.relay: \"mx.test:0\" needs a port");
  EXPECT_EQ(error_of("[outbound]\nmax_age = \"5 days\"\n"),
            "/etc/postamt/postamt.toml:2: outbound.max_age: \"5 days\" is not a duration like "
            "\"30m\", \"12h\" or \"5d\"");
  EXPECT_EQ(error_of("[outbound]\nmax_age = 5\n"),
            "/etc/postamt/postamt.toml:2: outbound.max_age: expected a string");
  EXPECT_EQ(error_of("[outbound]\nrelays = \"x:25\"\n"),
            "/etc/postamt/postamt.toml:2: outbound.relays: unknown key");
  EXPECT_EQ(error_of("[outbound]\nmta_sts_max_policy_bytes = 1023\n"),
            "/etc/postamt/postamt.toml:2: outbound.mta_sts_max_policy_bytes: 1023 is out of "
            "range 1024-1048576");
  EXPECT_EQ(error_of("[outbound]\nmta_sts_max_policy_bytes = 1048577\n"),
            "/etc/postamt/postamt.toml:2: outbound.mta_sts_max_policy_bytes: 1048577 is out of "
            "range 1024-1048576");
  EXPECT_EQ(error_of("[outbound]\nmta_sts_timeout = \"11m\"\n"),
            "/etc/postamt/postamt.toml:2: outbound.mta_sts_timeout: must be at most \"10m\"");
  EXPECT_EQ(error_of("[outbound]\nmta_sts_timeout = 60\n"),
            "/etc/postamt/postamt.toml:2: outbound.mta_sts_timeout: expected a duration like "
            "\"30m\"");
  // outbound.resolver was removed with the hand-written resolver; the error names [dns].
  EXPECT_EQ(error_of("[outbound]\nresolver = \"127.0.0.1:5353\"\n"),
            "/etc/postamt/postamt.toml:2: outbound.resolver: removed: use [dns] forwarders = "
            "[\"ip:port\"]");
}

TEST(Config, DnsDefaultsAndValues) {
  auto d = parse("");
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->dns.forwarders.empty());
  EXPECT_TRUE(d->dns.dnssec);
  EXPECT_EQ(d->dns.trust_anchor_file, "/usr/share/dns/root.key");
  EXPECT_EQ(d->dns.timeout, std::chrono::seconds(10));
  EXPECT_FALSE(d->dns.resolve_test_names);
  auto cfg = parse(R"(
[dns]
forwarders = ["127.0.0.1:5353", "192.0.2.53", "[::1]:53", "2001:db8::53", "[2001:db8::54]"]
dnssec = false
trust_anchor_file = "anchors/test.key"
timeout = "3s"
resolve_test_names = true
)");
  ASSERT_TRUE(cfg) << cfg.error().message;
  EXPECT_EQ(cfg->dns.forwarders,
            (std::vector<std::string>{"127.0.0.1:5353", "192.0.2.53", "[::1]:53", "2001:db8::53",
                                      "[2001:db8::54]"}));
  EXPECT_FALSE(cfg->dns.dnssec);
  EXPECT_EQ(cfg->dns.trust_anchor_file, "/etc/postamt/anchors/test.key");
  EXPECT_EQ(cfg->dns.timeout, std::chrono::seconds(3));
  EXPECT_TRUE(cfg->dns.resolve_test_names);
  EXPECT_EQ(parse("[dns]\ntrust_anchor_file = \"/var/lib/a.key\"\n")->dns.trust_anchor_file,
            "/var/lib/a.key");
}

TEST(Config, DnsErrors) {
  EXPECT_EQ(error_of("[dns]\nforwarders = \"127.0.0.1\"\n"),
            "/etc/postamt/postamt.toml:2: dns.forwarders: expected a list of \"ip\", \"ip:port\" "
            "or \"[ipv6]:port\" strings");
  EXPECT_EQ(error_of("[dns]\nforwarders = [\"dns.example.test:53\"]\n"),
            "/etc/postamt/postamt.toml:2: dns.forwarders: \"dns.example.test:53\" must be an IP "
            "address (the resolver is found without DNS)");
  EXPECT_EQ(error_of("[dns]\nforwarders = [\"dns.example.test\"]\n"),
            "/etc/postamt/postamt.toml:2: dns.forwarders: \"dns.example.test\" is not an IP "
            "address, \"ip:port\" or \"[ipv6]:port\"");
  EXPECT_EQ(error_of("[dns]\nforwarders = [\"127.0.0.1:0\"]\n"),
            "/etc/postamt/postamt.toml:2: dns.forwarders: \"127.0.0.1:0\" needs a port from 1 to "
            "65535");
  EXPECT_EQ(error_of("[dns]\nforwarders = [\"[192.0.2.1]\"]\n"),
            "/etc/postamt/postamt.toml:2: dns.forwarders: \"[192.0.2.1]\" is not an IP address");
  EXPECT_EQ(error_of("[dns]\ndnssec = \"yes\"\n"),
            "/etc/postamt/postamt.toml:2: dns.dnssec: expected true or false");
  EXPECT_EQ(error_of("[dns]\nresolve_test_names = 1\n"),
            "/etc/postamt/postamt.toml:2: dns.resolve_test_names: expected true or false");
  EXPECT_EQ(error_of("[dns]\ntrust_anchor_file = \"\"\n"),
            "/etc/postamt/postamt.toml:2: dns.trust_anchor_file: must not be empty");
  // The named limit: one lookup waits 1s to 60s.
  EXPECT_EQ(error_of("[dns]\ntimeout = \"61s\"\n"),
            "/etc/postamt/postamt.toml:2: dns.timeout: must be between 1s and 60s");
  EXPECT_TRUE(parse("[dns]\ntimeout = \"60s\"\n"));
  EXPECT_TRUE(parse("[dns]\ntimeout = \"1s\"\n"));
  EXPECT_EQ(error_of("[dns]\nresolver = \"127.0.0.1\"\n"),
            "/etc/postamt/postamt.toml:2: dns.resolver: unknown key");
}

TEST(Config, DurationParsing) {
  EXPECT_EQ(*parse_duration("45s"), std::chrono::seconds(45));
  EXPECT_EQ(*parse_duration("30m"), std::chrono::seconds(1800));
  EXPECT_EQ(*parse_duration("12h"), std::chrono::seconds(43200));
  EXPECT_EQ(*parse_duration("5d"), std::chrono::seconds(432000));
  for (std::string_view bad : {"", "d", "0d", "5", "5w", "-5d", "5.5d", " 5d"})
    EXPECT_FALSE(parse_duration(bad)) << bad;
  auto huge = parse_duration("99999999999d");
  ASSERT_FALSE(huge);
  EXPECT_EQ(huge.error().message, "\"99999999999d\" is longer than 100 years");
}

}  // namespace postamt

namespace postamt {

TEST(Config, ProtocolLimits) {
  auto cfg = parse_config(R"([smtp]
max_message_size = 10485760
max_recipients = 5
max_errors = 3
max_received_headers = 30
command_timeout = "2m"
data_timeout = "1h"
[pop3]
max_bad_commands = 4
idle_timeout = "15m"
[imap]
max_bad_commands = 7
idle_timeout = "45m"
max_line = 8192
max_literal = 1048576
max_inline_literal = 16384
max_command = 65536
command_memory = 33554432
sort_cache = 0
utf8_accept = false
notify_max_changes = 50
[quota]
storage = 2147483648
messages = 100000
admins = ["postmaster@example.org"]
)",
                          "/etc/postamt/postamt.toml");
  ASSERT_TRUE(cfg) << cfg.error().message;
  EXPECT_EQ(cfg->smtp.max_message_size, 10485760u);
  EXPECT_EQ(cfg->smtp.max_recipients, 5u);
  EXPECT_EQ(cfg->smtp.max_errors, 3u);
  EXPECT_EQ(cfg->smtp.max_received_headers, 30u);
  EXPECT_EQ(cfg->smtp.command_timeout, std::chrono::seconds(120));
  EXPECT_EQ(cfg->smtp.data_timeout, std::chrono::seconds(3600));
  EXPECT_EQ(cfg->pop3.max_bad_commands, 4u);
  EXPECT_EQ(cfg->pop3.idle_timeout, std::chrono::seconds(900));
  EXPECT_EQ(cfg->imap.max_bad_commands, 7u);
  EXPECT_EQ(cfg->imap.idle_timeout, std::chrono::seconds(2700));
  EXPECT_EQ(cfg->imap.max_line, 8192u);
  EXPECT_EQ(cfg->imap.max_literal, 1048576u);
  EXPECT_EQ(cfg->imap.max_inline_literal, 16384u);
  EXPECT_EQ(cfg->imap.max_command, 65536u);
  EXPECT_EQ(cfg->imap.command_memory, 33554432u);
  EXPECT_EQ(cfg->imap.sort_cache, 0u);
  EXPECT_FALSE(cfg->imap.utf8_accept);
  EXPECT_EQ(cfg->imap.notify_max_changes, 50u);
  EXPECT_EQ(cfg->quota.storage, 2147483648u);
  EXPECT_EQ(cfg->quota.messages, 100000u);
  EXPECT_EQ(cfg->quota.admins, std::vector<std::string>{"postmaster@example.org"});

  auto defaults = parse_config("", "/etc/postamt/postamt.toml");
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->smtp.max_message_size, 52428800u);
  EXPECT_EQ(defaults->smtp.max_recipients, 100u);
  EXPECT_EQ(defaults->pop3.idle_timeout, std::chrono::seconds(600));
  EXPECT_EQ(defaults->imap.idle_timeout, std::chrono::seconds(1800));
  EXPECT_EQ(defaults->imap.max_line, 65536u);
  EXPECT_EQ(defaults->imap.max_inline_literal, 65536u);
  EXPECT_EQ(defaults->imap.max_command, 1048576u);
  EXPECT_EQ(defaults->imap.command_memory, 268435456u);
  EXPECT_EQ(defaults->imap.sort_cache, 16777216u);
  EXPECT_TRUE(defaults->imap.utf8_accept);
  EXPECT_EQ(defaults->imap.notify_max_changes, 1000u);
  EXPECT_EQ(defaults->quota.storage, 0u);
  EXPECT_EQ(defaults->quota.messages, 0u);
}

// [smtp] bare_newline and trusted_networks (docs/protocols/smtp.md).
TEST(Config, SmtpSenderAndDataRules) {
  auto defaults = parse_config("", "/p.toml");
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->smtp.bare_newline, BareNewline::normalize);
  EXPECT_TRUE(defaults->smtp.trusted_networks.empty());
  auto cfg = parse_config(
      "[smtp]\nbare_newline = \"reject\"\ntrusted_networks = [\"192.0.2.0/24\", \"::1\"]\n",
      "/p.toml");
  ASSERT_TRUE(cfg) << cfg.error().message;
  EXPECT_EQ(cfg->smtp.bare_newline, BareNewline::reject);
  ASSERT_EQ(cfg->smtp.trusted_networks.size(), 2u);
  EXPECT_EQ(cfg->smtp.trusted_networks[0].to_string(), "192.0.2.0/24");
  EXPECT_EQ(cfg->smtp.trusted_networks[1].to_string(), "::1/128");
  auto bad = parse_config(
      "[smtp]\nbare_newline = \"strip\"\ntrusted_networks = [\"192.0.2.1/24\", 7, "
      "\"mx.example\"]\n",
      "/p.toml");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message,
            "/p.toml:2: smtp.bare_newline: \"strip\" is not one of \"normalize\", \"reject\"\n"
            "/p.toml:3: smtp.trusted_networks: \"192.0.2.1/24\" is not a network: address bits "
            "are set beyond the prefix\n"
            "/p.toml:3: smtp.trusted_networks: expected a list of networks like \"192.0.2.0/24\"\n"
            "/p.toml:3: smtp.trusted_networks: \"mx.example\" is not a network: expected an IPv4 "
            "or IPv6 address, optionally with /prefix");
}

TEST(Config, QuotaAdminsAreAddresses) {
  auto bad = parse_config("[quota]\nadmins = [\"postmaster\", \"a@b@c\", \"@x\", 3]\n", "/p.toml");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message,
            "/p.toml:2: quota.admins: expected a mail address\n"
            "/p.toml:2: quota.admins: expected a mail address\n"
            "/p.toml:2: quota.admins: expected a mail address\n"
            "/p.toml:2: quota.admins: expected a list of mail addresses");
}

TEST(Config, ProtocolLimitErrors) {
  auto error_of = [](std::string_view text) {
    auto r = parse_config(text, "/p.toml");
    return r ? std::string("OK") : r.error().message;
  };
  EXPECT_EQ(error_of("[smtp]\nmax_recipients = 0\n"),
            "/p.toml:2: smtp.max_recipients: 0 is out of range 1-100000");
  EXPECT_EQ(error_of("[smtp]\nmax_message_size = 10\n"),
            "/p.toml:2: smtp.max_message_size: 10 is out of range 1024-1099511627776");
  EXPECT_EQ(error_of("[smtp]\ncommand_timeout = 300\n"),
            "/p.toml:2: smtp.command_timeout: expected a duration like \"30m\"");
  EXPECT_EQ(error_of("[smtp]\ndata_timeout = \"soon\"\n"),
            "/p.toml:2: smtp.data_timeout: \"soon\" is not a duration like \"30m\", \"12h\" or "
            "\"5d\"");
  EXPECT_EQ(error_of("[pop3]\nidle_timeout = \"5m\"\n"),
            "/p.toml:2: pop3.idle_timeout: must be at least 10 minutes (RFC 1939 §3)");
  EXPECT_EQ(error_of("[pop3]\nmax_bad = 1\n"), "/p.toml:2: pop3.max_bad: unknown key");
  EXPECT_EQ(error_of("[imap]\nidle_timeout = \"10m\"\n"),
            "/p.toml:2: imap.idle_timeout: must be at least 30 minutes (RFC 9051 §5.4)");
  EXPECT_EQ(error_of("[imap]\nmax_line = 100\n"),
            "/p.toml:2: imap.max_line: 100 is out of range 1024-16777216");
  EXPECT_EQ(error_of("[imap]\nmax_inline_literal = 100000000\n"),
            "/p.toml:2: imap.max_inline_literal: 100000000 is out of range 1024-67108864");
  EXPECT_EQ(error_of("[imap]\nmax_command = 10\n"),
            "/p.toml:2: imap.max_command: 10 is out of range 4096-1073741824");
}

TEST(Config, ReceiptsDefaultsAndValues) {
  auto defaults = parse("");
  ASSERT_TRUE(defaults) << defaults.error().message;
  EXPECT_EQ(defaults->receipts.on_download, ReceiptOnDownload::off);
  EXPECT_TRUE(defaults->receipts.one_per_recipient);
  EXPECT_EQ(defaults->receipts.duplicates, ReceiptDuplicates::drop);
  EXPECT_EQ(defaults->receipts.max_remote_per_hour, 100u);
  EXPECT_EQ(parse("[receipts]\nmax_remote_per_hour = 0\n")->receipts.max_remote_per_hour, 0u);
  EXPECT_EQ(parse("[receipts]\nmax_remote_per_hour = 5\n")->receipts.max_remote_per_hour, 5u);
  auto legacy = parse(R"(
[receipts]
on_download = "displayed"
one_per_recipient = false
duplicates = "reject"
)");
  ASSERT_TRUE(legacy) << legacy.error().message;
  EXPECT_EQ(legacy->receipts.on_download, ReceiptOnDownload::displayed);
  EXPECT_FALSE(legacy->receipts.one_per_recipient);
  EXPECT_EQ(legacy->receipts.duplicates, ReceiptDuplicates::reject);
  EXPECT_EQ(parse("[receipts]\non_download = \"dispatched\"\n")->receipts.on_download,
            ReceiptOnDownload::dispatched);
}

TEST(Config, ReceiptsErrors) {
  EXPECT_EQ(error_of("[receipts]\non_download = \"read\"\n"),
            "/etc/postamt/postamt.toml:2: receipts.on_download: \"read\" is not one of \"off\", "
            "\"dispatched\", \"displayed\"");
  EXPECT_EQ(error_of("[receipts]\none_per_recipient = \"yes\"\n"),
            "/etc/postamt/postamt.toml:2: receipts.one_per_recipient: expected true or false");
  EXPECT_EQ(error_of("[receipts]\nduplicates = \"keep\"\n"),
            "/etc/postamt/postamt.toml:2: receipts.duplicates: \"keep\" is not one of \"drop\", "
            "\"reject\"");
  EXPECT_EQ(error_of("[receipts]\nmax_remote_per_hour = -1\n"),
            "/etc/postamt/postamt.toml:2: receipts.max_remote_per_hour: -1 is out of range "
            "0-1000000");
  EXPECT_EQ(error_of("[receipts]\nsend = true\n"),
            "/etc/postamt/postamt.toml:2: receipts.send: unknown key");
}

TEST(Config, DkimDefaultsValuesAndErrors) {
  auto defaults = parse("");
  ASSERT_TRUE(defaults) << defaults.error().message;
  EXPECT_TRUE(defaults->dkim.sign);
  EXPECT_EQ(defaults->dkim.max_signatures, 5u);
  EXPECT_EQ(defaults->dkim.max_signed_fields, 64u);
  EXPECT_EQ(defaults->dkim.min_rsa_bits, 1024u);
  EXPECT_EQ(defaults->dkim.unsigned_body, DkimUnsignedBody::policy);
  auto set = parse(R"(
[dkim]
sign = false
max_signatures = 2
max_signed_fields = 10
min_rsa_bits = 2048
unsigned_body = "accept"
)");
  ASSERT_TRUE(set) << set.error().message;
  EXPECT_FALSE(set->dkim.sign);
  EXPECT_EQ(set->dkim.max_signatures, 2u);
  EXPECT_EQ(set->dkim.max_signed_fields, 10u);
  EXPECT_EQ(set->dkim.min_rsa_bits, 2048u);
  EXPECT_EQ(set->dkim.unsigned_body, DkimUnsignedBody::accept);
  EXPECT_EQ(error_of("[dkim]\nmin_rsa_bits = 512\n"),
            "/etc/postamt/postamt.toml:2: dkim.min_rsa_bits: 512 is out of range 1024-8192");
  EXPECT_EQ(error_of("[dkim]\nmax_signatures = 0\n"),
            "/etc/postamt/postamt.toml:2: dkim.max_signatures: 0 is out of range 1-50");
  EXPECT_EQ(error_of("[dkim]\nmax_signed_fields = 1001\n"),
            "/etc/postamt/postamt.toml:2: dkim.max_signed_fields: 1001 is out of range 1-1000");
  EXPECT_EQ(error_of("[dkim]\nunsigned_body = \"reject\"\n"),
            "/etc/postamt/postamt.toml:2: dkim.unsigned_body: \"reject\" is not one of \"accept\", "
            "\"policy\"");
  EXPECT_EQ(error_of("[dkim]\nsign = \"yes\"\n"),
            "/etc/postamt/postamt.toml:2: dkim.sign: expected true or false");
  EXPECT_EQ(error_of("[dkim]\nselector = \"x\"\n"),
            "/etc/postamt/postamt.toml:2: dkim.selector: unknown key");
}

TEST(Config, AutoconfigSection) {
  auto defaults = parse("");
  ASSERT_TRUE(defaults) << defaults.error().message;
  EXPECT_TRUE(defaults->autoconfig.enabled);
  EXPECT_EQ(defaults->autoconfig.hostname, "");
  EXPECT_FALSE(defaults->autoconfig.imaps_port);
  EXPECT_EQ(defaults->autoconfig.max_request_body, 16u * 1024);
  EXPECT_EQ(defaults->autoconfig.mta_sts_mode, MtaStsMode::testing);
  EXPECT_EQ(defaults->autoconfig.mta_sts_max_age, std::chrono::hours(24 * 7));
  auto cfg = parse(
      "[listen]\nimaps = [\"0.0.0.0:10993\"]\nimap = [\"0.0.0.0:143\"]\n"
      "[autoconfig]\nenabled = false\nhostname = \"mx.example.org\"\nimaps_port = 993\n"
      "imap_port = 0\nmax_request_body = 4096\nmta_sts_mode = \"enforce\"\n"
      "mta_sts_max_age = \"365d\"\n");
  ASSERT_TRUE(cfg) << cfg.error().message;
  EXPECT_FALSE(cfg->autoconfig.enabled);
  EXPECT_EQ(cfg->autoconfig.hostname, "mx.example.org");
  EXPECT_EQ(cfg->autoconfig.imaps_port, std::optional<uint16_t>(993));
  EXPECT_EQ(cfg->autoconfig.imap_port, std::optional<uint16_t>(0));
  EXPECT_FALSE(cfg->autoconfig.pop3_port);
  EXPECT_EQ(cfg->autoconfig.max_request_body, 4096u);
  EXPECT_EQ(cfg->autoconfig.mta_sts_mode, MtaStsMode::enforce);
  EXPECT_EQ(cfg->autoconfig.mta_sts_max_age, std::chrono::hours(24 * 365));
}

TEST(Config, AutoconfigErrors) {
  auto bad = parse(
      "[autoconfig]\npop3_port = 110\nmax_request_body = 10\nmta_sts_mode = \"strict\"\n"
      "mta_sts_max_age = \"400d\"\nhostname = \"bad name\"\nsubmission_port = 70000\n");
  ASSERT_FALSE(bad);
  EXPECT_EQ(
      bad.error().message,
      "/etc/postamt/postamt.toml:2: autoconfig.pop3_port: [listen] pop3 has no address, so there "
      "is no "
      "service to advertise\n"
      "/etc/postamt/postamt.toml:3: autoconfig.max_request_body: 10 is out of range 256-1048576\n"
      "/etc/postamt/postamt.toml:4: autoconfig.mta_sts_mode: \"strict\" is not one of \"testing\", "
      "\"enforce\", \"none\"\n"
      "/etc/postamt/postamt.toml:5: autoconfig.mta_sts_max_age: expected at most 31557600 seconds "
      "(RFC "
      "8461 §3.2)\n"
      "/etc/postamt/postamt.toml:6: autoconfig.hostname: \"bad name\" is not a valid host name\n"
      "/etc/postamt/postamt.toml:7: autoconfig.submission_port: 70000 is out of range 0-65535");
}

// [process] names accounts of the machine running the test: Debian's "nobody" (uid 65534,
// primary group "nogroup"), "daemon" (group 1) and "root".
TEST(Config, ProcessUserAndGroupAreResolved) {
  auto user_only = parse("[process]\nuser = \"nobody\"\n");
  ASSERT_TRUE(user_only) << user_only.error().message;
  EXPECT_EQ(user_only->process.user, "nobody");
  EXPECT_EQ(user_only->process.uid, 65534u);
  EXPECT_EQ(user_only->process.gid, 65534u);  // the user's primary group
  EXPECT_EQ(user_only->process.group, "nogroup");
  auto both = parse("[process]\nuser = \"nobody\"\ngroup = \"daemon\"\n");
  ASSERT_TRUE(both) << both.error().message;
  EXPECT_EQ(both->process.uid, 65534u);
  EXPECT_EQ(both->process.gid, 1u);
  EXPECT_EQ(both->process.group, "daemon");
}

TEST(Config, ProcessErrors) {
  EXPECT_EQ(error_of("[process]\nuser = \"postamt-no-such-user\"\n"),
            "/etc/postamt/postamt.toml:2: process.user: no user \"postamt-no-such-user\" on this "
            "system");
  EXPECT_EQ(error_of("[process]\nuser = \"nobody\"\ngroup = \"postamt-no-such-group\"\n"),
            "/etc/postamt/postamt.toml:3: process.group: no group \"postamt-no-such-group\" on "
            "this system");
  EXPECT_EQ(error_of("[process]\nuser = \"root\"\n"),
            "/etc/postamt/postamt.toml:2: process.user: \"root\" is root (uid 0); Postamt never "
            "handles mail as root");
  EXPECT_EQ(error_of("[process]\nuser = \"nobody\"\ngroup = \"root\"\n"),
            "/etc/postamt/postamt.toml:3: process.group: \"root\" is the root group (gid 0); "
            "Postamt never handles mail as root");
  EXPECT_EQ(error_of("[process]\ngroup = \"nogroup\"\n"),
            "/etc/postamt/postamt.toml:2: process.group: needs process.user");
  EXPECT_EQ(error_of("[process]\nuser = \"\"\n"),
            "/etc/postamt/postamt.toml:2: process.user: must not be empty (leave the key out to "
            "keep the identity)");
  EXPECT_EQ(error_of("[process]\nuser = 65534\n"),
            "/etc/postamt/postamt.toml:2: process.user: expected a string");
  EXPECT_EQ(error_of("[process]\nuid = 1\n"),
            "/etc/postamt/postamt.toml:2: process.uid: unknown key");
}

}  // namespace postamt
