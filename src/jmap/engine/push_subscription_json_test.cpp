#include "jmap/engine/push_subscription_json.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace postamt::jmap {
namespace {

TEST(PushSubscriptionJson, Ids) {
  EXPECT_EQ(push_subscription_id(42), "P42");
  EXPECT_EQ(parse_push_subscription_id("P42"), std::optional<uint64_t>(42));
  for (std::string_view bad :
       {"", "P", "P0", "P01", "p42", "P4x", "A42", "P-1", "P99999999999999999999999"})
    EXPECT_EQ(parse_push_subscription_id(bad), std::nullopt) << bad;
}

TEST(PushSubscriptionJson, Types) {
  TypesValue all = read_types(json::value(nullptr));
  EXPECT_EQ(all.error, "");
  EXPECT_EQ(all.stored, std::nullopt);
  TypesValue two = read_types(json::parse(R"(["Email","EmailDelivery"])"));
  EXPECT_EQ(two.error, "");
  EXPECT_EQ(two.stored, std::optional<std::string>(R"(["Email","EmailDelivery"])"));
  EXPECT_EQ(stored_types(two.stored),
            (std::optional<std::vector<std::string>>{{"Email", "EmailDelivery"}}));
  EXPECT_EQ(json::serialize(types_json(two.stored)), R"(["Email","EmailDelivery"])");
  EXPECT_EQ(json::serialize(types_json(std::nullopt)), "null");
  EXPECT_EQ(stored_types(std::nullopt), std::nullopt);
  for (const char* bad : {R"("Email")", R"([""])", R"([1])", R"(["E mail"])", R"({})"})
    EXPECT_EQ(read_types(json::parse(bad)).error, "types must be null or a list of type names")
        << bad;
}

TEST(PushSubscriptionJson, ExpiryIsBoundedForCredentialsWithoutOne) {
  const std::chrono::seconds week{7 * 24 * 3600};
  const int64_t now = 1700000000;
  const Credential token{CredentialKind::token, 3};
  EXPECT_EQ(bounded_expiry(std::nullopt, now, token, week), now + week.count());
  EXPECT_EQ(bounded_expiry(now + 10, now, token, week), now + 10);
  EXPECT_EQ(bounded_expiry(now + week.count() + 1, now, token, week), now + week.count());
  EXPECT_EQ(bounded_expiry(now + week.count() + 1, now, Credential{}, week), now + week.count());
  // A session ends by itself (RFC 8620 §7.2 "SHOULD NOT set or bound").
  const Credential session{CredentialKind::session, 9};
  EXPECT_EQ(bounded_expiry(std::nullopt, now, session, week), std::nullopt);
  EXPECT_EQ(bounded_expiry(now + 10 * week.count(), now, session, week), now + 10 * week.count());
}

TEST(PushSubscriptionJson, GetShowsTheCodeOnlyOnceVerified) {
  store::PushSubscription s;
  s.id = 7;
  s.device_client_id = "dev";
  s.url = "https://push.example/secret";
  s.keys = store::PushKeys{"k", "a"};
  s.verification_code = "00ff";
  s.expires = 1700000000;
  s.types = R"(["Mailbox"])";
  GetArguments all;
  all.properties.assign(std::begin(kPushSubscriptionProperties),
                        std::end(kPushSubscriptionProperties));
  EXPECT_EQ(json::serialize(push_subscription_json(s, all)),
            R"({"id":"P7","deviceClientId":"dev","verificationCode":null,)"
            R"("expires":"2023-11-14T22:13:20Z","types":["Mailbox"]})");
  s.verified = true;
  GetArguments some;
  some.properties = {"id", "verificationCode"};
  EXPECT_EQ(json::serialize(push_subscription_json(s, some)),
            R"({"id":"P7","verificationCode":"00ff"})");
}

}  // namespace
}  // namespace postamt::jmap
