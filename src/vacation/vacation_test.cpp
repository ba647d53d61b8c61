#include <gtest/gtest.h>

#include "blob/memory_blob_store.h"
#include "delivery/testing/recording_queue.h"
#include "delivery/transaction.h"
#include "store/memory/memory_store.h"
#include "vacation/responder.h"
#include "vacation/rules.h"
#include "vacation/settings.h"
#include "vacation/tracking.h"

namespace postamt::vacation {
namespace {

using namespace std::chrono_literals;

constexpr int64_t kNow = 1700000000;

Screen screen(std::string_view sender, std::string_view header_text) {
  auto fields = mime::scan_header_block(header_text);
  return screen_message(sender, mime::HeaderView(header_text, fields));
}

TEST(Screen, AnswersAPersonalMessage) {
  EXPECT_EQ(screen("carol@remote.test", "From: carol@remote.test\r\nAuto-Submitted: no\r\n\r\n"),
            Screen::answer);
}

TEST(Screen, RefusesWhatRfc5230ForbidsOrDiscourages) {
  EXPECT_EQ(screen("", "From: x@y\r\n\r\n"), Screen::null_sender);
  EXPECT_EQ(screen("MAILER-DAEMON@remote.test", "\r\n"), Screen::daemon_sender);
  EXPECT_EQ(screen("owner-list@remote.test", "\r\n"), Screen::daemon_sender);
  EXPECT_EQ(screen("list-Request@remote.test", "\r\n"), Screen::daemon_sender);
  EXPECT_EQ(screen("Majordomo@remote.test", "\r\n"), Screen::daemon_sender);
  EXPECT_EQ(screen("a@b", "Auto-Submitted: auto-generated\r\n\r\n"), Screen::auto_submitted);
  EXPECT_EQ(screen("a@b", "Auto-Submitted: Auto-Replied; owner-email=x@y\r\n\r\n"),
            Screen::auto_submitted);
  EXPECT_EQ(screen("a@b", "List-Id: <news.example.org>\r\n\r\n"), Screen::mailing_list);
  EXPECT_EQ(screen("a@b", "list-unsubscribe: <mailto:x@y>\r\n\r\n"), Screen::mailing_list);
  EXPECT_EQ(screen("a@b", "Precedence: Bulk\r\n\r\n"), Screen::bulk_precedence);
  EXPECT_EQ(screen("a@b", "Precedence: junk\r\n\r\n"), Screen::bulk_precedence);
  EXPECT_EQ(screen("a@b", "Precedence: list\r\n\r\n"), Screen::bulk_precedence);
  EXPECT_EQ(screen("a@b", "Precedence: first-class\r\n\r\n"), Screen::answer);
  // A postmaster is a person (RFC 5230 §4.6).
  EXPECT_EQ(screen("postmaster@b", "\r\n"), Screen::answer);
}

TEST(AddressedTo, CollectsEveryRecipientFieldWithGroups) {
  std::string h =
      "From: z@y\r\nTo: A <a@x>, b@x\r\nCc: team: c@x, d@x;\r\nResent-Bcc: e@x\r\n"
      "Reply-To: f@x\r\n\r\n";
  auto fields = mime::scan_header_block(h);
  EXPECT_EQ(addressed_to(mime::HeaderView(h, fields)),
            (std::vector<std::string>{"a@x", "b@x", "c@x", "d@x", "e@x"}));
}

TEST(BuildReply, WritesTheRfc5230Fields) {
  std::string h =
      "Subject: Lunch?\r\nMessage-ID: <m2@remote.test>\r\nReferences: <m1@remote.test>\r\n\r\n";
  auto fields = mime::scan_header_block(h);
  ReplySpec spec;
  spec.from = "alice@example.org";
  spec.to = "carol@remote.test";
  spec.now = kNow;
  spec.message_id = "<tok1@mail.example.org>";
  spec.settings.text_body = "Away until Monday.";
  EXPECT_EQ(build_reply(spec, mime::HeaderView(h, fields)),
            "From: <alice@example.org>\r\n"
            "To: <carol@remote.test>\r\n"
            "Subject: Auto: Lunch?\r\n"
            "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
            "Message-ID: <tok1@mail.example.org>\r\n"
            "In-Reply-To: <m2@remote.test>\r\n"
            "References: <m1@remote.test> <m2@remote.test>\r\n"
            "Auto-Submitted: auto-replied\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: 7bit\r\n\r\n"
            "Away until Monday.\r\n");
}

TEST(BuildReply, OwnSubjectHtmlAndNoMessageId) {
  std::string h = "From: x@y\r\n\r\n";
  auto fields = mime::scan_header_block(h);
  ReplySpec spec;
  spec.from = "alice@example.org";
  spec.to = "carol@remote.test";
  spec.now = kNow;
  spec.message_id = "<tok2@h>";
  spec.settings.subject = "Weg\r\nBcc: evil@x — bis Montag";
  spec.settings.text_body = "Grüße";
  spec.settings.html_body = "<p>Away</p>";
  std::string reply = build_reply(spec, mime::HeaderView(h, fields));
  EXPECT_EQ(reply.find("In-Reply-To"), std::string::npos);
  EXPECT_EQ(reply.find("\r\nBcc:"), std::string::npos);
  EXPECT_NE(reply.find("Subject: =?UTF-8?B?"), std::string::npos);
  EXPECT_NE(reply.find("Content-Type: multipart/alternative; boundary=\"=_vacation_tok2\"\r\n"),
            std::string::npos);
  EXPECT_NE(reply.find("Content-Transfer-Encoding: base64\r\n\r\nR3LDvMOfZQ0K\r\n"),
            std::string::npos);
  EXPECT_NE(
      reply.find("Content-Type: text/html; charset=utf-8\r\n"
                 "Content-Transfer-Encoding: 7bit\r\n\r\n<p>Away</p>\r\n--=_vacation_tok2--\r\n"),
      std::string::npos);
}

TEST(BuildReply, NoSubjectGetsTheFixedOne) {
  std::string h = "From: x@y\r\n\r\n";
  auto fields = mime::scan_header_block(h);
  ReplySpec spec{"a@b", "c@d", kNow, "<t@h>", {}};
  std::string reply = build_reply(spec, mime::HeaderView(h, fields));
  EXPECT_NE(reply.find("Subject: Automated reply\r\n"), std::string::npos);
  EXPECT_TRUE(reply.ends_with(std::string(kDefaultReplyText) + "\r\n"));
}

TEST(Settings, RoundTripAndActiveWindow) {
  Settings s{true, 100, 200, "S", std::nullopt, "<b>x</b>"};
  EXPECT_EQ(encode_settings(s),
            R"({"isEnabled":true,"fromDate":100,"toDate":200,"subject":"S","textBody":null,)"
            R"("htmlBody":"<b>x</b>"})");
  EXPECT_EQ(decode_settings(encode_settings(s)), s);
  EXPECT_FALSE(decode_settings("{\"isEnabled\":1}"));
  EXPECT_FALSE(decode_settings("{\"isEnabled\":true,\"fromDate\":\"x\"}"));
  EXPECT_FALSE(decode_settings("nope"));
  EXPECT_FALSE(is_active(s, 99));
  EXPECT_TRUE(is_active(s, 100));
  EXPECT_TRUE(is_active(s, 199));
  EXPECT_FALSE(is_active(s, 200));
  s.enabled = false;
  EXPECT_FALSE(is_active(s, 150));
}

TEST(Tracking, OncePerPeriodAndAtMostTheLimit) {
  Replied r;
  r.remember("a@b", kNow);
  EXPECT_TRUE(r.answered_recently("a@b", kNow + 7 * 86400 - 1));
  EXPECT_FALSE(r.answered_recently("a@b", kNow + 7 * 86400));
  EXPECT_FALSE(r.answered_recently("c@d", kNow));
  EXPECT_EQ(Replied::decode(r.encode()).encode(), R"({"a@b":1700000000})");
  for (size_t i = 0; i < kMaxRemembered + 5; ++i) r.remember("s" + std::to_string(i), kNow + 1 + i);
  EXPECT_EQ(r.size(), kMaxRemembered);
  EXPECT_FALSE(r.answered_recently("a@b", kNow + 2000));  // the oldest went first
  EXPECT_TRUE(r.answered_recently("s1004", kNow + 2000));
  EXPECT_EQ(Replied::decode("[1]").size(), 0u);
}

class ResponderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.add_domain("example.org"));
    ASSERT_TRUE(store_.create_account("alice@example.org", "{X}"));
    ASSERT_TRUE(store_.create_account("bob@example.org", "{X}"));
    ASSERT_TRUE(store_.add_alias("al@example.org", {"alice@example.org"}));
    alice_ = store_.find_account("alice@example.org")->id;
    ResponderDependencies deps;
    deps.delivery = delivery::Services{&store_, &blobs_, &queue_, nullptr};
    deps.hostname = "mail.example.org";
    deps.now = [this] { return std::chrono::sys_seconds(std::chrono::seconds(now_)); };
    deps.random_token = [this] { return "t" + std::to_string(++tokens_); };
    deps.run_blocking = [](std::function<void()> f) { f(); };
    responder_ = std::make_unique<Responder>(std::move(deps));
  }
  void enable(Settings s = {true, std::nullopt, std::nullopt, std::nullopt, "Away", std::nullopt}) {
    ASSERT_TRUE(save_settings(store_, alice_, s, Settings{}));
  }
  Outcome answer(std::string sender, std::string header) {
    auto a = responder_->answer(alice_, "alice@example.org", sender, header);
    EXPECT_TRUE(a) << a.error().message;
    return a ? a->outcome : Outcome::inactive;
  }

  store::MemoryStore store_;
  blob::MemoryBlobStore blobs_;
  delivery::testing::RecordingQueue queue_;
  AccountId alice_{0};
  int64_t now_ = kNow;
  int tokens_ = 0;
  std::unique_ptr<Responder> responder_;
};

