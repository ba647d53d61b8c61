#include "app/first_start.h"

#include <gtest/gtest.h>

namespace postamt::app {
namespace {

Config config_of(std::string_view text) {
  auto config = parse_config(text, "/etc/postamt/postamt.toml");
  EXPECT_TRUE(config) << config.error().message;
  return *config;
}

constexpr std::string_view kMixed = R"([listen]
smtp = ["0.0.0.0:25", "[::]:25", "127.0.0.1:2525"]
imap = ["192.0.2.2:143", "[::1]:143"]
imaps = ["localhost:993"]
http = ["[::ffff:127.0.0.2]:8080", "[2001:db8::1]:80"]
)";

std::vector<std::string> addresses_of(const ListenPlan& plan, std::string_view service) {
  for (const auto& s : plan.services) {
    if (s.name != service) continue;
    std::vector<std::string> out;
    for (const auto& a : s.addresses) out.push_back(a.text);
    return out;
  }
  ADD_FAILURE() << "no service " << service;
  return {};
}

TEST(FirstStart, LoopbackHosts) {
  for (std::string_view host :
       {"127.0.0.1", "127.255.0.9", "::1", "localhost", "LocalHost", "::ffff:127.0.0.1"})
    EXPECT_TRUE(is_loopback_host(host)) << host;
  for (std::string_view host : {"0.0.0.0", "::", "192.0.2.2", "2001:db8::1", "::ffff:192.0.2.2",
                                "128.0.0.1", "mail.example.test", "", "localhost.example"})
    EXPECT_FALSE(is_loopback_host(host)) << host;
}

TEST(FirstStart, WithoutDomainOnlyLoopbackIsBound) {
  auto plan = plan_listeners(config_of(kMixed), LocalDomains::none);
  EXPECT_EQ(addresses_of(plan, "smtp"), std::vector<std::string>{"127.0.0.1:2525"});
  EXPECT_EQ(addresses_of(plan, "imap"), std::vector<std::string>{"[::1]:143"});
  EXPECT_EQ(addresses_of(plan, "imaps"), std::vector<std::string>{"localhost:993"});
  EXPECT_EQ(addresses_of(plan, "http"), std::vector<std::string>{"[::ffff:127.0.0.2]:8080"});
  EXPECT_TRUE(addresses_of(plan, "pop3").empty());
  EXPECT_EQ(plan.skipped, (std::vector<std::string>{"listen.smtp 0.0.0.0:25", "listen.smtp [::]:25",
                                                    "listen.imap 192.0.2.2:143",
                                                    "listen.http [2001:db8::1]:80"}));
  EXPECT_EQ(first_start_warning(plan),
            "no local domain yet: listening on loopback addresses only, not on "
            "listen.smtp 0.0.0.0:25, listen.smtp [::]:25, listen.imap 192.0.2.2:143, "
            "listen.http [2001:db8::1]:80; add one with `postamt domain add DOMAIN`, then "
            "restart the server (`systemctl restart postamt`)");
}

TEST(FirstStart, WithDomainEverythingIsBound) {
  auto config = config_of(kMixed);
  auto plan = plan_listeners(config, LocalDomains::some);
  EXPECT_TRUE(plan.skipped.empty());
  EXPECT_EQ(first_start_warning(plan), "");
  ASSERT_EQ(plan.services.size(), config.services().size());
  EXPECT_EQ(addresses_of(plan, "smtp"),
            (std::vector<std::string>{"0.0.0.0:25", "[::]:25", "127.0.0.1:2525"}));
  EXPECT_EQ(addresses_of(plan, "http"),
            (std::vector<std::string>{"[::ffff:127.0.0.2]:8080", "[2001:db8::1]:80"}));
}

TEST(FirstStart, LoopbackOnlyConfigurationLosesNothing) {
  auto plan = plan_listeners(config_of("[listen]\nsmtp = [\"127.0.0.1:0\"]\n"), LocalDomains::none);
  EXPECT_TRUE(plan.skipped.empty());
  EXPECT_EQ(addresses_of(plan, "smtp"), std::vector<std::string>{"127.0.0.1:0"});
}

}  // namespace
}  // namespace postamt::app
