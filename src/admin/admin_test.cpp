#include "admin/admin.h"

#include <gtest/gtest.h>

#include "auth/password.h"
#include "blob/memory_blob_store.h"
#include "store/memory/memory_store.h"

namespace postamt::admin {
namespace {

class AdminTest : public ::testing::Test {
 protected:
  std::string hash(std::string_view pw) { return *auth::hash_password(pw, auth::kArgon2Minimum); }
  store::MemoryStore store_;
};

TEST_F(AdminTest, DomainsTextAndJson) {
  ASSERT_TRUE(domain_add(store_, "Example.ORG"));
  ASSERT_TRUE(domain_add(store_, "a.test"));
  EXPECT_EQ(*domain_list(store_, Format::text), "a.test\nexample.org\n");
  EXPECT_EQ(*domain_list(store_, Format::json),
            "[{\"name\":\"a.test\"},{\"name\":\"example.org\"}]\n");
  auto dup = domain_add(store_, "example.org");
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().kind, ErrorKind::exists);
  ASSERT_TRUE(domain_remove(store_, "a.test"));
  EXPECT_EQ(*domain_list(store_, Format::text), "example.org\n");
}

TEST_F(AdminTest, UsersAndAuthTest) {
  ASSERT_TRUE(domain_add(store_, "example.org"));
  ASSERT_TRUE(user_add(store_, "alice@example.org", hash("s3cret")));
  auto unknown_domain = user_add(store_, "bob@example.net", hash("x"));
  ASSERT_FALSE(unknown_domain);
  EXPECT_EQ(unknown_domain.error().kind, ErrorKind::not_found);
  EXPECT_EQ(*user_list(store_, Format::json),
            "[{\"address\":\"alice@example.org\",\"quota\":{\"storage\":{\"used\":0,\"own\":"
            "false,\"limit\":null},\"messages\":{\"used\":0,\"own\":false,\"limit\":null}}}]\n");
  EXPECT_EQ(*auth_test(store_, "alice@example.org", "s3cret"),
            "authentication succeeded for alice@example.org\n");
  auto wrong = auth_test(store_, "alice@example.org", "nope");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().kind, ErrorKind::auth_failed);
  EXPECT_EQ(wrong.error().message, "authentication failed for alice@example.org");
  // An unknown user fails with the same words as a wrong password.
  auto nobody = auth_test(store_, "nobody@example.org", "s3cret");
  ASSERT_FALSE(nobody);
  EXPECT_EQ(nobody.error().message, "authentication failed for nobody@example.org");

  ASSERT_TRUE(user_password(store_, "alice@example.org", hash("new")));
  EXPECT_FALSE(auth_test(store_, "alice@example.org", "s3cret"));
  EXPECT_TRUE(auth_test(store_, "alice@example.org", "new"));
  ASSERT_TRUE(user_remove(store_, "alice@example.org"));
  EXPECT_EQ(*user_list(store_, Format::text), "");
}

TEST_F(AdminTest, Aliases) {
  ASSERT_TRUE(domain_add(store_, "example.org"));
  ASSERT_TRUE(user_add(store_, "alice@example.org", hash("x")));
  ASSERT_TRUE(alias_add(store_, "team@example.org", {"alice@example.org", "carol@remote.test"}));
  EXPECT_EQ(*alias_list(store_, Format::text),
            "team@example.org -> alice@example.org, carol@remote.test\n");
  EXPECT_EQ(*alias_list(store_, Format::json),
            "[{\"address\":\"team@example.org\",\"targets\":[\"alice@example.org\","
            "\"carol@remote.test\"]}]\n");
  ASSERT_TRUE(alias_remove(store_, "team@example.org"));
  EXPECT_EQ(*alias_list(store_, Format::json), "[]\n");
}

TEST_F(AdminTest, ImportedHashIsChecked) {
  // `openssl passwd -6 -salt saltsalt secret`
  EXPECT_TRUE(check_imported_hash(
      "{SHA512-CRYPT}$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0"
      "Y77vwPZN.Pq.H91p5hVO1"));
  auto bad = check_imported_hash("{MD5}abc");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::invalid);
}

TEST_F(AdminTest, GarbageCollectionKeepsReferencedBlobs) {
  blob::MemoryBlobStore blobs;
  ASSERT_TRUE(blobs.put("orphan"));
  auto out = collect_garbage(store_, blobs, std::chrono::seconds(0));
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(*out, "removed 1 unreferenced blobs (6 bytes) and 0 stale temporary files\n");
}

}  // namespace
}  // namespace postamt::admin

namespace postamt::admin {
namespace {

TEST(AdminDeliver, LocalDeliveryWithCrlfAndReturnPath) {
  store::MemoryStore store;
  blob::MemoryBlobStore blobs;
  ASSERT_TRUE(store.add_domain("example.org"));
  ASSERT_TRUE(store.create_account("alice@example.org", "{X}"));
  auto out = deliver(store, blobs, "bob@remote.test", {"alice@example.org"},
                     "Subject: x\n\n.line\r\nlast");
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(*out, "delivered to alice@example.org (INBOX uid 1)\n");
  auto list = blobs.list();
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(*blobs.get((*list)[0].ref),
            "Return-Path: <bob@remote.test>\r\nSubject: x\r\n\r\n.line\r\nlast\r\n");

  auto remote = deliver(store, blobs, "", {"alice@example.org", "x@remote.test"}, "x");
  ASSERT_FALSE(remote);
  EXPECT_EQ(remote.error().message,
            "x@remote.test: x@remote.test is not a local address, and postamt deliver does not "
            "relay");
  auto unknown = deliver(store, blobs, "", {"nobody@example.org"}, "x");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().kind, ErrorKind::not_found);
  EXPECT_EQ(blobs.list()->size(), 1u);  // nothing more was stored
}

}  // namespace
}  // namespace postamt::admin
