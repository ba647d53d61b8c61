// The sequence-number map: EXPUNGE numbers after each removal (RFC 3501 §7.4.1).
#include "imap/session/selected.h"

#include <gtest/gtest.h>

namespace postamt::imap {
namespace {

std::vector<store::MessageRecord> records(std::vector<Uid> uids) {
  std::vector<store::MessageRecord> out;
  for (Uid uid : uids) {
    store::MessageRecord m;
    m.uid = uid;
    out.push_back(m);
  }
  return out;
}

std::string encoded(const std::vector<proto::Response>& responses) {
  std::string out;
  for (const auto& r : responses) proto::encode(r, {}, out);
  return out;
}

TEST(SelectedMailbox, SequenceNumbersFollowUidOrder) {
  SelectedMailbox box(MailboxId{1}, 7, Access::read_write, {3, 5, 9});
  EXPECT_EQ(box.exists(), 3u);
  EXPECT_EQ(box.sequence_of(5), 2u);
  EXPECT_EQ(box.sequence_of(4), std::nullopt);
}

// Removing 2 and 3 of 1..4 reports "2" twice: the second number is valid after the
// first removal (RFC 3501 §7.4.1 example).
TEST(SelectedMailbox, ExpungeNumbersShiftDown) {
  SelectedMailbox box(MailboxId{1}, 7, Access::read_write, {10, 11, 12, 13});
  EXPECT_EQ(encoded(box.synchronize(records({10, 13}))), "* 2 EXPUNGE\r\n* 2 EXPUNGE\r\n");
  EXPECT_EQ(box.uids(), (std::vector<Uid>{10, 13}));
}

TEST(SelectedMailbox, NewMessagesGiveOneExists) {
  SelectedMailbox box(MailboxId{1}, 7, Access::read_write, {1, 2});
  EXPECT_EQ(encoded(box.synchronize(records({2, 5, 6}))), "* 1 EXPUNGE\r\n* 3 EXISTS\r\n");
  EXPECT_EQ(box.sequence_of(6), 3u);
  EXPECT_EQ(encoded(box.synchronize(records({2, 5, 6}))), "");
}

}  // namespace
}  // namespace postamt::imap
