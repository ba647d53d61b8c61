#include "queue/spool.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "queue/test_support.h"

namespace postamt::queue {
namespace {

using testing::FakeClock;
using testing::TempDir;

delivery::OutboundMessage sample() {
  delivery::OutboundMessage m;
  m.envelope_sender = "a@x.test";
  delivery::OutboundRecipient b{"b@y.test", "rfc822;B@y.test", delivery::Notify{}};
  b.notify.success = true;
  delivery::OutboundRecipient c{"c d@y.test", "", delivery::Notify{true, false, false, false}};
  m.recipients = {b, c};
  m.envid = "env 1";
  m.ret = delivery::Ret::headers;
  m.body = "Subject: hi\r\n\r\nbody\r\nrcpt fake line\r\n";
  return m;
}

TEST(QueueSpool, ExactFileFormat) {
  QueuedMessage m;
  m.id = "ABC";
  m.message = sample();
  m.status.resize(2);
  m.status[1] = {RecipientState::failed, "5.1.1", "mx.y.test", "550 5.1.1 no"};
  m.arrival = from_unix(100);
  m.next_attempt = from_unix(400);
  m.attempts = 2;
  EXPECT_EQ(serialize(m),
            "postamt-queue 1\n"
            "arrival 100\nattempts 2\nnext 400\nheld 0\n"
            "sender a@x.test\nenvid env+201\nret headers\n"
            "rcpt pending sfd b@y.test rfc822;B@y.test = = =\n"
            "rcpt failed never c+20d@y.test = 5.1.1 mx.y.test 550+205.1.1+20no\n"
            "body 37\n"
            "Subject: hi\r\n\r\nbody\r\nrcpt fake line\r\n");
  auto back = deserialize(serialize(m), BodyMode::include);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->message.recipients[1].address, "c d@y.test");
  EXPECT_TRUE(back->message.recipients[1].notify.never);
  EXPECT_TRUE(back->message.recipients[0].notify.success);
  EXPECT_EQ(back->message.recipients[0].orcpt, "rfc822;B@y.test");
  EXPECT_EQ(back->status[1].diagnostic, "550 5.1.1 no");
  EXPECT_EQ(back->message.envid, "env 1");
  EXPECT_EQ(back->message.ret, delivery::Ret::headers);
  EXPECT_EQ(back->message.body, m.message.body);
  EXPECT_EQ(back->attempts, 2u);
  EXPECT_EQ(to_unix(back->next_attempt), 400);
  EXPECT_FALSE(back->delay_warned);
  m.delay_warned = true;
  std::string warned = serialize(m);
  EXPECT_NE(warned.find("held 0\nwarned 1\nsender "), std::string::npos);
  EXPECT_TRUE(deserialize(warned, BodyMode::include)->delay_warned);
  EXPECT_FALSE(back->message.relayed);
  m.message.relayed = true;
  std::string relayed = serialize(m);
  EXPECT_NE(relayed.find("warned 1\nrelayed 1\nsender "), std::string::npos);
  EXPECT_TRUE(deserialize(relayed, BodyMode::include)->message.relayed);
  std::string bad = relayed;
  bad.replace(bad.find("relayed 1"), 9, "relayed 2");
  EXPECT_FALSE(deserialize(bad, BodyMode::include));
}

TEST(QueueSpool, EnqueueIsDurableAndSurvivesReopen) {
  TempDir dir;
  FakeClock clock;
  std::string id;
  {
    auto q = FileQueue::open(dir.root() / "queue", clock.clock());
    ASSERT_TRUE(q);
    auto r = (*q)->enqueue(sample());
    ASSERT_TRUE(r) << r.error().message;
    id = *r;
    EXPECT_TRUE(valid_queue_id(id)) << id;
  }
  // Nothing left in tmp/, the file is in place under its id.
  EXPECT_TRUE(std::filesystem::is_empty(dir.root() / "queue" / "tmp"));
  // A "restart": a new FileQueue over the same directory.
  auto q = FileQueue::open(dir.root() / "queue", clock.clock());
  ASSERT_TRUE(q);
  auto ids = (*q)->list();
  ASSERT_TRUE(ids);
  ASSERT_EQ(*ids, std::vector<std::string>{id});
  auto m = (*q)->load(id);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->message.body, sample().body);
  EXPECT_EQ(m->message.envelope_sender, "a@x.test");
  EXPECT_EQ(to_unix(m->arrival), 1'800'000'000);
  EXPECT_EQ(m->next_attempt, m->arrival);
  ASSERT_EQ(m->status.size(), 2u);
  EXPECT_EQ(m->status[0].state, RecipientState::pending);
}

TEST(QueueSpool, IdsAreUnique) {
  TempDir dir;
  FakeClock clock;
  auto q = FileQueue::open(dir.root(), clock.clock());
  ASSERT_TRUE(q);
  std::set<std::string> ids;
  for (int i = 0; i < 50; ++i) ids.insert(*(*q)->enqueue(sample()));
  EXPECT_EQ(ids.size(), 50u);
  EXPECT_EQ((*q)->list()->size(), 50u);
}

TEST(QueueSpool, EnqueueUsesTheGivenIdUnlessItIsTakenOrInvalid) {
  TempDir dir;
  FakeClock clock;
  auto q = FileQueue::open(dir.root(), clock.clock());
  ASSERT_TRUE(q);
  delivery::OutboundMessage m = sample();
  m.queue_id = "GWZ5PGQO368R";  // the SMTP server's id
  auto first = (*q)->enqueue(m);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(*first, "GWZ5PGQO368R");
  EXPECT_EQ((*q)->load("GWZ5PGQO368R")->message.body, sample().body);
  // Taken: the first message stays as it is, the second gets a fresh id.
  m.body = "Subject: other\r\n\r\n";
  auto second = (*q)->enqueue(m);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_NE(*second, "GWZ5PGQO368R");
  EXPECT_TRUE(valid_queue_id(*second));
  EXPECT_EQ((*q)->load("GWZ5PGQO368R")->message.body, sample().body);
  EXPECT_EQ((*q)->load(*second)->message.body, "Subject: other\r\n\r\n");
  // Not a valid id (a path, a dot): never a file name.
  m.queue_id = "../x";
  auto third = (*q)->enqueue(m);
  ASSERT_TRUE(third);
  EXPECT_TRUE(valid_queue_id(*third));
  EXPECT_EQ((*q)->list()->size(), 3u);
  EXPECT_TRUE(std::filesystem::is_empty(dir.root() / "tmp"));
}

TEST(QueueSpool, EnqueueRejectsNoRecipients) {
  TempDir dir;
  FakeClock clock;
  auto q = FileQueue::open(dir.root(), clock.clock());
  delivery::OutboundMessage m = sample();
  m.recipients.clear();
  auto r = (*q)->enqueue(m);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::invalid);
  EXPECT_TRUE((*q)->list()->empty());
}

