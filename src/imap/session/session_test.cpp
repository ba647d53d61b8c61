// Session transcripts: greeting, states, login, STARTTLS, limits (RFC 3501 §3, §6.1, §6.2).
// Input goes in whole, in 1-byte and in 7-byte pieces where the split matters.
#include "imap/session/test_fixture.h"

namespace postamt::imap::testing {
namespace {

TEST_F(ImapSession, CapabilityNoopLogout) {
  std::string expected =
      std::string(kGreetingPlain) +
      "* CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ SASL-IR STARTTLS AUTH=PLAIN AUTH=LOGIN\r\n"
      "a OK CAPABILITY completed\r\n"
      "b OK NOOP completed\r\n"
      "* BYE Logging out\r\nc OK LOGOUT completed\r\n";
  std::string input = "a CAPABILITY\r\nb NOOP\r\nc LOGOUT\r\nd NOOP\r\n";
  for (size_t piece : {0, 1, 7}) EXPECT_EQ(run(input, piece), expected) << piece;
}

// RFC 3501 §7.1.5: a refused connection gets BYE as greeting.
TEST_F(ImapSession, AdmissionRefused) {
  MemoryConnection conn;
  EXPECT_EQ(run(conn, net::Admission::too_many_total), "* BYE Too many connections\r\n");
}

TEST_F(ImapSession, LoginWithLiteralsInPieces) {
  std::string input = "a LOGIN {17}\r\nalice@example.org {6}\r\nsecret\r\nb LOGOUT\r\n";
  std::string expected = std::string(kGreetingPlain) +
                         "+ Ready for literal data\r\n+ Ready for literal data\r\n" +
                         std::string(kLoggedIn) + "* BYE Logging out\r\nb OK LOGOUT completed\r\n";
  for (size_t piece : {0, 1, 7}) EXPECT_EQ(run(input, piece), expected) << piece;
}

TEST_F(ImapSession, WrongPasswordIsAuthenticationFailed) {
  EXPECT_EQ(run("a LOGIN alice@example.org wrong\r\nb SELECT INBOX\r\n"),
            std::string(kGreetingPlain) +
                "a NO [AUTHENTICATIONFAILED] Authentication failed\r\nb BAD Log in first\r\n");
}

// RFC 3501 §6.2.3 / RFC 8314: without TLS and with plaintext refused, LOGINDISABLED
// and no plaintext mechanisms; LOGIN and AUTHENTICATE PLAIN get PRIVACYREQUIRED.
TEST_F(ImapSession, PlaintextRefusedWithoutTls) {
  services_.plaintext = PlaintextAuth::never;
  EXPECT_EQ(
      run("a LOGIN alice@example.org secret\r\nb AUTHENTICATE PLAIN\r\n"),
      "* OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ SASL-IR STARTTLS LOGINDISABLED] Postamt IMAP "
      "server ready\r\n"
      "a NO [PRIVACYREQUIRED] Plaintext authentication is not allowed without TLS\r\n"
      "b NO [PRIVACYREQUIRED] Plaintext authentication is not allowed without TLS\r\n");
}

// RFC 4959 SASL-IR: the initial response on the command line.
TEST_F(ImapSession, AuthenticatePlainWithInitialResponse) {
  // base64("\0alice@example.org\0secret")
  std::string out = run("a AUTHENTICATE PLAIN AGFsaWNlQGV4YW1wbGUub3JnAHNlY3JldA==\r\n");
  EXPECT_EQ(out, std::string(kGreetingPlain) + std::string(kLoggedIn));
}

// RFC 3501 §6.2.2: challenges as "+ base64", "*" cancels with BAD.
TEST_F(ImapSession, AuthenticateLoginAndCancel) {
  std::string input = "a AUTHENTICATE LOGIN\r\nYWxpY2VAZXhhbXBsZS5vcmc=\r\nc2VjcmV0\r\n";
  std::string expected =
      std::string(kGreetingPlain) + "+ VXNlcm5hbWU6\r\n+ UGFzc3dvcmQ6\r\n" + std::string(kLoggedIn);
  for (size_t piece : {0, 1, 7}) EXPECT_EQ(run(input, piece), expected) << piece;
  EXPECT_EQ(run("x AUTHENTICATE PLAIN\r\n*\r\n"),
            std::string(kGreetingPlain) + "+ \r\nx BAD Authentication cancelled\r\n");
}

// RFC 3501 §6.2.1: bytes pipelined after STARTTLS are dropped, not executed.
TEST_F(ImapSession, StartTlsDropsPipelinedBytes) {
  MemoryConnection conn;
  conn.feed("a STARTTLS\r\nb LOGIN alice@example.org secret\r\n");
  conn.feed_tls_boundary();
  conn.feed("c CAPABILITY\r\n");
  conn.feed_eof();
  EXPECT_EQ(run(conn),
            std::string(kGreetingPlain) +
                "a OK Begin TLS negotiation now\r\n"
                "* CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ SASL-IR AUTH=PLAIN AUTH=LOGIN\r\n"
                "c OK CAPABILITY completed\r\n");
}

// The reader refuses a literal over the unauthenticated limit before any "+".
TEST_F(ImapSession, LiteralLimitBeforeLogin) {
  services_.limits.unauthenticated.max_literal = 10;
  EXPECT_EQ(run("a LOGIN {11}\r\nb NOOP\r\n"),
            std::string(kGreetingPlain) + "a BAD Literal too large\r\nb OK NOOP completed\r\n");
}

// After login the authenticated limits apply (from the command after LOGIN on). An
// APPENDed message over the limit is NO [TOOBIG] (RFC 7889 §4), synchronising or not;
// STATUS and LIST report the limit as APPENDLIMIT (§3).
TEST_F(ImapSession, LiteralLimitAfterLogin) {
  services_.limits.authenticated.max_literal = 20;
  // The LOGIN answer announces the limit (RFC 7889 §2).
  auto after_capability = [&](const std::string& input) {
    std::string out = run("a LOGIN alice@example.org secret\r\n" + input);
    const std::string login = "APPENDLIMIT=20 BINARY";
    EXPECT_NE(out.find(login), std::string::npos) << out;
    size_t end = out.find("Logged in\r\n");
    return end == std::string::npos ? out : out.substr(end + 11);
  };
  std::string out = after_capability("b CREATE {21}\r\nc CREATE {4}\r\nabcd\r\n");
  EXPECT_EQ(out, "b BAD Literal too large\r\n+ Ready for literal data\r\n" +
                     created("c", validity_of("abcd")));
  EXPECT_EQ(
      after_capability("b APPEND INBOX {21}\r\nc APPEND INBOX {22+}\r\n" + std::string(22, 'x') +
                       "\r\nd STATUS INBOX (APPENDLIMIT MESSAGES)\r\n"
                       "e LIST \"\" INBOX RETURN (STATUS (APPENDLIMIT))\r\n"),
      "b NO [TOOBIG] Message too large\r\nc NO [TOOBIG] Message too large\r\n"
      "* STATUS INBOX (APPENDLIMIT 20 MESSAGES 0)\r\nd OK STATUS completed\r\n"
      "* LIST (\\HasNoChildren) \"/\" INBOX\r\n* STATUS INBOX (APPENDLIMIT 20)\r\n"
      "e OK LIST completed\r\n");
  // A non-synchronising message too large even to read and drop ends the session
  // (RFC 7888 §4), still with TOOBIG for the APPEND.
  services_.limits.authenticated.max_discard = 30;
  EXPECT_EQ(after_capability("b APPEND INBOX {40+}\r\n" + std::string(40, 'x') + "\r\nc NOOP\r\n"),
            "b NO [TOOBIG] Message too large\r\n* BYE Literal too large\r\n");
  EXPECT_TRUE(store_.list_messages(inbox_)->empty());
}

TEST_F(ImapSession, BadCommandLimitCloses) {
  services_.limits.max_bad_commands = 3;
  EXPECT_EQ(run("a FOO\r\nb SELECT INBOX\r\nc BAR\r\nd NOOP\r\n"),
            std::string(kGreetingPlain) +
                "a BAD Unknown command FOO\r\nb BAD Log in first\r\n"
                "c BAD Unknown command BAR\r\n* BYE Too many invalid commands\r\n");
}

// RFC 3501 §5.4: autologout (MemoryConnection times out at once when input ends).
TEST_F(ImapSession, IdleTimeoutSaysBye) {
  MemoryConnection conn;
  conn.feed("a LOGIN alice@example.org secret\r\nb NOOP\r\n");
  EXPECT_EQ(run(conn), std::string(kGreetingPlain) + std::string(kLoggedIn) +
                           "b OK NOOP completed\r\n* BYE Autologout; idle for too long\r\n");
}

// Before login the wait ends at the login deadline, which NOOP and CAPABILITY do not
// move: a connection cannot be held open without logging in.
TEST_F(ImapSession, LoginDeadlineIsNotExtendedByCommands) {
  services_.limits.login_timeout = 1ms;
  MemoryConnection conn;
  conn.feed("a NOOP\r\n");
  EXPECT_EQ(run(conn),
            std::string(kGreetingPlain) + "a OK NOOP completed\r\n* BYE Login time exceeded\r\n");
}

// A command line that has begun must end within line_timeout, logged in or not.
TEST_F(ImapSession, UnfinishedLineEndsTheConnection) {
  services_.limits.line_timeout = 1ms;
  MemoryConnection before;
  before.feed("a LOGIN alice@exa");
  EXPECT_EQ(run(before),
            std::string(kGreetingPlain) + "* BYE Command line not completed in time\r\n");
  MemoryConnection after;
  after.feed("a LOGIN alice@example.org secret\r\nb SELECT IN");
  EXPECT_EQ(run(after), std::string(kGreetingPlain) + std::string(kLoggedIn) +
                            "* BYE Command line not completed in time\r\n");
  // Literal octets are not a line: waiting for them is the idle timeout's business.
  MemoryConnection literal;
  literal.feed("a LOGIN alice@example.org secret\r\nb APPEND INBOX {10}\r\nab");
  EXPECT_EQ(run(literal),
            std::string(kGreetingPlain) + std::string(kLoggedIn) +
                "+ Ready for literal data\r\n* BYE Autologout; idle for too long\r\n");
}

TEST_F(ImapSession, ShutdownSaysBye) {
  MemoryConnection conn;
  conn.request_shutdown();
  EXPECT_EQ(run(conn), std::string(kGreetingPlain) + "* BYE Server shutting down\r\n");
}

TEST_F(ImapSession, WrongStateAfterLogin) {
  EXPECT_EQ(after_login("b CLOSE\r\nc LOGIN x y\r\n"),
            "b BAD Command not valid in this state\r\nc BAD Command not valid in this state\r\n");
}

}  // namespace
}  // namespace postamt::imap::testing
