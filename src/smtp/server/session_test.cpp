// Transcript tests of the SMTP session over MemoryConnection + MemoryStore. Each test
// feeds the client's bytes (often in pieces) and asserts the exact replies and stored
// bytes.
#include "smtp/server/session.h"

#include <gtest/gtest.h>
#include <malloc.h>

#include <algorithm>

#include "auth/password.h"
#include "base/base64.h"
#include "blob/memory_blob_store.h"
#include "delivery/testing/recording_queue.h"
#include "net/testing/forwarding_connection.h"
#include "net/testing/memory_connection.h"
#include "net/testing/run.h"
#include "store/memory/memory_store.h"

namespace postamt::smtp::server {
namespace {

using net::testing::MemoryConnection;

// Lets the test keep the MemoryConnection after the session destroyed its Connection.
using Borrowed = net::testing::ForwardingConnection;

// Answers with the verdicts it is given, in order, and remembers what it was asked.
class ScriptedCheck final : public delivery::SubmissionCheck {
 public:
  Result<delivery::SubmissionDecision> check(const delivery::Submission& submission) override {
    seen.push_back(std::string(submission.user) + " <" + std::string(submission.envelope_sender) +
                   "> " + std::to_string(submission.recipients->size()) + " " +
                   std::string(submission.message));
    if (next >= verdicts.size()) return Error{ErrorKind::temporary, "store busy"};
    return verdicts[next++];
  }
  std::vector<Result<delivery::SubmissionDecision>> verdicts;
  std::vector<std::string> seen;
  size_t next = 0;
};

constexpr std::string_view kGreeting = "220 mx.example.test ESMTP Postamt\r\n";
constexpr std::string_view kDate = "Fri, 27 Nov 2026 22:20:10 +0000";

std::string plain(std::string_view user, std::string_view password) {
  std::string raw;
  raw.push_back('\0');
  raw.append(user);
  raw.push_back('\0');
  raw.append(password);
  return base64::encode(raw);
}

// block_on needs a value.
net::awaitable<int> session_done(std::unique_ptr<net::Connection> conn, net::SessionContext context,
                                 Services services, Options options) {
  auto session = run_session(std::move(conn), std::move(context), services, std::move(options));
  co_await std::move(session);
  co_return 0;
}

class SmtpSession : public ::testing::Test {
 protected:
  void SetUp() override {
    runtime_.start();
    ASSERT_TRUE(store_.add_domain("example.org"));
    auto hash = auth::hash_password("secret", auth::kArgon2Minimum);
    ASSERT_TRUE(hash);
    ASSERT_TRUE(store_.create_account("alice@example.org", *hash));
    ASSERT_TRUE(store_.create_account("bob@example.org", *hash));
    ASSERT_TRUE(store_.add_alias("team@example.org", {"alice@example.org", "bob@example.org"}));
    ASSERT_TRUE(store_.add_alias("al@example.org", {"alice@example.org"}));
    ASSERT_TRUE(store_.add_alias("fwd@example.org", {"carol@remote.example"}));
    options_.hostname = "mx.example.test";
    options_.plaintext = PlaintextAuth::loopback;
    options_.clock = [] {
      return std::chrono::system_clock::time_point(std::chrono::seconds(1795818010));
    };
    options_.queue_id = [] { return std::string("QID1"); };
  }
  void TearDown() override {
    runtime_.stop();
    runtime_.join();
  }

  // Runs one session over `conn` (fed already) and returns everything it wrote.
  std::string run(MemoryConnection& conn, net::Admission admission = net::Admission::accepted) {
    Services services{&runtime_, &failures_, {&store_, &blobs_, outbound_, nullptr}, check_};
    net::SessionContext context{"smtp", admission};
    net::testing::block_on(
        runtime_, session_done(std::make_unique<Borrowed>(conn), context, services, options_));
    return conn.written();
  }
  std::string run_script(std::string_view input, size_t piece = 0,
                         net::testing::MemoryConnectionOptions conn_options = {}) {
    MemoryConnection conn(conn_options);
    conn.feed_script(input, piece);
    return run(conn);
  }

  // Messages in the INBOX of `address`, oldest first.
  std::vector<std::string> inbox(std::string_view address) {
    std::vector<std::string> out;
    auto account = store_.find_account(address);
    EXPECT_TRUE(account);
    auto box = store_.find_mailbox_by_role(account->id, MailboxRole::inbox);
    EXPECT_TRUE(box);
    auto list = store_.list_messages(box->id);
    EXPECT_TRUE(list);
    for (const auto& m : *list) out.push_back(*blobs_.get(m.blob));
    return out;
  }

