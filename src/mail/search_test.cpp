// The evaluator on its own, with queries as JMAP will build them (instants, keywords);
// IMAP's keys are covered through the protocol in imap/session/search_test.cpp.
#include "mail/search.h"

#include <gtest/gtest.h>

#include "blob/memory_blob_store.h"
#include "mime/imap_data.h"

namespace postamt::mail {
namespace {

using Q = SearchQuery::Kind;
using namespace std::chrono_literals;

SearchQuery leaf(Q kind) {
  SearchQuery q;
  q.kind = kind;
  return q;
}
SearchQuery text(Q kind, std::string needle) {
  SearchQuery q = leaf(kind);
  q.text = std::move(needle);
  return q;
}
SearchQuery all_of(std::vector<SearchQuery> children) {
  SearchQuery q = leaf(Q::all_of);
  q.children = std::move(children);
  return q;
}

class SearchTest : public ::testing::Test {
 protected:
  store::MessageRecord add(std::string_view bytes, int64_t received, Keywords keywords = {}) {
    store::MessageRecord r;
    r.uid = static_cast<Uid>(records_.size() + 1);
    r.modseq = r.uid * 10;
    r.blob = *blobs_.put(bytes);
    r.size = bytes.size();
    r.internal_date = store::InternalDate(std::chrono::seconds(received));
    r.keywords = std::move(keywords);
    records_.push_back(r);
    return r;
  }
  // Uids of the records the query matches.
  std::vector<Uid> run(const SearchQuery& query) {
    auto program = SearchProgram::compile(query);
    EXPECT_TRUE(program) << program.error().message;
    std::vector<Uid> out;
    for (const auto& r : records_) {
      auto matched = program->matches(r, blobs_);
      EXPECT_TRUE(matched);
      if (matched && *matched) out.push_back(r.uid);
    }
    return out;
  }

