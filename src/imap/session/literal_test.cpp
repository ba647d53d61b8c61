// Literals and the memory a command may hold: an APPEND literal over the inline limit is
// streamed into the blob store, never held whole; a large literal of any other command
// is refused (RFC 7888 §4); all sessions' commands together stay within the memory
// budget; one account gets a limited number of sessions per address.
#include <fmt/format.h>

#include "imap/session/test_fixture.h"
#include "mime/line_endings.h"

namespace postamt::imap::testing {
namespace {

class ImapLiterals : public ImapSession {
 protected:
  ImapLiterals() {
    services_.limits.authenticated.max_inline_literal = 1024;
    services_.limits.authenticated.max_command = 4096;
  }
  static constexpr std::string_view kLogin = "a LOGIN alice@example.org secret\r\n";
};

std::string big_message(size_t lines) {
  std::string out = "Subject: big\n\n";
  for (size_t i = 0; i < lines; ++i) out += fmt::format("line {:06}\n", i);
  return out;
}

// The message arrives with bare LFs in any pieces; the stored bytes are its CRLF form.
TEST_F(ImapLiterals, AppendOverTheInlineLimitIsStreamedIntoTheBlobStore) {
  const std::string message = big_message(500);  // 6 000 octets, LF only
  const std::string crlf = mime::to_crlf(message);
  for (size_t piece : {0u, 1u, 7u, 1000u}) {
    SCOPED_TRACE(piece);
    std::string out = run(std::string(kLogin) +
                              fmt::format("b APPEND INBOX (\\Seen) {{{}}}\r\n", message.size()) +
                              message + "\r\nc NOOP\r\n",
                          piece);
    EXPECT_NE(out.find("+ Ready for literal data\r\n"), std::string::npos) << out;
    EXPECT_NE(out.find(fmt::format("b OK [APPENDUID {} ", inbox_validity())), std::string::npos)
        << out;
    EXPECT_NE(out.find("c OK NOOP completed\r\n"), std::string::npos) << out;
    EXPECT_EQ(inbox_bytes().back(), crlf);
    EXPECT_TRUE(store_.list_messages(inbox_)->back().flags.has(SystemFlag::seen));
  }
  // LITERAL+ (no continuation) is streamed the same way.
  std::string out = run(std::string(kLogin) +
                        fmt::format("b APPEND INBOX ~{{{}+}}\r\n", crlf.size()) + crlf + "\r\n");
  EXPECT_EQ(out.find("+ Ready"), std::string::npos);
  EXPECT_NE(out.find("b OK [APPENDUID"), std::string::npos) << out;
  EXPECT_EQ(inbox_bytes().size(), 5u);
  EXPECT_EQ(inbox_bytes().back(), crlf);
}

// Only APPEND's message may be large; every other command, and anything before login,
// gets "Literal too large" and the session goes on.
TEST_F(ImapLiterals, LargeLiteralsOfOtherCommandsAreRefused) {
  const std::string big(2000, 'x');
  std::string out = run(std::string(kLogin) + "b SEARCH TEXT {2000}\r\nc SEARCH TEXT {2000+}\r\n" +
                        big + "\r\nd NOOP\r\n");
  EXPECT_EQ(ending(out,
                   "b BAD Literal too large\r\nc BAD Literal too large\r\nd OK NOOP "
                   "completed\r\n"),
            "b BAD Literal too large\r\nc BAD Literal too large\r\nd OK NOOP completed\r\n");
  // Before login the limits are smaller still, and APPEND is no exception.
  out = run("a APPEND INBOX {9000}\r\nb NOOP\r\n");
  EXPECT_EQ(ending(out, "a BAD Literal too large\r\nb OK NOOP completed\r\n"),
            "a BAD Literal too large\r\nb OK NOOP completed\r\n");
  // A command cannot pile up inline literals past max_command.
  std::string many = std::string(kLogin) + "b SEARCH";
  for (int i = 0; i < 8; ++i) many += " TEXT {1000+}\r\n" + std::string(1000, 'y');
  out = run(many + "\r\nc NOOP\r\n");
  EXPECT_EQ(ending(out, "b BAD Command too large\r\nc OK NOOP completed\r\n"),
            "b BAD Command too large\r\nc OK NOOP completed\r\n");
  EXPECT_TRUE(store_.list_messages(inbox_)->empty());
}

// A failing blob store during the stream: the octets are still read (the client is
// not left mid-literal), the APPEND gets NO, and nothing is stored.
class FailingWrites final : public blob::BlobStore {
 public:
  explicit FailingWrites(blob::BlobStore& inner) : inner_(inner) {}
  Result<std::unique_ptr<blob::BlobWriter>> begin_put() override {
    return Error{ErrorKind::io, "no space left on device"};
  }
  Result<BlobRef> put(std::string_view) override {
    return Error{ErrorKind::io, "no space left on device"};
  }
  Result<std::string> get(const BlobRef& ref) override { return inner_.get(ref); }
  Result<blob::BlobView> open(const BlobRef& ref) override { return inner_.open(ref); }
  Result<bool> exists(const BlobRef& ref) override { return inner_.exists(ref); }
  Result<blob::BlobInfo> info(const BlobRef& ref) override { return inner_.info(ref); }
  Result<void> remove(const BlobRef& ref) override { return inner_.remove(ref); }
  Result<std::vector<blob::BlobInfo>> list() override { return inner_.list(); }
  Result<size_t> remove_stale_temporaries(std::chrono::system_clock::time_point t) override {
    return inner_.remove_stale_temporaries(t);
  }