  net::Runtime runtime_;
  store::MemoryStore store_;
  blob::MemoryBlobStore blobs_;
  auth::FailureTracker failures_{auth::FailureLimits{1, std::chrono::milliseconds(1),
                                                     std::chrono::milliseconds(4),
                                                     std::chrono::seconds(600), 1000}};
  delivery::OutboundQueue* outbound_ = nullptr;
  delivery::SubmissionCheck* check_ = nullptr;
  Options options_;
};

std::string ehlo_reply(std::string_view name) {
  return "250-mx.example.test Hello " + std::string(name) +
         "\r\n"
         "250-PIPELINING\r\n"
         "250-SIZE 52428800\r\n"
         "250-8BITMIME\r\n"
         "250-CHUNKING\r\n"
         "250-SMTPUTF8\r\n"
         "250-DSN\r\n"
         "250-ENHANCEDSTATUSCODES\r\n"
         "250 STARTTLS\r\n";
}
const std::string kEhloReply = ehlo_reply("client.example");

// RFC 5321 §4.4 and the issue: MX delivery to a local user with Return-Path and
// Received prepended, dot-stuffing removed, stored byte-exact; fed whole and in pieces.
TEST_F(SmtpSession, MxDeliversLocalMailByteExact) {
  const std::string script =
      "EHLO client.example\r\nMAIL FROM:<sender@remote.example> SIZE=40\r\n"
      "RCPT TO:<bob@example.org>\r\nDATA\r\n"
      "Subject: hi\r\n\r\n..dot\r\nline\r\n.\r\nQUIT\r\n";
  for (size_t piece : {size_t{0}, size_t{1}, size_t{7}}) {
    SCOPED_TRACE(piece);
    EXPECT_EQ(run_script(script, piece),
              std::string(kGreeting) + kEhloReply +
                  "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n"
                  "250 2.0.0 Ok: queued as QID1\r\n221 2.0.0 Bye\r\n");
  }
  auto messages = inbox("bob@example.org");
  ASSERT_EQ(messages.size(), 3u);  // one per run, identical bytes
  for (const auto& m : messages)
    EXPECT_EQ(m,
              "Return-Path: <sender@remote.example>\r\n"
              "Received: from client.example (unknown [192.0.2.10])\r\n"
              "\tby mx.example.test (Postamt) with ESMTP id QID1\r\n"
              "\tfor <bob@example.org>; " +
                  std::string(kDate) +
                  "\r\n"
                  "Subject: hi\r\n\r\n.dot\r\nline\r\n");
}

TEST_F(SmtpSession, AliasExpandsToEveryAccountAndOriginalRecipientIsAdded) {
  auto out = run_script(
      "HELO c.example\r\nMAIL FROM:<>\r\nRCPT TO:<team@example.org> ORCPT=rfc822;team@example.org"
      "\r\nDATA\r\nx\r\n.\r\n");
  EXPECT_NE(out.find("250 2.0.0 Ok: queued as QID1\r\n"), std::string::npos) << out;
  for (auto who : {"alice@example.org", "bob@example.org"}) {
    auto messages = inbox(who);
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_EQ(messages[0],
              "Return-Path: <>\r\nOriginal-Recipient: rfc822;team@example.org\r\n"
              "Received: from c.example (unknown [192.0.2.10])\r\n"
              "\tby mx.example.test (Postamt) with SMTP id QID1\r\n"
              "\tfor <team@example.org>; " +
                  std::string(kDate) + "\r\nx\r\n");
  }
}

TEST_F(SmtpSession, DifferentOrcptsLeaveOriginalRecipientOut) {
  run_script(
      "EHLO c.example\r\nMAIL FROM:<>\r\nRCPT TO:<alice@example.org> ORCPT=rfc822;a@x.example\r\n"
      "RCPT TO:<bob@example.org> ORCPT=rfc822;b@x.example\r\nDATA\r\nx\r\n.\r\n");
  auto messages = inbox("bob@example.org");
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].find("Original-Recipient"), std::string::npos);
  EXPECT_EQ(messages[0].find("\tfor <"), std::string::npos);  // two recipients: no "for"
}

TEST_F(SmtpSession, MxRefusesRelayAndUnknownUsers) {
  auto out = run_script(
      "EHLO c.example\r\nMAIL FROM:<a@remote.example>\r\nRCPT TO:<x@other.example>\r\n"
      "RCPT TO:<nobody@example.org>\r\nVRFY bob\r\nQUIT\r\n");
  EXPECT_EQ(out, std::string(kGreeting) + ehlo_reply("c.example") +
                     "250 2.1.0 Ok\r\n"
                     "554 5.7.1 <x@other.example>: Relay access denied: other.example is not a "
                     "domain of this server; authenticate to send to other domains\r\n"
                     "550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown\r\n"
                     "252 2.5.0 Cannot VRFY user, but will accept message and attempt delivery\r\n"
                     "221 2.0.0 Bye\r\n");
}

// RFC 4954 §4 + auth/policy.h: over plaintext from a remote address, no AUTH is offered
// and PLAIN is refused; from loopback with plaintext = loopback it is offered.
TEST_F(SmtpSession, AuthOfferedOnlyWhenPlaintextIsAllowed) {
  auto out = run_script("EHLO c\r\nAUTH PLAIN " + plain("alice@example.org", "secret") + "\r\n");
  EXPECT_EQ(out.find("AUTH PLAIN"), std::string::npos);
  EXPECT_NE(out.find("538 5.7.11 Encryption required for requested authentication mechanism\r\n"),
            std::string::npos);
  net::testing::MemoryConnectionOptions loopback;
  loopback.remote = {"127.0.0.1", 40000};
  out = run_script("EHLO c\r\n", 0, loopback);
  EXPECT_NE(out.find("250-STARTTLS\r\n250 AUTH PLAIN LOGIN\r\n"), std::string::npos) << out;
}

TEST_F(SmtpSession, SubmissionRequiresAuthAndOwnSender) {
  options_.mode = Mode::submission;
  net::testing::MemoryConnectionOptions loopback;
  loopback.remote = {"127.0.0.1", 40000};
  auto out =
      run_script("EHLO c\r\nMAIL FROM:<alice@example.org>\r\nAUTH PLAIN " +
                     plain("alice@example.org", "secret") +
                     "\r\nMAIL FROM:<bob@example.org>\r\nMAIL FROM:<al@example.org>\r\nRSET\r\n"
                     "MAIL FROM:<>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\nFrom: "
                     "<bob@example.org>\r\n\r\nx\r\n"
                     ".\r\nMAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n"
                     "From: Alice <Alice@Example.org>\r\n\r\nhello\r\n.\r\nQUIT\r\n",
                 3, loopback);
  const std::string after_ehlo = out.substr(out.find("530"));
  EXPECT_EQ(after_ehlo,
            "530 5.7.0 Authentication required\r\n"
            "235 2.7.0 Authentication successful\r\n"
            "553 5.7.1 <bob@example.org>: Sender address rejected: not owned by user "
            "alice@example.org\r\n"
            "250 2.1.0 Ok\r\n250 2.0.0 Ok\r\n250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n"
            "354 End data with <CR><LF>.<CR><LF>\r\n"
            "550 5.7.1 From header address <bob@example.org> is not owned by user "
            "alice@example.org\r\n"
            "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n"
            "250 2.0.0 Ok: queued as QID1\r\n221 2.0.0 Bye\r\n");
  auto messages = inbox("bob@example.org");
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0],
            "Return-Path: <alice@example.org>\r\n"
            "Received: from c (unknown [127.0.0.1])\r\n"
            "\t(Authenticated sender: alice@example.org)\r\n"
            "\tby mx.example.test (Postamt) with ESMTPA id QID1\r\n"
            "\tfor <bob@example.org>; " +
                std::string(kDate) + "\r\nFrom: Alice <Alice@Example.org>\r\n\r\nhello\r\n");
}

