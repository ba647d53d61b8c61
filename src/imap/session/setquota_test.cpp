// SETQUOTA (RFC 9208 §4.1.3) for quota administrators ([quota] admins): QUOTASET only
// for them, the named limits replace all earlier ones, "#user/<address>" names another
// account's root; everyone else is NO [NOPERM].
#include "imap/session/test_fixture.h"

namespace postamt::imap::testing {
namespace {

TEST_F(ImapSession, SetQuotaIsForQuotaAdministrators) {
  std::string out =
      after_login("b SETQUOTA \"\" (STORAGE 512)\r\nc GETQUOTA \"#user/alice@example.org\"\r\n");
  EXPECT_EQ(out,
            "b NO [NOPERM] Only quota administrators may change quotas\r\n"
            "c NO [NONEXISTENT] No such quota root\r\n");
  EXPECT_EQ(store_.quota(account_)->setting, store::QuotaSetting{});
}

TEST_F(ImapSession, SetQuotaByAnAdministrator) {
  services_.quota_admins = {"alice@example.org"};
  auto hash = auth::hash_password("secret", auth::kArgon2Minimum);
  AccountId bob = *store_.create_account("bob@example.org", *hash);
  add_message("Subject: x\r\n\r\n" + std::string(2000, 'x'));
  std::string all =
      run("a LOGIN ALICE@example.org secret\r\n"
          "b SETQUOTA \"\" (STORAGE 510 MESSAGE 100)\r\n"
          "c SETQUOTA \"\" (STORAGE 600)\r\n"
          "d GETQUOTA \"#user/bob@example.org\"\r\n"
          "e SETQUOTA \"#user/bob@example.org\" (message 5)\r\n"
          "f GETQUOTA \"#user/bob@example.org\"\r\n"
          "g SETQUOTA \"\" (MAILBOX 5)\r\n"
          "h SETQUOTA \"\" (STORAGE 0)\r\n"
          "i SETQUOTA \"#user/nobody@example.org\" ()\r\n"
          "j SETQUOTA \"!partition/sda4\" (STORAGE 1)\r\n"
          "l SETQUOTA \"\" (STORAGE 18014398509481984)\r\n"
          "k SETQUOTA \"#user/bob@example.org\" ()\r\n");
  ASSERT_NE(all.find(" QUOTASET] Logged in\r\n"), std::string::npos) << all;
  EXPECT_EQ(all.substr(all.find("Logged in\r\n") + 11),
            "* QUOTA \"\" (STORAGE 2 510 MESSAGE 1 100)\r\nb OK SETQUOTA completed\r\n"
            "* QUOTA \"\" (STORAGE 2 600)\r\nc OK SETQUOTA completed\r\n"
            "d NO [NONEXISTENT] No such quota root\r\n"
            "* QUOTA \"#user/bob@example.org\" (MESSAGE 0 5)\r\ne OK SETQUOTA completed\r\n"
            "* QUOTA \"#user/bob@example.org\" (MESSAGE 0 5)\r\nf OK GETQUOTA completed\r\n"
            "g NO [CANNOT] Resource MAILBOX cannot be limited\r\n"
            "h NO [CANNOT] A limit of 0 cannot be set; leave the resource out for no limit\r\n"
            "i NO [NONEXISTENT] No such quota root\r\n"
            "j NO [NONEXISTENT] No such quota root\r\n"
            "l NO [LIMIT] STORAGE limit too large\r\n"
            "k OK SETQUOTA completed\r\n");
  // Left out means no limit, not the configured default.
  EXPECT_EQ(store_.quota(account_)->setting, (store::QuotaSetting{600 * 1024, 0}));
  EXPECT_EQ(store_.quota(bob)->setting, (store::QuotaSetting{0, 0}));
}

}  // namespace
}  // namespace postamt::imap::testing
