#include "base/config.h"

#include <fmt/format.h>

#include <arpa/inet.h>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <toml++/toml.h>
#include <algorithm>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

#include "base/strings.h"

namespace postamt {
namespace {

namespace fs = std::filesystem;

// The file being read and what is wrong with it. Errors are collected rather than
// returned at the first, so that one run (`postamt config check`) names all of them.
struct ConfigFile {
  std::string name;
  std::vector<std::pair<uint32_t, std::string>> errors;  // line, "file:line: key: what"

  void report(uint32_t line, std::string_view key, std::string_view what) {
    errors.emplace_back(line, fmt::format("{}:{}: {}: {}", name, line, key, what));
  }

  // Every error in the order of the file's lines, one per line of the message.
  Error error() const {
    auto sorted = errors;
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::string message;
    for (const auto& [line, text] : sorted) message += (message.empty() ? "" : "\n") + text;
    return Error{ErrorKind::invalid, std::move(message)};
  }
};

// Walks one TOML table, remembering which keys were read, so that everything left over
// is reported as unknown with its line. A reader leaves `out` as it is when the key is
// missing or its value is wrong; a wrong value is reported to the ConfigFile and reading
// goes on. So the readers' Results are always ok: they stay Results so that every key
// reads as one POSTAMT_TRY line.
class TableReader {
 public:
  TableReader(const toml::table& table, std::string prefix, ConfigFile& file)
      : table_(table), prefix_(std::move(prefix)), file_(file) {}

  const toml::node* get(std::string_view key) {
    seen_.insert(std::string(key));
    return table_.get(key);
  }

  void report(const toml::node& node, std::string_view key, std::string_view what) {
    file_.report(node.source().begin.line, prefix_ + std::string(key), what);
  }

  Result<void> string(std::string_view key, std::string& out) {
    const toml::node* n = get(key);
    if (!n) return {};
    auto v = n->value<std::string>();
    if (!n->is_string() || !v) {
      report(*n, key, "expected a string");
      return {};
    }
    out = *v;
    return {};
  }

  Result<void> uint(std::string_view key, uint32_t& out, uint32_t min, uint32_t max) {
    const toml::node* n = get(key);
    if (!n) return {};
    if (!n->is_integer()) {
      report(*n, key, "expected an integer");
      return {};
    }
    int64_t v = *n->value<int64_t>();
    if (v < min || v > max) {
      report(*n, key, fmt::format("{} is out of range {}-{}", v, min, max));
      return {};
    }
    out = static_cast<uint32_t>(v);
    return {};
  }

  Result<void> uint64(std::string_view key, uint64_t& out, uint64_t min, uint64_t max) {
    const toml::node* n = get(key);
    if (!n) return {};
    if (!n->is_integer()) {
      report(*n, key, "expected an integer");
      return {};
    }
    int64_t v = *n->value<int64_t>();
    if (v < 0 || static_cast<uint64_t>(v) < min || static_cast<uint64_t>(v) > max) {
      report(*n, key, fmt::format("{} is out of range {}-{}", v, min, max));
      return {};
    }
    out = static_cast<uint64_t>(v);
    return {};
  }

  // A duration written as "30s", "5m", "12h" or "5d" (parse_duration).
  Result<void> duration(std::string_view key, std::chrono::seconds& out) {
    const toml::node* n = get(key);
    if (!n) return {};
    auto v = n->value<std::string>();
    if (!n->is_string() || !v) {
      report(*n, key, "expected a duration like \"30m\"");
      return {};
    }
    auto d = parse_duration(*v);
    if (!d) {
      report(*n, key, d.error().message);
      return {};
    }
    out = *d;
    return {};
  }

  Result<void> boolean(std::string_view key, bool& out) {
    const toml::node* n = get(key);
    if (!n) return {};
    if (!n->is_boolean()) {
      report(*n, key, "expected true or false");
      return {};
    }
    out = *n->value<bool>();
    return {};
  }

  template <class Enum, size_t N>
  Result<void> choice(std::string_view key, Enum& out,
                      const std::pair<std::string_view, Enum> (&options)[N]) {
    const toml::node* n = get(key);
    if (!n) return {};
    auto v = n->value<std::string>();
    if (!n->is_string() || !v) {
      report(*n, key, "expected a string");
      return {};
    }
    std::string allowed;
    for (const auto& [name, value] : options) {
      if (*v == name) {
        out = value;
        return {};
      }
      allowed += fmt::format("{}\"{}\"", allowed.empty() ? "" : ", ", name);
    }
    report(*n, key, fmt::format("\"{}\" is not one of {}", *v, allowed));
    return {};
  }

  // A sub-table; a missing one, or one that is no table (reported), yields nullptr.
  Result<const toml::table*> table(std::string_view key) {
    const toml::node* n = get(key);
    if (n && !n->is_table()) report(*n, key, "expected a table");
    return n ? n->as_table() : nullptr;
  }

  Result<void> check_unknown() const {
    for (auto&& [k, v] : table_) {
      if (!seen_.count(std::string(k.str())))
        file_.report(k.source().begin.line, prefix_ + std::string(k.str()), "unknown key");
    }
    return {};
  }