TEST_F(ResponderTest, AnswersOncePerSenderWithANullReversePath) {
  const std::string h = "To: al@example.org\r\nSubject: Hi\r\nMessage-ID: <o1@remote.test>\r\n\r\n";
  EXPECT_EQ(answer("carol@remote.test", h), Outcome::inactive);
  enable();
  EXPECT_EQ(answer("carol@remote.test", h), Outcome::sent);
  ASSERT_EQ(queue_.messages.size(), 1u);
  const delivery::OutboundMessage& m = queue_.messages[0];
  EXPECT_EQ(m.envelope_sender, "");
  ASSERT_EQ(m.recipients.size(), 1u);
  EXPECT_EQ(m.recipients[0].address, "carol@remote.test");
  EXPECT_TRUE(m.recipients[0].notify.never);
  EXPECT_NE(m.body.find("Subject: Auto: Hi\r\n"), std::string::npos);
  EXPECT_NE(m.body.find("In-Reply-To: <o1@remote.test>\r\n"), std::string::npos);
  EXPECT_EQ(answer("Carol@REMOTE.test", h), Outcome::already_answered);
  now_ += 7 * 86400;
  EXPECT_EQ(answer("carol@remote.test", h), Outcome::sent);
  EXPECT_EQ(queue_.messages.size(), 2u);
}

