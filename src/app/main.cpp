// `postamt`: the server and its admin command line. CLI11 lives in this one file.
#include <termios.h>
#include <unistd.h>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <utility>

#include "admin/admin.h"
#include "admin/dkim_keys.h"
#include "admin/dmarc_report.h"
#include "admin/dns_lookup.h"
#include "admin/dns_records.h"
#include "admin/quota.h"
#include "admin/receipts.h"
#include "admin/tls_rpt.h"
#include "admin/tokens.h"
#include "app/backends.h"
#include "app/backup_commands.h"
#include "app/import_cli.h"
#include "app/privileges.h"
#include "app/resolver.h"
#include "app/serve.h"
#include "app/store_commands.h"
#include "auth/password.h"
#include "base/config.h"
#include "base/strings.h"
#include "queue/admin_queue.h"
#include "queue/clock.h"
#include "queue/spool.h"
#include "queue/store_queue.h"

namespace postamt::app {
namespace {

constexpr int kExitError = 1;
constexpr int kExitUsage = 2;
// sysexits.h codes that MTAs understand when they run `postamt deliver` as their LDA.
constexpr int kExitNoUser = 67;    // EX_NOUSER: bounce
constexpr int kExitTempFail = 75;  // EX_TEMPFAIL: try again later

// Prints the message, one "postamt: " line per line of it (a configuration file's errors
// come several at once).
int fail(std::string_view message) {
  for (std::string_view line : split(message, '\n')) fmt::print(stderr, "postamt: {}\n", line);
  return kExitError;
}

// Reads one line without echo from the terminal. Returns nullopt when stdin is no
// terminal or reading failed.
std::optional<std::string> read_hidden(const char* prompt) {
  if (!isatty(STDIN_FILENO)) return std::nullopt;
  termios old{};
  tcgetattr(STDIN_FILENO, &old);
  termios quiet = old;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  // Echo goes off before the prompt appears, so nothing typed after the prompt shows.
  tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  fmt::print(stderr, "{}", prompt);
  std::fflush(stderr);
  std::string line;
  bool ok = static_cast<bool>(std::getline(std::cin, line));
  tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
  fmt::print(stderr, "\n");
  if (!ok) return std::nullopt;
  return line;
}

enum class PasswordSource { terminal, stdin_line };

// One line from standard input, without its line end.
Result<std::string> read_password_line() {
  std::string password;
  if (!std::getline(std::cin, password))
    return Error{ErrorKind::invalid, "no password on standard input"};
  if (!password.empty() && password.back() == '\r') password.pop_back();
  return password;
}

// The password for `user add` / `user password`: one line from stdin, or typed twice
// at the terminal without echo.
Result<std::string> read_new_password(PasswordSource source) {
  std::string password;
  if (source == PasswordSource::stdin_line) {
    auto line = read_password_line();
    POSTAMT_TRY(line);
    password = std::move(*line);
  } else {
    auto first = read_hidden("Password: ");
    if (!first)
      return Error{ErrorKind::invalid,
                   "standard input is not a terminal: give the password with --password-stdin"};
    auto again = read_hidden("Retype password: ");
    if (!again || *again != *first) return Error{ErrorKind::invalid, "the passwords do not match"};
    password = *first;
  }
  if (password.empty()) return Error{ErrorKind::invalid, "the password is empty"};
  return password;
}

Result<std::string> new_password_hash(PasswordSource source, const std::string& imported_hash) {
  if (!imported_hash.empty()) {
    POSTAMT_TRY(admin::check_imported_hash(imported_hash));
    return imported_hash;
  }
  auto password = read_new_password(source);
  POSTAMT_TRY(password);
  return auth::hash_password(*password);
}

struct Options {
  std::string config_path;
  bool json = false;
  bool password_stdin = false;
  std::string password_hash;
  std::string name;
  std::vector<std::string> targets;
  std::string token_name = "default";
};

admin::Format format_of(const Options& o) {
  return o.json ? admin::Format::json : admin::Format::text;
}

void add_format_option(CLI::App* cmd, Options& o) {
  cmd->add_option_function<std::string>(
         "--format", [&o](const std::string& f) { o.json = f == "json"; },
         "Output format: text (default) or json")
      ->check(CLI::IsMember({"text", "json"}));
}

// Runs an admin command against the store named by the configuration.
template <class F>
int with_store(const Options& o, F f) {
  auto config = load_config(o.config_path);
  if (!config) return fail(config.error().message);
  auto backends = open_backends(*config);
  if (!backends) return fail(backends.error().message);
  Result<std::string> out = f(*backends);
  if (!out) return fail(out.error().message);
  fmt::print("{}", *out);
  return 0;
}

// After a failed parse: when the innermost command given needs a command and got a word
// that names none, "unknown command "user frob" (user commands: add, remove, ...)".
std::optional<std::string> unknown_command(CLI::App& cli) {
  CLI::App* app = &cli;
  std::string path;
  while (!app->get_subcommands().empty()) {
    app = app->get_subcommands().front();
    path += app->get_name() + " ";
  }
  std::vector<std::string> extra = app->remaining();
  if (app->get_require_subcommand_min() == 0 || extra.empty()) return std::nullopt;
  std::string commands;
  for (const CLI::App* sub : std::as_const(*app).get_subcommands(nullptr))
    commands += (commands.empty() ? "" : ", ") + sub->get_name();
  return fmt::format("unknown command \"{}{}\" ({}commands: {})", path, extra.front(), path,
                     commands);
}

// Run once the command line is parsed, before the command: every command but these acts
// as [process] user when started as root (docs/process.md), as doveadm does, so that
// no file it creates under data_dir belongs to root. A configuration that does not
// load is left for the command to report.
void act_as_process_user(CLI::App& cli, const std::string& config_path) {
  std::string path;
  for (CLI::App* app = &cli; !app->get_subcommands().empty();) {
    app = app->get_subcommands().front();
    path += (path.empty() ? "" : " ") + app->get_name();
  }
  if (path.empty() || path == "serve" || path == "version" || path == "config check") return;
  auto config = load_config(config_path);
  if (!config) return;
  auto became = become_process_user(*config, ProcessRole::admin);
  if (became) return;
  fail(became.error().message);
  // An MTA running `deliver` retries later instead of bouncing the message.
  std::exit(path == "deliver" ? kExitTempFail : kExitError);
}

// $POSTAMT_CONFIG, else ./postamt.toml, else the packaged /etc/postamt/postamt.toml (so
// an admin on an installed server types no --config). When neither file exists the error
// names ./postamt.toml.
std::string default_config_path() {
  if (const char* env = std::getenv("POSTAMT_CONFIG"); env && *env) return env;
  constexpr const char* kLocal = "postamt.toml";
  constexpr const char* kInstalled = "/etc/postamt/postamt.toml";
  std::error_code ec;
  if (!std::filesystem::exists(kLocal, ec) && std::filesystem::exists(kInstalled, ec))
    return kInstalled;
  return kLocal;
}

}  // namespace

int run(int argc, char** argv) {
  Options o;
  o.config_path = default_config_path();
  int code = 0;

  CLI::App cli{"Postamt: SMTP, POP3, IMAP and JMAP mail server with read receipts done right",
               "postamt"};
  cli.add_option("--config", o.config_path,
                 "Configuration file (default: $POSTAMT_CONFIG, else ./postamt.toml, else "
                 "/etc/postamt/postamt.toml)");
  cli.require_subcommand(1);
  cli.set_version_flag("--version", fmt::format("postamt {}", POSTAMT_VERSION),
                       "Print the version and exit");

  cli.add_subcommand("version", "Print the version")->callback([&] {
    fmt::print("postamt {}\n", POSTAMT_VERSION);
  });

  cli.add_subcommand("serve", "Run the server in the foreground (logs to stderr)")->callback([&] {
    auto config = load_config(o.config_path);
    if (!config) {
      code = fail(config.error().message);
      return;
    }
    code = serve(*config);
  });

  auto* config_cmd = cli.add_subcommand("config", "Configuration commands");
  config_cmd->require_subcommand(1);
  config_cmd->add_subcommand("check", "Validate the configuration without starting anything")
      ->callback([&] {
        auto config = load_config(o.config_path);
        if (!config) {
          code = fail(config.error().message);
          return;
        }
        for (const auto& w : config_warnings(*config))
          fmt::print(stderr, "postamt: warning: {}\n", w);
        if (config->storage.backend == "postgres") {
          // The database is part of the configuration: an unreachable one is an error.
          auto reachable = check_postgres(*config);
          if (!reachable) {
            code = fail("storage: " + reachable.error().message);
            return;
          }
          fmt::print("{}\n", *reachable);
        }
        fmt::print("{}: configuration is valid\n", config->file.string());
      });

  // domain add|remove|list
  auto* domain = cli.add_subcommand("domain", "Local mail domains");
  domain->require_subcommand(1);
  auto* domain_add = domain->add_subcommand("add", "Add a local domain");
  domain_add->add_option("NAME", o.name, "Domain name")->required();
  domain_add->callback([&] {
    code = with_store(o, [&](Backends& b) { return admin::domain_add(*b.store, o.name); });
  });
  auto* domain_remove =
      domain->add_subcommand("remove", "Remove a domain that has no users or aliases");
  domain_remove->add_option("NAME", o.name, "Domain name")->required();
  domain_remove->callback([&] {
    code = with_store(o, [&](Backends& b) { return admin::domain_remove(*b.store, o.name); });
  });
  auto* domain_list = domain->add_subcommand("list", "List local domains");
  add_format_option(domain_list, o);
  domain_list->callback([&] {
    code = with_store(o, [&](Backends& b) { return admin::domain_list(*b.store, format_of(o)); });
  });

  // user add|remove|list|password
  auto* user = cli.add_subcommand("user", "Mail accounts");
  user->require_subcommand(1);
  auto* user_add = user->add_subcommand("add", "Create an account (prompts for the password)");
  user_add->add_option("ADDRESS", o.name, "Mail address, in a local domain")->required();
  user_add->add_flag("--password-stdin", o.password_stdin, "Read the password from standard input");
  user_add->add_option("--password-hash", o.password_hash,
                       "Import a Dovecot-format hash ({ARGON2ID}, {SHA512-CRYPT}, {BLF-CRYPT})");
  user_add->callback([&] {
    code = with_store(o, [&](Backends& b) -> Result<std::string> {
      auto hash = new_password_hash(
          o.password_stdin ? PasswordSource::stdin_line : PasswordSource::terminal,
          o.password_hash);
      POSTAMT_TRY(hash);
      return admin::user_add(*b.store, o.name, *hash);
    });
  });
  auto* user_remove = user->add_subcommand("remove", "Delete an account and all its mail");
  user_remove->add_option("ADDRESS", o.name, "Mail address")->required();
  user_remove->callback([&] {
    code = with_store(o, [&](Backends& b) { return admin::user_remove(*b.store, o.name); });
  });
  auto* user_list = user->add_subcommand("list", "List accounts");
  add_format_option(user_list, o);
  user_list->callback([&] {
    code = with_store(o, [&](Backends& b) { return admin::user_list(*b.store, format_of(o)); });
  });
  auto* user_password = user->add_subcommand("password", "Set an account's password");
  user_password->add_option("ADDRESS", o.name, "Mail address")->required();
  user_password->add_flag("--password-stdin", o.password_stdin,
                          "Read the password from standard input");
  user_password->add_option("--password-hash", o.password_hash, "Import a Dovecot-format hash");
  user_password->callback([&] {
    code = with_store(o, [&](Backends& b) -> Result<std::string> {
      // Fail on an unknown user before asking for a password.
      auto account = b.store->find_account(o.name);
      POSTAMT_TRY(account);
      auto hash = new_password_hash(
          o.password_stdin ? PasswordSource::stdin_line : PasswordSource::terminal,
          o.password_hash);
      POSTAMT_TRY(hash);
      return admin::user_password(*b.store, o.name, *hash);
    });
  });

  // user quota set|show (RFC 9208 resources; docs/protocols/imap.md, Quota)
  auto* user_quota = user->add_subcommand("quota", "An account's quota and what it uses");
  user_quota->require_subcommand(1);
  auto* quota_set = user_quota->add_subcommand("set", "Set storage and/or message limits");
  quota_set->add_option("ADDRESS", o.name, "Mail address")->required();
  quota_set
      ->add_option("LIMITS", o.targets,
                   "storage SIZE|none|default, messages N|none|default (SIZE: 2G, 500M)")
      ->required();
  quota_set->callback([&] {
    code = with_store(
        o, [&](Backends& b) { return admin::user_quota_set(*b.store, o.name, o.targets); });
  });
  auto* quota_show = user_quota->add_subcommand("show", "Show limits and use");
  quota_show->add_option("ADDRESS", o.name, "Mail address")->required();
  add_format_option(quota_show, o);
  quota_show->callback([&] {
    code = with_store(
        o, [&](Backends& b) { return admin::user_quota_show(*b.store, o.name, format_of(o)); });
  });

  // alias add|remove|list
  auto* alias = cli.add_subcommand("alias", "Addresses that forward to other addresses");
  alias->require_subcommand(1);
  auto* alias_add = alias->add_subcommand("add", "Add an alias");
  alias_add->add_option("ALIAS", o.name, "Alias address, in a local domain")->required();
  alias_add->add_option("TARGET", o.targets, "Local or remote addresses")->required();
  alias_add->callback([&] {
    code =
        with_store(o, [&](Backends& b) { return admin::alias_add(*b.store, o.name, o.targets); });
  });
  auto* alias_remove = alias->add_subcommand("remove", "Remove an alias");
  alias_remove->add_option("ALIAS", o.name, "Alias address")->required();
  alias_remove->callback([&] {
    code = with_store(o, [&](Backends& b) { return admin::alias_remove(*b.store, o.name); });
  });
  auto* alias_list = alias->add_subcommand("list", "List aliases");
  add_format_option(alias_list, o);
  alias_list->callback([&] {
    code = with_store(o, [&](Backends& b) { return admin::alias_list(*b.store, format_of(o)); });
  });

  // token create|list|revoke
  auto* token = cli.add_subcommand("token", "Bearer tokens for the HTTP services (JMAP)");
  token->require_subcommand(1);
  auto* token_create = token->add_subcommand("create", "Create a token and print it once");
  token_create->add_option("ADDRESS", o.name, "Mail address")->required();
  token_create->add_option("--name", o.token_name, "The token's name (default \"default\")");
  token_create->callback([&] {
    code = with_store(
        o, [&](Backends& b) { return admin::token_create(*b.store, o.name, o.token_name); });
  });
  auto* token_list = token->add_subcommand("list", "List an account's tokens");
  token_list->add_option("ADDRESS", o.name, "Mail address")->required();
  add_format_option(token_list, o);
  token_list->callback([&] {
    code = with_store(
        o, [&](Backends& b) { return admin::token_list(*b.store, o.name, format_of(o)); });
  });
  auto* token_revoke = token->add_subcommand("revoke", "Revoke a token at once");
  token_revoke->add_option("ADDRESS", o.name, "Mail address")->required();
  token_revoke->add_option("--name", o.token_name, "The token's name (default \"default\")");
  token_revoke->callback([&] {
    code = with_store(
        o, [&](Backends& b) { return admin::token_revoke(*b.store, o.name, o.token_name); });
  });

  // auth test
  auto* auth = cli.add_subcommand("auth", "Authentication");
  auth->require_subcommand(1);
  auto* auth_test = auth->add_subcommand(
      "test", "Check a password as a login would (reads it from stdin or the terminal)");
  auth_test->add_option("ADDRESS", o.name, "Mail address")->required();
  auth_test->add_flag("--password-stdin", o.password_stdin,
                      "Read the password from standard input (the default when it is no terminal)");
  auth_test->callback([&] {
    code = with_store(o, [&](Backends& b) -> Result<std::string> {
      // A terminal is prompted (without echo); a pipe or a file gives its first line.
      if (o.password_stdin || !isatty(STDIN_FILENO)) {
        auto password = read_password_line();
        POSTAMT_TRY(password);
        return admin::auth_test(*b.store, o.name, *password);
      }
      auto typed = read_hidden("Password: ");
      if (!typed) return Error{ErrorKind::invalid, "no password typed"};
      return admin::auth_test(*b.store, o.name, *typed);
    });
  });

  // deliver: local delivery from standard input, like an LDA (sysexits codes for MTAs).
  std::string sender;
  auto* deliver =
      cli.add_subcommand("deliver", "Deliver one message from standard input into local INBOXes");
  deliver->add_option("--from", sender, "Envelope sender (default: the null sender <>)");
  deliver->add_option("RECIPIENT", o.targets, "Local addresses or aliases")->required();
  deliver->callback([&] {
    auto config = load_config(o.config_path);
    if (!config) {
      code = fail(config.error().message);
      return;
    }
    auto backends = open_backends(*config);
    if (!backends) {
      code = fail(backends.error().message);
      return;
    }
    std::string message{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
    auto out = admin::deliver(*backends->store, *backends->blobs, sender, o.targets, message);
    if (!out) {
      fail(out.error().message);
      switch (out.error().kind) {
        case ErrorKind::not_found:
          code = kExitNoUser;
          break;
        case ErrorKind::temporary:
        case ErrorKind::io:
        case ErrorKind::no_space:
        case ErrorKind::over_quota:  // a full mailbox may have room later
          code = kExitTempFail;
          break;
        default:  // also a message larger than a recipient's quota: it never fits
          code = kExitError;
      }
      return;
    }
    fmt::print("{}", *out);
  });

  // queue list|show|retry|remove|hold|release: works on data_dir/queue directly, or with
  // [storage] backend "postgres" on the queue in the database (queue/store_queue.h).
  auto* queue_cmd = cli.add_subcommand("queue", "The outbound queue");
  queue_cmd->require_subcommand(1);
  auto with_queue = [&](auto f) {
    auto config = load_config(o.config_path);
    if (!config) return fail(config.error().message);
    std::optional<Backends> backends;
    std::unique_ptr<queue::Spool> spool;
    if (config->storage.backend == "postgres") {
      auto opened = open_backends(*config);
      if (!opened) return fail(opened.error().message);
      backends = std::move(*opened);
      spool = std::make_unique<queue::StoreQueue>(*backends->store, queue::system_clock_now);
    } else {
      auto files = queue::FileQueue::open(config->data_dir / "queue", queue::system_clock_now);
      if (!files) return fail(files.error().message);
      spool = std::move(*files);
    }
    Result<std::string> out = f(*spool);
    if (!out) return fail(out.error().message);
    fmt::print("{}", *out);
    return 0;
  };
  auto* queue_list = queue_cmd->add_subcommand("list", "List queued messages");
  add_format_option(queue_list, o);
  queue_list->callback([&] {
    code = with_queue([&](queue::Spool& q) {
      return queue::queue_list(q, o.json ? queue::ListFormat::json : queue::ListFormat::text);
    });
  });
  struct QueueAction {
    const char* name;
    const char* help;
    Result<std::string> (*run)(queue::Spool&, std::string_view);
  };
  static const QueueAction kQueueActions[] = {
      {"show", "Show a message's envelope, state and content", &queue::queue_show},
      {"retry", "Try to deliver a message now", &queue::queue_retry},
      {"remove", "Delete a message without a bounce", &queue::queue_remove},
      {"hold", "Keep a message from being delivered or expiring", &queue::queue_hold},
      {"release", "Let a held message be delivered again", &queue::queue_release},
  };
  for (const auto& action : kQueueActions) {
    auto* cmd = queue_cmd->add_subcommand(action.name, action.help);
    cmd->add_option("ID", o.name, "Queue id (see queue list)")->required();
    cmd->callback([&, run = action.run] {
      code = with_queue([&](queue::Spool& q) { return run(q, o.name); });
    });
  }

  // receipts list | policy set|unset|show (docs/read-receipts.md)
  auto* receipts = cli.add_subcommand("receipts", "Read receipts: the ledger and the policy");
  receipts->require_subcommand(1);
  std::string receipt_user;
  auto* receipts_list = receipts->add_subcommand("list", "Receipts sent and received");
  receipts_list->add_option("--user", receipt_user, "Only this account's receipts");
  add_format_option(receipts_list, o);
  receipts_list->callback([&] {
    code = with_store(o, [&](Backends& b) {
      return admin::receipts_list(
          *b.store,
          receipt_user.empty() ? std::nullopt : std::optional<std::string_view>(receipt_user),
          format_of(o));
    });
  });
  auto* policy = receipts->add_subcommand(
      "policy", "Receipt policy overrides per domain or user ([receipts] is the server's)");
  policy->require_subcommand(1);
  std::string policy_domain, policy_user, policy_key, policy_value;
  auto add_target = [&](CLI::App* cmd) {
    auto* d = cmd->add_option("--domain", policy_domain, "A local domain");
    auto* u = cmd->add_option("--user", policy_user, "An account address");
    d->excludes(u);
  };
  auto target = [&] {
    admin::PolicyTarget t;
    if (!policy_domain.empty()) {
      t.scope = store::PolicyScope::domain;
      t.subject = policy_domain;
    } else if (!policy_user.empty()) {
      t.scope = store::PolicyScope::user;
      t.subject = policy_user;
    }
    return t;
  };
  auto* policy_set = policy->add_subcommand(
      "set",
      "Override a key: on_download off|dispatched|displayed, one_per_recipient "
      "true|false, duplicates drop|reject");
  add_target(policy_set);
  policy_set->add_option("KEY", policy_key, "on_download, one_per_recipient or duplicates")
      ->required();
  policy_set->add_option("VALUE", policy_value, "The value")->required();
  policy_set->callback([&] {
    code = with_store(o, [&](Backends& b) {
      return admin::receipts_policy_set(*b.store, target(), policy_key, policy_value);
    });
  });
  auto* policy_unset = policy->add_subcommand("unset", "Remove an override");
  add_target(policy_unset);
  policy_unset->add_option("KEY", policy_key, "The key")->required();
  policy_unset->callback([&] {
    code = with_store(o, [&](Backends& b) {
      return admin::receipts_policy_unset(*b.store, target(), policy_key);
    });
  });
  auto* policy_show = policy->add_subcommand(
      "show", "The effective policy (server, domain or user) and where each value comes from");
  add_target(policy_show);
  add_format_option(policy_show, o);
  policy_show->callback([&] {
    auto config = load_config(o.config_path);
    if (!config) {
      code = fail(config.error().message);
      return;
    }
    code = with_store(o, [&](Backends& b) {
      return admin::receipts_policy_show(*b.store, config->receipts, target(), format_of(o));
    });
  });

  // import maildir|mbox, export (src/app/import_cli.h; docs/import-export.md)
  admin::ImportOptions import_options;
  std::string mbox_format = "mboxrd";
  auto* import_cmd = cli.add_subcommand("import", "Bring existing mail into an account");
  import_cmd->require_subcommand(1);
  for (admin::ImportKind kind : {admin::ImportKind::maildir, admin::ImportKind::mbox}) {
    bool maildir = kind == admin::ImportKind::maildir;
    auto* cmd = import_cmd->add_subcommand(
        maildir ? "maildir" : "mbox",
        maildir ? "A Dovecot or Courier Maildir++ tree (INBOX and its .Folders)"
                : "An mbox file, or a folder of them (one mailbox per file)");
    cmd->add_option("PATH", import_options.source, "The Maildir, mbox file or folder")->required();
    cmd->add_option("--user", import_options.user, "The account that receives the mail")
        ->required();
    cmd->add_option("--mailbox", import_options.mailbox,
                    "Import into this mailbox (INBOX) and below it (folders)");
    if (!maildir)
      cmd->add_option("--format", mbox_format,
                      "mboxrd (default) or mboxo: how \">From \" is quoted")
          ->check(CLI::IsMember({"mboxrd", "mboxo"}));
    cmd->callback([&, kind] {
      import_options.kind = kind;
      import_options.mbox_format =
          mbox_format == "mboxo" ? admin::mbox::MboxFormat::mboxo : admin::mbox::MboxFormat::mboxrd;
      code = run_import(o.config_path, import_options);
    });
  }
  admin::ExportOptions export_options;
  std::string export_format;
  auto* export_cmd = cli.add_subcommand("export", "Write an account's mail as Maildir++ or mbox");
  export_cmd->add_option("DEST", export_options.destination, "A new or empty folder")->required();
  export_cmd->add_option("--user", export_options.user, "The account")->required();
  export_cmd->add_option("--format", export_format, "maildir or mbox (mboxrd)")
      ->required()
      ->check(CLI::IsMember({"maildir", "mbox"}));
  export_cmd->callback([&] {
    export_options.format =
        export_format == "mbox" ? admin::ExportFormat::mbox : admin::ExportFormat::maildir;
    code = run_export(o.config_path, export_options);
  });

  // gc
  cli.add_subcommand("gc", "Remove message files that no message refers to any more")
      ->callback([&] {
        code = with_store(o, [&](Backends& b) {
          return admin::collect_garbage(*b.store, *b.blobs, std::chrono::hours(1));
        });
      });

  // backup DEST | backup --verify SRC | restore SRC [--force] | restore --check SRC
  // (docs/backup.md)
  std::string backup_folder;
  bool backup_verify = false, restore_force = false, restore_check = false;
  bool restore_new_uidvalidity = false;
  auto print_or_fail = [](const Result<std::string>& out) {
    if (!out) return fail(out.error().message);
    fmt::print("{}", *out);
    return 0;
  };
  auto* backup_cmd = cli.add_subcommand(
      "backup", "Copy the store, its messages, the queue and the TLS files into a new folder");
  backup_cmd->add_option("DEST", backup_folder, "A new or empty folder (with --verify: a backup)")
      ->required();
  backup_cmd->add_flag("--verify", backup_verify, "Check the backup in DEST; change nothing");
  backup_cmd->callback([&] {
    if (backup_verify) {
      code = print_or_fail(check_backup_folder(backup_folder));
      return;
    }
    auto config = load_config(o.config_path);
    code = config ? print_or_fail(backup_data_dir(*config, backup_folder))
                  : fail(config.error().message);
  });
  auto* restore_cmd = cli.add_subcommand(
      "restore", "Check a backup, then restore it into data_dir (the server must be stopped)");
  restore_cmd->add_option("SRC", backup_folder, "The backup's folder")->required();
  restore_cmd->add_flag("--force", restore_force,
                        "Restore into a data_dir that is not empty: its content moves into "
                        "data_dir/replaced-<time>/");
  restore_cmd->add_flag("--check", restore_check, "Only check the backup; change nothing");
  restore_cmd->add_flag("--new-uidvalidity", restore_new_uidvalidity,
                        "Give every mailbox a new UIDVALIDITY (for a backup older than the "
                        "mail clients have seen; they then fetch everything anew)");
  restore_cmd->callback([&] {
    if (restore_check) {
      code = print_or_fail(check_backup_folder(backup_folder));
      return;
    }
    auto config = load_config(o.config_path);
    code = config ? print_or_fail(restore_data_dir(
                        *config, backup_folder,
                        restore_force ? admin::Overwrite::move_aside : admin::Overwrite::refuse,
                        restore_new_uidvalidity ? admin::UidValidities::renew
                                                : admin::UidValidities::keep))
                  : fail(config.error().message);
  });

  // store migrate | store copy --from A.toml --to B.toml (docs/operations.md)
  auto* store_cmd = cli.add_subcommand("store", "The store's schema; moving to another store");
  store_cmd->require_subcommand(1);
  store_cmd->add_subcommand("migrate", "Apply the schema migrations the store lacks")
      ->callback([&] {
        auto config = load_config(o.config_path);
        code = config ? print_or_fail(store_migrate(*config)) : fail(config.error().message);
      });
  std::string copy_from, copy_to;
  auto* copy_cmd = store_cmd->add_subcommand(
      "copy", "Copy everything into a new, empty store (and its message files), then verify");
  copy_cmd->add_option("--from", copy_from, "Configuration file of the store to copy")->required();
  copy_cmd->add_option("--to", copy_to, "Configuration file of the new store")->required();
  copy_cmd->callback([&] {
    auto from = load_config(copy_from), to = load_config(copy_to);
    auto out = !from ? Result<StoreCopyOutput>(from.error())
               : !to ? Result<StoreCopyOutput>(to.error())
                     : store_copy(*from, *to);
    if (out) fmt::print("{}", out->text);
    code = !out ? fail(out.error().message) : out->verified ? 0 : fail("the copy did not verify");
  });

  // dkim generate DOMAIN [--selector S] [--algorithm rsa|ed25519] [--bits N]; dkim list
  // (docs/mail-authentication/dkim.md)
  auto* dkim = cli.add_subcommand("dkim", "DKIM signing keys");
  dkim->require_subcommand(1);
  auto* dkim_generate = dkim->add_subcommand(
      "generate", "Create a signing key for a local domain and print its DNS record");
  admin::DkimGenerateRequest dkim_request;
  dkim_generate->add_option("DOMAIN", dkim_request.domain, "A local domain")->required();
  dkim_generate->add_option("--selector", dkim_request.selector,
                            "Selector (default: <algorithm>-<YYYYMMDD>, e.g. rsa-20261207)");
  dkim_generate->add_option("--algorithm", dkim_request.algorithm, "rsa (default) or ed25519");
  dkim_generate->add_option("--bits", dkim_request.bits, "RSA key size (default 2048)");
  dkim_generate->callback([&] {
    auto config = load_config(o.config_path);
    if (!config) {
      code = fail(config.error().message);
      return;
    }
    code = with_store(o, [&](Backends& b) {
      return admin::dkim_generate(*b.store, *config, dkim_request,
                                  std::chrono::system_clock::now());
    });
  });
  auto* dkim_list = dkim->add_subcommand("list", "List the signing keys");
  add_format_option(dkim_list, o);
  dkim_list->callback([&] {
    auto config = load_config(o.config_path);
    if (!config) {
      code = fail(config.error().message);
      return;
    }
    auto out = admin::dkim_list(*config, format_of(o));
    if (!out) {
      code = fail(out.error().message);
      return;
    }
    fmt::print("{}", *out);
  });

  // dns records DOMAIN [--ipv4 A] [--ipv6 AAAA] (docs/protocols/autoconfig.md)
  auto* dns = cli.add_subcommand("dns", "DNS records to publish");
  dns->require_subcommand(1);
  auto* dns_records = dns->add_subcommand(
      "records", "Print the MX, SRV, autoconfig, SPF, DKIM, DMARC and MTA-STS records of a domain");
  admin::DnsRecordsRequest dns_request;
  dns_records->add_option("DOMAIN", dns_request.domain, "A local domain")->required();
  dns_records->add_option("--ipv4", dns_request.ipv4, "The server's IPv4 address (A record)");
  dns_records->add_option("--ipv6", dns_request.ipv6, "The server's IPv6 address (AAAA record)");
  dns_records->callback([&] {
    auto config = load_config(o.config_path);
    if (!config) {
      code = fail(config.error().message);
      return;
    }
    code = with_store(
        o, [&](Backends& b) { return admin::dns_records(*b.store, *config, dns_request); });
  });

  // dns lookup TYPE NAME (docs/mail-authentication/dns.md): through the server's [dns]
  // resolver; exit 0 answer, 2 NXDOMAIN, 1 failure.
  auto* dns_lookup = dns->add_subcommand(
      "lookup", "Look a name up through the server's resolver ([dns]), with DNSSEC status");
  std::string lookup_type, lookup_name;
  // The type is checked by admin::dns_lookup (exit 1), so that exit 2 always means NXDOMAIN.
  dns_lookup->add_option("TYPE", lookup_type, "mx, a, aaaa, txt, ptr or tlsa")->required();
  dns_lookup->add_option("NAME", lookup_name, "A domain name (ptr: an IP address)")->required();
  dns_lookup->callback([&] {
    auto config = load_config(o.config_path);
    if (!config) {
      code = fail(config.error().message);
      return;
    }
    auto resolver = make_resolver(*config);
    if (!resolver) {
      code = fail(resolver.error().message);
      return;
    }
    auto outcome = admin::dns_lookup(**resolver, lookup_type, lookup_name);
    fmt::print("{}", outcome.output);
    if (!outcome.error.empty()) fail(outcome.error);
    code = outcome.exit_code;
  });

  // dmarc report DOMAIN --date YYYY-MM-DD [--org-name N] [--email E]
  // (docs/mail-authentication/dmarc.md)
  auto* dmarc_cmd = cli.add_subcommand("dmarc", "DMARC aggregate-report data");
  dmarc_cmd->require_subcommand(1);
  auto* dmarc_report = dmarc_cmd->add_subcommand(
      "report", "Print the RFC 7489 aggregate report (XML) of a domain for one UTC day");
  admin::DmarcReportRequest dmarc_request;
  dmarc_report->add_option("DOMAIN", dmarc_request.domain, "The domain that published the policy")
      ->required();
  dmarc_report->add_option("--date", dmarc_request.date, "The UTC day, YYYY-MM-DD")->required();
  dmarc_report->add_option("--org-name", dmarc_request.org_name,
                           "The reporting organization (default: hostname)");
  dmarc_report->add_option("--email", dmarc_request.email,
                           "The reporter's contact address (default: postmaster@hostname)");
  dmarc_report->callback([&] {
    auto config = load_config(o.config_path);
    if (!config) {
      code = fail(config.error().message);
      return;
    }
    std::vector<std::string> warnings;
    auto xml = admin::dmarc_report(*config, dmarc_request, warnings);
    for (const std::string& w : warnings) fmt::print(stderr, "postamt: warning: {}\n", w);
    code = print_or_fail(xml);
  });

  // tls-rpt report DOMAIN --date DAY (docs/mail-authentication/mta-sts.md)
  auto* tls_rpt = cli.add_subcommand("tls-rpt", "TLS reporting data (RFC 8460)");
  tls_rpt->require_subcommand(1);
  auto* tls_rpt_report = tls_rpt->add_subcommand(
      "report", "Print the RFC 8460 aggregate report of one UTC day for a policy domain");
  admin::TlsRptReportRequest tls_rpt_request;
  tls_rpt_report->add_option("DOMAIN", tls_rpt_request.domain, "The policy domain")->required();
  tls_rpt_report->add_option("--date", tls_rpt_request.day, "The UTC day, YYYY-MM-DD")->required();
  tls_rpt_report->add_option("--organization", tls_rpt_request.organization,
                             "organization-name (default: hostname)");
  tls_rpt_report->add_option("--contact", tls_rpt_request.contact,
                             "contact-info (default: postmaster@hostname)");
  tls_rpt_report->callback([&] {
    auto config = load_config(o.config_path);
    if (!config) {
      code = fail(config.error().message);
      return;
    }
    auto report = admin::tls_rpt_report(*config, tls_rpt_request);
    if (!report) {
      code = fail(report.error().message);
      return;
    }
    if (report->skipped_lines > 0)
      fmt::print(stderr, "postamt: {} damaged lines skipped\n", report->skipped_lines);
    fmt::print("{}", report->json);
    code = 0;
  });

  cli.parse_complete_callback([&] { act_as_process_user(cli, o.config_path); });
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 reports a word that names no command as a missing command: say which word.
    if (dynamic_cast<const CLI::RequiredError*>(&e)) {
      if (auto unknown = unknown_command(cli)) {
        fmt::print(stderr, "postamt: {}\n", *unknown);
        return kExitUsage;
      }
    }
    // --help and --version print and succeed; every usage error exits 2, as in most tools.
    return cli.exit(e) == 0 ? 0 : kExitUsage;
  }
  return code;
}

}  // namespace postamt::app

int main(int argc, char** argv) {
  return postamt::app::run(argc, argv);
}
