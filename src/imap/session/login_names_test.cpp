// Transcripts for login names: a name no account can have is a failed login like a
// wrong password (the hardening issue, item 12); error texts that quote a client are
// bounded and escaped.
#include <string>
#include <vector>

#include "imap/session/test_fixture.h"

namespace postamt::imap::testing {
namespace {

constexpr std::string_view kAuthFailed = "NO [AUTHENTICATIONFAILED] Authentication failed\r\n";

// LOGIN and AUTHENTICATE PLAIN/LOGIN with names no account can have: "*", control
// characters, 7000 octets, not UTF-8. Each is answered, delayed, counted and logged as a
// wrong password is, and no byte of the name comes back.
TEST_F(ImapSession, MalformedLoginNamesFailLikeAWrongPassword) {
  const std::string long_name = "\x1B[2J\x7F" + std::string(6995, 'A');
  const std::string input =
      "a LOGIN \"*\" secret\r\n"
      "b LOGIN {7000}\r\n" +
      long_name +
      " secret\r\n"
      // "\0alice@example.org\x1B[2J\0secret"
      "c AUTHENTICATE PLAIN AGFsaWNlQGV4YW1wbGUub3JnG1sySgBzZWNyZXQ=\r\n"
      // "\0al\xFFice@example.org\0secret"
      "d AUTHENTICATE PLAIN AGFs/2ljZUBleGFtcGxlLm9yZwBzZWNyZXQ=\r\n"
      // "\x1B[31m*", then "secret"
      "e AUTHENTICATE LOGIN\r\nG1szMW0q\r\nc2VjcmV0\r\n"
      "f LOGIN alice@example.org wrong\r\n";
  ::testing::internal::CaptureStderr();
  const std::string out = run(input);
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(out, std::string(kGreetingPlain) + "a " + std::string(kAuthFailed) +
                     "+ Ready for literal data\r\nb " + std::string(kAuthFailed) + "c " +
                     std::string(kAuthFailed) + "d " + std::string(kAuthFailed) +
                     "+ VXNlcm5hbWU6\r\n+ UGFzc3dvcmQ6\r\ne " + std::string(kAuthFailed) + "f " +
                     std::string(kAuthFailed));
  EXPECT_EQ(failures_.failures(auth::FailureKey::remote, "192.0.2.10"), 6u);
  EXPECT_EQ(failures_.failures(auth::FailureKey::account, "*"), 1u);
  const std::string cut_name = "?[2J?" + std::string(59, 'A') + "...";
  for (const std::string& line : std::vector<std::string>{
           "auth failed: service=imap user=<*> rip=192.0.2.10 mechanism=LOGIN\n",
           "auth failed: service=imap user=<" + cut_name + "> rip=192.0.2.10 mechanism=LOGIN\n",
           "auth failed: service=imap user=<alice@example.org?[2J> rip=192.0.2.10 "
           "mechanism=PLAIN\n",
           "auth failed: service=imap user=<al?ice@example.org> rip=192.0.2.10 mechanism=PLAIN\n",
           "auth failed: service=imap user=<?[31m*> rip=192.0.2.10 mechanism=LOGIN\n",
           "auth failed: service=imap user=<alice@example.org> rip=192.0.2.10 mechanism=LOGIN\n",
       })
    EXPECT_NE(log.find(line), std::string::npos) << line << "\nnot in:\n" << log;
  EXPECT_EQ(log.find('\x1B'), std::string::npos) << log;
  EXPECT_EQ(log.find('\x7F'), std::string::npos) << log;
}

// Words a client sends that an error text quotes are cut to 32 octets (atoms hold no
// control characters; the encoder would escape them).
TEST_F(ImapSession, QuotedWordsAreCut) {
  add_message("Subject: x\r\n\r\nbody\r\n");
  const std::string word(100, 'W');
  const std::string out =
      after_login("b STATUS INBOX (" + word + ")\r\nc SELECT INBOX\r\n" + "d STORE 1 +FLAGS (\\" +
                  word + ")\r\n" + "e CREATE x (USE (\\" + word + "))\r\n");
  const std::string head = "b BAD STATUS: unknown status item " + std::string(32, 'W') + "\r\n";
  EXPECT_EQ(out.substr(0, head.size()), head);
  const std::string tail = "d BAD Flag \\" + std::string(31, 'W') + " cannot be stored\r\n" +
                           "e NO [USEATTR] Unsupported special-use attribute \\" +
                           std::string(31, 'W') + "\r\n";
  EXPECT_EQ(ending(out, tail), tail);
}

}  // namespace
}  // namespace postamt::imap::testing