  blob::MemoryBlobStore blobs_;
  std::vector<store::MessageRecord> records_;
};

TEST_F(SearchTest, RecordKeys) {
  add("Subject: a\r\n\r\nx\r\n", 1000, {"$Seen-by-bot"});
  add("Subject: b\r\n\r\nlonger body\r\n", 2000);
  SearchQuery received = leaf(Q::received);
  received.from = 1000;
  received.until = 2000;  // [from, until)
  EXPECT_EQ(run(received), std::vector<Uid>{1});
  received.from.reset();
  received.until = 1000;
  EXPECT_TRUE(run(received).empty());
  EXPECT_EQ(run(text(Q::has_keyword, "$seen-BY-bot")), std::vector<Uid>{1});
  EXPECT_EQ(run(text(Q::lacks_keyword, "$seen-by-bot")), std::vector<Uid>{2});
  SearchQuery flagged = leaf(Q::lacks_flag);
  flagged.flag = SystemFlag::flagged;
  EXPECT_EQ(run(flagged), (std::vector<Uid>{1, 2}));
  SearchQuery above = leaf(Q::size_above);
  above.number = 17;
  EXPECT_EQ(run(above), std::vector<Uid>{2});
  SearchQuery modseq = leaf(Q::modseq_at_least);
  modseq.number = 20;
  EXPECT_EQ(run(modseq), std::vector<Uid>{2});
  SearchQuery uids = leaf(Q::uid_in);
  uids.uids = {9, 2};  // sorted by compile()
  EXPECT_EQ(run(uids), std::vector<Uid>{2});
  EXPECT_TRUE(run(leaf(Q::nothing)).empty());
  EXPECT_EQ(run(all_of({})), (std::vector<Uid>{1, 2}));
}

TEST_F(SearchTest, ContentKeysFoldCaseAndDecode) {
  add("From: =?ISO-8859-1?Q?Ren=E9?= <rene@example.com>\r\nSubject: Caf\xC3\xA9 plans\r\n"
      "Date: Mon, 13 Nov 2023 23:30:00 -0500\r\n\r\nMeet at NOON.\r\n",
      1700000000);
  add("From: bob@example.org\r\nX-Tag: urgent\r\n\r\nnothing\r\n", 1700000000);
  EXPECT_EQ(run(text(Q::from, "rené")), std::vector<Uid>{1});
  EXPECT_EQ(run(text(Q::from, "René <rene@")), std::vector<Uid>{1});
  EXPECT_EQ(run(text(Q::subject, "CAFÉ")), std::vector<Uid>{1});
  EXPECT_EQ(run(text(Q::body, "noon")), std::vector<Uid>{1});
  EXPECT_EQ(run(text(Q::text, "x-tag: URGENT")), std::vector<Uid>{2});
  SearchQuery header = text(Q::header, "");
  header.header_name = "x-tag";
  EXPECT_EQ(run(header), std::vector<Uid>{2});
  // The day the sender wrote (13 Nov 2023), not the UTC day (14 Nov).
  const int64_t nov13 = 19674;
  SearchQuery sent = leaf(Q::sent_day);
  sent.from = nov13;
  sent.until = nov13 + 1;
  EXPECT_EQ(run(sent), std::vector<Uid>{1});
  SearchQuery negated = leaf(Q::not_);
  negated.children.push_back(text(Q::body, "noon"));
  EXPECT_EQ(run(negated), std::vector<Uid>{2});
  SearchQuery either = leaf(Q::any_of);
  either.children = {text(Q::subject, "café"), text(Q::from, "bob@")};
  EXPECT_EQ(run(either), (std::vector<Uid>{1, 2}));
}

TEST_F(SearchTest, WhatTheProgramReads) {
  auto records_only = SearchProgram::compile(all_of({leaf(Q::nothing), text(Q::has_keyword, "k")}));
  ASSERT_TRUE(records_only);
  EXPECT_EQ(records_only->input(), SearchInput::record);
  EXPECT_FALSE(records_only->reads_envelope_fields());
  auto envelope = SearchProgram::compile(text(Q::subject, "x"));
  ASSERT_TRUE(envelope);
  EXPECT_EQ(envelope->input(), SearchInput::header);
  EXPECT_TRUE(envelope->reads_envelope_fields());
  SearchQuery other = text(Q::header, "x");
  other.header_name = "X-Tag";
  EXPECT_FALSE(SearchProgram::compile(other)->reads_envelope_fields());
  EXPECT_EQ(SearchProgram::compile(text(Q::body, "x"))->input(), SearchInput::body);
  // A record key never opens the message: a missing blob does not matter to it.
  store::MessageRecord gone;
  gone.blob = *BlobRef::parse(std::string(64, 'f'));
  EXPECT_TRUE(*records_only->matches(gone, blobs_) == false);
  auto content = SearchProgram::compile(text(Q::body, "x"));
  EXPECT_FALSE(content->matches(gone, blobs_));  // the blob store's error
}

TEST_F(SearchTest, Limits) {
  SearchQuery keys = leaf(Q::all_of);
  keys.children.assign(kMaxSearchKeys, leaf(Q::nothing));  // with the root: one too many
  auto many = SearchProgram::compile(keys);
  ASSERT_FALSE(many);
  EXPECT_EQ(many.error().kind, ErrorKind::limit);
  EXPECT_EQ(many.error().message, "The search has more than 1000 keys");
  keys.children.pop_back();
  EXPECT_TRUE(SearchProgram::compile(keys));
  SearchQuery sets = leaf(Q::all_of);
  sets.children.assign(kMaxSearchSets + 1, leaf(Q::uid_in));
  auto too_many_sets = SearchProgram::compile(sets);
  ASSERT_FALSE(too_many_sets);
  EXPECT_EQ(too_many_sets.error().message, "The search has more than 32 message sets");
  SearchQuery bad_not = leaf(Q::not_);
  auto invalid = SearchProgram::compile(bad_not);
  ASSERT_FALSE(invalid);
  EXPECT_EQ(invalid.error().kind, ErrorKind::invalid);
}

// Envelope lines kept by the store answer header keys without the message file.
TEST_F(SearchTest, EnvelopeLinesAnswerWithoutTheFile) {
  class Lines final : public EnvelopeSource {
   public:
    Result<const std::string*> lines(Uid) override {
      ++asked;
      return &text;
    }
    std::string text = "Subject: from the store\r\n";
    int asked = 0;
  } lines;
  store::MessageRecord r;
  r.uid = 1;
  r.blob = *BlobRef::parse(std::string(64, 'd'));  // not in the blob store
  auto program = SearchProgram::compile(text(Q::subject, "THE STORE"));
  auto matched = program->matches(r, blobs_, &lines);
  ASSERT_TRUE(matched) << matched.error().message;
  EXPECT_TRUE(*matched);
  EXPECT_EQ(lines.asked, 1);
}

}  // namespace
}  // namespace postamt::mail