TEST(QueueSpool, SaveReplacesAndRemoveDeletes) {
  TempDir dir;
  FakeClock clock;
  auto q = FileQueue::open(dir.root(), clock.clock());
  std::string id = *(*q)->enqueue(sample());
  auto m = (*q)->load(id);
  m->held = true;
  m->status[0].state = RecipientState::sent;
  ASSERT_TRUE((*q)->save(*m));
  auto again = (*q)->load(id, BodyMode::skip);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->held);
  EXPECT_FALSE(again->has_body);
  EXPECT_TRUE(again->message.body.empty());
  EXPECT_EQ(again->status[0].state, RecipientState::sent);
  // A header-only load cannot be saved (it would drop the body).
  auto refused = (*q)->save(*again);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::invalid);
  ASSERT_TRUE((*q)->remove(id));
  auto gone = (*q)->load(id);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().kind, ErrorKind::not_found);
  EXPECT_EQ((*q)->remove(id).error().kind, ErrorKind::not_found);
  EXPECT_EQ((*q)->save(*m).error().kind, ErrorKind::not_found);
}

// JMAP deliveryStatus reads each recipient's state through delivery::OutboundQueue.
TEST(QueueSpool, QueuedRecipientsReportEachStateUntilRemoved) {
  TempDir dir;
  FakeClock clock;
  auto q = FileQueue::open(dir.root(), clock.clock());
  std::string id = *(*q)->enqueue(sample());
  auto fresh = (*q)->queued_recipients(id);
  ASSERT_TRUE(fresh) << fresh.error().message;
  ASSERT_EQ(fresh->size(), 2u);
  EXPECT_EQ((*fresh)[0].address, "b@y.test");
  EXPECT_EQ((*fresh)[0].state, delivery::QueuedState::pending);
  EXPECT_EQ((*fresh)[0].diagnostic, "");
  auto m = (*q)->load(id);
  m->status[0].state = RecipientState::sent;
  m->status[0].diagnostic = "250 2.0.0 ok";
  m->status[1].state = RecipientState::failed;
  m->status[1].diagnostic = "550 5.1.1 no such user";
  ASSERT_TRUE((*q)->save(*m));
  auto later = (*q)->queued_recipients(id);
  ASSERT_TRUE(later);
  ASSERT_EQ(later->size(), 2u);
  EXPECT_EQ((*later)[0].state, delivery::QueuedState::sent);
  EXPECT_EQ((*later)[0].diagnostic, "250 2.0.0 ok");
  EXPECT_EQ((*later)[1].address, "c d@y.test");
  EXPECT_EQ((*later)[1].state, delivery::QueuedState::failed);
  EXPECT_EQ((*later)[1].diagnostic, "550 5.1.1 no such user");
  ASSERT_TRUE((*q)->remove(id));
  EXPECT_EQ((*q)->queued_recipients(id).error().kind, ErrorKind::not_found);
  EXPECT_EQ((*q)->queued_recipients("../etc").error().kind, ErrorKind::not_found);
}