 private:
  blob::BlobStore& inner_;
};

TEST_F(ImapLiterals, AStreamThatCannotBeStoredIsAnsweredNo) {
  FailingWrites failing(blobs_);
  services_.blobs = &failing;
  const std::string message = big_message(300);
  std::string out =
      run(std::string(kLogin) + fmt::format("b APPEND INBOX {{{}+}}\r\n", message.size()) +
          message + "\r\nc NOOP\r\n");
  EXPECT_EQ(ending(out,
                   "b NO [UNAVAILABLE] Temporary failure, try again later\r\nc OK NOOP "
                   "completed\r\n"),
            "b NO [UNAVAILABLE] Temporary failure, try again later\r\nc OK NOOP completed\r\n");
  EXPECT_TRUE(store_.list_messages(inbox_)->empty());
}

// All sessions together stay within the command memory budget: the session whose
// command would pass it says BYE.
TEST_F(ImapLiterals, MemoryBudgetEndsTheSessionThatWouldPassIt) {
  net::MemoryBudget budget(2000, 0);
  services_.command_memory = &budget;
  std::string out = run(std::string(kLogin) + "b SEARCH TEXT {1000+}\r\n" + std::string(1000, 'z') +
                        " TEXT {1000+}\r\n" + std::string(1000, 'z') + "\r\n");
  EXPECT_EQ(ending(out, "* BYE Server busy, try again later\r\n"),
            "* BYE Server busy, try again later\r\n");
  EXPECT_EQ(budget.used(), 0u);  // given back when the session ended
}

TEST_F(ImapLiterals, SessionsPerUserAndAddressAreLimited) {
  mail::ConnectionsPerUser per_user(1);
  services_.user_connections = &per_user;
  auto held = per_user.try_acquire(account_, "192.0.2.10");  // another session of alice
  ASSERT_TRUE(held);
  EXPECT_EQ(run(std::string(kLogin) + "b NOOP\r\n"),
            std::string(kGreetingPlain) +
                "a NO [UNAVAILABLE] Too many connections of this user from this address\r\n"
                "b OK NOOP completed\r\n");
  held.reset();
  EXPECT_EQ(run(std::string(kLogin)), std::string(kGreetingPlain) + std::string(kLoggedIn));
  // The place is given back when a session ends.
  EXPECT_TRUE(per_user.try_acquire(account_, "192.0.2.10"));
}

}  // namespace
}  // namespace postamt::imap::testing
