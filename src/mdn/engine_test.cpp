#include "mdn/engine.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "blob/memory_blob_store.h"
#include "delivery/testing/recording_queue.h"
#include "mime/message_id.h"
#include "store/api/receipt_rules.h"
#include "store/memory/memory_store.h"

namespace postamt::mdn {
namespace {

using namespace std::chrono_literals;

std::string original(std::string_view requester, std::string_view return_path,
                     std::string_view message_id = "<plans@remote.test>") {
  return "Return-Path: <" + std::string(return_path) +
         ">\r\n"
         "From: Carol <carol@remote.test>\r\nTo: bob@example.org\r\nSubject: Plans\r\n"
         "Message-ID: " +
         std::string(message_id) +
         "\r\n"
         "Disposition-Notification-To: <" +
         std::string(requester) + ">\r\n\r\nHello\r\n";
}

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.add_domain("example.org"));
    bob_ = *store_.create_account("bob@example.org", "h");
    alice_ = *store_.create_account("alice@example.org", "h");
    inbox_ = store_.find_mailbox(bob_, "INBOX")->id;
  }
  Engine engine() {
    EngineDependencies d;
    d.delivery = delivery::Services{&store_, &blobs_, &queue_, nullptr};
    d.server_policy = server_;
    d.hostname = "mx.example.org";
    d.now = [this] { return now_; };
    auto n = std::make_shared<uint32_t>(0);
    d.random = [n] { return (*n)++; };
    d.run_blocking = [](std::function<void()> f) { f(); };
    return Engine(std::move(d));
  }
  Uid deliver(const std::string& bytes) {
    store::NewMessage m;
    m.blob = *blobs_.put(bytes);
    m.size = bytes.size();
    m.message_id = mime::message_id_of_message(bytes);
    return store_.append(inbox_, m)->uid;
  }
  mail::DownloadEvent event(Uid uid) {
    return mail::DownloadEvent{bob_, "bob@example.org", inbox_,
                               uid,  BlobRef(),         mail::DownloadKind::full_message};
  }

  store::MemoryStore store_;
  blob::MemoryBlobStore blobs_;
  delivery::testing::RecordingQueue queue_;
  Config::Receipts server_;
  std::chrono::sys_seconds now_{1700000000s};
  AccountId bob_, alice_;
  MailboxId inbox_;
};

TEST_F(EngineTest, OffByDefaultSendsNothing) {
  Uid uid = deliver(original("carol@remote.test", "carol@remote.test"));
  auto r = engine().handle_download(event(uid));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->outcome, DownloadOutcome::policy_off);
  EXPECT_TRUE(queue_.messages.empty());
  EXPECT_TRUE(store_.list_receipts(std::nullopt)->sent.empty());
}

TEST_F(EngineTest, RemoteRequesterGetsExactlyOneQueuedReceipt) {
  server_.on_download = ReceiptOnDownload::dispatched;
  Uid uid = deliver(original("carol@remote.test", "carol@remote.test"));
  Engine e = engine();
  auto r = e.handle_download(event(uid));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->outcome, DownloadOutcome::sent_remote);
  EXPECT_EQ(r->queue_id, "Q1");
  ASSERT_EQ(queue_.messages.size(), 1u);
  const delivery::OutboundMessage& m = queue_.messages[0];
  EXPECT_EQ(m.envelope_sender, "");
  EXPECT_EQ(m.body.rfind("From: bob@example.org\r\nTo: carol@remote.test\r\n", 0), 0u);
  ASSERT_EQ(m.recipients.size(), 1u);
  EXPECT_EQ(m.recipients[0].address, "carol@remote.test");
  EXPECT_TRUE(m.recipients[0].notify.never);
  EXPECT_NE(m.body.find("\r\nDisposition: automatic-action/MDN-sent-automatically; dispatched\r\n"),
            std::string::npos);
  EXPECT_NE(m.body.find("\r\nOriginal-Message-ID: <plans@remote.test>\r\n"), std::string::npos);
  EXPECT_TRUE(store_.get_message(inbox_, uid)->keywords.contains(kMdnSentKeyword));
  auto ledger = store_.list_receipts(bob_);
  ASSERT_EQ(ledger->sent.size(), 1u);
  EXPECT_EQ(ledger->sent[0].path, store::ReceiptPath::server_on_download);
  EXPECT_EQ(ledger->sent[0].requester, "carol@remote.test");
  EXPECT_EQ(ledger->sent[0].disposition, "dispatched");

  // Downloading again (POP3 leave-on-server, a second device) sends nothing more.
  auto again = e.handle_download(event(uid));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->outcome, DownloadOutcome::already_sent);
  EXPECT_EQ(queue_.messages.size(), 1u);
}