TEST(QueueSpool, CrashLeftoversInTmpAreIgnoredAndOldOnesRemoved) {
  TempDir dir;
  FakeClock clock;
  std::filesystem::create_directories(dir.root() / "tmp");
  testing::write_file(dir.root() / "tmp" / "half.1.1", "postamt-queue 1\narr");
  std::filesystem::last_write_time(
      dir.root() / "tmp" / "half.1.1",
      std::filesystem::file_time_type::clock::now() - std::chrono::hours(1));
  testing::write_file(dir.root() / "tmp" / "fresh.1.2", "x");
  auto q = FileQueue::open(dir.root(), clock.clock());
  ASSERT_TRUE(q);
  EXPECT_TRUE((*q)->list()->empty());
  EXPECT_FALSE(std::filesystem::exists(dir.root() / "tmp" / "half.1.1"));
  EXPECT_TRUE(std::filesystem::exists(dir.root() / "tmp" / "fresh.1.2"));
}

TEST(QueueSpool, CorruptFilesAreReportedAndQuarantined) {
  TempDir dir;
  FakeClock clock;
  auto q = FileQueue::open(dir.root(), clock.clock());
  std::string good = serialize([] {
    QueuedMessage m;
    m.message = sample();
    m.status.resize(2);
    return m;
  }());
  const std::pair<std::string, std::string> cases[] = {
      {"Magic", "postamt-queue 2\n" + good.substr(16)},
      {"ShortBody", good.substr(0, good.size() - 1)},
      {"LongBody", good + "x"},
      {"UnknownKey", "postamt-queue 1\nfoo 1\n" + good.substr(16)},
      {"NoBodyLine", good.substr(0, good.find("body "))},
      {"BadXtext", std::string(good).replace(good.find("sender a@x.test"), 15, "sender a b")},
      {"BadState", std::string(good).replace(good.find("rcpt pending"), 12, "rcpt maybe")},
      {"Empty", ""},
  };
  for (const auto& [name, bytes] : cases) {
    testing::write_file(dir.root() / name, bytes);
    auto m = (*q)->load(name);
    ASSERT_FALSE(m) << name;
    EXPECT_EQ(m.error().kind, ErrorKind::invalid) << name;
    EXPECT_TRUE(m.error().message.starts_with("corrupt queue file: ")) << m.error().message;
  }
  ASSERT_TRUE((*q)->quarantine("Magic"));
  EXPECT_TRUE(std::filesystem::exists(dir.root() / "corrupt" / "Magic"));
  EXPECT_FALSE(std::filesystem::exists(dir.root() / "Magic"));
}

