// OBJECTID (RFC 8474): MAILBOXID from CREATE, SELECT, STATUS and LIST-STATUS, kept by
// RENAME; EMAILID and THREADID in FETCH, kept by COPY and MOVE; SEARCH by either.
#include <fmt/format.h>

#include "imap/session/test_fixture.h"
#include "mail/messages.h"
#include "model/object_ids.h"

namespace postamt::imap::testing {
namespace {

class ImapObjectId : public ImapSession {
 protected:
  // RFC 8474 §5.3's example: B answers A, C stands alone.
  void three() {
    for (const char* bytes :
         {"Subject: Message A\r\nMessage-ID: <fake.1521475657.54797@example.com>\r\n\r\na\r\n",
          "Subject: Re: Message A\r\nMessage-ID: <fake.1521475657.21213@example.org>\r\n"
          "References: <fake.1521475657.54797@example.com>\r\n\r\nb\r\n",
          "Subject: Message C\r\nMessage-ID: <fake.1521475657.60280@example.com>\r\n\r\nc\r\n"}) {
      auto added =
          mail::append_message(store_, blobs_, inbox_, bytes, {}, mail::internal_date_now());
      ASSERT_TRUE(added) << added.error().message;
    }
  }
  std::string email_id(MailboxId box, Uid uid) {
    return email_object_id(store_.get_message(box, uid)->blob);
  }
  std::string thread_id(MailboxId box, Uid uid) {
    return thread_object_id(store_.get_message(box, uid)->thread.value_or(0));
  }
};

TEST_F(ImapObjectId, EmailAndThreadIdsFollowTheMessage) {
  three();
  const std::string a = email_id(inbox_, 1), b = email_id(inbox_, 2), c = email_id(inbox_, 3);
  const std::string ta = thread_id(inbox_, 1), tc = thread_id(inbox_, 3);
  ASSERT_EQ(thread_id(inbox_, 2), ta);
  ASSERT_NE(ta, tc);
  ASSERT_NE(a, b);
  Driver session(*this);
  session("s SELECT INBOX");
  EXPECT_EQ(session("22 FETCH 1:* (EMAILID THREADID)"),
            fmt::format("* 1 FETCH (EMAILID ({0}) THREADID ({3}))\r\n"
                        "* 2 FETCH (EMAILID ({1}) THREADID ({3}))\r\n"
                        "* 3 FETCH (EMAILID ({2}) THREADID ({4}))\r\n"
                        "22 OK FETCH completed\r\n",
                        a, b, c, ta, tc));
  EXPECT_EQ(session("27 SEARCH EMAILID " + a), "* SEARCH 1\r\n27 OK SEARCH completed\r\n");
  EXPECT_EQ(session("28 SEARCH THREADID " + ta), "* SEARCH 1 2\r\n28 OK SEARCH completed\r\n");
  EXPECT_EQ(session("29 UID SEARCH OR EMAILID " + c + " EMAILID " + b),
            "* SEARCH 2 3\r\n29 OK UID SEARCH completed\r\n");
  // Ids this server never gives, and ids that differ only in case, match nothing.
  std::string upper = a;
  for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  EXPECT_EQ(session("30 SEARCH EMAILID " + upper), "* SEARCH\r\n30 OK SEARCH completed\r\n");
  EXPECT_EQ(session("31 SEARCH THREADID T0"), "* SEARCH\r\n31 OK SEARCH completed\r\n");
  EXPECT_EQ(session("32 SEARCH THREADID " + a), "* SEARCH\r\n32 OK SEARCH completed\r\n");

  // §5.1: MOVE (and COPY) keep EMAILID; THREADID is the message's too.
  session("c CREATE foo");
  session("m MOVE 2 foo");
  session("k COPY 1 foo");
  EXPECT_EQ(session("24 FETCH 1:* (EMAILID THREADID)"),
            fmt::format("* 1 FETCH (EMAILID ({0}) THREADID ({2}))\r\n"
                        "* 2 FETCH (EMAILID ({1}) THREADID ({3}))\r\n"
                        "24 OK FETCH completed\r\n",
                        a, c, ta, tc));
  session("25 SELECT foo");
  EXPECT_EQ(session("26 UID FETCH 1:* (EMAILID THREADID)"),
            fmt::format("* 1 FETCH (UID 1 EMAILID ({0}) THREADID ({2}))\r\n"
                        "* 2 FETCH (UID 2 EMAILID ({1}) THREADID ({2}))\r\n"
                        "26 OK UID FETCH completed\r\n",
                        b, a, ta));
  EXPECT_EQ(session("27 SEARCH THREADID " + ta), "* SEARCH 1 2\r\n27 OK SEARCH completed\r\n");
}

// §4: CREATE names the id, SELECT and EXAMINE repeat it, STATUS and LIST-STATUS give it,
// RENAME keeps it; no two mailboxes share one; a re-created name gets a new one.
TEST_F(ImapObjectId, MailboxIdsAreStableAndUnique) {
  Driver session(*this);
  std::string made = session("3 CREATE foo");
  const std::string foo = mailbox_object_id(validity_of("foo"));
  EXPECT_EQ(made, "3 OK [MAILBOXID (" + foo + ")] CREATE completed\r\n");
  const std::string bar_made = session("4 CREATE bar");
  const std::string bar = mailbox_object_id(validity_of("bar"));
  EXPECT_NE(foo, bar);
  EXPECT_EQ(session("5 CREATE foo"), "5 NO [ALREADYEXISTS] mailbox foo exists already\r\n");
  EXPECT_EQ(session("6 status foo (mailboxid)"),
            "* STATUS foo (MAILBOXID (" + foo + "))\r\n6 OK STATUS completed\r\n");
  EXPECT_EQ(session("8 rename foo renamed"), "8 OK RENAME completed\r\n");
  EXPECT_EQ(session("9 status renamed (MESSAGES mailboxid)"),
            "* STATUS renamed (MESSAGES 0 MAILBOXID (" + foo + "))\r\n9 OK STATUS completed\r\n");
  EXPECT_EQ(session("11 LIST \"\" renamed RETURN (STATUS (MAILBOXID))"),
            "* LIST (\\HasNoChildren) \"/\" renamed\r\n* STATUS renamed (MAILBOXID (" + foo +
                "))\r\n11 OK LIST completed\r\n");
  std::string selected = session("27 EXAMINE renamed");
  EXPECT_NE(selected.find("\r\n* OK [MAILBOXID (" + foo + ")] Mailbox id\r\n27 OK [READ-ONLY]"),
            std::string::npos)
      << selected;
  // Deleted and made again: not the same mailbox (§4), so not the same id.
  session("u UNSELECT");
  session("d DELETE bar");
  EXPECT_NE(session("e CREATE bar"), bar_made);
  EXPECT_NE(mailbox_object_id(validity_of("bar")), bar);
}

}  // namespace
}  // namespace postamt::imap::testing