std::string with_auth_results(std::string_view field, const std::string& message) {
  return std::string(field) + message;
}

TEST_F(EngineTest, SenderThatFailedDmarcIsRefusedAndRecordedOnce) {
  server_.on_download = ReceiptOnDownload::displayed;
  Uid uid = deliver(
      with_auth_results("Authentication-Results: mx.example.org;\r\n"
                        " dmarc=fail (p=quarantine dis=quarantine) header.from=remote.test\r\n",
                        original("carol@remote.test", "carol@remote.test")));
  Engine e = engine();
  auto r = e.handle_download(event(uid));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->outcome, DownloadOutcome::refused);
  EXPECT_EQ(to_string(r->outcome), "refused");
  EXPECT_EQ(r->refusal, "sender failed DMARC (p=quarantine)");
  EXPECT_EQ(r->requester, "carol@remote.test");
  EXPECT_TRUE(queue_.messages.empty());
  EXPECT_FALSE(store_.get_message(inbox_, uid)->keywords.contains(kMdnSentKeyword));
  auto ledger = store_.list_receipts(bob_);
  EXPECT_TRUE(ledger->sent.empty());
  ASSERT_EQ(ledger->refused.size(), 1u);
  EXPECT_EQ(
      ledger->refused[0],
      (store::RefusedReceipt{ledger->refused[0].id, bob_, "bob@example.org", "<plans@remote.test>",
                             "carol@remote.test", store::ReceiptPath::server_on_download,
                             "sender failed DMARC (p=quarantine)", now_}));
  // Downloading again refuses again, and the ledger keeps the one record.
  now_ += 60s;
  auto again = e.handle_download(event(uid));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->outcome, DownloadOutcome::refused);
  EXPECT_EQ(store_.list_receipts(bob_)->refused.size(), 1u);
  EXPECT_TRUE(queue_.messages.empty());
}

TEST_F(EngineTest, ForgedDmarcFailOfAnotherHostAndDmarcPassAreAnswered) {
  server_.on_download = ReceiptOnDownload::displayed;
  // A field of another authserv-id is ignored; ours says pass.
  Uid uid = deliver(with_auth_results(
      "Authentication-Results: mx.example.org; dmarc=pass header.from=remote.test\r\n"
      "Authentication-Results: forger.example; dmarc=fail (p=reject) header.from=remote.test\r\n",
      original("carol@remote.test", "carol@remote.test")));
  auto r = engine().handle_download(event(uid));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->outcome, DownloadOutcome::sent_remote);
  EXPECT_EQ(queue_.messages.size(), 1u);
  EXPECT_TRUE(store_.list_receipts(bob_)->refused.empty());
  // Only a forged field, no own one (local submission): answered too.
  Uid forged = deliver(with_auth_results(
      "Authentication-Results: forger.example; dmarc=fail (p=reject) header.from=remote.test\r\n",
      original("carol@remote.test", "carol@remote.test", "<other@remote.test>")));
  auto f = engine().handle_download(event(forged));
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_EQ(f->outcome, DownloadOutcome::sent_remote);
  EXPECT_TRUE(store_.list_receipts(bob_)->refused.empty());
}

TEST_F(EngineTest, RequestRulesComeBeforeTheDmarcRefusal) {
  server_.on_download = ReceiptOnDownload::displayed;
  Uid uid = deliver(with_auth_results(
      "Authentication-Results: mx.example.org; dmarc=fail (p=reject) header.from=remote.test\r\n",
      original("carol@remote.test", "mallory@remote.test")));
  auto r = engine().handle_download(event(uid));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->outcome, DownloadOutcome::not_allowed);
  EXPECT_EQ(r->reason, RequestReason::return_path_mismatch);
  EXPECT_TRUE(store_.list_receipts(bob_)->refused.empty());
}

