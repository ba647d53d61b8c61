#include "mail/thread.h"

#include <gtest/gtest.h>

#include "blob/memory_blob_store.h"
#include "mail/messages.h"
#include "mail/sort_keys.h"
#include "store/memory/memory_store.h"

namespace postamt::mail {
namespace {

// The forest in IMAP THREAD syntax with 1-based numbers (RFC 5256 §4), for readable
// expectations.
void render(const ThreadForest& forest, uint32_t node, std::string& out) {
  const auto& n = forest.nodes[node];
  std::vector<uint32_t> chain{node};
  if (n.message != ThreadForest::kNoMessage) {
    while (forest.nodes[chain.back()].children.size() == 1)
      chain.push_back(forest.nodes[chain.back()].children.front());
  }
  for (size_t k = 0; k < chain.size(); ++k) {
    if (k > 0) out += ' ';
    out += std::to_string(forest.nodes[chain[k]].message + 1);
  }
  const auto& last = forest.nodes[chain.back()];
  if (last.children.empty()) return;
  if (n.message != ThreadForest::kNoMessage) out += ' ';
  for (uint32_t child : last.children) {
    out += '(';
    render(forest, child, out);
    out += ')';
  }
}

std::string render(const ThreadForest& forest) {
  std::string out;
  for (uint32_t root : forest.roots) {
    out += '(';
    if (forest.nodes[root].message == ThreadForest::kNoMessage) {
      for (uint32_t child : forest.nodes[root].children) {
        out += '(';
        render(forest, child, out);
        out += ')';
      }
    } else {
      render(forest, root, out);
    }
    out += ')';
  }
  return out;
}

ThreadInput msg(std::string id, const std::vector<std::string>& refs, int64_t sent = 0,
                std::string_view subject = "") {
  BaseSubject base = base_subject(subject);
  std::string joined;
  for (const std::string& r : refs) joined += (joined.empty() ? "" : " ") + r;
  return ThreadInput{sent, casemap_key(base.text), base.reply_or_forward, std::move(id),
                     std::move(joined)};
}

std::string by_references(const std::vector<ThreadInput>& in) {
  return render(thread_by_references(in));
}

TEST(ThreadReferences, ParentsFromReferences) {
  EXPECT_EQ(by_references({msg("<a>", {}, 1), msg("<b>", {"<a>"}, 2), msg("<c>", {"<a>", "<b>"}, 3),
                           msg("<d>", {"<a>"}, 4)}),
            "(1 (2 3)(4))");
  EXPECT_EQ(by_references({}), "");
}

TEST(ThreadReferences, MissingParents) {
  // (3) a dummy with one child: the child rises, also to the top level.
  EXPECT_EQ(by_references({msg("<b>", {"<x>"})}), "(1)");
  EXPECT_EQ(by_references({msg("<a>", {}), msg("<c>", {"<a>", "<b>"})}), "(1 2)");
  // A dummy with several children stays at the top: siblings of one thread.
  EXPECT_EQ(by_references({msg("<b>", {"<x>"}, 1), msg("<c>", {"<x>"}, 2)}), "((1)(2))");
}

TEST(ThreadReferences, DuplicateIdsAndMissingIdsAreUnique) {
  EXPECT_EQ(by_references({msg("<a>", {}, 1), msg("<a>", {}, 2), msg("", {"<a>"}, 3)}), "(1 3)(2)");
}

TEST(ThreadReferences, NoLoops) {
  EXPECT_EQ(by_references({msg("<a>", {"<b>"}, 1), msg("<b>", {"<a>"}, 2)}), "(2 1)");
  EXPECT_EQ(by_references({msg("<a>", {"<a>"})}), "(1)");
}

TEST(ThreadReferences, LastReferenceWinsOverAnEarlierLink) {
  // c's References make a the parent of b; b's own References then say x: (B) breaks
  // the link (A) made for b and links b under x.
  EXPECT_EQ(by_references({msg("<c>", {"<a>", "<b>"}, 1), msg("<b>", {"<x>"}, 2), msg("<a>", {}, 3),
                           msg("<x>", {}, 4)}),
            "(3)(4 2 1)");
  // (A) never changes a parent already linked: d's References b, c do not move c.
  EXPECT_EQ(by_references({msg("<a>", {}, 1), msg("<c>", {"<a>"}, 2), msg("<b>", {}, 3),
                           msg("<d>", {"<b>", "<c>"}, 4)}),
            "(1 2 4)(3)");
}

TEST(ThreadReferences, SiblingsAndThreadsByDate) {
  EXPECT_EQ(by_references({msg("<a>", {}, 1), msg("<b>", {"<a>"}, 5), msg("<c>", {"<a>"}, 3)}),
            "(1 (3)(2))");
  // A dummy sorts by its earliest child.
  EXPECT_EQ(by_references({msg("<b>", {"<x>"}, 5), msg("<c>", {"<x>"}, 2), msg("<d>", {}, 3)}),
            "((2)(1))(3)");
  // Equal dates: mailbox order.
  EXPECT_EQ(by_references({msg("<a>", {}, 7), msg("<b>", {}, 7)}), "(1)(2)");
}

TEST(ThreadReferences, ThreadsMergeBySubject) {
  // A reply joins the original as its child.
  EXPECT_EQ(by_references({msg("<a>", {}, 1, "hello"), msg("<b>", {}, 2, "Re: hello")}), "(1 2)");
  // Also when it is older: the original takes the place in the table.
  EXPECT_EQ(by_references({msg("<a>", {}, 1, "Re: x"), msg("<b>", {}, 2, "x")}), "(2 1)");
  // Two originals, or two replies: siblings under a new dummy.
  EXPECT_EQ(by_references({msg("<a>", {}, 1, "hello"), msg("<b>", {}, 2, "HELLO")}), "((1)(2))");
  EXPECT_EQ(by_references({msg("<a>", {}, 1, "Re: x"), msg("<b>", {}, 2, "Fwd: x"),
                           msg("<c>", {}, 3, "re: X")}),
            "((1)(2)(3))");
  // Two dummies: their children become one set of siblings.
  EXPECT_EQ(by_references({msg("<a>", {"<p>"}, 1, "s"), msg("<b>", {"<p>"}, 2, "s"),
                           msg("<c>", {"<q>"}, 3, "s"), msg("<d>", {"<q>"}, 4, "s")}),
            "((1)(2)(3)(4))");
  // An empty subject merges nothing.
  EXPECT_EQ(by_references({msg("<a>", {}, 1, ""), msg("<b>", {}, 2, "Re:")}), "(1)(2)");
}

TEST(ThreadReferences, ALongChainNeedsNoDeepStack) {
  std::vector<ThreadInput> chain;
  std::vector<std::string> refs;
  for (int i = 0; i < 200000; ++i) {
    std::string id = "<" + std::to_string(i) + "@x>";
    chain.push_back(
        msg(id, i == 0 ? std::vector<std::string>{} : std::vector<std::string>{refs.back()}, i));
    refs.push_back(id);
  }
  ThreadForest forest = thread_by_references(chain);
  ASSERT_EQ(forest.roots.size(), 1u);
  uint32_t node = forest.roots[0];
  size_t length = 1;
  while (!forest.nodes[node].children.empty()) {
    node = forest.nodes[node].children.front();
    ++length;
  }
  EXPECT_EQ(length, 200000u);
}

TEST(ThreadOrderedSubject, ByBaseSubjectThenDate) {
  std::vector<ThreadInput> in = {msg("", {}, 3, "x"), msg("", {}, 1, "Re: x"), msg("", {}, 2, "y"),
                                 msg("", {}, 2, "[fwd: X]")};
  EXPECT_EQ(render(thread_ordered_subject(in)), "(2 (4)(1))(3)");
  EXPECT_EQ(render(thread_ordered_subject(
                std::vector<ThreadInput>{msg("", {}, 1, "a"), msg("", {}, 2, "a")})),
            "(1 2)");
}

// thread_messages reads what the store kept, and the file where it kept nothing.
TEST(ThreadMessages, FromTheStore) {
  using namespace std::chrono_literals;
  store::MemoryStore store;
  blob::MemoryBlobStore blobs;
  ASSERT_TRUE(store.add_domain("example.org"));
  AccountId alice = *store.create_account("alice@example.org", "{X}");
  MailboxId inbox = store.find_mailbox(alice, "INBOX")->id;
  auto add = [&](const std::string& bytes, bool keep) {
    auto message = save_message(blobs, bytes, store::InternalDate(1s));
    ASSERT_TRUE(message);
    if (!keep) {
      message->envelope_header.reset();
      message->thread_refs.reset();
    }
    ASSERT_TRUE(store.append(inbox, *message));
  };
  add("Message-ID: <a@x>\r\nSubject: plans\r\nDate: 1 Jan 2020 10:00 +0000\r\n\r\nx\r\n", true);
  add("Message-ID: <b@x>\r\nReferences: <a@x>\r\nDate: 1 Jan 2020 12:00 +0000\r\n\r\nx\r\n", false);
  add("Message-ID: <c@x>\r\nIn-Reply-To: <a@x>\r\nDate: 1 Jan 2020 11:00 +0000\r\n\r\nx\r\n", true);
  add("Subject: Re: plans\r\nDate: 1 Jan 2020 09:00 +0000\r\n\r\nx\r\n", true);
  std::vector<store::MessageRecord> records = *store.list_messages(inbox);
  std::vector<const store::MessageRecord*> messages;
  for (const auto& r : records) messages.push_back(&r);
  auto forest = thread_messages(store, blobs, inbox, messages, ThreadAlgorithm::references);
  ASSERT_TRUE(forest) << forest.error().message;
  EXPECT_EQ(render(*forest), "(1 (4)(3)(2))");
  auto ordered = thread_messages(store, blobs, inbox, messages, ThreadAlgorithm::ordered_subject);
  ASSERT_TRUE(ordered);
  EXPECT_EQ(render(*ordered), "(4 1)(3 2)");

  // With a cache, a second THREAD (either algorithm) needs neither lines nor files: with
  // message 2's file gone, only the cache can still answer for it.
  ThreadCache cache(1 << 20);
  ASSERT_TRUE(
      thread_messages(store, blobs, inbox, messages, ThreadAlgorithm::ordered_subject, &cache));
  EXPECT_GT(cache.bytes(), 0u);
  ThreadCache partial(cache.bytes() - 1);
  ASSERT_TRUE(
      thread_messages(store, blobs, inbox, messages, ThreadAlgorithm::references, &partial));
  EXPECT_GT(partial.bytes(), 0u);
  EXPECT_LT(partial.bytes(), cache.bytes());
  ASSERT_TRUE(blobs.remove(records[1].blob));
  EXPECT_FALSE(thread_messages(store, blobs, inbox, messages, ThreadAlgorithm::references));
  auto cached = thread_messages(store, blobs, inbox, messages, ThreadAlgorithm::references, &cache);
  ASSERT_TRUE(cached) << cached.error().message;
  EXPECT_EQ(render(*cached), "(1 (4)(3)(2))");
  // A cache too small for all four keeps the first that fit (message 2 among them), so
  // its file is not needed; message 4's lines are read from the store again.
  auto again =
      thread_messages(store, blobs, inbox, messages, ThreadAlgorithm::references, &partial);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(render(*again), "(1 (4)(3)(2))");
  // A cache too small keeps nothing, and then the file is needed again.
  ThreadCache tiny(10);
  EXPECT_FALSE(thread_messages(store, blobs, inbox, messages, ThreadAlgorithm::references, &tiny));
  EXPECT_EQ(tiny.bytes(), 0u);
}

}  // namespace
}  // namespace postamt::mail
