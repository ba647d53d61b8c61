#include "mdn/policy.h"

#include "base/strings.h"

namespace postamt::mdn {
namespace {

std::optional<ReceiptOnDownload> parse_on_download(std::string_view v) {
  if (v == "off") return ReceiptOnDownload::off;
  if (v == "dispatched") return ReceiptOnDownload::dispatched;
  if (v == "displayed") return ReceiptOnDownload::displayed;
  return std::nullopt;
}

std::optional<bool> parse_bool(std::string_view v) {
  if (v == "true") return true;
  if (v == "false") return false;
  return std::nullopt;
}

std::optional<ReceiptDuplicates> parse_duplicates(std::string_view v) {
  if (v == "drop") return ReceiptDuplicates::drop;
  if (v == "reject") return ReceiptDuplicates::reject;
  return std::nullopt;
}

void apply(Policy& policy, const store::PolicyOverride& o, PolicySource source) {
  if (o.key == kOnDownload) {
    if (auto v = parse_on_download(o.value)) {
      policy.on_download = *v;
      policy.on_download_from = source;
    }
  } else if (o.key == kOnePerRecipient) {
    if (auto v = parse_bool(o.value)) {
      policy.one_per_recipient = *v;
      policy.one_per_recipient_from = source;
    }
  } else if (o.key == kDuplicates) {
    if (auto v = parse_duplicates(o.value)) {
      policy.duplicates = *v;
      policy.duplicates_from = source;
    }
  }
}

}  // namespace

std::string_view to_string(PolicySource source) {
  switch (source) {
    case PolicySource::server:
      return "server";
    case PolicySource::domain:
      return "domain";
    case PolicySource::user:
      return "user";
  }
  return "server";
}

std::string_view to_string(ReceiptOnDownload value) {
  switch (value) {
    case ReceiptOnDownload::off:
      return "off";
    case ReceiptOnDownload::dispatched:
      return "dispatched";
    case ReceiptOnDownload::displayed:
      return "displayed";
  }
  return "off";
}

std::string_view to_string(ReceiptDuplicates value) {
  return value == ReceiptDuplicates::drop ? "drop" : "reject";
}

Policy effective_policy(const Config::Receipts& server,
                        const std::vector<store::PolicyOverride>& overrides,
                        std::string_view domain, std::string_view user) {
  Policy policy;
  policy.on_download = server.on_download;
  policy.one_per_recipient = server.one_per_recipient;
  policy.duplicates = server.duplicates;
  // Domain first, then user, so that the more specific value wins.
  for (const store::PolicyOverride& o : overrides) {
    if (o.scope == store::PolicyScope::domain && !domain.empty() && iequals(o.subject, domain)) {
      apply(policy, o, PolicySource::domain);
    }
  }
  for (const store::PolicyOverride& o : overrides) {
    if (o.scope == store::PolicyScope::user && !user.empty() && iequals(o.subject, user)) {
      apply(policy, o, PolicySource::user);
    }
  }
  return policy;
}

Result<void> check_setting(std::string_view key, std::string_view value) {
  if (key == kOnDownload) {
    if (!parse_on_download(value)) {
      return Error{ErrorKind::invalid,
                   "on_download must be one of \"off\", \"dispatched\", \"displayed\""};
    }
  } else if (key == kOnePerRecipient) {
    if (!parse_bool(value)) {
      return Error{ErrorKind::invalid, "one_per_recipient must be \"true\" or \"false\""};
    }
  } else if (key == kDuplicates) {
    if (!parse_duplicates(value)) {
      return Error{ErrorKind::invalid, "duplicates must be \"drop\" or \"reject\""};
    }
  } else {
    return Error{ErrorKind::invalid, "unknown receipt policy key \"" + std::string(key) +
                                         "\" (on_download, one_per_recipient, duplicates)"};
  }
  return {};
}

}  // namespace postamt::mdn
