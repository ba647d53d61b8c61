// The Store contract for cluster claims (store/api/store.h, "cluster claims"), run
// against every backend like contract_test.cpp.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "store/test_backend.h"

namespace postamt::store {
namespace {

using namespace std::chrono_literals;

class ClaimsContract : public BackendTest {
 protected:
  bool claim(std::string_view name, std::string_view owner, std::chrono::seconds lease = 30s) {
    auto r = store_->try_claim(name, owner, lease);
    EXPECT_TRUE(r) << r.error().message;
    return r && *r;
  }
  // A claim with a 1 s lease is expired after at most 2 s: it was taken during some
  // second s with until = s + 1, and is expired once the clock reads s + 2.
  static void outlive_one_second_lease() { std::this_thread::sleep_for(2s); }
};

TEST_P(ClaimsContract, FreeClaimIsTakenAndOthersAreRefused) {
  EXPECT_TRUE(claim("pop3:1", "node-a"));
  EXPECT_FALSE(claim("pop3:1", "node-b"));
  EXPECT_FALSE(claim("pop3:1", "node-b"));
  // Another name is independent.
  EXPECT_TRUE(claim("pop3:2", "node-b"));
  EXPECT_FALSE(claim("pop3:2", "node-a"));
}

TEST_P(ClaimsContract, OwnerTakesItsOwnClaimAgain) {
  EXPECT_TRUE(claim("pop3:1", "node-a"));
  EXPECT_TRUE(claim("pop3:1", "node-a"));
  EXPECT_FALSE(claim("pop3:1", "node-b"));
}

TEST_P(ClaimsContract, NamesAndOwnersCompareOctetForOctet) {
  EXPECT_TRUE(claim("pop3:1", "node-a"));
  EXPECT_FALSE(claim("pop3:1", "NODE-A"));
  EXPECT_TRUE(claim("POP3:1", "node-b"));
}

TEST_P(ClaimsContract, ExpiredClaimGoesToAnotherOwner) {
  EXPECT_TRUE(claim("pop3:1", "node-a", 1s));
  EXPECT_FALSE(claim("pop3:1", "node-b"));
  outlive_one_second_lease();
  EXPECT_TRUE(claim("pop3:1", "node-b"));
  EXPECT_FALSE(claim("pop3:1", "node-a"));
  // The dead owner has nothing left to renew.
  auto renewed = store_->renew_claims("node-a", 30s);
  ASSERT_TRUE(renewed) << renewed.error().message;
  EXPECT_EQ(*renewed, 0u);
}

TEST_P(ClaimsContract, RenewalKeepsEveryClaimOfTheOwner) {
  EXPECT_TRUE(claim("pop3:1", "node-a", 1s));
  EXPECT_TRUE(claim("pop3:2", "node-a", 1s));
  EXPECT_TRUE(claim("pop3:3", "node-b", 1s));
  auto renewed = store_->renew_claims("node-a", 30s);
  ASSERT_TRUE(renewed) << renewed.error().message;
  EXPECT_EQ(*renewed, 2u);
  outlive_one_second_lease();
  EXPECT_FALSE(claim("pop3:1", "node-c"));
  EXPECT_FALSE(claim("pop3:2", "node-c"));
  EXPECT_TRUE(claim("pop3:3", "node-c"));  // node-b did not renew
}

TEST_P(ClaimsContract, RenewingNothingReturnsZero) {
  auto renewed = store_->renew_claims("node-a", 30s);
  ASSERT_TRUE(renewed) << renewed.error().message;
  EXPECT_EQ(*renewed, 0u);
}

TEST_P(ClaimsContract, ReleaseFreesTheClaim) {
  EXPECT_TRUE(claim("pop3:1", "node-a"));
  ASSERT_TRUE(store_->release_claim("pop3:1", "node-a"));
  EXPECT_TRUE(claim("pop3:1", "node-b"));
  auto renewed = store_->renew_claims("node-a", 30s);
  ASSERT_TRUE(renewed);
  EXPECT_EQ(*renewed, 0u);
  // Releasing what nobody holds succeeds too.
  EXPECT_TRUE(store_->release_claim("pop3:9", "node-a"));
}

TEST_P(ClaimsContract, ReleaseByAnotherOwnerDoesNothing) {
  EXPECT_TRUE(claim("pop3:1", "node-a"));
  ASSERT_TRUE(store_->release_claim("pop3:1", "node-b"));
  EXPECT_FALSE(claim("pop3:1", "node-b"));
  auto renewed = store_->renew_claims("node-a", 30s);
  ASSERT_TRUE(renewed);
  EXPECT_EQ(*renewed, 1u);
}

TEST_P(ClaimsContract, ClaimWritesMoveTheDataVersion) {
  auto before = store_->data_version();
  ASSERT_TRUE(before);
  EXPECT_TRUE(claim("pop3:1", "node-a"));
  auto after = store_->data_version();
  ASSERT_TRUE(after);
  EXPECT_GT(*after, *before);
}

TEST_P(ClaimsContract, BadArgumentsAreInvalid) {
  auto kind = [](auto r) { return r ? ErrorKind::internal : r.error().kind; };
  EXPECT_EQ(kind(store_->try_claim("", "node-a", 30s)), ErrorKind::invalid);
  EXPECT_EQ(kind(store_->try_claim("pop3:1", "", 30s)), ErrorKind::invalid);
  EXPECT_EQ(kind(store_->try_claim("pop3:1", "node-a", 0s)), ErrorKind::invalid);
  EXPECT_EQ(kind(store_->try_claim(std::string(256, 'n'), "node-a", 30s)), ErrorKind::invalid);
  EXPECT_EQ(kind(store_->try_claim(std::string("a\0b", 3), "node-a", 30s)), ErrorKind::invalid);
  EXPECT_EQ(kind(store_->renew_claims("", 30s)), ErrorKind::invalid);
  EXPECT_EQ(kind(store_->renew_claims("node-a", 0s)), ErrorKind::invalid);
  EXPECT_EQ(kind(store_->release_claim("", "node-a")), ErrorKind::invalid);
  // The longest name and owner are fine.
  EXPECT_TRUE(claim(std::string(255, 'n'), std::string(255, 'o')));
}

INSTANTIATE_TEST_SUITE_P(Backends, ClaimsContract,
                         ::testing::Values("memory", "sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace postamt::store