TEST_F(EngineTest, LocalRequesterGetsItInTheInbox) {
  server_.on_download = ReceiptOnDownload::displayed;
  Uid uid = deliver(original("alice@example.org", "alice@example.org"));
  auto r = engine().handle_download(event(uid));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->outcome, DownloadOutcome::sent_local);
  EXPECT_TRUE(queue_.messages.empty());
  auto inbox = store_.list_messages(store_.find_mailbox(alice_, "INBOX")->id);
  ASSERT_EQ(inbox->size(), 1u);
  const std::string body = *blobs_.get((*inbox)[0].blob);
  EXPECT_EQ(body.rfind("Return-Path: <>\r\nFrom: bob@example.org\r\nTo: alice@example.org\r\n", 0),
            0u);
  EXPECT_NE(body.find("; displayed\r\n"), std::string::npos);
  // A receipt for a receipt is never sent: what we delivered is itself a report.
  EXPECT_EQ(detect_request(body).reason, RequestReason::no_request);
}

TEST_F(EngineTest, RequestsTheServerMayNotAnswer) {
  server_.on_download = ReceiptOnDownload::displayed;
  Uid uid = deliver(original("carol@remote.test", "mallory@remote.test"));
  auto r = engine().handle_download(event(uid));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->outcome, DownloadOutcome::not_allowed);
  EXPECT_EQ(r->reason, RequestReason::return_path_mismatch);
  EXPECT_EQ(r->message_id, "<plans@remote.test>");
  EXPECT_EQ(r->requester, "");
  EXPECT_TRUE(queue_.messages.empty());
  EXPECT_FALSE(store_.get_message(inbox_, uid)->keywords.contains(kMdnSentKeyword));
}

TEST_F(EngineTest, ClientReceiptFirstMeansNoServerReceipt) {
  server_.on_download = ReceiptOnDownload::displayed;
  Uid uid = deliver(original("carol@remote.test", "carol@remote.test"));
  store::NewSentReceipt client;
  client.account = bob_;
  client.message_id = "<plans@remote.test>";
  client.requester = "carol@remote.test";
  client.disposition = "displayed";
  client.path = store::ReceiptPath::client_submission;
  client.at = store::ReceiptTime(1699999999s);
  ASSERT_TRUE(store_.record_receipt(client, store::ReceiptUniqueness::one_per_recipient));
  auto r = engine().handle_download(event(uid));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->outcome, DownloadOutcome::already_sent);
  EXPECT_EQ(r->message_id, "<plans@remote.test>");
  EXPECT_EQ(r->requester, "carol@remote.test");
  EXPECT_TRUE(queue_.messages.empty());
}

