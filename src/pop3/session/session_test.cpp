// Transcript tests: the client's bytes go in (whole, in pieces, pipelined), and the
// session's bytes come out exactly. Each test names the rule it checks.
#include "pop3/session/session.h"

#include <gtest/gtest.h>

#include "auth/password.h"
#include "blob/memory_blob_store.h"
#include "net/testing/forwarding_connection.h"
#include "net/testing/memory_connection.h"
#include "net/testing/run.h"
#include "store/memory/memory_store.h"

namespace postamt::pop3 {
namespace {

using namespace std::chrono_literals;
using net::testing::MemoryConnection;
using net::testing::MemoryConnectionOptions;

constexpr std::string_view kGreeting = "+OK Postamt POP3 server ready\r\n";
constexpr std::string_view kLogin = "USER alice@example.org\r\nPASS secret\r\n";

class RecordingObserver final : public mail::DownloadObserver {
 public:
  std::function<void(const mail::DownloadEvent&)> hook;
  std::vector<mail::DownloadEvent> events;
  void on_download(const mail::DownloadEvent& event) override {
    events.push_back(event);
    if (hook) hook(event);
  }
};

// Forwards to a MemoryConnection and records the size of every write, to see how RETR
// splits a message.
class WriteSizeRecorder final : public net::testing::ForwardingConnection {
 public:
  explicit WriteSizeRecorder(MemoryConnection& inner) : ForwardingConnection(inner) {}
  std::vector<size_t> sizes;

  net::awaitable<Result<void>> write(std::string_view data, net::Duration t) override {
    sizes.push_back(data.size());
    return inner_.write(data, t);
  }
};

class Pop3Session : public ::testing::Test {
 protected:
  Pop3Session()
      : runtime_(net::RuntimeOptions{1, 1, net::SignalHandling::none}),
        failures_(auth::FailureLimits{1, 1ms, 2ms}) {
    runtime_.start();
    EXPECT_TRUE(store_.add_domain("example.org"));
    auto hash = auth::hash_password("secret", auth::kArgon2Minimum);
    auto account = store_.create_account("alice@example.org", *hash);
    account_ = *account;
    inbox_ = store_.find_mailbox(account_, "INBOX")->id;
    uid_validity_ = store_.find_mailbox(account_, "INBOX")->uid_validity;
    services_.runtime = &runtime_;
    services_.store = &store_;
    services_.blobs = &blobs_;
    services_.auth_failures = &failures_;
    services_.locks = &locks_;
    services_.downloads = &observer_;
    services_.plaintext = PlaintextAuth::always;
    services_.stls = StlsSupport::available;
  }
  ~Pop3Session() override {
    runtime_.stop();
    runtime_.join();
  }

  Uid add_message(std::string_view bytes) {
    auto ref = blobs_.put(bytes);
    store::NewMessage message;
    message.blob = *ref;
    message.size = bytes.size();
    return store_.append(inbox_, message)->uid;
  }

  // block_on needs a value to hand back.
  static net::awaitable<int> drive(net::Connection* conn, net::SessionContext context,
                                   const Services* services) {
    co_await run_session(*conn, std::move(context), services);
    co_return 0;
  }
  // Runs one session over `conn` to its end and returns everything it wrote.
  std::string run(MemoryConnection& conn, net::Admission admission = net::Admission::accepted) {
    net::SessionContext context{"pop3", admission};
    net::testing::block_on(runtime_, drive(&conn, context, &services_));
    return conn.written();
  }
  // Feeds `input` in pieces of `piece` bytes (0: one chunk), then EOF.
  std::string run(std::string_view input, size_t piece = 0) {
    MemoryConnection conn;
    conn.feed_script(input, piece);
    return run(conn);
  }
  std::vector<Uid> inbox_uids() {
    std::vector<Uid> out;
    auto messages = store_.list_messages(inbox_);
    for (const auto& m : *messages) out.push_back(m.uid);
    return out;
  }
  std::string uidl(Uid uid) { return std::to_string(uid_validity_) + "." + std::to_string(uid); }