// RFC 6409 §8 for every originator field: Sender and Resent-From must be the user's
// too, and no display name or comment may spell an address the user does not own.
TEST_F(SmtpSession, SubmissionChecksEveryOriginatorField) {
  options_.mode = Mode::submission;
  net::testing::MemoryConnectionOptions loopback;
  loopback.remote = {"127.0.0.1", 40000};
  auto submit = [&](std::string_view header) {
    auto out = run_script("EHLO c\r\nAUTH PLAIN " + plain("alice@example.org", "secret") +
                              "\r\nMAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.org>\r\n"
                              "DATA\r\n" +
                              std::string(header) + "\r\n\r\nbody\r\n.\r\nQUIT\r\n",
                          0, loopback);
    const size_t at = out.find("354 End data with <CR><LF>.<CR><LF>\r\n");
    EXPECT_NE(at, std::string::npos) << out;
    return out.substr(at + 37);
  };
  EXPECT_EQ(submit("From: alice@example.org\r\nSender: bob@example.org"),
            "550 5.7.1 Sender header address <bob@example.org> is not owned by user "
            "alice@example.org\r\n221 2.0.0 Bye\r\n");
  EXPECT_EQ(submit("Resent-From: Bob <bob@example.org>\r\nFrom: bob@example.org"),
            "550 5.7.1 Resent-From header address <bob@example.org> is not owned by user "
            "alice@example.org\r\n221 2.0.0 Bye\r\n");
  EXPECT_EQ(submit("From: \"bob@example.org\" <alice@example.org>"),
            "550 5.7.1 From header names <bob@example.org> in a display name or comment, not "
            "owned by user alice@example.org\r\n221 2.0.0 Bye\r\n");
  EXPECT_EQ(submit("From: alice@example.org (bob@example.org)"),
            "550 5.7.1 From header names <bob@example.org> in a display name or comment, not "
            "owned by user alice@example.org\r\n221 2.0.0 Bye\r\n");
  // A folded first line would fold into the Received field; a line that is not a field
  // ends a strict parse; readers still show the From below either.
  EXPECT_EQ(submit("\tvia x\r\nFrom: bob@example.org"),
            "550 5.7.1 From header address <bob@example.org> is not owned by user "
            "alice@example.org\r\n221 2.0.0 Bye\r\n");
  EXPECT_EQ(submit("Subject: s\r\nnot a field\r\nFrom: bob@example.org"),
            "550 5.7.1 From header address <bob@example.org> is not owned by user "
            "alice@example.org\r\n221 2.0.0 Bye\r\n");
  // An address that merely contains hers is someone else's.
  EXPECT_EQ(submit("From: \"xal@example.org\" <al@example.org>"),
            "550 5.7.1 From header names <xal@example.org> in a display name or comment, not "
            "owned by user alice@example.org\r\n221 2.0.0 Bye\r\n");
  std::string many = "From: alice@example.org";
  for (int i = 0; i < 100; ++i) many += ",\r\n a" + std::to_string(i) + "@example.org";
  EXPECT_EQ(submit(many), "550 5.7.1 Originator header fields are too large\r\n221 2.0.0 Bye\r\n");
  EXPECT_TRUE(inbox("bob@example.org").empty());
  // Her own addresses, an alias of hers, and a Reply-To elsewhere are fine.
  EXPECT_EQ(submit("From: \"Alice (al@example.org)\" <alice@example.org>\r\n"
                   "Sender: al@example.org\r\nReply-To: bob@example.org"),
            "250 2.0.0 Ok: queued as QID1\r\n221 2.0.0 Bye\r\n");
}

// Outside mail does not come from local users: without AUTH, a local sender address is
// refused unless the client is in trusted_networks (the null sender and remote senders
// are fine).
TEST_F(SmtpSession, MxRefusesUnauthenticatedLocalSenders) {
  const std::string script =
      "EHLO c\r\nMAIL FROM:<bob@Example.ORG>\r\nMAIL FROM:<nobody@example.org>\r\n"
      "MAIL FROM:<>\r\nRSET\r\nMAIL FROM:<a@r.example>\r\nQUIT\r\n";
  auto out = run_script(script);
  EXPECT_EQ(out.substr(out.find("250 STARTTLS\r\n") + 14),
            "550 5.7.1 <bob@Example.ORG>: Sender address rejected: a local sender must "
            "authenticate\r\n"
            "550 5.7.1 <nobody@example.org>: Sender address rejected: a local sender must "
            "authenticate\r\n"
            "250 2.1.0 Ok\r\n250 2.0.0 Ok\r\n250 2.1.0 Ok\r\n221 2.0.0 Bye\r\n");
  // An address literal is never local; a UTF-8 domain is compared by its A-labels
  // (b\u00fccher.example is xn--bcher-kva.example), not refused as a lookup failure.
  ASSERT_TRUE(store_.add_domain("xn--bcher-kva.example"));
  out = run_script(
      "EHLO c\r\nMAIL FROM:<x@[192.0.2.1]>\r\nRSET\r\nMAIL FROM:<x@b\xc3\xbc"
      "cher.example> "
      "SMTPUTF8\r\nMAIL FROM:<x@r\xc3\xa9mote.example> SMTPUTF8\r\nQUIT\r\n");
  EXPECT_EQ(out.substr(out.find("250 STARTTLS\r\n") + 14),
            "250 2.1.0 Ok\r\n250 2.0.0 Ok\r\n"
            "550 5.7.1 <x@b\xc3\xbc"
            "cher.example>: Sender address rejected: a local sender "
            "must authenticate\r\n"
            "250 2.1.0 Ok\r\n221 2.0.0 Bye\r\n");
  options_.trusted_networks = {*IpNetwork::parse("10.0.0.0/8"), *IpNetwork::parse("192.0.2.0/24")};
  out = run_script(script);
  EXPECT_EQ(out.substr(out.find("250 STARTTLS\r\n") + 14),
            "250 2.1.0 Ok\r\n503 5.5.1 Nested MAIL command\r\n503 5.5.1 Nested MAIL command\r\n"
            "250 2.0.0 Ok\r\n250 2.1.0 Ok\r\n221 2.0.0 Bye\r\n");
}

