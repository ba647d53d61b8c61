#include "mdn/dmarc_refusal.h"

#include <fmt/format.h>

#include "base/strings.h"
#include "mailauth/auth_results.h"

namespace postamt::mdn {
namespace {

bool enforced(std::string_view policy) {
  return iequals(policy, "reject") || iequals(policy, "quarantine");
}

// The value of `key=` among the comment's space-separated words ("p=reject dis=none").
std::string comment_value(std::string_view comment, std::string_view key) {
  for (std::string_view word : split(comment, ' ')) {
    const size_t eq = word.find('=');
    if (eq != std::string_view::npos && iequals(word.substr(0, eq), key))
      return ascii_lower(word.substr(eq + 1));
  }
  return {};
}

}  // namespace

std::optional<std::string> dmarc_refusal(std::string_view message, std::string_view hostname) {
  if (hostname.empty()) return std::nullopt;
  const std::optional<mailauth::AuthResults> own = mailauth::find_own(message, hostname);
  if (!own) return std::nullopt;
  for (const mailauth::MethodResult& r : own->results) {
    // RFC 7489 §11.2: "fail" is the only dmarc result that says the message failed.
    if (r.method != "dmarc" || r.result != "fail") continue;
    const std::string policy = comment_value(r.comment, "p");
    if (enforced(policy)) return fmt::format("sender failed DMARC (p={})", policy);
    const std::string disposition = comment_value(r.comment, "dis");
    if (enforced(disposition)) return fmt::format("sender failed DMARC (dis={})", disposition);
  }
  return std::nullopt;
}

}  // namespace postamt::mdn