  net::Runtime runtime_;
  store::MemoryStore store_;
  blob::MemoryBlobStore blobs_;
  auth::FailureTracker failures_;
  // Cluster mode, as `postamt serve` runs it: "node-a" is this session's node.
  MaildropLocks locks_{ClusterLock{&store_, "node-a", 30s}};
  RecordingObserver observer_;
  Services services_;
  AccountId account_;
  MailboxId inbox_;
  UidValidity uid_validity_ = 0;
};

// RFC 2449 §6 CAPA; RFC 2595 §4 STLS before TLS; RFC 5034 SASL.
TEST_F(Pop3Session, CapaBeforeLogin) {
  EXPECT_EQ(run("CAPA\r\nQUIT\r\n"),
            std::string(kGreeting) +
                "+OK Capability list follows\r\nTOP\r\nUSER\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\n"
                "PIPELINING\r\nUIDL\r\nSTLS\r\nSASL PLAIN LOGIN\r\nIMPLEMENTATION Postamt\r\n.\r\n"
                "+OK Postamt POP3 server signing off\r\n");
}

// auth.plaintext = never over a plaintext connection: no USER, no SASL, and both refused.
TEST_F(Pop3Session, PlaintextRefusedWithoutTls) {
  services_.plaintext = PlaintextAuth::never;
  const std::string refused =
      "-ERR plaintext authentication is not allowed on this connection, use STLS first\r\n";
  EXPECT_EQ(run("CAPA\r\nUSER alice@example.org\r\nPASS secret\r\nAUTH PLAIN AGEAYg==\r\n"),
            std::string(kGreeting) +
                "+OK Capability list follows\r\nTOP\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\n"
                "PIPELINING\r\nUIDL\r\nSTLS\r\nIMPLEMENTATION Postamt\r\n.\r\n" +
                refused + refused + refused);
}

// RFC 1939 §5-7 with byte-stuffing (§3), CRLF conversion and exact sizes (§11).
TEST_F(Pop3Session, RetrieveListAndTopExactBytes) {
  Uid a = add_message("Subject: a\n\n.hidden\nline two\n");
  Uid b = add_message("Subject: b\r\n\r\n\xC3\xA4 8bit\r\n..two\r\nthree");
  const std::string input = std::string(kLogin) +
                            "STAT\r\nLIST\r\nLIST 2\r\nUIDL\r\nUIDL 1\r\nRETR 1\r\nRETR 2\r\n"
                            "TOP 2 1\r\nTOP 1 0\r\nNOOP\r\nQUIT\r\n";
  const std::string expected =
      std::string(kGreeting) + "+OK send PASS\r\n" +
      "+OK alice@example.org has 2 messages (70 octets)\r\n" + "+OK 2 70\r\n" +
      "+OK 2 messages (70 octets)\r\n1 33\r\n2 37\r\n.\r\n" + "+OK 2 37\r\n" +
      "+OK unique-id listing follows\r\n1 " + uidl(a) + "\r\n2 " + uidl(b) + "\r\n.\r\n" +
      "+OK 1 " + uidl(a) + "\r\n" +
      "+OK 33 octets\r\nSubject: a\r\n\r\n..hidden\r\nline two\r\n.\r\n" +
      "+OK 37 octets\r\nSubject: b\r\n\r\n\xC3\xA4 8bit\r\n...two\r\nthree\r\n.\r\n" +
      "+OK top of message follows\r\nSubject: b\r\n\r\n\xC3\xA4 8bit\r\n.\r\n" +
      "+OK top of message follows\r\nSubject: a\r\n\r\n.\r\n" + "+OK\r\n" +
      "+OK Postamt POP3 server signing off (2 messages left)\r\n";
  for (size_t piece : {0, 1, 2, 7}) {
    EXPECT_EQ(run(input, piece), expected) << "piece " << piece;
  }
}

// RETR sends a message larger than SessionLimits::retr_piece_octets in several writes
// of at most that size (plus the status line on the first); the bytes on the wire do
// not change, wherever a piece ends: inside CRLF, after a stuffed dot, before a lone
// CR, inside the terminator; a last line without line end gets its CRLF (RFC 1939 §3).
TEST_F(Pop3Session, RetrInPiecesSendsTheSameBytes) {
  add_message("Subject: a\n\n.x\rb\r\nend");
  const std::string input = std::string(kLogin) + "RETR 1\r\nQUIT\r\n";
  const std::string retr = "+OK 25 octets\r\nSubject: a\r\n\r\n..x\rb\r\nend\r\n.\r\n";
  const std::string expected =
      std::string(kGreeting) +
      "+OK send PASS\r\n+OK alice@example.org has 1 messages (25 octets)\r\n" + retr +
      "+OK Postamt POP3 server signing off (1 messages left)\r\n";
  for (size_t piece : {1, 2, 3, 7, 29, 30, 256 * 1024}) {
    services_.limits.retr_piece_octets = piece;
    MemoryConnection conn;
    conn.feed(input);
    conn.feed_eof();
    WriteSizeRecorder recorder(conn);
    net::SessionContext context{"pop3", net::Admission::accepted};
    net::testing::block_on(runtime_, drive(&recorder, context, &services_));
    EXPECT_EQ(conn.written(), expected) << "piece " << piece;
    // greeting, USER, PASS, then RETR's writes, then QUIT's.
    ASSERT_GE(recorder.sizes.size(), 5u);
    std::vector<size_t> retr_writes(recorder.sizes.begin() + 3, recorder.sizes.end() - 1);
    // The 29 wire octets after the 15-octet status line, in full pieces.
    std::vector<size_t> want{15 + std::min<size_t>(piece, 29)};
    for (size_t left = 29 - std::min<size_t>(piece, 29); left > 0; left -= std::min(piece, left))
      want.push_back(std::min(piece, left));
    EXPECT_EQ(retr_writes, want) << "piece " << piece;
  }
  EXPECT_EQ(observer_.events.size(), 7u);  // one download per RETR
}

// RFC 2449 §6.6 PIPELINING: several commands in one write, answered in order.
TEST_F(Pop3Session, PipelinedCommandsInOneChunk) {
  add_message("S: x\r\n\r\nbody\r\n");
  EXPECT_EQ(run(std::string(kLogin) + "STAT\r\nDELE 1\r\nSTAT\r\nLIST 1\r\nRSET\r\nSTAT\r\n"),
            std::string(kGreeting) +
                "+OK send PASS\r\n+OK alice@example.org has 1 messages (14 octets)\r\n"
                "+OK 1 14\r\n+OK message 1 deleted\r\n+OK 0 0\r\n-ERR message 1 is deleted\r\n"
                "+OK maildrop has 1 messages (14 octets)\r\n+OK 1 14\r\n");
}

// RFC 1939 §6: deletions happen only in UPDATE, atomically; numbers stay stable.
TEST_F(Pop3Session, DeleteOnlyAtQuit) {
  Uid u1 = add_message("A: 1\r\n\r\n");
  Uid u2 = add_message("A: 2\r\n\r\n");
  Uid u3 = add_message("A: 3\r\n\r\n");
  // A dropped connection deletes nothing.
  run(std::string(kLogin) + "DELE 1\r\nDELE 3\r\n");
  EXPECT_EQ(inbox_uids(), (std::vector<Uid>{u1, u2, u3}));
  // RSET clears the marks.
  run(std::string(kLogin) + "DELE 1\r\nRSET\r\nQUIT\r\n");
  EXPECT_EQ(inbox_uids(), (std::vector<Uid>{u1, u2, u3}));
  EXPECT_EQ(run(std::string(kLogin) + "DELE 1\r\nLIST 2\r\nDELE 3\r\nQUIT\r\n"),
            std::string(kGreeting) +
                "+OK send PASS\r\n+OK alice@example.org has 3 messages (24 octets)\r\n"
                "+OK message 1 deleted\r\n+OK 2 8\r\n+OK message 3 deleted\r\n"
                "+OK Postamt POP3 server signing off (1 messages left)\r\n");
  EXPECT_EQ(inbox_uids(), (std::vector<Uid>{u2}));
  EXPECT_FALSE(locks_.is_locked(account_));
}

// RETR sets \Seen for IMAP (at QUIT) and reports the download; TOP does neither.
TEST_F(Pop3Session, RetrMarksSeenAndReportsTheDownload) {
  Uid u1 = add_message("A: 1\r\n\r\n");
  Uid u2 = add_message("A: 2\r\n\r\n");
  run(std::string(kLogin) + "TOP 1 5\r\nRETR 2\r\nQUIT\r\n");
  EXPECT_FALSE(store_.get_message(inbox_, u1)->flags.has(SystemFlag::seen));
  EXPECT_TRUE(store_.get_message(inbox_, u2)->flags.has(SystemFlag::seen));
  ASSERT_EQ(observer_.events.size(), 1u);
  EXPECT_EQ(observer_.events[0].account, account_);
  EXPECT_EQ(observer_.events[0].account_address, "alice@example.org");
  EXPECT_EQ(observer_.events[0].mailbox, inbox_);
  EXPECT_EQ(observer_.events[0].uid, u2);
  EXPECT_EQ(observer_.events[0].kind, mail::DownloadKind::full_message);
}

// \Seen is written once, when the session ends, not per RETR: while the session runs
// the store is untouched; QUIT flags what it retrieved and does not expunge.
TEST_F(Pop3Session, SeenIsSetOnceAtQuitForRetrievedMessagesThatStay) {
  Uid u1 = add_message("A: 1\r\n\r\n");
  Uid u2 = add_message("A: 2\r\n\r\n");
  Uid u3 = add_message("A: 3\r\n\r\n");
  std::vector<bool> seen_during;
  observer_.hook = [&](const mail::DownloadEvent& event) {
    seen_during.push_back(store_.get_message(inbox_, event.uid)->flags.has(SystemFlag::seen));
  };
  run(std::string(kLogin) + "RETR 1\r\nRETR 2\r\nRETR 1\r\nDELE 2\r\nQUIT\r\n");
  EXPECT_EQ(seen_during, (std::vector<bool>{false, false, false}));
  EXPECT_TRUE(store_.get_message(inbox_, u1)->flags.has(SystemFlag::seen));
  EXPECT_FALSE(store_.get_message(inbox_, u2));  // expunged
  EXPECT_FALSE(store_.get_message(inbox_, u3)->flags.has(SystemFlag::seen));
}

// A connection that drops after RETR (no QUIT, so no UPDATE state) still marks what
// it retrieved \Seen, DELE'd messages included since nothing is expunged.
TEST_F(Pop3Session, SeenIsSetWhenTheConnectionDropsAfterRetr) {
  Uid u1 = add_message("A: 1\r\n\r\n");
  Uid u2 = add_message("A: 2\r\n\r\n");
  Uid u3 = add_message("A: 3\r\n\r\n");
  run(std::string(kLogin) + "RETR 1\r\nRETR 3\r\nDELE 3\r\n");
  EXPECT_EQ(inbox_uids(), (std::vector<Uid>{u1, u2, u3}));
  EXPECT_TRUE(store_.get_message(inbox_, u1)->flags.has(SystemFlag::seen));
  EXPECT_FALSE(store_.get_message(inbox_, u2)->flags.has(SystemFlag::seen));
  EXPECT_TRUE(store_.get_message(inbox_, u3)->flags.has(SystemFlag::seen));
}

// An IMAP expunge during the session: the snapshot keeps its numbers; a message whose
// blob is still readable is served, one whose blob is gone gets a clear -ERR.
TEST_F(Pop3Session, ExpungeByAnotherClientDuringTheSession) {
  add_message("A: 1\r\n\r\n");
  Uid u2 = add_message("A: 2\r\n\r\n");
  Uid u3 = add_message("A: 3\r\n\r\n");
  BlobRef blob3 = store_.get_message(inbox_, u3)->blob;
  observer_.hook = [&](const mail::DownloadEvent& event) {
    if (event.uid != 1) return;  // after RETR 1 only
    ASSERT_TRUE(store_.expunge(inbox_, {u2, u3}));
    ASSERT_TRUE(blobs_.remove(blob3));
  };
  EXPECT_EQ(run(std::string(kLogin) + "RETR 1\r\nRETR 2\r\nRETR 3\r\nDELE 2\r\nQUIT\r\n"),
            std::string(kGreeting) +
                "+OK send PASS\r\n+OK alice@example.org has 3 messages (24 octets)\r\n"
                "+OK 8 octets\r\nA: 1\r\n\r\n.\r\n+OK 8 octets\r\nA: 2\r\n\r\n.\r\n"
                "-ERR message 3 is no longer available, another client removed it\r\n"
                "+OK message 2 deleted\r\n"
                "+OK Postamt POP3 server signing off (2 messages left)\r\n");
  EXPECT_EQ(inbox_uids().size(), 1u);
}

// RFC 2449 §8.1.2: a locked maildrop gives [IN-USE]; the session stays in AUTHORIZATION.
TEST_F(Pop3Session, SecondSessionGetsInUse) {
  auto held = locks_.try_lock(account_);
  ASSERT_TRUE(held && *held);
  EXPECT_EQ(run(std::string(kLogin) + "STAT\r\nQUIT\r\n"),
            std::string(kGreeting) +
                "+OK send PASS\r\n-ERR [IN-USE] maildrop is locked by another session\r\n"
                "-ERR command not valid before login\r\n+OK Postamt POP3 server signing off\r\n");
}

// RFC 1939 §8 across nodes: a session on another node over the same store holds the
// maildrop; once it lets go, the login works.
TEST_F(Pop3Session, SessionOnAnotherNodeGivesInUse) {
  MaildropLocks node_b{ClusterLock{&store_, "node-b", 30s}};
  auto held = node_b.try_lock(account_);
  ASSERT_TRUE(held && *held);
  EXPECT_EQ(run(std::string(kLogin) + "QUIT\r\n"),
            std::string(kGreeting) +
                "+OK send PASS\r\n-ERR [IN-USE] maildrop is locked by another session\r\n"
                "+OK Postamt POP3 server signing off\r\n");
  EXPECT_FALSE(locks_.is_locked(account_));
  ASSERT_TRUE((*held)->release());
  EXPECT_EQ(run(std::string(kLogin) + "QUIT\r\n"),
            std::string(kGreeting) +
                "+OK send PASS\r\n+OK alice@example.org has 0 messages (0 octets)\r\n"
                "+OK Postamt POP3 server signing off (maildrop empty)\r\n");
}

// The claim is held for the whole session and released when it ends: at QUIT before
// the +OK (so a client that reconnects at once finds it free), and on a dropped
// connection too.
TEST_F(Pop3Session, SessionHoldsTheClaimUntilItEnds) {
  add_message("A: 1\r\n\r\n");
  const std::string name = MaildropLocks::claim_name(account_);
  std::vector<bool> taken_meanwhile;
  observer_.hook = [&](const mail::DownloadEvent&) {
    auto r = store_.try_claim(name, "node-b", 30s);
    taken_meanwhile.push_back(r && *r);
  };
  run(std::string(kLogin) + "RETR 1\r\nQUIT\r\n");
  EXPECT_EQ(taken_meanwhile, std::vector<bool>{false});
  auto after_quit = store_.try_claim(name, "node-b", 30s);
  ASSERT_TRUE(after_quit);
  EXPECT_TRUE(*after_quit);
  ASSERT_TRUE(store_.release_claim(name, "node-b"));

  run(std::string(kLogin) + "RETR 1\r\n");  // then the connection drops
  EXPECT_EQ(taken_meanwhile, (std::vector<bool>{false, false}));
  auto after_drop = store_.try_claim(name, "node-b", 30s);
  ASSERT_TRUE(after_drop);
  EXPECT_TRUE(*after_drop);
  EXPECT_FALSE(locks_.is_locked(account_));
}

// RFC 3206 §4 [SYS/TEMP]: when the store cannot take the claim, the login fails with a
// temporary error, never a silent success. (A store that refuses the claim: this
// node's owner id is empty, which every store rejects.)
TEST_F(Pop3Session, StoreErrorAtLockGivesSysTemp) {
  MaildropLocks broken{ClusterLock{&store_, "", 30s}};
  services_.locks = &broken;
  EXPECT_EQ(run(std::string(kLogin) + "STAT\r\nQUIT\r\n"),
            std::string(kGreeting) +
                "+OK send PASS\r\n-ERR [SYS/TEMP] cannot lock the maildrop, try again later\r\n"
                "-ERR command not valid before login\r\n+OK Postamt POP3 server signing off\r\n");
}

// RFC 3206 §4 [AUTH]; failures are counted for the delay (auth/failure_tracker.h).
TEST_F(Pop3Session, WrongPasswordAndUnknownUser) {
  EXPECT_EQ(run("PASS x\r\nUSER alice@example.org\r\nPASS wrong\r\nPASS secret\r\n"
                "USER nobody@example.org\r\nPASS secret\r\n"),
            std::string(kGreeting) +
                "-ERR send USER first\r\n+OK send PASS\r\n"
                "-ERR [AUTH] invalid user name or password\r\n-ERR send USER first\r\n"
                "+OK send PASS\r\n-ERR [AUTH] invalid user name or password\r\n");
  EXPECT_EQ(failures_.failures(auth::FailureKey::remote, "192.0.2.10"), 2u);
  EXPECT_EQ(failures_.failures(auth::FailureKey::account, "alice@example.org"), 1u);
  run(std::string(kLogin));
  EXPECT_EQ(failures_.failures(auth::FailureKey::remote, "192.0.2.10"), 0u);
}

// The hardening issue, item 12: a name no account can have ("*", control characters,
// not UTF-8) over USER/PASS and AUTH is a failed login like a wrong password: [AUTH]
// (not [SYS/TEMP], which invites retries), the delay, the fail2ban line, no echo.
TEST_F(Pop3Session, MalformedLoginNamesFailLikeAWrongPassword) {
  constexpr std::string_view failed = "-ERR [AUTH] invalid user name or password\r\n";
  ::testing::internal::CaptureStderr();
  const std::string out =
      run("USER *\r\nPASS secret\r\n"
          "USER alice@example.org\x1B[2J\x7F\r\nPASS secret\r\n"
          "USER al\xFFice@example.org\r\nPASS secret\r\n"
          "AUTH PLAIN ACoAc2VjcmV0\r\n"               // "\0*\0secret"
          "AUTH LOGIN\r\nG1szMW0q\r\nc2VjcmV0\r\n");  // "\x1B[31m*", "secret"
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(out, std::string(kGreeting) + "+OK send PASS\r\n" + std::string(failed) +
                     "+OK send PASS\r\n" + std::string(failed) + "+OK send PASS\r\n" +
                     std::string(failed) + std::string(failed) + "+ VXNlcm5hbWU6\r\n" +
                     "+ UGFzc3dvcmQ6\r\n" + std::string(failed));
  EXPECT_EQ(failures_.failures(auth::FailureKey::remote, "192.0.2.10"), 5u);
  EXPECT_EQ(failures_.failures(auth::FailureKey::account, "*"), 2u);
  for (std::string_view line : {
           "auth failed: service=pop3 user=<*> rip=192.0.2.10 mechanism=USER\n",
           "auth failed: service=pop3 user=<alice@example.org?[2J?> rip=192.0.2.10 "
           "mechanism=USER\n",
           "auth failed: service=pop3 user=<al?ice@example.org> rip=192.0.2.10 mechanism=USER\n",
           "auth failed: service=pop3 user=<*> rip=192.0.2.10 mechanism=PLAIN\n",
           "auth failed: service=pop3 user=<?[31m*> rip=192.0.2.10 mechanism=LOGIN\n",
       })
    EXPECT_NE(log.find(line), std::string::npos) << line << "\nnot in:\n" << log;
  EXPECT_EQ(log.find('\x1B'), std::string::npos) << log;
}

// RFC 5034 §4: AUTH with an initial response, with challenges, "*" cancels.
TEST_F(Pop3Session, SaslPlainAndLogin) {
  // "\0alice@example.org\0secret"
  const std::string plain = "AGFsaWNlQGV4YW1wbGUub3JnAHNlY3JldA==";
  EXPECT_EQ(run("AUTH\r\nAUTH PLAIN " + plain + "\r\nQUIT\r\n"),
            std::string(kGreeting) + "+OK SASL mechanisms follow\r\nPLAIN\r\nLOGIN\r\n.\r\n" +
                "+OK alice@example.org has 0 messages (0 octets)\r\n" +
                "+OK Postamt POP3 server signing off (maildrop empty)\r\n");
  EXPECT_EQ(run("AUTH LOGIN\r\nYWxpY2VAZXhhbXBsZS5vcmc=\r\nc2VjcmV0\r\nSTAT\r\n"),
            std::string(kGreeting) + "+ VXNlcm5hbWU6\r\n+ UGFzc3dvcmQ6\r\n" +
                "+OK alice@example.org has 0 messages (0 octets)\r\n+OK 0 0\r\n");
  EXPECT_EQ(run("AUTH PLAIN\r\n*\r\nAUTH PLAIN\r\n!!\r\nAUTH CRAM-MD5\r\n"
                "AUTH PLAIN AGFsaWNlQGV4YW1wbGUub3JnAHg=\r\n"),
            std::string(kGreeting) + "+ \r\n-ERR authentication cancelled\r\n" +
                "+ \r\n-ERR authentication response is not valid base64\r\n" +
                "-ERR unsupported authentication mechanism\r\n" +
                "-ERR [AUTH] invalid user name or password\r\n");
}

// RFC 2449 §4: 255 octets per command line including CRLF.
TEST_F(Pop3Session, CommandLineLimit) {
  const std::string longest = "USER " + std::string(248, 'u');  // 253 + CRLF = 255
  EXPECT_EQ(run(longest + "\r\n" + longest + "x\r\nQUIT\r\n"),
            std::string(kGreeting) + "+OK send PASS\r\n-ERR command line too long\r\n" +
                "+OK Postamt POP3 server signing off\r\n");
}

// RFC 5034 §4 lets SASL responses exceed 255 octets; SessionLimits bounds them anyway.
TEST_F(Pop3Session, SaslResponseLineLimit) {
  services_.limits.max_sasl_line_octets = 8;
  EXPECT_EQ(run("AUTH PLAIN\r\nAGFsaWNl\r\nAUTH PLAIN\r\nAGFsaWNlQA==\r\nQUIT\r\n"),
            std::string(kGreeting) + "+ \r\n-ERR PLAIN needs two NULs\r\n" +
                "+ \r\n-ERR authentication response too long\r\n" +
                "+OK Postamt POP3 server signing off\r\n");
}

TEST_F(Pop3Session, TooManyBadCommandsCloses) {
  services_.limits.max_bad_commands = 3;
  EXPECT_EQ(run("FOO\r\nRETR 1\r\nLIST x\r\nQUIT\r\n"),
            std::string(kGreeting) + "-ERR Unknown command\r\n" +
                "-ERR command not valid before login\r\n" +
                "-ERR too many bad commands, closing connection\r\n");
}

TEST_F(Pop3Session, RefusedAdmissionAndShutdownAndIdleTimeout) {
  MemoryConnection refused;
  EXPECT_EQ(run(refused, net::Admission::too_many_total),
            "-ERR [SYS/TEMP] too many connections\r\n");

  MemoryConnection stopping;
  stopping.feed("CAPA\r\n");
  stopping.request_shutdown();
  EXPECT_EQ(run(stopping), std::string(kGreeting) + "-ERR [SYS/TEMP] server shutting down\r\n");

  // No EOF: the read times out (RFC 1939 §3 autologout) and nothing is deleted.
  add_message("A: 1\r\n\r\n");
  MemoryConnection idle;
  idle.feed(std::string(kLogin) + "DELE 1\r\n");
  EXPECT_EQ(run(idle), std::string(kGreeting) +
                           "+OK send PASS\r\n+OK alice@example.org has 1 messages (8 octets)\r\n"
                           "+OK message 1 deleted\r\n-ERR autologout: idle for too long\r\n");
  EXPECT_EQ(inbox_uids().size(), 1u);
}

// The login deadline is fixed at connect: CAPA and the like do not move it. A line that
// has begun must end within line_timeout (before login or after).
TEST_F(Pop3Session, LoginDeadlineAndLineDeadline) {
  services_.limits.login_timeout = 1ms;
  MemoryConnection slow;
  slow.feed("CAPA\r\n");
  std::string out = run(slow);
  EXPECT_EQ(out.substr(out.rfind("\r\n-ERR") + 2),
            "-ERR login time exceeded, closing connection\r\n");
  services_.limits.login_timeout = std::chrono::seconds(60);
  services_.limits.line_timeout = 1ms;
  MemoryConnection trickle;
  trickle.feed(std::string(kLogin) + "STA");
  EXPECT_EQ(run(trickle), std::string(kGreeting) +
                              "+OK send PASS\r\n+OK alice@example.org has 0 messages (0 octets)\r\n"
                              "-ERR command line not completed in time, closing connection\r\n");
}

// RFC 2595 §4: STLS, then CAPA without STLS; plaintext pipelined after STLS is dropped.
TEST_F(Pop3Session, StlsUpgradesAndDropsPipelinedPlaintext) {
  services_.plaintext = PlaintextAuth::never;
  MemoryConnection conn;
  conn.feed("STLS\r\nUSER alice@example.org\r\n");
  conn.feed_tls_boundary();
  conn.feed("STLS\r\n" + std::string(kLogin) + "QUIT\r\n");
  conn.feed_eof();
  EXPECT_EQ(run(conn), std::string(kGreeting) + "+OK begin TLS negotiation\r\n" +
                           "-ERR TLS is already active\r\n+OK send PASS\r\n" +
                           "+OK alice@example.org has 0 messages (0 octets)\r\n" +
                           "+OK Postamt POP3 server signing off (maildrop empty)\r\n");
  EXPECT_TRUE(conn.is_tls());

  services_.stls = StlsSupport::unavailable;
  EXPECT_EQ(run("STLS\r\n"), std::string(kGreeting) + "-ERR TLS is not available\r\n");
}

}  // namespace
}  // namespace postamt::pop3
