// MULTIAPPEND (RFC 3502) transcripts: several messages in one APPEND are added together
// or not at all; APPENDUID names them as a uid set (RFC 4315 §3); streamed (large) and
// inline literals mix; an empty one, a bad flag, a missing mailbox or a full quota adds
// none.
#include <fmt/format.h>

#include "imap/session/test_fixture.h"
#include "mime/line_endings.h"

namespace postamt::imap::testing {
namespace {

class ImapMultiappend : public ImapSession {
 protected:
  ImapMultiappend() {
    services_.limits.authenticated.max_inline_literal = 1024;
    services_.limits.authenticated.max_command = 4096;
  }
  size_t inbox_count() { return store_.list_messages(inbox_)->size(); }
};

// RFC 3502 §6.3.11's example shape: each message with its own flags and date.
TEST_F(ImapMultiappend, SeveralMessagesOneAnswer) {
  for (size_t piece : {0u, 1u, 7u}) {
    SCOPED_TRACE(piece);
    Uid first = static_cast<Uid>(inbox_count() + 1);
    EXPECT_EQ(after_login("b APPEND INBOX (\\Seen) {8}\r\nSubject:"
                          " (\\Flagged $Work) \"20-Feb-1994 21:52:25 -0800\" {6+}\r\nsecond"
                          " {5}\r\nthird\r\n",
                          piece),
              fmt::format("+ Ready for literal data\r\n+ Ready for literal data\r\n"
                          "b OK [APPENDUID {} {}:{}] APPEND completed\r\n",
                          inbox_validity(), first, first + 2));
  }
  auto messages = *store_.list_messages(inbox_);
  ASSERT_EQ(messages.size(), 9u);
  EXPECT_EQ(*blobs_.get(messages[0].blob), "Subject:");
  EXPECT_TRUE(messages[0].flags.has(SystemFlag::seen));
  EXPECT_TRUE(messages[1].flags.has(SystemFlag::flagged));
  EXPECT_EQ(messages[1].keywords.items(), std::vector<std::string>{"$Work"});
  EXPECT_EQ(messages[1].internal_date.time_since_epoch(), std::chrono::seconds(761809945));
  EXPECT_EQ(*blobs_.get(messages[2].blob), "third");
  EXPECT_TRUE(messages[2].flags.empty());
}

// Large messages are streamed into the blob store one after the other, between inline
// ones; the stored bytes and their order are the client's.
TEST_F(ImapMultiappend, StreamedAndInlineMessagesMix) {
  std::string big1 = "Subject: one\n\n" + std::string(3000, 'x') + "\n";
  std::string big2 = "Subject: two\n\n" + std::string(2000, 'y') + "\n";
  std::string out = after_login(
      fmt::format("b APPEND INBOX {{{}}}\r\n{} {{5+}}\r\nsmall ~{{{}+}}\r\n{}\r\nc NOOP\r\n",
                  big1.size(), big1, big2.size(), big2));
  EXPECT_EQ(out, fmt::format("+ Ready for literal data\r\nb OK [APPENDUID {} 1:3] APPEND "
                             "completed\r\nc OK NOOP completed\r\n",
                             inbox_validity()));
  EXPECT_EQ(inbox_bytes(),
            (std::vector<std::string>{mime::to_crlf(big1), "small", mime::to_crlf(big2)}));
}

// Nothing is added when one message fails: an empty literal, a bad flag (BAD), a
// missing mailbox (TRYCREATE), a quota the messages pass together.
TEST_F(ImapMultiappend, AllOrNothing) {
  std::string big = "Subject: big\n\n" + std::string(3000, 'z') + "\n";
  EXPECT_EQ(after_login(fmt::format("b APPEND INBOX {{5+}}\r\nfirst {{0+}}\r\n\r\n"
                                    "c APPEND INBOX {{{}+}}\r\n{} {{0+}}\r\n\r\n",
                                    big.size(), big)),
            "b NO Empty message\r\nc NO Empty message\r\n");
  EXPECT_EQ(after_login("b APPEND INBOX {5+}\r\nfirst (\\Junk) {6+}\r\nsecond\r\n"),
            "b BAD Flag \\Junk cannot be stored\r\n");
  EXPECT_EQ(after_login("b APPEND Nowhere {5+}\r\nfirst {6+}\r\nsecond\r\n"),
            "b NO [TRYCREATE] Mailbox does not exist\r\n");
  ASSERT_TRUE(store_.set_quota("alice@example.org", store::QuotaSetting{std::nullopt, 2}));
  EXPECT_EQ(after_login("b APPEND INBOX {1+}\r\n1 {1+}\r\n2 {1+}\r\n3\r\n"),
            "b NO [OVERQUOTA] account alice@example.org would pass its message quota of 2 "
            "messages\r\n");
  EXPECT_EQ(inbox_count(), 0u);
  EXPECT_EQ(store_.get_mailbox(inbox_)->uid_next, 1u);
  EXPECT_EQ(after_login("b APPEND INBOX {1+}\r\n1 {1+}\r\n2\r\n"),
            fmt::format("b OK [APPENDUID {} 1:2] APPEND completed\r\n", inbox_validity()));
}

// The selected mailbox hears of both messages at once.
TEST_F(ImapMultiappend, SelectedMailboxAnnouncesThem) {
  std::string out = after_login("s SELECT INBOX\r\nb APPEND INBOX {1+}\r\n1 {1+}\r\n2\r\n");
  std::string tail = fmt::format(
      "* 2 EXISTS\r\n* 2 RECENT\r\nb OK [APPENDUID {} 1:2] APPEND completed\r\n", inbox_validity());
  EXPECT_EQ(ending(out, tail), tail);
}

// More streamed messages than one APPEND may carry: the one past kMaxAppendMessages is
// refused as it is announced, the command is dropped and nothing is stored.
TEST_F(ImapMultiappend, StreamedMessagesPerAppendAreLimited) {
  services_.limits.authenticated.max_command = 64 * 1024;
  std::string big = "Subject: s\r\n\r\n" + std::string(1100, 'y');
  std::string input = "b APPEND INBOX";
  for (size_t i = 0; i <= proto::kMaxAppendMessages; ++i)
    input += fmt::format(" {{{}+}}\r\n{}", big.size(), big);
  input += "\r\nc NOOP\r\n";
  EXPECT_EQ(after_login(input), "b BAD Literal too large\r\nc OK NOOP completed\r\n");
  EXPECT_EQ(inbox_count(), 0u);
  // Exactly the limit is taken.
  std::string at_limit = "b APPEND INBOX";
  for (size_t i = 0; i < proto::kMaxAppendMessages; ++i)
    at_limit += fmt::format(" {{{}+}}\r\n{}", big.size(), big);
  EXPECT_EQ(after_login(at_limit + "\r\n"),
            fmt::format("b OK [APPENDUID {} 1:{}] APPEND completed\r\n", inbox_validity(),
                        proto::kMaxAppendMessages));
}

}  // namespace
}  // namespace postamt::imap::testing
