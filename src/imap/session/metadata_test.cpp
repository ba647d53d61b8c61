// METADATA and METADATA-SERVER (RFC 5464) transcripts: the RFC's examples, DEPTH and
// MAXSIZE, NIL for entries without a value, all-or-nothing SETMETADATA with its
// MAXSIZE and TOOMANY codes, read-only shared server entries, a missing mailbox, the
// modseq a change moves (RFC 7162 §3.2), and one user never seeing another's.
#include <fmt/format.h>

#include "imap/session/commands/commands.h"
#include "imap/session/test_fixture.h"

namespace postamt::imap::testing {
namespace {

TEST_F(ImapSession, MetadataRoundTrip) {
  EXPECT_EQ(
      after_login("b SETMETADATA INBOX (/private/comment {35}\r\nMy new comment across\r\ntwo "
                  "lines.\r\n /shared/comment \"Shared comment\")\r\n"
                  "c GETMETADATA \"INBOX\" (/shared/comment /private/comment /private/none)\r\n"
                  "d GETMETADATA \"INBOX\" (MAXSIZE 20) (/shared/comment /private/comment)\r\n"),
      "+ Ready for literal data\r\nb OK SETMETADATA completed\r\n"
      "* METADATA INBOX (/shared/comment \"Shared comment\" /private/comment {35}\r\n"
      "My new comment across\r\ntwo lines.\r\n /private/none NIL)\r\n"
      "c OK GETMETADATA completed\r\n"
      "* METADATA INBOX (/shared/comment \"Shared comment\")\r\n"
      "d OK [METADATA LONGENTRIES 35] GETMETADATA completed\r\n");
  // §4.2.2: DEPTH 1 takes the children, INFINITY the grandchildren too.
  EXPECT_EQ(after_login("b SETMETADATA INBOX (/private/filters/values/small \"SMALLER 5000\" "
                        "/private/filters/values/boss/x \"deep\")\r\n"
                        "c GETMETADATA \"INBOX\" (DEPTH 1) (/private/filters/values)\r\n"
                        "d GETMETADATA INBOX (DEPTH infinity) /private/filters\r\n"),
            "b OK SETMETADATA completed\r\n"
            "* METADATA INBOX (/private/filters/values/small \"SMALLER 5000\" "
            "/private/filters/values NIL)\r\nc OK GETMETADATA completed\r\n"
            "* METADATA INBOX (/private/filters/values/boss/x \"deep\" "
            "/private/filters/values/small \"SMALLER 5000\" /private/filters NIL)\r\n"
            "d OK GETMETADATA completed\r\n");
  // NIL removes; names compare without regard to case.
  EXPECT_EQ(after_login("b SETMETADATA INBOX (/PRIVATE/COMMENT NIL)\r\n"
                        "c GETMETADATA INBOX /private/comment\r\n"),
            "b OK SETMETADATA completed\r\n* METADATA INBOX (/private/comment NIL)\r\n"
            "c OK GETMETADATA completed\r\n");
}

// METADATA-SERVER: private server entries per user; shared ones are read-only here.
TEST_F(ImapSession, ServerEntries) {
  EXPECT_EQ(after_login("b SETMETADATA \"\" (/private/vendor/postamt/theme \"dark\")\r\n"
                        "c SETMETADATA \"\" (/shared/comment \"hello all\")\r\n"
                        "d GETMETADATA \"\" (/private/vendor/postamt/theme /shared/comment)\r\n"),
            "b OK SETMETADATA completed\r\nc NO Shared server annotations are read-only\r\n"
            "* METADATA \"\" (/private/vendor/postamt/theme \"dark\" /shared/comment NIL)\r\n"
            "d OK GETMETADATA completed\r\n");
  // Another user sees none of alice's.
  auto hash = auth::hash_password("secret", auth::kArgon2Minimum);
  ASSERT_TRUE(store_.create_account("bob@example.org", *hash));
  std::string out =
      run("a LOGIN bob@example.org secret\r\nb GETMETADATA \"\" /private/vendor/postamt/theme\r\n");
  EXPECT_EQ(ending(out,
                   "* METADATA \"\" (/private/vendor/postamt/theme NIL)\r\nb OK GETMETADATA "
                   "completed\r\n"),
            "* METADATA \"\" (/private/vendor/postamt/theme NIL)\r\nb OK GETMETADATA "
            "completed\r\n");
}

// §4.3: limits, all or nothing; a missing mailbox is NO; a bad name is BAD.
TEST_F(ImapSession, MetadataLimits) {
  std::string big(commands::kMaxMetadataValue + 1, 'x');
  std::string many = "b SETMETADATA INBOX (";
  for (size_t i = 0; i <= commands::kMaxMetadataEntries; ++i)
    many += fmt::format("{}/private/e{} \"v\"", i ? " " : "", i);
  many += ")\r\n";
  EXPECT_EQ(after_login(fmt::format("a1 SETMETADATA INBOX (/private/a \"1\" /private/big ~{{{}+}}"
                                    "\r\n{})\r\n",
                                    big.size(), big) +
                        many +
                        "c GETMETADATA INBOX (/private/a /private/e0)\r\n"
                        "d GETMETADATA Nowhere /private/a\r\n"
                        "e SETMETADATA INBOX (/comment \"x\")\r\n"),
            fmt::format("a1 NO [METADATA MAXSIZE {}] Annotation value too large\r\n"
                        "b NO [METADATA TOOMANY] Too many annotations\r\n"
                        "* METADATA INBOX (/private/a NIL /private/e0 NIL)\r\n"
                        "c OK GETMETADATA completed\r\n"
                        "d NO [NONEXISTENT] mailbox Nowhere does not exist\r\n"
                        "e BAD SETMETADATA: bad metadata entry name\r\n",
                        commands::kMaxMetadataValue));
}

// RFC 7162 §3.2: a changed annotation moves the mailbox's HIGHESTMODSEQ.
TEST_F(ImapSession, MetadataMovesTheModseq) {
  ModSeq before = store_.get_mailbox(inbox_)->highest_modseq;
  EXPECT_EQ(after_login("b SETMETADATA INBOX (/private/comment \"x\")\r\n"),
            "b OK SETMETADATA completed\r\n");
  EXPECT_GT(store_.get_mailbox(inbox_)->highest_modseq, before);
}

}  // namespace
}  // namespace postamt::imap::testing