// RFC 5321 §4.5.1: "<postmaster>" without a domain is accepted and reaches the
// postmaster of the primary domain (mail/domains.h: here the only one, example.org).
TEST_F(SmtpSession, BarePostmasterReachesThePrimaryDomain) {
  auto out = run_script("EHLO c\r\nMAIL FROM:<a@r.example>\r\nRCPT TO:<Postmaster>\r\nQUIT\r\n");
  EXPECT_EQ(out.substr(out.find("250 2.1.0")),
            "250 2.1.0 Ok\r\n"
            "550 5.1.1 <postmaster@example.org>: Recipient address rejected: User unknown\r\n"
            "221 2.0.0 Bye\r\n");
  ASSERT_TRUE(store_.add_alias("postmaster@example.org", {"alice@example.org"}));
  out = run_script(
      "EHLO c\r\nMAIL FROM:<a@r.example>\r\nRCPT TO:<Postmaster>\r\nDATA\r\n"
      "Subject: hi\r\n\r\nx\r\n.\r\nQUIT\r\n");
  EXPECT_EQ(out.substr(out.find("250 2.1.0")),
            "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n"
            "250 2.0.0 Ok: queued as QID1\r\n221 2.0.0 Bye\r\n");
  auto messages = inbox("alice@example.org");
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_NE(messages[0].find("\tfor <postmaster@example.org>;"), std::string::npos) << messages[0];
}

// The submission hook (submission_check.h): consulted after DATA/BDAT for authenticated
// submission only; drop answers 250 with nothing stored, reject 550 5.7.1, an error 451.
TEST_F(SmtpSession, SubmissionCheckAcceptsDropsRejects) {
  options_.mode = Mode::submission;
  ScriptedCheck check;
  check.verdicts.push_back(delivery::SubmissionDecision{delivery::SubmissionVerdict::drop, ""});
  check.verdicts.push_back(delivery::SubmissionDecision{
      delivery::SubmissionVerdict::reject, "A read receipt was already sent for <m@x>"});
  check.verdicts.push_back(delivery::SubmissionDecision{delivery::SubmissionVerdict::accept, ""});
  check_ = &check;
  net::testing::MemoryConnectionOptions loopback;
  loopback.remote = {"127.0.0.1", 40000};
  const std::string message =
      "MAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.org>\r\n"
      "DATA\r\nSubject: r\r\n\r\nread\r\n.\r\n";
  auto out = run_script("EHLO c\r\nAUTH PLAIN " + plain("alice@example.org", "secret") + "\r\n" +
                            message + message +
                            "MAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.org>\r\n"
                            "BDAT 20 LAST\r\nSubject: r\r\n\r\nread\r\n" +
                            message + "QUIT\r\n",
                        5, loopback);
  const std::string rest = out.substr(out.find("235"));
  const std::string accepted =
      "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n";
  EXPECT_EQ(rest, "235 2.7.0 Authentication successful\r\n" + accepted +
                      "250 2.0.0 Ok: queued as QID1\r\n" + accepted +
                      "550 5.7.1 A read receipt was already sent for <m@x>\r\n"
                      "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.0.0 Ok: queued as QID1\r\n" +
                      accepted +
                      "451 4.3.0 Temporary failure, try again later\r\n221 2.0.0 Bye\r\n");
  ASSERT_EQ(check.seen.size(), 4u);
  EXPECT_EQ(check.seen[0], "alice@example.org <alice@example.org> 1 Subject: r\r\n\r\nread\r\n");
  EXPECT_EQ(check.seen[2], check.seen[0]);
  // Only the accepted (BDAT) message was delivered.
  auto messages = inbox("bob@example.org");
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].substr(messages[0].size() - 20), "Subject: r\r\n\r\nread\r\n");
}

TEST_F(SmtpSession, SubmissionCheckIsNotAskedOnTheMxListener) {
  ScriptedCheck check;  // no verdicts: asking it would answer 451
  check_ = &check;
  auto out = run_script(
      "EHLO c\r\nMAIL FROM:<carol@remote.example>\r\nRCPT TO:<bob@example.org>\r\n"
      "DATA\r\nSubject: r\r\n\r\nread\r\n.\r\nQUIT\r\n");
  EXPECT_NE(out.find("250 2.0.0 Ok: queued as QID1\r\n221"), std::string::npos) << out;
  EXPECT_TRUE(check.seen.empty());
  EXPECT_EQ(inbox("bob@example.org").size(), 1u);
}

