// Administration of read receipts behind `postamt receipts ...` (docs/read-receipts.md): the
// ledger of receipts sent and received, and the per-domain / per-user policy overrides.
//
// Contract, as in admin.h: each function returns the text for standard output or an
// Error whose message is one plain line for standard error. Blocking (store calls).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "admin/admin.h"
#include "base/config.h"
#include "base/result.h"
#include "store/api/store.h"

namespace postamt::admin {

// `postamt receipts list [--user U] [--format json]`: every receipt sent on behalf of a
// local user and received for mail a local user sent, oldest first. Text, one per line
// (shown folded here):
//   sent     2023-11-14T22:13:20Z bob@example.org -> carol@remote.test <m1@x> displayed
//            client_submission in-reply-to
//   received 2023-11-14T22:13:20Z alice@example.org <- dave@remote.test <m2@x> displayed
// A sent line ends with its path and how its original was matched (store::ReceiptMatch);
// "-" stands for a missing Message-ID. JSON: {"sent":[{"time",...,"path","matched_by"}],
// "received":[...]}. not_found for an unknown user.
Result<std::string> receipts_list(store::Store& store, std::optional<std::string_view> user,
                                  Format format);

// Which overrides a policy command works on: none (the server), a domain or a user.
struct PolicyTarget {
  std::optional<store::PolicyScope> scope;
  std::string subject;
};

// `postamt receipts policy set --domain D|--user U KEY VALUE`. The key and value are
// checked (mdn::check_setting); a target is required (ErrorKind::invalid "give --domain
// or --user: server-wide values are set in the configuration file").
Result<std::string> receipts_policy_set(store::Store& store, const PolicyTarget& target,
                                        std::string_view key, std::string_view value);
// `postamt receipts policy unset --domain D|--user U KEY`. not_found when no such override.
Result<std::string> receipts_policy_unset(store::Store& store, const PolicyTarget& target,
                                          std::string_view key);
// `postamt receipts policy show [--domain D|--user U] [--format json]`: the effective
// value of each key for the target and where it comes from, e.g.
//   on_download = displayed (user bob@example.org)
//   one_per_recipient = true (server)
//   duplicates = reject (domain example.org)
// JSON: {"on_download":{"value":"displayed","source":"user"},...}. not_found for an
// unknown domain or user.
Result<std::string> receipts_policy_show(store::Store& store, const Config::Receipts& server,
                                         const PolicyTarget& target, Format format);

}  // namespace postamt::admin
