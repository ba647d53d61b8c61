#include "admin/receipts.h"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <ctime>

#include "mdn/policy.h"
#include "model/address.h"

namespace postamt::admin {
namespace {

std::string utc(store::ReceiptTime t) {
  const std::time_t seconds = static_cast<std::time_t>(t.time_since_epoch().count());
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::string or_dash(const std::string& s) {
  return s.empty() ? "-" : s;
}

Result<void> require_target(const PolicyTarget& target) {
  if (!target.scope) {
    return Error{ErrorKind::invalid,
                 "give --domain or --user: server-wide values are set in the configuration file"};
  }
  return {};
}

std::string source_text(mdn::PolicySource source, std::string_view domain, std::string_view user) {
  switch (source) {
    case mdn::PolicySource::server:
      return "server";
    case mdn::PolicySource::domain:
      return fmt::format("domain {}", domain);
    case mdn::PolicySource::user:
      return fmt::format("user {}", user);
  }
  return "server";
}

}  // namespace

Result<std::string> receipts_list(store::Store& store, std::optional<std::string_view> user,
                                  Format format) {
  std::optional<AccountId> account;
  if (user) {
    auto found = store.find_account(*user);
    POSTAMT_TRY(found);
    account = found->id;
  }
  auto ledger = store.list_receipts(account);
  POSTAMT_TRY(ledger);
  if (format == Format::json) {
    boost::json::array sent;
    for (const store::SentReceipt& r : ledger->sent) {
      sent.push_back(boost::json::object{{"time", utc(r.at)},
                                         {"account", r.account_address},
                                         {"requester", r.requester},
                                         {"message_id", r.message_id},
                                         {"disposition", r.disposition},
                                         {"path", std::string(to_string(r.path))},
                                         {"matched_by", std::string(to_string(r.matched_by))}});
    }
    boost::json::array received;
    for (const store::ReceivedReceipt& r : ledger->received) {
      received.push_back(boost::json::object{{"time", utc(r.at)},
                                             {"account", r.account_address},
                                             {"final_recipient", r.final_recipient},
                                             {"message_id", r.message_id},
                                             {"disposition", r.disposition}});
    }
    boost::json::array refused;
    for (const store::RefusedReceipt& r : ledger->refused) {
      refused.push_back(boost::json::object{{"time", utc(r.at)},
                                            {"account", r.account_address},
                                            {"requester", r.requester},
                                            {"message_id", r.message_id},
                                            {"path", std::string(to_string(r.path))},
                                            {"reason", r.reason}});
    }
    return boost::json::serialize(
               boost::json::object{{"sent", sent}, {"received", received}, {"refused", refused}}) +
           "\n";
  }
  std::string out;
  for (const store::SentReceipt& r : ledger->sent) {
    out += fmt::format("sent     {} {} -> {} {} {} {} {}\n", utc(r.at), r.account_address,
                       r.requester, or_dash(r.message_id), r.disposition, to_string(r.path),
                       to_string(r.matched_by));
  }
  for (const store::RefusedReceipt& r : ledger->refused) {
    out += fmt::format("refused  {} {} -> {} {} {} {}\n", utc(r.at), r.account_address,
                       or_dash(r.requester), or_dash(r.message_id), to_string(r.path), r.reason);
  }
  for (const store::ReceivedReceipt& r : ledger->received) {
    out += fmt::format("received {} {} <- {} {} {}\n", utc(r.at), r.account_address,
                       r.final_recipient, or_dash(r.message_id), r.disposition);
  }
  return out;
}

Result<std::string> receipts_policy_set(store::Store& store, const PolicyTarget& target,
                                        std::string_view key, std::string_view value) {
  POSTAMT_TRY(require_target(target));
  POSTAMT_TRY(mdn::check_setting(key, value));
  POSTAMT_TRY(store.set_policy_override(*target.scope, target.subject, key, value));
  return std::string();
}

Result<std::string> receipts_policy_unset(store::Store& store, const PolicyTarget& target,
                                          std::string_view key) {
  POSTAMT_TRY(require_target(target));
  POSTAMT_TRY(store.unset_policy_override(*target.scope, target.subject, key));
  return std::string();
}

Result<std::string> receipts_policy_show(store::Store& store, const Config::Receipts& server,
                                         const PolicyTarget& target, Format format) {
  std::string domain;
  std::string user;
  if (target.scope == store::PolicyScope::user) {
    auto account = store.find_account(target.subject);
    POSTAMT_TRY(account);
    user = account->address;
    auto parts = parse_address(user);
    POSTAMT_TRY(parts);
    domain = parts->domain;
  } else if (target.scope == store::PolicyScope::domain) {
    auto name = normalize_domain(target.subject);
    POSTAMT_TRY(name);
    auto exists = store.domain_exists(*name);
    POSTAMT_TRY(exists);
    if (!*exists) return Error{ErrorKind::not_found, "domain " + *name + " does not exist"};
    domain = *name;
  }
  auto overrides = store.list_policy_overrides();
  POSTAMT_TRY(overrides);
  const mdn::Policy p = mdn::effective_policy(server, *overrides, domain, user);
  const std::string one = p.one_per_recipient ? "true" : "false";
  struct Line {
    std::string_view key;
    std::string value;
    mdn::PolicySource source;
  };
  const Line lines[] = {
      {mdn::kOnDownload, std::string(mdn::to_string(p.on_download)), p.on_download_from},
      {mdn::kOnePerRecipient, one, p.one_per_recipient_from},
      {mdn::kDuplicates, std::string(mdn::to_string(p.duplicates)), p.duplicates_from},
  };
  if (format == Format::json) {
    boost::json::object obj;
    for (const Line& l : lines) {
      obj[l.key] = boost::json::object{{"value", l.value},
                                       {"source", std::string(mdn::to_string(l.source))}};
    }
    return boost::json::serialize(obj) + "\n";
  }
  std::string out;
  for (const Line& l : lines) {
    out += fmt::format("{} = {} ({})\n", l.key, l.value, source_text(l.source, domain, user));
  }
  return out;
}

}  // namespace postamt::admin
