// Shared fixture for the transcript tests: a MemoryStore with alice@example.org
// (password "secret"), a MemoryBlobStore, and run() which plays the client's bytes
// into one session and returns everything the server wrote.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "auth/password.h"
#include "blob/memory_blob_store.h"
#include "imap/proto/parse_command.h"
#include "imap/session/dispatch.h"
#include "imap/session/session.h"
#include "net/testing/memory_connection.h"
#include "net/testing/run.h"
#include "store/memory/memory_store.h"

namespace postamt::imap::testing {

using namespace std::chrono_literals;
using net::testing::MemoryConnection;

inline constexpr std::string_view kGreetingPlain =
    "* OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ SASL-IR STARTTLS AUTH=PLAIN AUTH=LOGIN] Postamt "
    "IMAP server ready\r\n";
inline constexpr std::string_view kLoggedIn =
    "a OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ APPENDLIMIT=67108864 BINARY CATENATE CHILDREN "
    "COMPRESS=DEFLATE CONDSTORE CONTEXT=SEARCH CONTEXT=SORT CREATE-SPECIAL-USE ENABLE ESEARCH "
    "ESORT "
    "ID IDLE LIST-EXTENDED LIST-STATUS METADATA METADATA-SERVER MOVE MULTIAPPEND NAMESPACE NOTIFY "
    "OBJECTID "
    "PREVIEW "
    "QRESYNC QUOTA QUOTA=RES-MESSAGE QUOTA=RES-STORAGE SAVEDATE SEARCHRES SORT SORT=DISPLAY "
    "SPECIAL-USE STATUS=SIZE THREAD=ORDEREDSUBJECT THREAD=REFERENCES UIDPLUS UNSELECT "
    "UTF8=ACCEPT] Logged in\r\n";

class ImapSession : public ::testing::Test {
 protected:
  ImapSession()
      : runtime_(net::RuntimeOptions{1, 1, net::SignalHandling::none}),
        failures_(auth::FailureLimits{1, 1ms, 2ms}) {
    runtime_.start();
    EXPECT_TRUE(store_.add_domain("example.org"));
    auto hash = auth::hash_password("secret", auth::kArgon2Minimum);
    account_ = *store_.create_account("alice@example.org", *hash);
    inbox_ = store_.find_mailbox(account_, "INBOX")->id;
    services_.runtime = &runtime_;
    services_.store = &store_;
    services_.blobs = &blobs_;
    services_.auth_failures = &failures_;
    services_.plaintext = PlaintextAuth::always;
    services_.starttls = StartTlsSupport::available;
  }
  ~ImapSession() override {
    runtime_.stop();
    runtime_.join();
  }

  Uid add_message(std::string_view bytes, SystemFlags flags = {}) {
    auto ref = blobs_.put(bytes);
    store::NewMessage message;
    message.blob = *ref;
    message.size = bytes.size();
    message.flags = flags;
    return store_.append(inbox_, message)->uid;
  }

  static net::awaitable<int> drive(MemoryConnection* conn, net::SessionContext context,
                                   const Services* services) {
    co_await run_session(*conn, std::move(context), services);
    co_return 0;
  }
  std::string run(MemoryConnection& conn, net::Admission admission = net::Admission::accepted) {
    if (!keep_recent_) settle_recent();
    net::SessionContext context{"imap", admission};
    net::testing::block_on(runtime_, drive(&conn, context, &services_));
    return conn.written();
  }
  // Messages stored before a session count as seen by an earlier session: no \Recent
  // (RFC 3501 §2.3.2) unless a test sets keep_recent_ to look at it.
  void settle_recent() {
    auto mailboxes = store_.list_mailboxes(account_);
    ASSERT_TRUE(mailboxes);
    for (const auto& m : *mailboxes)
      if (m.uid_next > 1) {
        EXPECT_TRUE(store_.claim_recent(m.id, m.uid_next - 1));
      }
  }
  bool keep_recent_ = false;
  // Feeds `input` in pieces of `piece` bytes (0: one chunk), then EOF.
  std::string run(std::string_view input, size_t piece = 0) {
    MemoryConnection conn;
    conn.feed_script(input, piece);
    return run(conn);
  }
  // Everything after the greeting and the LOGIN answer, for "a LOGIN ..." + input.
  std::string after_login(std::string_view input, size_t piece = 0) {
    std::string all = run("a LOGIN alice@example.org secret\r\n" + std::string(input), piece);
    std::string prefix = std::string(kGreetingPlain) + std::string(kLoggedIn);
    EXPECT_EQ(all.substr(0, prefix.size()), prefix);
    return all.size() >= prefix.size() ? all.substr(prefix.size()) : all;
  }
  // The last `tail.size()` bytes of `out` (all of it when shorter), to compare with the
  // expected end of a transcript.
  static std::string ending(const std::string& out, std::string_view tail) {
    return out.size() >= tail.size() ? out.substr(out.size() - tail.size()) : out;
  }
  UidValidity inbox_validity() { return store_.get_mailbox(inbox_)->uid_validity; }
  UidValidity validity_of(std::string_view name) {
    auto box = store_.find_mailbox(account_, name);
    EXPECT_TRUE(box) << name;
    return box ? box->uid_validity : 0;
  }
  // A successful CREATE's answer (RFC 8474 §4.1) for a mailbox of that UIDVALIDITY.
  static std::string created(std::string_view tag, UidValidity validity) {
    return std::string(tag) + " OK [MAILBOXID (F" + std::to_string(validity) +
           ")] CREATE completed\r\n";
  }
  // The stored bytes of INBOX's messages, by uid.
  std::vector<std::string> inbox_bytes() {
    std::vector<std::string> out;
    auto messages = store_.list_messages(inbox_);
    for (const auto& m : *messages) out.push_back(*blobs_.get(m.blob));
    return out;
  }

  // One session of alice driven command by command through the dispatcher (dispatch.h),
  // so that the store can change between two commands (another session's work). Returns
  // each command's responses as written.
  struct Driver {
    explicit Driver(ImapSession& t) : test(t), account{t.account_, "alice@example.org"} {
      t.settle_recent();
    }
    std::string operator()(std::string_view line) {
      auto parsed = proto::parse_command(line);
      EXPECT_TRUE(parsed.ok()) << line;
      if (!parsed.ok()) return "";
      CommandContext ctx{test.store_, test.blobs_, account, selected, enabled, parsed->tag};
      Reply reply = run_handler(ctx, parsed->body);
      std::string out;
      for (;;) {
        for (const auto& r : reply.untagged) proto::encode(r, {}, out);
        if (!reply.next) break;
        reply = reply.next();
      }
      proto::encode(proto::StatusResponse{parsed->tag, reply.condition, reply.code, reply.text}, {},
                    out);
      return out;
    }
    ImapSession& test;
    store::Account account;
    std::optional<SelectedMailbox> selected;
    Enabled enabled;
  };

  net::Runtime runtime_;
  store::MemoryStore store_;
  blob::MemoryBlobStore blobs_;
  auth::FailureTracker failures_;
  Services services_;
  AccountId account_;
  MailboxId inbox_;
};

}  // namespace postamt::imap::testing
