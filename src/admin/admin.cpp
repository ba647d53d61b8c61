#include "admin/admin.h"

#include <fmt/format.h>

#include <boost/json.hpp>

#include "admin/quota_json.h"

#include "auth/password.h"
#include "blob/garbage.h"
#include "delivery/transaction.h"
#include "mail/login.h"
#include "mdn/received.h"

namespace postamt::admin {
namespace {

std::string to_json(const boost::json::value& v) {
  return boost::json::serialize(v) + "\n";
}

}  // namespace

Result<std::string> domain_add(store::Store& store, std::string_view name) {
  POSTAMT_TRY(store.add_domain(name));
  return std::string();
}

Result<std::string> domain_remove(store::Store& store, std::string_view name) {
  POSTAMT_TRY(store.remove_domain(name));
  return std::string();
}

Result<std::string> domain_list(store::Store& store, Format format) {
  auto domains = store.list_domains();
  POSTAMT_TRY(domains);
  if (format == Format::json) {
    boost::json::array arr;
    for (const auto& d : *domains) arr.push_back(boost::json::object{{"name", d}});
    return to_json(arr);
  }
  std::string out;
  for (const auto& d : *domains) out += d + "\n";
  return out;
}

Result<std::string> user_add(store::Store& store, std::string_view address,
                             std::string_view password_hash) {
  auto id = store.create_account(address, password_hash);
  POSTAMT_TRY(id);
  return std::string();
}

Result<std::string> user_remove(store::Store& store, std::string_view address) {
  POSTAMT_TRY(store.remove_account(address));
  return std::string();
}

Result<std::string> user_list(store::Store& store, Format format) {
  auto accounts = store.list_accounts();
  POSTAMT_TRY(accounts);
  if (format == Format::json) {
    boost::json::array arr;
    for (const auto& a : *accounts) {
      auto quota = store.quota(a.id);
      POSTAMT_TRY(quota);
      arr.push_back(boost::json::object{{"address", a.address}, {"quota", quota_json(*quota)}});
    }
    return to_json(arr);
  }
  std::string out;
  for (const auto& a : *accounts) out += a.address + "\n";
  return out;
}

Result<std::string> user_password(store::Store& store, std::string_view address,
                                  std::string_view password_hash) {
  POSTAMT_TRY(store.set_password_hash(address, password_hash));
  return std::string();
}

Result<std::string> alias_add(store::Store& store, std::string_view alias,
                              const std::vector<std::string>& targets) {
  POSTAMT_TRY(store.add_alias(alias, targets));
  return std::string();
}

Result<std::string> alias_remove(store::Store& store, std::string_view alias) {
  POSTAMT_TRY(store.remove_alias(alias));
  return std::string();
}

Result<std::string> alias_list(store::Store& store, Format format) {
  auto aliases = store.list_aliases();
  POSTAMT_TRY(aliases);
  if (format == Format::json) {
    boost::json::array arr;
    for (const auto& a : *aliases) {
      boost::json::array targets;
      for (const auto& t : a.targets) targets.push_back(boost::json::string(t));
      arr.push_back(boost::json::object{{"address", a.address}, {"targets", targets}});
    }
    return to_json(arr);
  }
  std::string out;
  for (const auto& a : *aliases)
    out += fmt::format("{} -> {}\n", a.address, fmt::join(a.targets, ", "));
  return out;
}

Result<std::string> auth_test(store::Store& store, std::string_view address,
                              std::string_view password) {
  auto account = mail::verify_login(store, address, password);
  if (!account) {
    if (account.error().kind != ErrorKind::auth_failed) return account.error();
    // The same words for every kind of failure, as a login gives them.
    return Error{ErrorKind::auth_failed, fmt::format("authentication failed for {}", address)};
  }
  return fmt::format("authentication succeeded for {}\n", account->address);
}

Result<std::string> collect_garbage(store::Store& store, blob::BlobStore& blobs,
                                    std::chrono::seconds grace) {
  auto report = blob::collect_garbage(blobs, std::chrono::system_clock::now() - grace,
                                      [&store] { return store.referenced_blobs(); });
  POSTAMT_TRY(report);
  return fmt::format("removed {} unreferenced blobs ({} bytes) and {} stale temporary files\n",
                     report->blobs_removed, report->bytes_removed, report->temporaries_removed);
}

Result<std::string> deliver(store::Store& store, blob::BlobStore& blobs,
                            std::string_view envelope_sender,
                            const std::vector<std::string>& recipients, std::string_view message) {
  // Receipts that arrive this way are recorded like those that come over SMTP.
  mdn::ReceivedReceipts received(store, [] {
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  });
  // No outbound queue: this command does not relay.
  delivery::Transaction t(delivery::Services{&store, &blobs, nullptr, &received},
                          std::string(envelope_sender));
  for (const auto& r : recipients) {
    auto added = t.add_recipient(r);
    if (!added && added.error().kind == ErrorKind::permission)
      return Error{ErrorKind::invalid, fmt::format("{}: {}, and postamt deliver does not relay", r,
                                                   added.error().message)};
    if (!added) return Error{added.error().kind, fmt::format("{}: {}", r, added.error().message)};
  }
  std::string body;
  body.reserve(message.size() + message.size() / 32 + 2);
  for (size_t i = 0; i < message.size(); ++i) {
    char c = message[i];
    if (c == '\n' && (i == 0 || message[i - 1] != '\r')) body += '\r';
    body += c;
  }
  if (!body.ends_with("\r\n")) body += "\r\n";
  t.set_body(std::move(body));
  auto committed = t.commit();
  POSTAMT_TRY(committed);
  std::string out;
  for (const auto& d : committed->delivered)
    out += fmt::format("delivered to {} (INBOX uid {})\n", d.address, d.where.uid);
  return out;
}

Result<void> check_imported_hash(std::string_view hash) {
  // verify_password rejects unknown schemes and malformed payloads before comparing,
  // so a probe with any plaintext tells a usable hash from an unusable one.
  auto probe = auth::verify_password(hash, "postamt-import-probe");
  if (!probe)
    return Error{ErrorKind::invalid,
                 fmt::format("the password hash cannot be used: {}", probe.error().message)};
  return {};
}

}  // namespace postamt::admin
