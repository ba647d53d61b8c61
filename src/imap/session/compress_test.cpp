// COMPRESS=DEFLATE (RFC 4978) transcripts: the OK goes out plain, everything after it
// compressed both ways; the refusals of §3; a client that pipelines after COMPRESS; and
// a client whose compressed data is corrupt.
#include <zlib.h>

#include "imap/session/test_fixture.h"

namespace postamt::imap::testing {
namespace {

// A client's compressor: raw DEFLATE, sync flush after each command batch.
class ClientDeflate {
 public:
  ClientDeflate() { EXPECT_EQ(deflateInit2(&z_, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK); }
  ~ClientDeflate() { deflateEnd(&z_); }
  std::string operator()(std::string_view plain) {
    std::string out(plain.size() + 1024, '\0');
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
    z_.avail_in = static_cast<uInt>(plain.size());
    z_.next_out = reinterpret_cast<Bytef*>(out.data());
    z_.avail_out = static_cast<uInt>(out.size());
    EXPECT_EQ(::deflate(&z_, Z_SYNC_FLUSH), Z_OK);
    out.resize(static_cast<size_t>(reinterpret_cast<char*>(z_.next_out) - out.data()));
    return out;
  }

 private:
  z_stream z_{};
};

std::string inflate_raw(std::string_view compressed) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, -15), Z_OK);
  std::string out;
  std::string buffer(65536, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  z.avail_in = static_cast<uInt>(compressed.size());
  int rc = Z_OK;
  do {
    z.next_out = reinterpret_cast<Bytef*>(buffer.data());
    z.avail_out = static_cast<uInt>(buffer.size());
    rc = ::inflate(&z, Z_SYNC_FLUSH);
    out.append(buffer.data(), buffer.size() - z.avail_out);
  } while (rc == Z_OK && (z.avail_in > 0 || z.avail_out == 0));
  inflateEnd(&z);
  return out;
}

constexpr std::string_view kActive = "b OK DEFLATE active\r\n";

class ImapCompress : public ImapSession {
 protected:
  // What the server writes before compression starts.
  static std::string plain_part() {
    std::string out(kGreetingPlain);
    out.append(kLoggedIn).append(kActive);
    return out;
  }
  // Logs in, sends "b COMPRESS DEFLATE", then `commands` compressed; returns what came
  // after the OK, decompressed.
  std::string compressed_session(std::string_view commands) {
    MemoryConnection conn;
    conn.feed("a LOGIN alice@example.org secret\r\nb COMPRESS DEFLATE\r\n");
    ClientDeflate deflate;
    conn.feed(deflate(commands));
    conn.feed_eof();
    std::string out = run(conn);
    std::string prefix = plain_part();
    EXPECT_EQ(out.substr(0, prefix.size()), prefix);
    return inflate_raw(out.substr(std::min(prefix.size(), out.size())));
  }
};

TEST_F(ImapCompress, EverythingAfterTheOkIsCompressed) {
  add_message("Subject: hi\r\n\r\nhello\r\n");
  ModSeq highest = store_.get_mailbox(inbox_)->highest_modseq;
  EXPECT_EQ(
      compressed_session("c SELECT INBOX\r\nd FETCH 1 (BODY[TEXT])\r\ne LOGOUT\r\n"),
      "* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $MDNSent)\r\n"
      "* OK [PERMANENTFLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $MDNSent \\*)] "
      "Flags permitted\r\n* 1 EXISTS\r\n* 0 RECENT\r\n* OK [UNSEEN 1] First unseen message\r\n"
      "* OK [UIDVALIDITY " +
          std::to_string(inbox_validity()) +
          "] UIDs valid\r\n* OK [UIDNEXT 2] Predicted next UID\r\n"
          "* OK [HIGHESTMODSEQ " +
          std::to_string(highest) + "] Highest\r\n* OK [MAILBOXID (F" +
          std::to_string(inbox_validity()) +
          ")] Mailbox id\r\nc OK [READ-WRITE] SELECT completed\r\n"
          "* 1 FETCH (BODY[TEXT] {7}\r\nhello\r\n FLAGS (\\Seen))\r\nd OK FETCH completed\r\n"
          "* BYE Logging out\r\ne OK LOGOUT completed\r\n");
}

// §3: a second COMPRESS is BAD (compressed, since the first is on).
TEST_F(ImapCompress, SecondCompressIsBad) {
  EXPECT_EQ(compressed_session("c COMPRESS DEFLATE\r\nd NOOP\r\n"),
            "c BAD DEFLATE is already active\r\nd OK NOOP completed\r\n");
}

// §3: another mechanism is BAD; before login COMPRESS is not valid (command-auth); a
// command pipelined after COMPRESS gets it refused, and stays plain.
TEST_F(ImapCompress, Refusals) {
  EXPECT_EQ(after_login("b COMPRESS X-LZ4\r\nc NOOP\r\n"),
            "b BAD Unknown compression mechanism\r\nc OK NOOP completed\r\n");
  EXPECT_EQ(run("a COMPRESS DEFLATE\r\n"), std::string(kGreetingPlain) + "a BAD Log in first\r\n");
  EXPECT_EQ(after_login("b COMPRESS DEFLATE\r\nc NOOP\r\n"),
            "b BAD Commands sent after COMPRESS before its answer\r\nc OK NOOP completed\r\n");
}

// Data that is not DEFLATE ends the session with a BYE, which is still compressed (our
// direction works); no EOF follows, so only the bad data can have ended it.
TEST_F(ImapCompress, CorruptDataEndsTheSession) {
  MemoryConnection conn;
  conn.feed("a LOGIN alice@example.org secret\r\nb COMPRESS DEFLATE\r\n");
  conn.feed("c NOOP\r\n");  // plain text where DEFLATE must be
  std::string out = run(conn);
  std::string prefix = plain_part();
  ASSERT_EQ(out.substr(0, prefix.size()), prefix);
  EXPECT_EQ(inflate_raw(out.substr(prefix.size())), "* BYE Compressed data could not be read\r\n");
}

}  // namespace
}  // namespace postamt::imap::testing
