// The receipt policy in effect for one user (docs/read-receipts.md): the server's [receipts]
// configuration, overridden per domain, overridden per user (store overrides). Pure
// functions, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/config.h"
#include "base/result.h"
#include "store/api/receipts.h"

namespace postamt::mdn {

// Where a value of the effective policy comes from.
enum class PolicySource { server, domain, user };
std::string_view to_string(PolicySource source);  // "server", "domain", "user"

// The keys an override may set, as written in the configuration and on the CLI.
inline constexpr std::string_view kOnDownload = "on_download";
inline constexpr std::string_view kOnePerRecipient = "one_per_recipient";
inline constexpr std::string_view kDuplicates = "duplicates";

struct Policy {
  ReceiptOnDownload on_download = ReceiptOnDownload::off;
  bool one_per_recipient = true;
  ReceiptDuplicates duplicates = ReceiptDuplicates::drop;
  PolicySource on_download_from = PolicySource::server;
  PolicySource one_per_recipient_from = PolicySource::server;
  PolicySource duplicates_from = PolicySource::server;

  store::ReceiptUniqueness uniqueness() const {
    return one_per_recipient ? store::ReceiptUniqueness::one_per_recipient
                             : store::ReceiptUniqueness::allow_duplicates;
  }
};

// Resolves the policy for `user` (an account address) in `domain`: each key takes the
// user's override if there is one, else the domain's, else the server's value.
// Subjects compare ignoring ASCII case. Overrides whose key or value is not valid
// (check_setting) are ignored, so a bad stored row can never widen the policy.
Policy effective_policy(const Config::Receipts& server,
                        const std::vector<store::PolicyOverride>& overrides,
                        std::string_view domain, std::string_view user);

// Checks an override before it is stored: key one of the three above, value one of that
// key's words ("off"/"dispatched"/"displayed", "true"/"false", "drop"/"reject").
// Error (invalid) names the key or the allowed values.
Result<void> check_setting(std::string_view key, std::string_view value);

// The words of the policy's values, as in the configuration file.
std::string_view to_string(ReceiptOnDownload value);
std::string_view to_string(ReceiptDuplicates value);

}  // namespace postamt::mdn