TEST_F(SmtpSession, RemoteRecipientsNeedTheQueue) {
  options_.mode = Mode::submission;
  net::testing::MemoryConnectionOptions loopback;
  loopback.remote = {"127.0.0.1", 40000};
  const std::string script = "EHLO c\r\nAUTH PLAIN " + plain("alice@example.org", "secret") +
                             "\r\nMAIL FROM:<alice@example.org> RET=HDRS ENVID=e1\r\n"
                             "RCPT TO:<dave@remote.example> NOTIFY=SUCCESS ORCPT=rfc822;d@r\r\n"
                             "RCPT TO:<fwd@example.org>\r\n";
  auto out = run_script(script + "QUIT\r\n", 0, loopback);
  EXPECT_NE(out.find("250 2.1.0 Ok\r\n451 4.3.0 outbound queue unavailable\r\n"
                     "451 4.3.0 outbound queue unavailable\r\n221"),
            std::string::npos)
      << out;

  delivery::testing::RecordingQueue queue;
  outbound_ = &queue;
  out = run_script(script + "RCPT TO:<bob@example.org>\r\nDATA\r\nSubject: s\r\n\r\nb\r\n.\r\n", 0,
                   loopback);
  EXPECT_NE(out.find("250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n354"), std::string::npos);
  ASSERT_EQ(queue.messages.size(), 1u);
  const auto& m = queue.messages[0];
  EXPECT_EQ(m.envelope_sender, "alice@example.org");
  EXPECT_EQ(m.envid, "e1");
  EXPECT_EQ(m.ret, delivery::Ret::headers);
  ASSERT_EQ(m.recipients.size(), 2u);
  EXPECT_EQ(m.recipients[0].address, "dave@remote.example");
  EXPECT_EQ(m.recipients[0].orcpt, "rfc822;d@r");
  EXPECT_TRUE(m.recipients[0].notify.success);
  EXPECT_FALSE(m.recipients[0].notify.failure);
  EXPECT_EQ(m.recipients[1].address, "carol@remote.example");
  EXPECT_TRUE(m.recipients[1].notify.failure);
  EXPECT_EQ(m.body.rfind("Received: from c (unknown [127.0.0.1])\r\n", 0), 0u);  // no Return-Path
  EXPECT_EQ(inbox("bob@example.org").size(), 1u);
}

// The delivery transaction's one failure rule, as a client sees it: the queue refuses
// the remote part, the client gets 451 and no local copy stays; its retry then leaves
// exactly one copy everywhere (delivery/transaction.h).
TEST_F(SmtpSession, AQueueFailureLeavesNoLocalCopyForTheRetryToDuplicate) {
  options_.mode = Mode::submission;
  net::testing::MemoryConnectionOptions loopback;
  loopback.remote = {"127.0.0.1", 40000};
  delivery::testing::RecordingQueue queue;
  queue.failure = Error{ErrorKind::io, "disk full"};
  outbound_ = &queue;
  const std::string script = "EHLO c\r\nAUTH PLAIN " + plain("alice@example.org", "secret") +
                             "\r\nMAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.org>\r\n"
                             "RCPT TO:<dave@remote.example>\r\nDATA\r\nSubject: s\r\n\r\nb\r\n"
                             ".\r\nQUIT\r\n";
  auto out = run_script(script, 0, loopback);
  EXPECT_NE(out.find("354 End data with <CR><LF>.<CR><LF>\r\n"
                     "451 4.3.0 Delivery failed, try again later\r\n221"),
            std::string::npos)
      << out;
  EXPECT_TRUE(inbox("bob@example.org").empty());
  EXPECT_TRUE(queue.messages.empty());

  queue.failure.reset();
  out = run_script(script, 0, loopback);
  EXPECT_NE(out.find("250 2.0.0 Ok: queued as QID1\r\n221"), std::string::npos) << out;
  EXPECT_EQ(inbox("bob@example.org").size(), 1u);
  ASSERT_EQ(queue.messages.size(), 1u);
  EXPECT_EQ(queue.messages[0].recipients.at(0).address, "dave@remote.example");
}

// RFC 3463 X.3.1 "mail system full": a full disk is 452 4.3.1, not a generic 451.
TEST_F(SmtpSession, AFullDiskIs452) {
  options_.mode = Mode::submission;
  net::testing::MemoryConnectionOptions loopback;
  loopback.remote = {"127.0.0.1", 40000};
  delivery::testing::RecordingQueue queue;
  queue.failure = Error{ErrorKind::no_space, "cannot write spool: No space left on device"};
  outbound_ = &queue;
  auto out = run_script("EHLO c\r\nAUTH PLAIN " + plain("alice@example.org", "secret") +
                            "\r\nMAIL FROM:<alice@example.org>\r\nRCPT TO:<dave@remote.example>\r\n"
                            "DATA\r\nSubject: s\r\n\r\nb\r\n.\r\nQUIT\r\n",
                        0, loopback);
  EXPECT_EQ(out.substr(out.find("354")),
            "354 End data with <CR><LF>.<CR><LF>\r\n"
            "452 4.3.1 Insufficient system storage\r\n221 2.0.0 Bye\r\n");
}

