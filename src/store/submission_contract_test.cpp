// The Store contract for JMAP EmailSubmission records (store/api/store.h,
// store/api/submissions.h), run against every backend like contract_test.cpp.
#include <gtest/gtest.h>

#include "store/test_backend.h"

namespace postamt::store {
namespace {

class SubmissionContract : public BackendTest {
 protected:
  AccountId user(std::string_view address) {
    auto id = store_->create_account(address, "{ARGON2ID}hash");
    EXPECT_TRUE(id) << id.error().message;
    return id ? *id : AccountId();
  }
  ModSeq modseq(AccountId account) {
    auto m = store_->account_modseq(account);
    EXPECT_TRUE(m) << m.error().message;
    return m ? *m : 0;
  }
  static NewEmailSubmission record(AccountId account, std::string email_id) {
    NewEmailSubmission r;
    r.account = account;
    r.identity_id = "I1";
    r.email_id = std::move(email_id);
    r.thread_id = "T9";
    r.message_id = "<m1@example.org>";
    r.mail_from = {"alice@example.org", "null", SubmissionRoute::remote};
    r.rcpt_to = {{"bob@example.org", "null", SubmissionRoute::local},
                 {"carol@remote.test", "{\"NOTIFY\":\"NEVER\"}", SubmissionRoute::remote},
                 {"dave@remote.test", "null", SubmissionRoute::dropped}};
    r.send_at = 1700000000;
    r.queue_id = "4Fz1Xk2ab";
    return r;
  }
};

#define EXPECT_ERROR(expr, want_kind, want_message)       \
  do {                                                    \
    auto r_ = (expr);                                     \
    ASSERT_FALSE(r_) << #expr;                            \
    EXPECT_EQ(r_.error().kind, want_kind) << #expr;       \
    EXPECT_EQ(r_.error().message, want_message) << #expr; \
  } while (0)

TEST_P(SubmissionContract, CreateTakesAnAccountModseqAndListsBack) {
  AccountId alice = user("alice@example.org");
  ModSeq before = modseq(alice);
  auto created = store_->create_email_submission(record(alice, "Ma"));
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(created->id, before + 1);
  EXPECT_EQ(modseq(alice), before + 1);
  EXPECT_EQ(static_cast<const NewEmailSubmission&>(*created), record(alice, "Ma"));

  auto second = store_->create_email_submission(record(alice, "Mb"));
  ASSERT_TRUE(second);
  EXPECT_EQ(second->id, before + 2);

  auto list = store_->list_email_submissions(alice);
  ASSERT_TRUE(list) << list.error().message;
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0], *created);
  EXPECT_EQ((*list)[1], *second);
  EXPECT_EQ((*list)[1].email_id, "Mb");
  EXPECT_EQ((*list)[0].rcpt_to[1].parameters, "{\"NOTIFY\":\"NEVER\"}");
  EXPECT_EQ((*list)[0].rcpt_to[2].route, SubmissionRoute::dropped);
}

TEST_P(SubmissionContract, RecordsBelongToTheirAccount) {
  AccountId alice = user("alice@example.org");
  AccountId bob = user("bob@example.org");
  auto created = store_->create_email_submission(record(alice, "Ma"));
  ASSERT_TRUE(created);
  auto bobs = store_->list_email_submissions(bob);
  ASSERT_TRUE(bobs);
  EXPECT_TRUE(bobs->empty());
  EXPECT_ERROR(store_->destroy_email_submission(bob, created->id), ErrorKind::not_found,
               "no such email submission: " + std::to_string(created->id));
  ASSERT_TRUE(store_->remove_account("alice@example.org"));
  EXPECT_ERROR(store_->list_email_submissions(alice), ErrorKind::not_found,
               "account " + std::to_string(alice.value()) + " does not exist");
}

TEST_P(SubmissionContract, InvalidRecordsAreRefused) {
  AccountId alice = user("alice@example.org");
  const ModSeq before = modseq(alice);
  NewEmailSubmission no_email = record(alice, "");
  EXPECT_ERROR(store_->create_email_submission(no_email), ErrorKind::invalid,
               "an email submission needs an email id");
  NewEmailSubmission no_rcpt = record(alice, "Ma");
  no_rcpt.rcpt_to.clear();
  EXPECT_ERROR(store_->create_email_submission(no_rcpt), ErrorKind::invalid,
               "an email submission needs recipients");
  NewEmailSubmission stranger = record(AccountId(999), "Ma");
  EXPECT_ERROR(store_->create_email_submission(stranger), ErrorKind::not_found,
               "account 999 does not exist");
  EXPECT_EQ(modseq(alice), before);
}

TEST_P(SubmissionContract, DestroyLeavesATombstoneForChanges) {
  AccountId alice = user("alice@example.org");
  auto a = store_->create_email_submission(record(alice, "Ma"));
  ASSERT_TRUE(a);
  ModSeq after_a = modseq(alice);
  auto b = store_->create_email_submission(record(alice, "Mb"));
  ASSERT_TRUE(b);
  auto destroyed = store_->destroy_email_submission(alice, a->id);
  ASSERT_TRUE(destroyed) << destroyed.error().message;
  EXPECT_EQ(*destroyed, b->id + 1);
  EXPECT_EQ(modseq(alice), b->id + 1);
  EXPECT_ERROR(store_->destroy_email_submission(alice, a->id), ErrorKind::not_found,
               "no such email submission: " + std::to_string(a->id));

  auto list = store_->list_email_submissions(alice);
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(list->front().id, b->id);

  auto since_a = store_->email_submission_changes(alice, after_a);
  ASSERT_TRUE(since_a) << since_a.error().message;
  EXPECT_EQ(since_a->highest_modseq, b->id + 1);
  EXPECT_EQ(since_a->history_start, 0u);
  ASSERT_EQ(since_a->created.size(), 1u);
  EXPECT_EQ(since_a->created[0], *b);
  ASSERT_EQ(since_a->destroyed.size(), 1u);
  EXPECT_EQ(since_a->destroyed[0], (SubmissionChanges::Destroyed{a->id, b->id + 1}));

  auto since_all = store_->email_submission_changes(alice, *destroyed);
  ASSERT_TRUE(since_all);
  EXPECT_TRUE(since_all->created.empty());
  EXPECT_TRUE(since_all->destroyed.empty());
  EXPECT_ERROR(store_->email_submission_changes(AccountId(999), 0), ErrorKind::not_found,
               "account 999 does not exist");
}

INSTANTIATE_TEST_SUITE_P(Backends, SubmissionContract,
                         ::testing::Values("memory", "sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace postamt::store