// The decision line of a suppressed duplicate names the Disposition-Notification-To
// address the receipt would have gone to, like every line of a request the server may
// answer (docs/read-receipts.md, "The log"); a request it may not answer names none.
TEST_F(EngineTest, TheDuplicateLineNamesTheRequester) {
  server_.on_download = ReceiptOnDownload::displayed;
  Uid uid = deliver(original("Carol.Smith@Remote.test", "Carol.Smith@Remote.test"));
  Uid mismatch = deliver(original("carol@remote.test", "mallory@remote.test", "<o@remote.test>"));
  Engine e = engine();
  ::testing::internal::CaptureStderr();
  e.on_download(event(uid));
  e.on_download(event(uid));
  e.on_download(event(mismatch));
  const std::string log = ::testing::internal::GetCapturedStderr();
  const std::string prefix = fmt::format("postamt/mdn[{}]: account=bob@example.org ", getpid());
  EXPECT_NE(log.find(prefix + "uid=1 message_id=<plans@remote.test> "
                              "requester=Carol.Smith@Remote.test receipt on download: sent "
                              "(queued as Q1)\n"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find(prefix + "uid=1 message_id=<plans@remote.test> "
                              "requester=Carol.Smith@Remote.test receipt on download: "
                              "suppressed duplicate (already sent)\n"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find(prefix + "uid=2 message_id=<o@remote.test> requester=none receipt on "
                              "download: not sent (return-path-mismatch)\n"),
            std::string::npos)
      << log;
  EXPECT_EQ(queue_.messages.size(), 1u);
}

TEST_F(EngineTest, KeywordSetByAClientMeansNoServerReceipt) {
  server_.on_download = ReceiptOnDownload::displayed;
  Uid uid = deliver(original("carol@remote.test", "carol@remote.test"));
  FlagUpdate update;
  update.keywords.add("$mdnsent");
  ASSERT_TRUE(store_.update_flags(inbox_, {uid}, update));
  auto r = engine().handle_download(event(uid));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->outcome, DownloadOutcome::already_sent);
  EXPECT_EQ(r->requester, "carol@remote.test");
  EXPECT_TRUE(queue_.messages.empty());
  EXPECT_TRUE(store_.list_receipts(bob_)->sent.empty());
}

// $MDNSent on a message that asks for no receipt (a client may set any keyword) is no
// suppressed duplicate: there was nothing to send.
TEST_F(EngineTest, KeywordOnAMessageWithoutARequestIsNoDuplicate) {
  server_.on_download = ReceiptOnDownload::displayed;
  Uid uid = deliver(
      "Return-Path: <carol@remote.test>\r\nFrom: carol@remote.test\r\n"
      "Message-ID: <plain@remote.test>\r\n\r\nHello\r\n");
  FlagUpdate update;
  update.keywords.add("$MDNSent");
  ASSERT_TRUE(store_.update_flags(inbox_, {uid}, update));
  auto r = engine().handle_download(event(uid));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->outcome, DownloadOutcome::not_allowed);
  EXPECT_EQ(r->reason, RequestReason::no_request);
  EXPECT_EQ(r->requester, "");
  EXPECT_TRUE(queue_.messages.empty());
}

TEST_F(EngineTest, LegacySettingSendsTheServerReceiptOnceDespiteTheClients) {
  server_.on_download = ReceiptOnDownload::displayed;
  server_.one_per_recipient = false;
  Uid uid = deliver(original("carol@remote.test", "carol@remote.test"));
  store::NewSentReceipt client;
  client.account = bob_;
  client.message_id = "<plans@remote.test>";
  client.requester = "carol@remote.test";
  client.disposition = "displayed";
  client.path = store::ReceiptPath::client_submission;
  ASSERT_TRUE(store_.record_receipt(client, store::ReceiptUniqueness::allow_duplicates));
  Engine e = engine();
  EXPECT_EQ(e.handle_download(event(uid))->outcome, DownloadOutcome::sent_remote);
  auto again = e.handle_download(event(uid));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->outcome, DownloadOutcome::already_sent);
  EXPECT_EQ(again->requester, "carol@remote.test");
  EXPECT_EQ(queue_.messages.size(), 1u);
  EXPECT_EQ(store_.list_receipts(bob_)->sent.size(), 2u);
}

TEST_F(EngineTest, UserOverrideAndObserverPath) {
  ASSERT_TRUE(store_.set_policy_override(store::PolicyScope::user, "bob@example.org", "on_download",
                                         "dispatched"));
  Uid uid = deliver(original("carol@remote.test", "carol@remote.test"));
  Engine e = engine();
  e.on_download(event(uid));  // the inline run_blocking runs it now
  EXPECT_EQ(queue_.messages.size(), 1u);
  // A message expunged before the work ran, and whose bytes the event does not name,
  // gets no receipt.
  auto gone = e.handle_download(event(99));
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->outcome, DownloadOutcome::message_gone);
  e.on_download(event(99));
  EXPECT_EQ(queue_.messages.size(), 1u);
}