// Quota (RFC 9208 limits, RFC 3463 X.2.2): RCPT refuses a full mailbox for now (452
// 4.2.2) and, with SIZE, a message no quota could take for good (552 5.2.2); at the end
// of DATA a message that does not fit now is 452, one larger than the quota 552, and
// nothing is stored for anyone.
TEST_F(SmtpSession, QuotaAtRcptAndAtTheEndOfData) {
  ASSERT_TRUE(store_.set_quota("bob@example.org", store::QuotaSetting{1000, std::nullopt}));
  std::string body;  // 7 lines, 700 octets
  for (int i = 0; i < 7; ++i) body += std::string(98, 'x') + "\r\n";
  auto out = run_script(
      "EHLO c.example\r\nMAIL FROM:<a@remote.example> SIZE=2000\r\nRCPT TO:<bob@example.org>\r\n"
      "RSET\r\nMAIL FROM:<a@remote.example>\r\nRCPT TO:<bob@example.org>\r\n"
      "RCPT TO:<alice@example.org>\r\nDATA\r\nSubject: big\r\n\r\n" +
      body + body +
      ".\r\nMAIL FROM:<a@remote.example>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n"
      "Subject: fits\r\n\r\n" +
      body +
      ".\r\n"
      "MAIL FROM:<a@remote.example>\r\nRCPT TO:<team@example.org>\r\nDATA\r\n"
      "Subject: again\r\n\r\n" +
      body +
      ".\r\n"
      "MAIL FROM:<a@remote.example>\r\nRCPT TO:<bob@example.org>\r\nQUIT\r\n");
  size_t at = out.find("250 2.1.0 Ok");
  ASSERT_NE(at, std::string::npos) << out;
  const std::string rest = out.substr(at);
  // 1: SIZE says 2000 > 1000: never. 2: bob and alice, 1400 octets: larger than bob's
  // quota, refused for both. 3: fits. 4: an alias reaching bob, 700 more: not now.
  // 5: bob is at 700 + headers, so a message of unknown size still has room.
  EXPECT_NE(rest.find("552 5.2.2 <bob@example.org>: Recipient address rejected: message larger "
                      "than the mailbox quota\r\n250 2.0.0 Ok\r\n"),
            std::string::npos)
      << rest;
  EXPECT_NE(rest.find("552 5.2.2 Mailbox full: the message is larger than the storage quota of "
                      "bob@example.org\r\n"),
            std::string::npos)
      << rest;
  EXPECT_NE(rest.find("452 4.2.2 Mailbox full: the mailbox of bob@example.org is full\r\n"),
            std::string::npos)
      << rest;
  EXPECT_EQ(inbox("alice@example.org").size(), 0u);
  ASSERT_EQ(inbox("bob@example.org").size(), 1u);
  EXPECT_NE(inbox("bob@example.org")[0].find("Subject: fits"), std::string::npos);
  const std::string last = "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n221 2.0.0 Bye\r\n";
  EXPECT_EQ(rest.substr(rest.size() - last.size()), last);
}

// CVE-2023-51766 family: "\n.\n" and "\r\n.\n" are content, never the end; with
// bare_newline = reject the message is refused, by default its line ends become CRLF.
TEST_F(SmtpSession, SmugglingDoesNotEndDataAndBareLfIsRejected) {
  const std::string script =
      "EHLO c\r\nMAIL FROM:<a@r.example>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n"
      "x\n.\nMAIL FROM:<evil@r.example>\r\n.\nRCPT TO:<alice@example.org>\r\n.\r\nQUIT\r\n";
  options_.limits.bare_newline = proto::BareLineEnds::reject;
  auto out = run_script(script, 2);
  EXPECT_EQ(out.substr(out.find("354")),
            "354 End data with <CR><LF>.<CR><LF>\r\n"
            "550 5.6.0 Message contains bare CR or LF\r\n221 2.0.0 Bye\r\n");
  EXPECT_EQ(inbox("bob@example.org").size(), 0u);
  EXPECT_EQ(inbox("alice@example.org").size(), 0u);

  options_.limits.bare_newline = proto::BareLineEnds::normalize;
  out = run_script(script, 2);
  EXPECT_EQ(out.substr(out.find("354")),
            "354 End data with <CR><LF>.<CR><LF>\r\n"
            "250 2.0.0 Ok: queued as QID1\r\n221 2.0.0 Bye\r\n");
  auto messages = inbox("bob@example.org");
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].substr(messages[0].find("\r\nx\r\n") + 2),
            "x\r\n.\r\nMAIL FROM:<evil@r.example>\r\n.\r\nRCPT TO:<alice@example.org>\r\n");
  EXPECT_EQ(inbox("alice@example.org").size(), 0u);
}

// What Python's smtplib sends for an LF-only message (a dot stuffed after every LF) and
// curl -T sends for an LF file: stored with CRLF line ends, dots unstuffed.
TEST_F(SmtpSession, BareLfIsNormalizedByDefault) {
  auto out = run_script(
      "EHLO c\r\nMAIL FROM:<a@r.example>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n"
      "Subject: lf\n\n..dot\nlast\r\n.\r\nQUIT\r\n",
      3);
  EXPECT_EQ(out.substr(out.find("354")),
            "354 End data with <CR><LF>.<CR><LF>\r\n"
            "250 2.0.0 Ok: queued as QID1\r\n221 2.0.0 Bye\r\n");
  auto messages = inbox("bob@example.org");
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].substr(messages[0].find("Subject")), "Subject: lf\r\n\r\n.dot\r\nlast\r\n");
}

// Without BINARYMIME, NUL has no place in mail data (a next hop that drops it could be
// fooled into seeing another message): refused in DATA and in BDAT.
TEST_F(SmtpSession, NulOctetsAreRefused) {
  const std::string head = "EHLO c\r\nMAIL FROM:<a@r.example>\r\nRCPT TO:<bob@example.org>\r\n";
  const std::string nul(1, '\0');
  auto out = run_script(head + "DATA\r\na" + nul + "b\r\n.\r\nQUIT\r\n");
  EXPECT_EQ(out.substr(out.find("354")),
            "354 End data with <CR><LF>.<CR><LF>\r\n"
            "550 5.6.0 Message contains NUL octets\r\n221 2.0.0 Bye\r\n");
  out = run_script(head + "BDAT 5 LAST\r\na" + nul + "b\r\nQUIT\r\n");
  EXPECT_EQ(out.substr(out.find("250 2.1.5")),
            "250 2.1.5 Ok\r\n550 5.6.0 Message contains NUL octets\r\n221 2.0.0 Bye\r\n");
  EXPECT_TRUE(inbox("bob@example.org").empty());
}