 private:
  const toml::table& table_;
  std::string prefix_;
  ConfigFile& file_;
  std::set<std::string> seen_;
};

// A list of strings, each turned into a T by `parse` (a Result<T>); `expected` says what
// the list should hold when an item is not a string.
template <class T, class Parse>
Result<void> read_list(TableReader& r, std::string_view key, std::vector<T>& out,
                       std::string_view expected, Parse parse) {
  const toml::node* n = r.get(key);
  if (!n) return {};
  const toml::array* arr = n->as_array();
  if (!arr) {
    r.report(*n, key, expected);
    return {};
  }
  for (const toml::node& item : *arr) {
    auto s = item.value<std::string>();
    if (!item.is_string() || !s) {
      r.report(item, key, expected);
      continue;
    }
    auto value = parse(*s);
    if (!value) {
      r.report(item, key, value.error().message);
      continue;
    }
    out.push_back(std::move(*value));
  }
  return {};
}

Result<void> read_listen(TableReader& r, std::string_view key, std::vector<ListenAddress>& out) {
  return read_list(r, key, out, "expected a list of \"host:port\" strings",
                   [](std::string_view s) { return parse_listen_address(s); });
}

Result<void> read_networks(TableReader& r, std::string_view key, std::vector<IpNetwork>& out) {
  return read_list(r, key, out, "expected a list of networks like \"192.0.2.0/24\"",
                   [](std::string_view s) { return IpNetwork::parse(s); });
}

bool valid_hostname(std::string_view name);

// A domain name of a list ([mailauth] trusted_arc_sealers), lower-cased.
Result<std::string> parse_domain_name(std::string_view s) {
  if (!valid_hostname(s) || s.find('.') == std::string_view::npos)
    return Error(ErrorKind::invalid, fmt::format("\"{}\" is not a domain name", s));
  return ascii_lower(s);
}

bool valid_hostname(std::string_view name) {
  if (name.empty() || name.size() > 253 || name.front() == '.' || name.front() == '-') return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

// [process] user and group: both must exist now (so that `config check` catches a typo
// before a start as root fails), and neither may be root: a mail server never handles
// mail as root (docs/process.md).
Result<void> read_process(TableReader& r, const toml::table& table, Config& cfg) {
  POSTAMT_TRY(r.string("user", cfg.process.user));
  POSTAMT_TRY(r.string("group", cfg.process.group));
  const toml::node* user_node = table.get("user");
  const toml::node* group_node = table.get("group");
  if (user_node && user_node->is_string()) {
    // getpwnam_r's buffer: sysconf's suggestion, grown on ERANGE.
    std::vector<char> buf(16384);
    passwd pw{};
    passwd* found = nullptr;
    int rc = 0;
    while ((rc = getpwnam_r(cfg.process.user.c_str(), &pw, buf.data(), buf.size(), &found)) ==
               ERANGE &&
           buf.size() < (1u << 20))
      buf.resize(buf.size() * 2);
    if (cfg.process.user.empty()) {
      r.report(*user_node, "user", "must not be empty (leave the key out to keep the identity)");
    } else if (!found) {
      r.report(
          *user_node, "user",
          rc ? fmt::format("cannot look up user \"{}\": {}", cfg.process.user, std::strerror(rc))
             : fmt::format("no user \"{}\" on this system", cfg.process.user));
    } else if (pw.pw_uid == 0) {
      r.report(*user_node, "user",
               fmt::format("\"{}\" is root (uid 0); Postamt never handles mail as root",
                           cfg.process.user));
    } else {
      cfg.process.uid = pw.pw_uid;
      cfg.process.gid = pw.pw_gid;
    }
  }
  if (group_node && group_node->is_string()) {
    std::vector<char> buf(16384);
    group gr{};
    group* found = nullptr;
    int rc = 0;
    while ((rc = getgrnam_r(cfg.process.group.c_str(), &gr, buf.data(), buf.size(), &found)) ==
               ERANGE &&
           buf.size() < (1u << 20))
      buf.resize(buf.size() * 2);
    if (!user_node) {
      r.report(*group_node, "group", "needs process.user");
    } else if (cfg.process.group.empty()) {
      r.report(*group_node, "group", "must not be empty (leave the key out for the user's group)");
    } else if (!found) {
      r.report(
          *group_node, "group",
          rc ? fmt::format("cannot look up group \"{}\": {}", cfg.process.group, std::strerror(rc))
             : fmt::format("no group \"{}\" on this system", cfg.process.group));
    } else if (gr.gr_gid == 0) {
      r.report(*group_node, "group",
               fmt::format("\"{}\" is the root group (gid 0); Postamt never handles mail as root",
                           cfg.process.group));
    } else {
      cfg.process.gid = gr.gr_gid;
    }
  } else if (user_node && cfg.process.uid != 0) {
    // The user's primary group, by name for the logs.
    std::vector<char> buf(16384);
    group gr{};
    group* found = nullptr;
    while (getgrgid_r(cfg.process.gid, &gr, buf.data(), buf.size(), &found) == ERANGE &&
           buf.size() < (1u << 20))
      buf.resize(buf.size() * 2);
    cfg.process.group = found ? std::string(gr.gr_name) : std::to_string(cfg.process.gid);
    if (cfg.process.gid == 0)
      r.report(*user_node, "user",
               fmt::format("the primary group of \"{}\" is the root group (gid 0); set "
                           "process.group",
                           cfg.process.user));
  }
  return {};
}

}  // namespace

Result<ListenAddress> parse_listen_address(std::string_view text) {
  ListenAddress out;
  out.text = std::string(text);
  std::string_view host, port;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return Error{
          ErrorKind::invalid,
          fmt::format("\"{}\" is not a valid host:port (IPv6 is written [addr]:port)", text)};
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos || text.find(':') != colon)
      return Error{ErrorKind::invalid, fmt::format("\"{}\" is not a valid host:port", text)};
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  auto p = parse_u64(port);
  if (host.empty() || !p || *p > 65535)
    return Error{ErrorKind::invalid,
                 fmt::format("\"{}\" is not a valid host:port (port 0-65535)", text)};
  out.host = std::string(host);
  out.port = static_cast<uint16_t>(*p);
  return out;
}

std::vector<ServiceListen> Config::services() const {
  return {
      {"smtp", ServiceTls::plain, listen.smtp},
      {"submission", ServiceTls::plain, listen.submission},
      {"submissions", ServiceTls::implicit, listen.submissions},
      {"pop3", ServiceTls::plain, listen.pop3},
      {"pop3s", ServiceTls::implicit, listen.pop3s},
      {"imap", ServiceTls::plain, listen.imap},
      {"imaps", ServiceTls::implicit, listen.imaps},
      {"http", ServiceTls::plain, listen.http},
      {"https", ServiceTls::implicit, listen.https},
      {"metrics", ServiceTls::plain, listen.metrics},
  };
}

Result<Config> parse_config(std::string_view text, const fs::path& path) {
  ConfigFile file{path.string(), {}};
  toml::table root;
  try {
    root = toml::parse(text, file.name);
  } catch (const toml::parse_error& e) {
    // TOML syntax: the parser stops at the first error.
    return Error{ErrorKind::invalid,
                 fmt::format("{}:{}: {}", file.name, e.source().begin.line, e.description())};
  }

  Config cfg;
  cfg.file = fs::absolute(path).lexically_normal();
  TableReader top(root, "", file);

  POSTAMT_TRY(top.string("hostname", cfg.hostname));
  if (const toml::node* n = root.get("hostname");
      n && n->is_string() && !valid_hostname(cfg.hostname))
    top.report(*n, "hostname", fmt::format("\"{}\" is not a valid host name", cfg.hostname));
  if (!root.get("hostname")) {
    char buf[256] = {};
    if (gethostname(buf, sizeof buf - 1) == 0) cfg.hostname = buf;
    if (!valid_hostname(cfg.hostname)) cfg.hostname = "localhost";
  }

  std::string data_dir = "var";
  POSTAMT_TRY(top.string("data_dir", data_dir));
  if (data_dir.empty()) top.report(*root.get("data_dir"), "data_dir", "must not be empty");
  cfg.data_dir = (cfg.file.parent_path() / data_dir).lexically_normal();

  static constexpr std::pair<std::string_view, log::Level> kLevels[] = {
      {"debug", log::Level::debug},
      {"info", log::Level::info},
      {"warning", log::Level::warning},
      {"error", log::Level::error}};
  POSTAMT_TRY(top.choice("log_level", cfg.log_level, kLevels));
  static constexpr std::pair<std::string_view, log::Format> kFormats[] = {
      {"text", log::Format::text}, {"json", log::Format::json}};
  POSTAMT_TRY(top.choice("log_format", cfg.log_format, kFormats));

  auto listen = top.table("listen");
  POSTAMT_TRY(listen);
  if (*listen) {
    TableReader r(**listen, "listen.", file);
    POSTAMT_TRY(read_listen(r, "smtp", cfg.listen.smtp));
    POSTAMT_TRY(read_listen(r, "submission", cfg.listen.submission));
    POSTAMT_TRY(read_listen(r, "submissions", cfg.listen.submissions));
    POSTAMT_TRY(read_listen(r, "pop3", cfg.listen.pop3));
    POSTAMT_TRY(read_listen(r, "pop3s", cfg.listen.pop3s));
    POSTAMT_TRY(read_listen(r, "imap", cfg.listen.imap));
    POSTAMT_TRY(read_listen(r, "imaps", cfg.listen.imaps));
    POSTAMT_TRY(read_listen(r, "http", cfg.listen.http));
    POSTAMT_TRY(read_listen(r, "https", cfg.listen.https));
    POSTAMT_TRY(read_listen(r, "metrics", cfg.listen.metrics));
    POSTAMT_TRY(r.check_unknown());
  }

  std::string cert = "tls/cert.pem", key = "tls/key.pem";
  auto tls = top.table("tls");
  POSTAMT_TRY(tls);
  if (*tls) {
    TableReader r(**tls, "tls.", file);
    POSTAMT_TRY(r.string("certificate", cert));
    POSTAMT_TRY(r.string("private_key", key));
    POSTAMT_TRY(r.check_unknown());
  }
  cfg.tls.certificate = (cfg.data_dir / cert).lexically_normal();
  cfg.tls.private_key = (cfg.data_dir / key).lexically_normal();

  auto storage = top.table("storage");
  POSTAMT_TRY(storage);
  if (*storage) {
    TableReader r(**storage, "storage.", file);
    static constexpr std::pair<std::string_view, std::string_view> kBackends[] = {
        {"sqlite", "sqlite"}, {"postgres", "postgres"}};
    std::string_view backend = "sqlite";
    POSTAMT_TRY(r.choice("backend", backend, kBackends));
    cfg.storage.backend = std::string(backend);
    std::string_view blobs = backend == "postgres" ? "postgres" : "files";
    static constexpr std::pair<std::string_view, std::string_view> kBlobs[] = {
        {"files", "files"}, {"postgres", "postgres"}};
    POSTAMT_TRY(r.choice("blobs", blobs, kBlobs));
    cfg.storage.blobs = std::string(blobs);
    POSTAMT_TRY(r.string("url", cfg.storage.url));
    std::string password_file;
    POSTAMT_TRY(r.string("password_file", password_file));
    if (!password_file.empty())
      cfg.storage.password_file = (cfg.file.parent_path() / password_file).lexically_normal();
    POSTAMT_TRY(r.uint("pool_size", cfg.storage.pool_size, 1, 256));
    POSTAMT_TRY(r.duration("statement_timeout", cfg.storage.statement_timeout));
    POSTAMT_TRY(r.duration("connect_timeout", cfg.storage.connect_timeout));
    POSTAMT_TRY(r.duration("lease", cfg.storage.lease));
    if (cfg.storage.lease < std::chrono::seconds(3))
      r.report(*(*storage)->get("lease"), "lease", "must be at least 3s");
    if (backend == "postgres" && cfg.storage.url.empty())
      r.report(*(*storage)->get("backend"), "url", "is required with backend \"postgres\"");
    if (backend != "postgres") {
      for (std::string_view key : {"url", "password_file"})
        if (const toml::node* n = (*storage)->get(key))
          r.report(*n, key, "needs backend \"postgres\"");
      if (blobs == "postgres")
        r.report(*(*storage)->get("blobs"), "blobs", "needs backend \"postgres\"");
    }
    POSTAMT_TRY(r.check_unknown());
  }

  auto auth = top.table("auth");
  POSTAMT_TRY(auth);
  if (*auth) {
    TableReader r(**auth, "auth.", file);
    static constexpr std::pair<std::string_view, PlaintextAuth> kPlain[] = {
        {"never", PlaintextAuth::never},
        {"loopback", PlaintextAuth::loopback},
        {"always", PlaintextAuth::always}};
    POSTAMT_TRY(r.choice("plaintext", cfg.auth.plaintext, kPlain));
    POSTAMT_TRY(r.check_unknown());
  }

  auto limits = top.table("limits");
  POSTAMT_TRY(limits);
  if (*limits) {
    TableReader r(**limits, "limits.", file);
    POSTAMT_TRY(r.uint("connections_per_ip", cfg.limits.connections_per_ip, 1, 1000000));
    POSTAMT_TRY(r.uint("connections_per_service", cfg.limits.connections_per_service, 1, 10000000));
    POSTAMT_TRY(r.uint("connections", cfg.limits.connections, 1, 10000000));
    POSTAMT_TRY(r.uint("connections_per_user", cfg.limits.connections_per_user, 1, 100000));
    POSTAMT_TRY(r.duration("login_timeout", cfg.limits.login_timeout));
    POSTAMT_TRY(r.duration("line_timeout", cfg.limits.line_timeout));
    POSTAMT_TRY(r.check_unknown());
  }

  auto smtp = top.table("smtp");
  POSTAMT_TRY(smtp);
  if (*smtp) {
    TableReader r(**smtp, "smtp.", file);
    POSTAMT_TRY(r.uint64("max_message_size", cfg.smtp.max_message_size, 1024, 1ull << 40));
    POSTAMT_TRY(r.uint("max_recipients", cfg.smtp.max_recipients, 1, 100000));
    POSTAMT_TRY(r.uint("max_errors", cfg.smtp.max_errors, 1, 1000));
    POSTAMT_TRY(r.uint("max_received_headers", cfg.smtp.max_received_headers, 1, 1000));
    POSTAMT_TRY(r.duration("command_timeout", cfg.smtp.command_timeout));
    POSTAMT_TRY(r.duration("data_timeout", cfg.smtp.data_timeout));
    POSTAMT_TRY(r.choice("bare_newline", cfg.smtp.bare_newline,
                         {{"normalize", BareNewline::normalize}, {"reject", BareNewline::reject}}));
    POSTAMT_TRY(read_networks(r, "trusted_networks", cfg.smtp.trusted_networks));
    POSTAMT_TRY(r.check_unknown());
  }

  auto pop3 = top.table("pop3");
  POSTAMT_TRY(pop3);
  if (*pop3) {
    TableReader r(**pop3, "pop3.", file);
    POSTAMT_TRY(r.uint("max_bad_commands", cfg.pop3.max_bad_commands, 1, 1000));
    POSTAMT_TRY(r.duration("idle_timeout", cfg.pop3.idle_timeout));
    // RFC 1939 §3: the autologout timer must be at least 10 minutes.
    if (const toml::node* n = (*pop3)->get("idle_timeout");
        n && cfg.pop3.idle_timeout < std::chrono::minutes(10))
      r.report(*n, "idle_timeout", "must be at least 10 minutes (RFC 1939 §3)");
    POSTAMT_TRY(r.check_unknown());
  }

  auto imap = top.table("imap");
  POSTAMT_TRY(imap);
  if (*imap) {
    TableReader r(**imap, "imap.", file);
    POSTAMT_TRY(r.uint("max_bad_commands", cfg.imap.max_bad_commands, 1, 1000));
    POSTAMT_TRY(r.duration("idle_timeout", cfg.imap.idle_timeout));
    // RFC 9051 §5.4: the autologout timer must be at least 30 minutes.
    if (const toml::node* n = (*imap)->get("idle_timeout");
        n && cfg.imap.idle_timeout < std::chrono::minutes(30))
      r.report(*n, "idle_timeout", "must be at least 30 minutes (RFC 9051 §5.4)");
    POSTAMT_TRY(r.uint64("max_line", cfg.imap.max_line, 1024, 16ull * 1024 * 1024));
    POSTAMT_TRY(r.uint64("max_literal", cfg.imap.max_literal, 1024, 1ull << 40));
    POSTAMT_TRY(
        r.uint64("max_inline_literal", cfg.imap.max_inline_literal, 1024, 64ull * 1024 * 1024));
    POSTAMT_TRY(r.uint64("max_command", cfg.imap.max_command, 4096, 1ull << 30));
    POSTAMT_TRY(r.uint64("command_memory", cfg.imap.command_memory, 1024 * 1024, 1ull << 40));
    POSTAMT_TRY(r.uint64("sort_cache", cfg.imap.sort_cache, 0, 1ull << 34));
    POSTAMT_TRY(r.boolean("utf8_accept", cfg.imap.utf8_accept));
    POSTAMT_TRY(r.uint64("notify_max_changes", cfg.imap.notify_max_changes, 1, 1000000));
    POSTAMT_TRY(r.check_unknown());
  }

  auto outbound = top.table("outbound");
  POSTAMT_TRY(outbound);
  if (*outbound) {
    TableReader r(**outbound, "outbound.", file);
    std::string relay;
    POSTAMT_TRY(r.string("relay", relay));
    if (const toml::node* n = (*outbound)->get("relay"); n && n->is_string()) {
      auto a = parse_listen_address(relay);
      if (!a)
        r.report(*n, "relay", a.error().message);
      else if (a->port == 0)
        r.report(*n, "relay", fmt::format("\"{}\" needs a port", relay));
      else
        cfg.outbound.relay = std::move(*a);
    }
    // outbound.resolver named the removed hand-written resolver; [dns] replaces it.
    if (const toml::node* n = r.get("resolver"))
      r.report(*n, "resolver", "removed: use [dns] forwarders = [\"ip:port\"]");
    std::string age;
    POSTAMT_TRY(r.string("max_age", age));
    if (const toml::node* n = (*outbound)->get("max_age"); n && n->is_string()) {
      auto d = parse_duration(age);
      if (d)
        cfg.outbound.max_age = *d;
      else
        r.report(*n, "max_age", d.error().message);
    }
    POSTAMT_TRY(
        r.uint64("mta_sts_max_policy_bytes", cfg.outbound.mta_sts_max_policy_bytes, 1024, 1 << 20));
    POSTAMT_TRY(r.duration("mta_sts_timeout", cfg.outbound.mta_sts_timeout));
    if (cfg.outbound.mta_sts_timeout > std::chrono::minutes(10))
      r.report(*(*outbound)->get("mta_sts_timeout"), "mta_sts_timeout", "must be at most \"10m\"");
    static constexpr std::pair<std::string_view, OutboundTls> kTlsModes[] = {
        {"opportunistic", OutboundTls::opportunistic},
        {"dane", OutboundTls::dane},
        {"verify", OutboundTls::verify}};
    POSTAMT_TRY(r.choice("tls", cfg.outbound.tls, kTlsModes));
    auto policy = r.table("tls_policy");
    POSTAMT_TRY(policy);
    if (*policy) {
      TableReader p(**policy, "outbound.tls_policy.", file);
      for (auto&& [k, v] : **policy) {
        std::string domain = ascii_lower(std::string(k.str()));
        if (domain.empty() || domain.find_first_of(" @[]:/") != std::string::npos ||
            domain.front() == '.' || domain.back() == '.') {
          p.report(v, k.str(), "expected a domain name");
          continue;
        }
        OutboundTls mode = OutboundTls::dane;
        POSTAMT_TRY(p.choice(k.str(), mode, kTlsModes));
        if (v.is_string()) cfg.outbound.tls_policy[domain] = mode;
      }
    }
    std::string ca_file;
    POSTAMT_TRY(r.string("ca_file", ca_file));
    if (!ca_file.empty())
      cfg.outbound.ca_file = (cfg.file.parent_path() / ca_file).lexically_normal();
    POSTAMT_TRY(r.string("relay_username", cfg.outbound.relay_username));
    std::string password_file;
    POSTAMT_TRY(r.string("relay_password_file", password_file));
    if (!password_file.empty())
      cfg.outbound.relay_password_file =
          (cfg.file.parent_path() / password_file).lexically_normal();
    static constexpr std::pair<std::string_view, RelayTls> kRelayTls[] = {
        {"starttls", RelayTls::starttls}, {"implicit", RelayTls::implicit}};
    POSTAMT_TRY(r.choice("relay_tls", cfg.outbound.relay_tls, kRelayTls));
    POSTAMT_TRY(r.duration("claim_lease", cfg.outbound.claim_lease));
    if (const toml::node* n = (*outbound)->get("claim_lease");
        n && cfg.outbound.claim_lease < std::chrono::seconds(5))
      r.report(*n, "claim_lease", "must be at least 5s");
    for (std::string_view key : {"relay_username", "relay_password_file", "relay_tls"}) {
      const toml::node* n = (*outbound)->get(key);
      if (n && !cfg.outbound.relay) r.report(*n, key, "needs outbound.relay");
    }
    if (const toml::node* n = (*outbound)->get("relay_username");
        n && cfg.outbound.relay_password_file.empty())
      r.report(*n, "relay_username", "needs outbound.relay_password_file");
    if (const toml::node* n = (*outbound)->get("relay_password_file");
        n && cfg.outbound.relay_username.empty())
      r.report(*n, "relay_password_file", "needs outbound.relay_username");
    POSTAMT_TRY(r.check_unknown());
  }

  auto quota = top.table("quota");
  POSTAMT_TRY(quota);
  if (*quota) {
    TableReader r(**quota, "quota.", file);
    POSTAMT_TRY(r.uint64("storage", cfg.quota.storage, 0, 1ull << 50));
    POSTAMT_TRY(r.uint64("messages", cfg.quota.messages, 0, 1ull << 40));
    POSTAMT_TRY(read_list(r, "admins", cfg.quota.admins, "expected a list of mail addresses",
                          [](std::string_view s) -> Result<std::string> {
                            size_t at = s.find('@');
                            if (at == 0 || at == std::string_view::npos || at + 1 == s.size() ||
                                s.find('@', at + 1) != std::string_view::npos)
                              return Error{ErrorKind::invalid, "expected a mail address"};
                            return std::string(s);
                          }));
    POSTAMT_TRY(r.check_unknown());
  }

  auto http = top.table("http");
  POSTAMT_TRY(http);
  if (*http) {
    TableReader r(**http, "http.", file);
    POSTAMT_TRY(r.uint64("max_header_bytes", cfg.http.max_header_bytes, 1024, 1024 * 1024));
    POSTAMT_TRY(r.uint64("max_size_request", cfg.http.max_size_request, 1024, 1ull << 30));
    POSTAMT_TRY(r.uint64("max_size_upload", cfg.http.max_size_upload, 1024, 1ull << 40));
    POSTAMT_TRY(r.uint("max_concurrent_requests", cfg.http.max_concurrent_requests, 1, 1000));
    POSTAMT_TRY(r.uint("max_concurrent_upload", cfg.http.max_concurrent_upload, 1, 1000));
    POSTAMT_TRY(r.uint("max_calls_in_request", cfg.http.max_calls_in_request, 1, 10000));
    POSTAMT_TRY(r.uint("max_objects_in_get", cfg.http.max_objects_in_get, 1, 100000));
    POSTAMT_TRY(r.uint("max_objects_in_set", cfg.http.max_objects_in_set, 1, 100000));
    POSTAMT_TRY(r.duration("request_timeout", cfg.http.request_timeout));
    POSTAMT_TRY(r.duration("idle_timeout", cfg.http.idle_timeout));
    POSTAMT_TRY(read_list(r, "cors_origins", cfg.http.cors_origins,
                          "expected a list of origins like \"https://mail.example.org\"",
                          [](std::string_view s) -> Result<std::string> {
                            if ((!s.starts_with("https://") && !s.starts_with("http://")) ||
                                s.ends_with("/") || s.find_first_of(" \t") != s.npos)
                              return Error{ErrorKind::invalid,
                                           "expected an origin like \"https://mail.example.org\""};
                            return std::string(s);
                          }));
    POSTAMT_TRY(r.string("base_url", cfg.http.base_url));
    if (!cfg.http.base_url.empty() && !cfg.http.base_url.starts_with("https://") &&
        !cfg.http.base_url.starts_with("http://"))
      r.report(*(*http)->get("base_url"), "base_url", "expected a URL starting with https://");
    while (cfg.http.base_url.ends_with('/')) cfg.http.base_url.pop_back();
    POSTAMT_TRY(r.duration("min_ping_interval", cfg.http.min_ping_interval));
    if (cfg.http.min_ping_interval > std::chrono::seconds(30))
      r.report(*(*http)->get("min_ping_interval"), "min_ping_interval",
               "expected at most \"30s\" (RFC 8620 §7.3)");
    POSTAMT_TRY(r.uint("max_event_streams", cfg.http.max_event_streams, 1, 1000));
    if ((*http)->get("max_websocket_message")) {
      uint64_t size = 0;
      POSTAMT_TRY(r.uint64("max_websocket_message", size, 1024, 1ull << 30));
      cfg.http.max_websocket_message = size;
    }
    POSTAMT_TRY(r.uint("max_websockets", cfg.http.max_websockets, 1, 1000));
    POSTAMT_TRY(r.duration("websocket_ping_interval", cfg.http.websocket_ping_interval));
    POSTAMT_TRY(r.duration("websocket_idle_timeout", cfg.http.websocket_idle_timeout));
    if (cfg.http.websocket_ping_interval < std::chrono::seconds(1))
      r.report(*(*http)->get("websocket_ping_interval"), "websocket_ping_interval",
               "expected at least \"1s\"");
    else if (cfg.http.websocket_idle_timeout <= cfg.http.websocket_ping_interval) {
      std::string_view key = (*http)->get("websocket_idle_timeout") ? "websocket_idle_timeout"
                                                                    : "websocket_ping_interval";
      r.report(*(*http)->get(key), key,
               "websocket_idle_timeout must be longer than websocket_ping_interval");
    }
    POSTAMT_TRY(r.uint("push_max_subscriptions", cfg.http.push_max_subscriptions, 1, 1000));
    POSTAMT_TRY(r.duration("push_max_expiry", cfg.http.push_max_expiry));
    if (cfg.http.push_max_expiry < std::chrono::hours(48))
      r.report(*(*http)->get("push_max_expiry"), "push_max_expiry",
               "expected at least \"48h\" (RFC 8620 §7.2)");
    POSTAMT_TRY(r.duration("push_ttl", cfg.http.push_ttl));
    POSTAMT_TRY(r.uint("push_max_concurrent_posts", cfg.http.push_max_concurrent_posts, 1, 1000));
    POSTAMT_TRY(r.duration("push_timeout", cfg.http.push_timeout));
    if (cfg.http.push_timeout.count() == 0)
      r.report(*(*http)->get("push_timeout"), "push_timeout", "expected at least \"1s\"");
    POSTAMT_TRY(r.duration("push_max_backoff", cfg.http.push_max_backoff));
    if (cfg.http.push_max_backoff.count() == 0)
      r.report(*(*http)->get("push_max_backoff"), "push_max_backoff", "expected at least \"1s\"");
    std::string ca_file;
    POSTAMT_TRY(r.string("push_ca_file", ca_file));
    if (!ca_file.empty())
      cfg.http.push_ca_file = (cfg.file.parent_path() / ca_file).lexically_normal();
    POSTAMT_TRY(r.boolean("push_allow_private_addresses", cfg.http.push_allow_private_addresses));
    POSTAMT_TRY(r.check_unknown());
  }

  auto webmail = top.table("webmail");
  POSTAMT_TRY(webmail);
  if (*webmail) {
    TableReader r(**webmail, "webmail.", file);
    POSTAMT_TRY(r.boolean("enabled", cfg.webmail.enabled));
    POSTAMT_TRY(r.duration("session_idle_timeout", cfg.webmail.session_idle_timeout));
    POSTAMT_TRY(r.duration("session_lifetime", cfg.webmail.session_lifetime));
    POSTAMT_TRY(r.boolean("secure_cookies", cfg.webmail.secure_cookies));
    POSTAMT_TRY(r.check_unknown());
  }

  auto autoconfig = top.table("autoconfig");
  POSTAMT_TRY(autoconfig);
  if (*autoconfig) {
    TableReader r(**autoconfig, "autoconfig.", file);
    POSTAMT_TRY(r.boolean("enabled", cfg.autoconfig.enabled));
    POSTAMT_TRY(r.string("hostname", cfg.autoconfig.hostname));
    if (const toml::node* n = (*autoconfig)->get("hostname");
        n && n->is_string() && !valid_hostname(cfg.autoconfig.hostname))
      r.report(*n, "hostname",
               fmt::format("\"{}\" is not a valid host name", cfg.autoconfig.hostname));
    const std::pair<std::string_view,
                    std::pair<std::optional<uint16_t>*, const std::vector<ListenAddress>*>>
        ports[] = {
            {"imap_port", {&cfg.autoconfig.imap_port, &cfg.listen.imap}},
            {"imaps_port", {&cfg.autoconfig.imaps_port, &cfg.listen.imaps}},
            {"pop3_port", {&cfg.autoconfig.pop3_port, &cfg.listen.pop3}},
            {"pop3s_port", {&cfg.autoconfig.pop3s_port, &cfg.listen.pop3s}},
            {"submission_port", {&cfg.autoconfig.submission_port, &cfg.listen.submission}},
            {"submissions_port", {&cfg.autoconfig.submissions_port, &cfg.listen.submissions}},
            {"https_port", {&cfg.autoconfig.https_port, &cfg.listen.https}},
        };
    for (const auto& [key, target] : ports) {
      if (!(*autoconfig)->get(key)) continue;
      uint32_t port = 0;
      POSTAMT_TRY(r.uint(key, port, 0, 65535));
      const toml::node* n = (*autoconfig)->get(key);
      if (!n->is_integer() || *n->value<int64_t>() < 0 || *n->value<int64_t>() > 65535) continue;
      std::string_view service = key.substr(0, key.size() - 5);
      // A port for a service nobody listens on would send clients to nothing.
      if (port != 0 && target.second->empty())
        r.report(*n, key,
                 fmt::format("[listen] {} has no address, so there is no service to advertise",
                             service));
      else
        *target.first = static_cast<uint16_t>(port);
    }
    POSTAMT_TRY(r.uint64("max_request_body", cfg.autoconfig.max_request_body, 256, 1024 * 1024));
    static constexpr std::pair<std::string_view, MtaStsMode> kModes[] = {
        {"testing", MtaStsMode::testing},
        {"enforce", MtaStsMode::enforce},
        {"none", MtaStsMode::none}};
    POSTAMT_TRY(r.choice("mta_sts_mode", cfg.autoconfig.mta_sts_mode, kModes));
    POSTAMT_TRY(r.duration("mta_sts_max_age", cfg.autoconfig.mta_sts_max_age));
    if (cfg.autoconfig.mta_sts_max_age > std::chrono::seconds(31557600))
      r.report(*(*autoconfig)->get("mta_sts_max_age"), "mta_sts_max_age",
               "expected at most 31557600 seconds (RFC 8461 §3.2)");
    POSTAMT_TRY(r.check_unknown());
  }

  auto receipts = top.table("receipts");
  POSTAMT_TRY(receipts);
  if (*receipts) {
    TableReader r(**receipts, "receipts.", file);
    static constexpr std::pair<std::string_view, ReceiptOnDownload> kOnDownload[] = {
        {"off", ReceiptOnDownload::off},
        {"dispatched", ReceiptOnDownload::dispatched},
        {"displayed", ReceiptOnDownload::displayed}};
    POSTAMT_TRY(r.choice("on_download", cfg.receipts.on_download, kOnDownload));
    POSTAMT_TRY(r.boolean("one_per_recipient", cfg.receipts.one_per_recipient));
    static constexpr std::pair<std::string_view, ReceiptDuplicates> kDuplicates[] = {
        {"drop", ReceiptDuplicates::drop}, {"reject", ReceiptDuplicates::reject}};
    POSTAMT_TRY(r.choice("duplicates", cfg.receipts.duplicates, kDuplicates));
    POSTAMT_TRY(r.uint("max_remote_per_hour", cfg.receipts.max_remote_per_hour, 0, 1000000));
    POSTAMT_TRY(r.check_unknown());
  }

  auto mailauth = top.table("mailauth");
  POSTAMT_TRY(mailauth);
  if (*mailauth) {
    TableReader r(**mailauth, "mailauth.", file);
    POSTAMT_TRY(r.boolean("enabled", cfg.mailauth.enabled));
    POSTAMT_TRY(r.boolean("enforce_dmarc", cfg.mailauth.enforce_dmarc));
    POSTAMT_TRY(read_list(r, "trusted_arc_sealers", cfg.mailauth.trusted_arc_sealers,
                          "expected a list of domain names", parse_domain_name));
    POSTAMT_TRY(r.duration("check_timeout", cfg.mailauth.check_timeout));
    if (const toml::node* n = (*mailauth)->get("check_timeout");
        n && (cfg.mailauth.check_timeout < std::chrono::seconds(1) ||
              cfg.mailauth.check_timeout > std::chrono::minutes(5)))
      r.report(*n, "check_timeout", "must be between 1s and 5m");
    POSTAMT_TRY(r.uint64("max_header_bytes", cfg.mailauth.max_header_bytes, 4096, 64u << 20));
    POSTAMT_TRY(r.check_unknown());
  }

  auto dmarc = top.table("dmarc");
  POSTAMT_TRY(dmarc);
  if (*dmarc) {
    TableReader r(**dmarc, "dmarc.", file);
    POSTAMT_TRY(r.uint("report_days", cfg.dmarc.report_days, 1, 3660));
    std::string psl;
    POSTAMT_TRY(r.string("public_suffix_list", psl));
    if (const toml::node* n = (*dmarc)->get("public_suffix_list"); n && n->is_string()) {
      if (psl.empty())
        r.report(*n, "public_suffix_list", "must not be empty");
      else
        cfg.dmarc.public_suffix_list = (cfg.file.parent_path() / psl).lexically_normal();
    }
    POSTAMT_TRY(r.check_unknown());
  }

  auto process = top.table("process");
  POSTAMT_TRY(process);
  if (*process) {
    TableReader r(**process, "process.", file);
    POSTAMT_TRY(read_process(r, **process, cfg));
    POSTAMT_TRY(r.check_unknown());
  }

  auto dns = top.table("dns");
  POSTAMT_TRY(dns);
  if (*dns) {
    TableReader r(**dns, "dns.", file);
    POSTAMT_TRY(read_list(r, "forwarders", cfg.dns.forwarders,
                          "expected a list of \"ip\", \"ip:port\" or \"[ipv6]:port\" strings",
                          parse_dns_forwarder));
    POSTAMT_TRY(r.boolean("dnssec", cfg.dns.dnssec));
    std::string anchors;
    POSTAMT_TRY(r.string("trust_anchor_file", anchors));
    if (const toml::node* n = (*dns)->get("trust_anchor_file"); n && n->is_string()) {
      if (anchors.empty())
        r.report(*n, "trust_anchor_file", "must not be empty");
      else
        cfg.dns.trust_anchor_file = (cfg.file.parent_path() / anchors).lexically_normal();
    }
    POSTAMT_TRY(r.duration("timeout", cfg.dns.timeout));
    if (const toml::node* n = (*dns)->get("timeout");
        n &&
        (cfg.dns.timeout < std::chrono::seconds(1) || cfg.dns.timeout > std::chrono::seconds(60)))
      r.report(*n, "timeout", "must be between 1s and 60s");
    POSTAMT_TRY(r.boolean("resolve_test_names", cfg.dns.resolve_test_names));
    POSTAMT_TRY(r.check_unknown());
  }

  auto metrics = top.table("metrics");
  POSTAMT_TRY(metrics);
  if (*metrics) {
    TableReader r(**metrics, "metrics.", file);
    POSTAMT_TRY(r.duration("ready_timeout", cfg.metrics.ready_timeout));
    if (const toml::node* n = (*metrics)->get("ready_timeout");
        n && (cfg.metrics.ready_timeout < std::chrono::seconds(1) ||
              cfg.metrics.ready_timeout > std::chrono::seconds(60)))
      r.report(*n, "ready_timeout", "must be between 1s and 60s");
    POSTAMT_TRY(r.check_unknown());
  }

  auto dkim = top.table("dkim");
  POSTAMT_TRY(dkim);
  if (*dkim) {
    TableReader r(**dkim, "dkim.", file);
    POSTAMT_TRY(r.boolean("sign", cfg.dkim.sign));
    POSTAMT_TRY(r.uint("max_signatures", cfg.dkim.max_signatures, 1, 50));
    POSTAMT_TRY(r.uint("max_signed_fields", cfg.dkim.max_signed_fields, 1, 1000));
    // RFC 8301 §3.2: 1024 bits is the floor verifiers must accept.
    POSTAMT_TRY(r.uint("min_rsa_bits", cfg.dkim.min_rsa_bits, 1024, 8192));
    static constexpr std::pair<std::string_view, DkimUnsignedBody> kUnsignedBody[] = {
        {"accept", DkimUnsignedBody::accept}, {"policy", DkimUnsignedBody::policy}};
    POSTAMT_TRY(r.choice("unsigned_body", cfg.dkim.unsigned_body, kUnsignedBody));
    POSTAMT_TRY(r.check_unknown());
  }

  auto arc = top.table("arc");
  POSTAMT_TRY(arc);
  if (*arc) {
    TableReader r(**arc, "arc.", file);
    POSTAMT_TRY(r.uint("max_instances", cfg.arc.max_instances, 1, 50));
    POSTAMT_TRY(r.check_unknown());
  }

  POSTAMT_TRY(top.check_unknown());
  if (!file.errors.empty()) return file.error();
  return cfg;
}

Result<std::string> parse_dns_forwarder(std::string_view text) {
  const std::string t(text);
  unsigned char raw[16];
  auto bad = [&](std::string_view why) {
    return Error{ErrorKind::invalid, fmt::format("\"{}\" {}", t, why)};
  };
  if (inet_pton(AF_INET, t.c_str(), raw) == 1 || inet_pton(AF_INET6, t.c_str(), raw) == 1) return t;
  if (!t.empty() && t.front() == '[' && t.back() == ']') {
    if (inet_pton(AF_INET6, t.substr(1, t.size() - 2).c_str(), raw) == 1) return t;
    return bad("is not an IP address");
  }
  auto a = parse_listen_address(t);
  if (!a) return bad("is not an IP address, \"ip:port\" or \"[ipv6]:port\"");
  if (inet_pton(AF_INET, a->host.c_str(), raw) != 1 &&
      inet_pton(AF_INET6, a->host.c_str(), raw) != 1)
    return bad("must be an IP address (the resolver is found without DNS)");
  if (a->port == 0) return bad("needs a port from 1 to 65535");
  return t;
}

Result<std::chrono::seconds> parse_duration(std::string_view text) {
  auto bad = [&] {
    return Error{ErrorKind::invalid,
                 fmt::format("\"{}\" is not a duration like \"30m\", \"12h\" or \"5d\"", text)};
  };
  if (text.size() < 2) return bad();
  int64_t unit = 0;
  switch (text.back()) {
    case 's':
      unit = 1;
      break;
    case 'm':
      unit = 60;
      break;
    case 'h':
      unit = 3600;
      break;
    case 'd':
      unit = 86400;
      break;
    default:
      return bad();
  }
  auto n = parse_u64(text.substr(0, text.size() - 1));
  if (!n || *n == 0) return bad();
  constexpr uint64_t kMaxSeconds = 100ull * 366 * 86400;
  if (*n > kMaxSeconds / static_cast<uint64_t>(unit))
    return Error{ErrorKind::invalid, fmt::format("\"{}\" is longer than 100 years", text)};
  return std::chrono::seconds(static_cast<int64_t>(*n) * unit);
}

Result<Config> load_config(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Error{ErrorKind::not_found, fmt::format("{}: cannot read configuration: {}",
                                                   path.string(), std::strerror(errno))};
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_config(ss.str(), path);
}

}  // namespace postamt
