#include "mdn/policy.h"

#include <gtest/gtest.h>

namespace postamt::mdn {
namespace {

using store::PolicyOverride;
using store::PolicyScope;

TEST(EffectivePolicy, ServerDefaultsWhenNoOverride) {
  Config::Receipts server;
  Policy p = effective_policy(server, {}, "example.org", "bob@example.org");
  EXPECT_EQ(p.on_download, ReceiptOnDownload::off);
  EXPECT_TRUE(p.one_per_recipient);
  EXPECT_EQ(p.duplicates, ReceiptDuplicates::drop);
  EXPECT_EQ(p.on_download_from, PolicySource::server);
  EXPECT_EQ(p.uniqueness(), store::ReceiptUniqueness::one_per_recipient);
}

TEST(EffectivePolicy, UserOverDomainOverServer) {
  Config::Receipts server;
  server.duplicates = ReceiptDuplicates::reject;
  const std::vector<PolicyOverride> overrides = {
      {PolicyScope::domain, "example.org", "on_download", "dispatched"},
      {PolicyScope::domain, "example.org", "one_per_recipient", "false"},
      {PolicyScope::user, "Bob@example.org", "on_download", "displayed"},
      {PolicyScope::user, "carol@example.org", "duplicates", "drop"},
      {PolicyScope::domain, "other.org", "duplicates", "drop"},
  };
  Policy bob = effective_policy(server, overrides, "Example.ORG", "bob@EXAMPLE.org");
  EXPECT_EQ(bob.on_download, ReceiptOnDownload::displayed);
  EXPECT_EQ(bob.on_download_from, PolicySource::user);
  EXPECT_FALSE(bob.one_per_recipient);
  EXPECT_EQ(bob.one_per_recipient_from, PolicySource::domain);
  EXPECT_EQ(bob.uniqueness(), store::ReceiptUniqueness::allow_duplicates);
  EXPECT_EQ(bob.duplicates, ReceiptDuplicates::reject);
  EXPECT_EQ(bob.duplicates_from, PolicySource::server);

  Policy dave = effective_policy(server, overrides, "example.org", "dave@example.org");
  EXPECT_EQ(dave.on_download, ReceiptOnDownload::dispatched);
  EXPECT_EQ(dave.on_download_from, PolicySource::domain);
}

TEST(EffectivePolicy, InvalidStoredValuesAreIgnored) {
  Config::Receipts server;
  Policy p = effective_policy(server,
                              {{PolicyScope::user, "bob@example.org", "on_download", "always"},
                               {PolicyScope::user, "bob@example.org", "colour", "blue"}},
                              "example.org", "bob@example.org");
  EXPECT_EQ(p.on_download, ReceiptOnDownload::off);
  EXPECT_EQ(p.on_download_from, PolicySource::server);
}

TEST(EffectivePolicy, CheckSetting) {
  EXPECT_TRUE(check_setting("on_download", "displayed"));
  EXPECT_TRUE(check_setting("one_per_recipient", "false"));
  EXPECT_TRUE(check_setting("duplicates", "reject"));
  EXPECT_EQ(check_setting("on_download", "on").error().message,
            "on_download must be one of \"off\", \"dispatched\", \"displayed\"");
  EXPECT_EQ(check_setting("one_per_recipient", "yes").error().message,
            "one_per_recipient must be \"true\" or \"false\"");
  EXPECT_EQ(check_setting("duplicates", "Drop").error().message,
            "duplicates must be \"drop\" or \"reject\"");
  EXPECT_EQ(check_setting("send", "x").error().message,
            "unknown receipt policy key \"send\" (on_download, one_per_recipient, duplicates)");
}

}  // namespace
}  // namespace postamt::mdn