TEST_F(SmtpSession, CommandWithBareLfIsRefused) {
  auto out = run_script("EHLO c\nQUIT\r\n");
  EXPECT_EQ(out, std::string(kGreeting) +
                     "500 5.5.2 Command line must end with CRLF\r\n"
                     "221 2.0.0 Bye\r\n");
}

// RFC 3207 §4.2: a command pipelined after STARTTLS is never executed.
TEST_F(SmtpSession, StarttlsDiscardsPipelinedBytesAndResetsState) {
  MemoryConnection conn;
  conn.feed("EHLO c\r\nSTARTTLS\r\nMAIL FROM:<x@r.example>\r\n");
  conn.feed_tls_boundary();
  conn.feed("MAIL FROM:<x@r.example>\r\nEHLO c\r\nQUIT\r\n");
  conn.feed_eof();
  auto out = run(conn);
  EXPECT_EQ(out.substr(out.find("220 2.0.0")),
            "220 2.0.0 Ready to start TLS\r\n"
            "503 5.5.1 Send EHLO or HELO first\r\n" +
                ehlo_reply("c").substr(0, ehlo_reply("c").find("250 STARTTLS")) +
                "250 AUTH PLAIN LOGIN\r\n221 2.0.0 Bye\r\n");
}

TEST_F(SmtpSession, LimitsGiveClearErrors) {
  options_.limits.max_recipients = 2;
  options_.limits.max_message_size = 100;
  const std::string long_command = "NOOP " + std::string(506, 'x') + "\r\n";  // 513 octets
  const std::string ok_command = "NOOP " + std::string(505, 'x') + "\r\n";    // 512 octets
  auto out = run_script(
      long_command + ok_command +
      "EHLO c\r\nMAIL FROM:<a@r.example> SIZE=101\r\nMAIL FROM:<a@r.example>\r\n"
      "RCPT TO:<bob@example.org>\r\nRCPT TO:<alice@example.org>\r\nRCPT TO:<al@example.org>\r\n"
      "DATA\r\n" +
      std::string(999, 'y') +
      "\r\n.\r\n"
      "MAIL FROM:<a@r.example>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n" +
      std::string(200, 'z') + "\r\n.\r\nQUIT\r\n");
  const std::string after = out.substr(out.find("500"));
  EXPECT_EQ(after.substr(0, after.find("250-")), "500 5.5.2 Line too long\r\n250 2.0.0 Ok\r\n");
  EXPECT_EQ(out.substr(out.find("552")),
            "552 5.3.4 Message size exceeds fixed maximum size\r\n"
            "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n452 4.5.3 Too many recipients\r\n"
            "354 End data with <CR><LF>.<CR><LF>\r\n"
            "552 5.3.4 Message size exceeds fixed maximum\r\n"
            "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n"
            "552 5.3.4 Message size exceeds fixed maximum\r\n221 2.0.0 Bye\r\n");
}

TEST_F(SmtpSession, TextLineLimitIs1000OctetsWithCrlf) {
  const std::string head =
      "EHLO c\r\nMAIL FROM:<a@r.example>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n";
  auto out = run_script(head + std::string(999, 'y') + "\r\n.\r\nQUIT\r\n");
  EXPECT_NE(out.find("554 5.6.0"), std::string::npos) << out;
  out = run_script(head + std::string(998, 'y') + "\r\n.\r\nQUIT\r\n");
  EXPECT_NE(out.find("250 2.0.0 Ok: queued as QID1"), std::string::npos) << out;
}

TEST_F(SmtpSession, TooManyErrorsDisconnects) {
  options_.limits.max_errors = 3;
  auto out = run_script("BOGUS\r\nBOGUS\r\nBOGUS\r\nNOOP\r\n");
  EXPECT_EQ(out, std::string(kGreeting) +
                     "500 5.5.1 Unrecognized command\r\n500 5.5.1 Unrecognized command\r\n"
                     "500 5.5.1 Unrecognized command\r\n421 4.7.0 mx.example.test Error: too many "
                     "errors\r\n");
}

TEST_F(SmtpSession, CommandDeadlineAndShutdownAndAdmission) {
  MemoryConnection idle;  // time_out_at_once: the command deadline passes at once
  EXPECT_EQ(run(idle),
            std::string(kGreeting) + "421 4.4.2 mx.example.test Error: timeout exceeded\r\n");
  MemoryConnection stopping;
  stopping.request_shutdown();
  EXPECT_EQ(run(stopping), std::string(kGreeting) +
                               "421 4.3.2 mx.example.test Service shutting down, closing "
                               "transmission channel\r\n");
  MemoryConnection refused;
  EXPECT_EQ(run(refused, net::Admission::too_many_from_ip),
            "421 4.7.0 mx.example.test Error: too many connections\r\n");
}

TEST_F(SmtpSession, AuthFailuresAreDelayedMoreEachTime) {
  net::testing::MemoryConnectionOptions loopback;
  loopback.remote = {"127.0.0.1", 40000};
  auto out = run_script("EHLO c\r\nAUTH PLAIN " + plain("alice@example.org", "wrong") +
                            "\r\nAUTH LOGIN\r\n" + base64::encode("alice@example.org") + "\r\n" +
                            base64::encode("bad") + "\r\nAUTH LOGIN\r\n*\r\n",
                        0, loopback);
  EXPECT_NE(out.find("535 5.7.8 Authentication credentials invalid\r\n334 VXNlcm5hbWU6\r\n"
                     "334 UGFzc3dvcmQ6\r\n535 5.7.8 Authentication credentials invalid\r\n"
                     "334 VXNlcm5hbWU6\r\n501 5.0.0 Authentication cancelled\r\n"),
            std::string::npos)
      << out;
  EXPECT_EQ(failures_.failures(auth::FailureKey::remote, "127.0.0.1"), 2u);
  EXPECT_EQ(auth::FailureTracker::delay_for(auth::FailureLimits{}, 2),
            std::chrono::milliseconds(1000));
  EXPECT_EQ(auth::FailureTracker::delay_for(auth::FailureLimits{}, 3),
            std::chrono::milliseconds(2000));
}