TEST_F(ResponderTest, SkipsWhatItMustNotAnswer) {
  enable();
  EXPECT_EQ(answer("carol@remote.test", "To: someone@else.test\r\n\r\n"), Outcome::not_addressed);
  EXPECT_EQ(answer("al@example.org", "To: alice@example.org\r\n\r\n"), Outcome::from_self);
  EXPECT_EQ(answer("", "To: alice@example.org\r\n\r\n"), Outcome::screened);
  EXPECT_EQ(answer("carol@remote.test", "To: alice@example.org\r\nList-Id: <l.x>\r\n\r\n"),
            Outcome::screened);
  EXPECT_TRUE(queue_.messages.empty());
}

TEST_F(ResponderTest, OutsideTheDatesIsInactive) {
  enable({true, kNow + 10, kNow + 20, std::nullopt, "Away", std::nullopt});
  EXPECT_EQ(answer("carol@remote.test", "To: alice@example.org\r\n\r\n"), Outcome::inactive);
  now_ = kNow + 10;
  EXPECT_EQ(answer("carol@remote.test", "To: alice@example.org\r\n\r\n"), Outcome::sent);
}

TEST_F(ResponderTest, ChangedResponseForgetsWhomItAnswered) {
  enable();
  EXPECT_EQ(answer("carol@remote.test", "To: alice@example.org\r\n\r\n"), Outcome::sent);
  Settings before{true, std::nullopt, std::nullopt, std::nullopt, "Away", std::nullopt};
  Settings after = before;
  after.text_body = "Back on Friday";
  ASSERT_TRUE(save_settings(store_, alice_, after, before));
  EXPECT_EQ(answer("carol@remote.test", "To: alice@example.org\r\n\r\n"), Outcome::sent);
}

TEST_F(ResponderTest, ObserverRepliesToALocalSenderIntoItsInbox) {
  enable();
  delivery::Services services{&store_, &blobs_, nullptr, responder_.get()};
  delivery::Transaction t(services, "bob@example.org");
  ASSERT_TRUE(t.add_recipient("alice@example.org"));
  t.set_body("From: bob@example.org\r\nTo: alice@example.org\r\nSubject: Hi\r\n\r\nbody\r\n");
  ASSERT_TRUE(t.commit());
  auto bob = store_.find_account("bob@example.org");
  auto inbox = store_.find_mailbox(bob->id, "INBOX");
  ASSERT_TRUE(inbox);
  auto messages = store_.list_messages(inbox->id);
  ASSERT_TRUE(messages);
  EXPECT_EQ(messages->size(), 1u);
}

TEST_F(ResponderTest, ObserverDoesNotAnswerQuarantinedMail) {
  enable();
  delivery::Services services{&store_, &blobs_, &queue_, responder_.get()};
  delivery::Transaction t(services, "victim@remote.test");
  ASSERT_TRUE(t.add_recipient("alice@example.org"));
  t.set_body("From: victim@remote.test\r\nTo: alice@example.org\r\nSubject: Hi\r\n\r\nb\r\n");
  t.set_quarantine(true);
  ASSERT_TRUE(t.commit());
  EXPECT_TRUE(queue_.messages.empty());  // no reply to the forged sender
  // The same message not quarantined is answered (the test above for local senders).
  delivery::Transaction u(services, "victim@remote.test");
  ASSERT_TRUE(u.add_recipient("alice@example.org"));
  u.set_body("From: victim@remote.test\r\nTo: alice@example.org\r\nSubject: Hi\r\n\r\nb\r\n");
  ASSERT_TRUE(u.commit());
  EXPECT_EQ(queue_.messages.size(), 1u);
}

}  // namespace
}  // namespace postamt::vacation
