#include "queue/admin_queue.h"

#include <gtest/gtest.h>

#include <future>

#include "queue/test_support.h"

namespace postamt::queue {
namespace {

using namespace std::chrono_literals;

class QueueAdminTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto q = FileQueue::open(dir_.root(), clock_.clock());
    ASSERT_TRUE(q);
    queue_ = std::move(*q);
  }
  std::string add(std::string sender) {
    delivery::OutboundMessage m;
    m.envelope_sender = std::move(sender);
    m.recipients = {{"b@y.test", "", delivery::Notify{}}, {"c@y.test", "", delivery::Notify{}}};
    m.body = "Subject: x\r\n\r\nhello\r\n";
    return *queue_->enqueue(m);
  }
  testing::TempDir dir_;
  testing::FakeClock clock_;  // 1800000000 = Fri, 15 Jan 2027 08:00:00 +0000
  std::unique_ptr<FileQueue> queue_;
};

TEST_F(QueueAdminTest, ListTextAndJson) {
  std::string id = add("a@x.test");
  auto m = queue_->load(id);
  m->status[1] = {RecipientState::pending, "4.2.1", "mx.y.test", "450 4.2.1 \"busy\""};
  m->attempts = 1;
  m->next_attempt = clock_.now() + 5min;
  ASSERT_TRUE(queue_->save(*m));
  auto text = queue_list(*queue_, ListFormat::text);
  ASSERT_TRUE(text);
  EXPECT_EQ(*text, id + " 21 Fri, 15 Jan 2027 08:00:00 +0000 <a@x.test>\n"
                        "  b@y.test pending\n"
                        "  c@y.test pending 4.2.1 (450 4.2.1 \"busy\")\n"
                        "-- 1 message\n");
  auto json = queue_list(*queue_, ListFormat::json);
  ASSERT_TRUE(json);
  EXPECT_EQ(*json,
            "[\n  {\"id\": \"" + id +
                "\", \"size\": 21, \"arrival\": 1800000000, \"next_attempt\": 1800000300, "
                "\"attempts\": 1, \"held\": false, \"sender\": \"a@x.test\", \"recipients\": "
                "[{\"address\": \"b@y.test\", \"state\": \"pending\", \"status\": \"\", "
                "\"diagnostic\": \"\"}, {\"address\": \"c@y.test\", \"state\": \"pending\", "
                "\"status\": \"4.2.1\", \"diagnostic\": \"450 4.2.1 \\\"busy\\\"\"}]}\n]\n");
}

TEST_F(QueueAdminTest, EmptyQueueAndCorruptEntries) {
  EXPECT_EQ(*queue_list(*queue_, ListFormat::text), "-- 0 messages\n");
  EXPECT_EQ(*queue_list(*queue_, ListFormat::json), "[]\n");
  testing::write_file(dir_.root() / "Bad1", "junk");
  EXPECT_EQ(*queue_list(*queue_, ListFormat::text),
            "Bad1 corrupt: corrupt queue file: bad magic\n-- 1 message\n");
}

TEST_F(QueueAdminTest, ShowPrintsEnvelopeAndMessage) {
  std::string id = add("");
  auto shown = queue_show(*queue_, id);
  ASSERT_TRUE(shown);
  EXPECT_EQ(*shown, "id: " + id +
                        "\nsender: <>\narrival: Fri, 15 Jan 2027 08:00:00 +0000\nattempts: 0\n"
                        "next attempt: Fri, 15 Jan 2027 08:00:00 +0000\nheld: no\n"
                        "recipient: <b@y.test> pending\nrecipient: <c@y.test> pending\n\n"
                        "Subject: x\r\n\r\nhello\r\n");
  auto missing = queue_show(*queue_, "Nope");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::not_found);
  EXPECT_EQ(missing.error().message, "no such message in the queue: Nope");
}

TEST_F(QueueAdminTest, HoldReleaseRetryRemove) {
  std::string id = add("a@x.test");
  EXPECT_EQ(*queue_hold(*queue_, id), id + ": held\n");
  EXPECT_TRUE(queue_->load(id)->held);
  EXPECT_EQ(*queue_release(*queue_, id), id + ": released\n");
  EXPECT_FALSE(queue_->load(id)->held);
  auto m = queue_->load(id);
  m->next_attempt = clock_.now() + 1h;
  m->held = true;
  ASSERT_TRUE(queue_->save(*m));
  clock_.advance(10s);
  EXPECT_EQ(*queue_retry(*queue_, id), id + ": scheduled for delivery\n");
  EXPECT_EQ(queue_->load(id)->next_attempt, clock_.now());
  EXPECT_FALSE(queue_->load(id)->held);
  EXPECT_EQ(*queue_remove(*queue_, id), id + ": removed\n");
  EXPECT_EQ(queue_remove(*queue_, id).error().message, "no such message in the queue: " + id);
  EXPECT_EQ(queue_hold(*queue_, id).error().kind, ErrorKind::not_found);
  EXPECT_EQ(queue_retry(*queue_, "../x").error().kind, ErrorKind::not_found);
}

TEST_F(QueueAdminTest, ChangesWaitForTheQueueLockOfAnotherHolder) {
  std::string id = add("a@x.test");
  // A second FileQueue on the same directory stands for the server process: flock locks
  // of separately opened files exclude each other like those of two processes.
  auto other = FileQueue::open(dir_.root(), clock_.clock());
  ASSERT_TRUE(other);
  auto lock = (*other)->lock();
  ASSERT_TRUE(lock);
  auto hold = std::async(std::launch::async, [&] { return queue_hold(*queue_, id); });
  auto remove = std::async(std::launch::async, [&] { return queue_remove(*queue_, id); });
  EXPECT_EQ(hold.wait_for(200ms), std::future_status::timeout);
  EXPECT_EQ(remove.wait_for(0ms), std::future_status::timeout);
  EXPECT_TRUE(queue_->load(id));
  { auto released = std::move(*lock); }
  (void)hold.get();           // succeeds or, if remove went first, finds nothing
  EXPECT_TRUE(remove.get());  // either order ends with the message gone
  EXPECT_FALSE(queue_->load(id));
}

}  // namespace
}  // namespace postamt::queue