TEST_F(SmtpSession, MailLoopIsRejected) {
  std::string received;
  for (int i = 0; i < 51; ++i) received += "Received: from hop\r\n";
  const std::string head =
      "EHLO c\r\nMAIL FROM:<a@r.example>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n";
  auto out = run_script(head + received + "\r\nx\r\n.\r\n");
  EXPECT_NE(out.find("554 5.4.6 Too many Received header fields: mail loop detected\r\n"),
            std::string::npos);
  out = run_script(head + received.substr(20) + "\r\nx\r\n.\r\n");  // exactly 50
  EXPECT_NE(out.find("250 2.0.0 Ok: queued as QID1\r\n"), std::string::npos);
}

TEST_F(SmtpSession, BdatChunksDeliverAndBareLfIsRejected) {
  options_.limits.bare_newline = proto::BareLineEnds::reject;
  const std::string script =
      "EHLO c\r\nMAIL FROM:<a@r.example>\r\nRCPT TO:<bob@example.org>\r\n"
      "BDAT 9\r\nSubject: BDAT 6 LAST\r\nx\r\n.\r\n"
      "MAIL FROM:<a@r.example>\r\nRCPT TO:<bob@example.org>\r\nBDAT 3 LAST\r\na\nb"
      "QUIT\r\n";
  auto out = run_script(script, 5);
  EXPECT_EQ(out.substr(out.find("250 2.1.0")),
            "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.0.0 9 octets received\r\n"
            "250 2.0.0 Ok: queued as QID1\r\n"
            "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n550 5.6.0 Message contains bare CR or LF\r\n"
            "221 2.0.0 Bye\r\n");
  auto messages = inbox("bob@example.org");
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].substr(messages[0].find("\r\nSubject")), "\r\nSubject: x\r\n.\r\n");

  // Normalised (the default), the second message is stored with CRLF.
  options_.limits.bare_newline = proto::BareLineEnds::normalize;
  out = run_script(script, 5);
  EXPECT_EQ(out.substr(out.rfind("250 2.1.5")),
            "250 2.1.5 Ok\r\n250 2.0.0 Ok: queued as QID1\r\n221 2.0.0 Bye\r\n");
  messages = inbox("bob@example.org");
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[2].substr(messages[2].find("\r\na\r\n")), "\r\na\r\nb");
}

// A chunk that alone is over the size limit is refused at once, not read until the data
// timeout: 552 and the connection closes (the pipelined QUIT is never answered).
TEST_F(SmtpSession, BdatChunkOverTheLimitIsRefusedAtOnce) {
  options_.limits.max_message_size = 1000;
  MemoryConnection conn;
  conn.feed(
      "EHLO c\r\nMAIL FROM:<a@r.example>\r\nRCPT TO:<bob@example.org>\r\n"
      "BDAT 99999999999999\r\nxxxxQUIT\r\n");
  auto out = run(conn);
  EXPECT_EQ(out.substr(out.find("250 2.1.5")),
            "250 2.1.5 Ok\r\n552 5.3.4 Message size exceeds fixed maximum size, closing\r\n");
  EXPECT_TRUE(inbox("bob@example.org").empty());
}

// Heap bytes in use, mmapped blocks included (glibc).
size_t heap_in_use() {
  const auto info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

// Feeds a MemoryConnection's bytes, then `endless` generated 'x' octets, then EOF,
// and records the largest heap in use seen at any read (glibc mallinfo2).
class EndlessChunk final : public net::testing::ForwardingConnection {
 public:
  EndlessChunk(MemoryConnection& inner, size_t endless, size_t& peak_heap)
      : ForwardingConnection(inner), left_(endless), peak_(peak_heap) {}
  net::awaitable<Result<size_t>> read_some(std::span<char> b, net::Duration t) override {
    peak_ = std::max(peak_, heap_in_use());
    if (!script_done_) {
      auto r = co_await inner_.read_some(b, t);
      if (r || r.error().kind != ErrorKind::timeout) co_return r;
      script_done_ = true;
    }
    if (left_ == 0) co_return Error(ErrorKind::closed, "eof");
    const size_t n = std::min(b.size(), left_);
    std::fill_n(b.begin(), n, 'x');
    left_ -= n;
    co_return n;
  }

 private:
  bool script_done_ = false;
  size_t left_;
  size_t& peak_;
};

// RFC 3030 §2 with max_message_size: a chunk size that makes "received + size" wrap
// around 2^64 must still be refused as too big, so its octets are discarded instead of
// being kept without bound.
TEST_F(SmtpSession, BdatSizeThatWrapsAroundIsNotBuffered) {
  options_.limits.max_message_size = 1000;
  MemoryConnection conn;
  conn.feed(
      "EHLO c\r\nMAIL FROM:<a@r.example>\r\nRCPT TO:<bob@example.org>\r\nBDAT 1\r\nx"
      "BDAT 18446744073709551615 LAST\r\n");
  constexpr size_t kEndless = 64u * 1024 * 1024;
  size_t peak = 0;
  auto endless = std::make_unique<EndlessChunk>(conn, kEndless, peak);
  const size_t before = heap_in_use();
  Services services{&runtime_, &failures_, {&store_, &blobs_, outbound_, nullptr}};
  net::SessionContext context{"smtp", net::Admission::accepted};
  net::testing::block_on(runtime_, session_done(std::move(endless), context, services, options_));
  EXPECT_LT(peak - std::min(peak, before), kEndless / 4);
  EXPECT_NE(conn.written().find("250 2.0.0 1 octets received\r\n"), std::string::npos);
  EXPECT_TRUE(inbox("bob@example.org").empty());
}

}  // namespace
}  // namespace postamt::smtp::server