// Found by fuzzing (seeds/spool/next-overflow): "next 7777777777400" overflowed
// 7777777777400 * 1000000000 converting seconds into the TimePoint's nanoseconds.
TEST(QueueSpool, TimesAfterTheYear2100AreCorrupt) {
  QueuedMessage m;
  m.message = sample();
  m.status.resize(2);
  m.arrival = from_unix(100);
  m.next_attempt = from_unix(400);
  const std::string good = serialize(m);
  for (std::string_view key : {"arrival", "next"}) {
    std::string line = fmt::format("\n{} {}\n", key, key == "next" ? 400 : 100);
    ASSERT_NE(good.find(line), std::string::npos);
    for (std::string_view value : {"7777777777400", "4102444801", "9223372036854775807"}) {
      std::string bytes = std::string(good).replace(good.find(line), line.size(),
                                                    fmt::format("\n{} {}\n", key, value));
      for (BodyMode mode : {BodyMode::include, BodyMode::skip}) {
        auto back = deserialize(bytes, mode);
        ASSERT_FALSE(back) << key << " " << value;
        EXPECT_EQ(back.error().kind, ErrorKind::invalid);
        EXPECT_EQ(back.error().message,
                  fmt::format("corrupt queue file: {} {} is after the year 2100", key, value));
      }
    }
    // The latest time a file may hold.
    std::string latest = std::string(good).replace(good.find(line), line.size(),
                                                   fmt::format("\n{} 4102444800\n", key));
    auto back = deserialize(latest, BodyMode::include);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(to_unix(key == "next" ? back->next_attempt : back->arrival), 4102444800);
    EXPECT_EQ(serialize(*back), latest);
  }
  // The other numbers have their own bounds.
  std::string attempts =
      std::string(good).replace(good.find("attempts 0"), 10, "attempts 4294967296");
  EXPECT_EQ(deserialize(attempts, BodyMode::skip).error().message,
            "corrupt queue file: bad attempts");
  std::string body = std::string(good).replace(good.find("body 37"), 7, "body 9223372036854775808");
  EXPECT_EQ(deserialize(body, BodyMode::skip).error().message, "corrupt queue file: bad body");
}

TEST(QueueSpool, MalformedIdsAreNotFound) {
  TempDir dir;
  FakeClock clock;
  auto q = FileQueue::open(dir.root(), clock.clock());
  EXPECT_EQ((*q)->load("../etc").error().kind, ErrorKind::not_found);
  EXPECT_EQ((*q)->load("").error().kind, ErrorKind::not_found);
  EXPECT_EQ((*q)->remove("tmp/x").error().kind, ErrorKind::not_found);
}

TEST(FileQueueLock, LockFileIsNotAMessageAndIsReleased) {
  testing::TempDir dir;
  testing::FakeClock clock;
  auto q = FileQueue::open(dir.root(), clock.clock());
  ASSERT_TRUE(q);
  {
    auto lock = (*q)->lock();
    ASSERT_TRUE(lock);
  }
  EXPECT_TRUE(std::filesystem::exists(dir.root() / ".lock"));
  EXPECT_TRUE((*q)->list()->empty());
  auto again = (*q)->lock();  // released by the destructor, or this would block
  EXPECT_TRUE(again);
}

}  // namespace
}  // namespace postamt::queue