// POP3 RETR, DELE, QUIT: the message is gone before the engine runs, but the event names
// its bytes, so the server's receipt still goes out, once.
TEST_F(EngineTest, DeletedRightAfterDownloadIsStillAnswered) {
  ASSERT_TRUE(store_.set_policy_override(store::PolicyScope::user, "bob@example.org", "on_download",
                                         "displayed"));
  Uid uid = deliver(original("carol@remote.test", "carol@remote.test"));
  mail::DownloadEvent download = event(uid);
  download.blob = store_.get_message(inbox_, uid)->blob;
  ASSERT_TRUE(store_.expunge(inbox_, {uid}));
  Engine e = engine();
  auto sent = e.handle_download(download);
  ASSERT_TRUE(sent) << sent.error().message;
  EXPECT_EQ(sent->outcome, DownloadOutcome::sent_remote);
  auto again = e.handle_download(download);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->outcome, DownloadOutcome::already_sent);
  EXPECT_EQ(queue_.messages.size(), 1u);
}

TEST_F(EngineTest, RemoteReceiptsAreRateLimitedPerAccountAndHour) {
  server_.on_download = ReceiptOnDownload::displayed;
  server_.max_remote_per_hour = 2;
  std::vector<Uid> uids;
  for (int i = 0; i < 4; ++i)
    uids.push_back(deliver(original("carol@remote.test", "carol@remote.test",
                                    "<m" + std::to_string(i) + "@remote.test>")));
  Engine e = engine();
  EXPECT_EQ(e.handle_download(event(uids[0]))->outcome, DownloadOutcome::sent_remote);
  now_ += 10min;
  EXPECT_EQ(e.handle_download(event(uids[1]))->outcome, DownloadOutcome::sent_remote);
  auto limited = e.handle_download(event(uids[2]));
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->outcome, DownloadOutcome::rate_limited);
  EXPECT_EQ(limited->requester, "carol@remote.test");
  EXPECT_EQ(limited->message_id, "<m2@remote.test>");
  // Suppressed receipts are not claimed: the client may still send its own.
  EXPECT_EQ(store_.list_receipts(bob_)->sent.size(), 2u);
  EXPECT_FALSE(store_.get_message(inbox_, uids[2])->keywords.contains(kMdnSentKeyword));
  // A local requester is never limited.
  Uid local = deliver(original("alice@example.org", "alice@example.org", "<l@example.org>"));
  EXPECT_EQ(e.handle_download(event(local))->outcome, DownloadOutcome::sent_local);
  // An hour after the first receipt, one slot is free again (a sliding hour).
  now_ += 50min;
  EXPECT_EQ(e.handle_download(event(uids[2]))->outcome, DownloadOutcome::sent_remote);
  EXPECT_EQ(e.handle_download(event(uids[3]))->outcome, DownloadOutcome::rate_limited);
  EXPECT_EQ(queue_.messages.size(), 3u);
}

TEST_F(EngineTest, ZeroRemotePerHourSendsNoRemoteReceipt) {
  server_.on_download = ReceiptOnDownload::displayed;
  server_.max_remote_per_hour = 0;
  Uid uid = deliver(original("carol@remote.test", "carol@remote.test"));
  EXPECT_EQ(engine().handle_download(event(uid))->outcome, DownloadOutcome::rate_limited);
  EXPECT_TRUE(queue_.messages.empty());
}

TEST_F(EngineTest, ADuplicateDoesNotUseUpTheRemoteBudget) {
  server_.on_download = ReceiptOnDownload::displayed;
  server_.max_remote_per_hour = 1;
  Uid other = deliver(original("carol@remote.test", "carol@remote.test", "<o@remote.test>"));
  // The client's receipt came first; a copy delivered after it has no $MDNSent yet.
  store::NewSentReceipt client;
  client.account = bob_;
  client.message_id = "<plans@remote.test>";
  client.requester = "carol@remote.test";
  client.disposition = "displayed";
  client.path = store::ReceiptPath::client_submission;
  ASSERT_TRUE(store_.record_receipt(client, store::ReceiptUniqueness::one_per_recipient));
  Uid copy = deliver(original("carol@remote.test", "carol@remote.test"));
  ASSERT_FALSE(store_.get_message(inbox_, copy)->keywords.contains(kMdnSentKeyword));
  Engine e = engine();
  EXPECT_EQ(e.handle_download(event(copy))->outcome, DownloadOutcome::already_sent);
  EXPECT_EQ(e.handle_download(event(other))->outcome, DownloadOutcome::sent_remote);
  EXPECT_EQ(queue_.messages.size(), 1u);
}

}  // namespace
}  // namespace postamt::mdn
