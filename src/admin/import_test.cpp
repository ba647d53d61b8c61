// `postamt import` and `postamt export` over the memory store and a temporary folder.
// The real Dovecot Maildir and the command line: tests/integration/test_import.py.
#include <fcntl.h>
#include <sys/stat.h>

#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include "admin/export.h"
#include "admin/import.h"
#include "blob/memory_blob_store.h"
#include "store/memory/memory_store.h"
#include "support/files.h"

namespace postamt::admin {
namespace {

namespace fs = std::filesystem;
using testing::read_file;
using testing::write_file;

void set_mtime(const fs::path& path, int64_t seconds) {
  timespec times[2] = {{seconds, 0}, {seconds, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
}

class ImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.add_domain("example.test"));
    for (const char* user : {"alice@example.test", "bob@example.test", "carol@example.test"})
      ASSERT_TRUE(store_.create_account(user, "{PLAIN}x"));
  }

  // A Dovecot-style Maildir++ tree, as tests/integration/test_import.py checks against a
  // real Dovecot: INBOX with a delivered and a flagged message (listed out of name order
  // in dovecot-uidlist), Projects/2026 with keywords, Spam, and an empty Café.
  fs::path make_maildir() {
    fs::path root = dir_.root() / "Maildir";
    for (const char* sub : {"cur", "new", "tmp", ".Projects.2026/cur", ".Projects.2026/new",
                            ".Spam/cur", ".Caf&AOk-/cur"})
      fs::create_directories(root / sub);
    write_file(root / "new/200.M2.host", "Subject: second\n\nnew mail\n");
    write_file(root / "cur/300.M1.host,S=20:2,FRa", "Subject: first\n\nFrom me\n");
    write_file(root / "dovecot-uidlist", "3 V1 N3 Gx\n1 :300.M1.host,S=20\n2 :200.M2.host\n");
    write_file(root / "dovecot-keywords", "0 $Label1\n");
    write_file(root / ".Projects.2026/cur/100.M3.host:2,Sab", "Subject: p\r\n\r\nCRLF kept\r\n");
    write_file(root / ".Projects.2026/dovecot-keywords", "0 $Forwarded\n1 Important\n");
    write_file(root / ".Spam/cur/50.M4.host:2,PT", "Subject: spam\n\nbuy\n");
    write_file(root / "subscriptions", "V\t2\n\nProjects\t2026\nSpam\n");
    set_mtime(root / "new/200.M2.host", 1706778000);
    set_mtime(root / "cur/300.M1.host,S=20:2,FRa", 1706000000);
    set_mtime(root / ".Projects.2026/cur/100.M3.host:2,Sab", 1600000000);
    set_mtime(root / ".Spam/cur/50.M4.host:2,PT", 1500000000);
    return root;
  }

  ImportOptions options(ImportKind kind, const fs::path& source, std::string user) {
    ImportOptions o;
    o.kind = kind;
    o.source = source;
    o.user = std::move(user);
    o.journal_folder = dir_.root() / "journals";
    return o;
  }

  AccountId account(std::string_view user) { return store_.find_account(user)->id; }

  std::vector<store::MessageRecord> messages(std::string_view user, std::string_view mailbox) {
    auto m = store_.find_mailbox(account(user), mailbox);
    EXPECT_TRUE(m) << mailbox;
    if (!m) return {};
    return *store_.list_messages(m->id);
  }

  std::string bytes(const store::MessageRecord& m) { return *blobs_.get(m.blob); }

  // Every mailbox of `user` as "name: [flags keywords date bytes] ..." lines, to compare
  // two accounts.
  std::string describe(std::string_view user) {
    std::string out;
    auto mailboxes = store_.list_mailboxes(account(user));
    for (const store::Mailbox& mb : *mailboxes) {
      out += mb.name + ":";
      auto records = store_.list_messages(mb.id);
      for (const store::MessageRecord& m : *records) {
        std::vector<std::string> keywords = m.keywords.items();
        std::sort(keywords.begin(), keywords.end());
        out += fmt::format(" [{} {} {} {}]", m.flags.bits(), fmt::join(keywords, ","),
                           m.internal_date.time_since_epoch().count(), bytes(m));
      }
      out += "\n";
    }
    return out;
  }

  testing::TempDir dir_;
  store::MemoryStore store_;
  blob::MemoryBlobStore blobs_;
  ImportProgressSink no_progress_;
};

TEST_F(ImportTest, MaildirFoldersFlagsKeywordsDatesBytesAndSubscriptions) {
  fs::path root = make_maildir();
  std::vector<ImportProgress> seen;
  ImportProgressSink sink = [&](const ImportProgress& p) { seen.push_back(p); };
  auto report =
      import_mail(store_, blobs_, options(ImportKind::maildir, root, "alice@example.test"), sink);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->imported, 4u);
  EXPECT_TRUE(report->skipped.empty());
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen.back().done, 4u);
  EXPECT_EQ(seen.back().total, 4u);

  auto inbox = messages("alice@example.test", "INBOX");
  ASSERT_EQ(inbox.size(), 2u);
  // dovecot-uidlist's order, not the names'.
  EXPECT_EQ(bytes(inbox[0]), "Subject: first\r\n\r\nFrom me\r\n");
  EXPECT_EQ(inbox[0].flags, (SystemFlags{SystemFlag::flagged, SystemFlag::answered}));
  EXPECT_EQ(inbox[0].keywords, (Keywords{"$Label1"}));
  EXPECT_EQ(inbox[0].internal_date.time_since_epoch().count(), 1706000000);
  EXPECT_EQ(bytes(inbox[1]), "Subject: second\r\n\r\nnew mail\r\n");
  EXPECT_TRUE(inbox[1].flags.empty());
  EXPECT_EQ(inbox[1].internal_date.time_since_epoch().count(), 1706778000);

  auto projects = messages("alice@example.test", "Projects/2026");
  ASSERT_EQ(projects.size(), 1u);
  EXPECT_EQ(bytes(projects[0]), "Subject: p\r\n\r\nCRLF kept\r\n");
  EXPECT_EQ(projects[0].flags, (SystemFlags{SystemFlag::seen}));
  EXPECT_EQ(projects[0].keywords, (Keywords{"$Forwarded", "Important"}));

  // "Spam" is the account's Junk (role junk); P is $Forwarded, T \Deleted.
  auto junk = messages("alice@example.test", "Junk");
  ASSERT_EQ(junk.size(), 1u);
  EXPECT_EQ(junk[0].flags, (SystemFlags{SystemFlag::deleted}));
  EXPECT_EQ(junk[0].keywords, (Keywords{"$Forwarded"}));
  EXPECT_FALSE(store_.find_mailbox(account("alice@example.test"), "Spam"));
  // The empty folder exists too, its name decoded from modified UTF-7.
  EXPECT_TRUE(messages("alice@example.test", "Caf\u00e9").empty());

  auto subscriptions = *store_.list_subscriptions(account("alice@example.test"));
  EXPECT_NE(std::find(subscriptions.begin(), subscriptions.end(), "Projects/2026"),
            subscriptions.end());
  EXPECT_EQ(format_import_report(*report),
            "INBOX: 2 imported\nCaf\u00e9: 0 imported\nProjects/2026: 1 imported\nJunk: 1 "
            "imported\nimported 4 messages, 0 imported before, 0 skipped\njournal: " +
                report->journal.string() + "\n");
}

TEST_F(ImportTest, CourierKeywords) {
  fs::path root = dir_.root() / "Courier";
  for (const char* sub : {"cur", "new", "tmp", "courierimapkeywords"})
    fs::create_directories(root / sub);
  write_file(root / "cur/123.M1.h:2,S", "Subject: x\n\n");
  write_file(root / "cur/124.M2.h:2,", "Subject: y\n\n");
  // What Courier's maildirkw wrote (maildir_codec_test.cpp, CourierKeywords).
  write_file(root / "courierimapkeywords/:list",
             "Work\nImportant\n$Label1\n\n123.M1.h:2 1\n124.M2.h:0\n");
  write_file(root / "courierimapkeywords/.5988727.124.M2.h", "Done\n");
  ASSERT_TRUE(import_mail(store_, blobs_, options(ImportKind::maildir, root, "bob@example.test"),
                          no_progress_));
  auto inbox = messages("bob@example.test", "INBOX");
  ASSERT_EQ(inbox.size(), 2u);
  EXPECT_EQ(inbox[0].keywords, (Keywords{"$Label1", "Important"}));
  EXPECT_EQ(inbox[0].flags, (SystemFlags{SystemFlag::seen}));
  EXPECT_EQ(inbox[1].keywords, (Keywords{"Done"}));
}

TEST_F(ImportTest, RunningAgainImportsNothingTwice) {
  fs::path root = make_maildir();
  ImportOptions o = options(ImportKind::maildir, root, "alice@example.test");
  ASSERT_TRUE(import_mail(store_, blobs_, o, no_progress_));
  // A message that arrived since, with flags changed on an old one (a new name in cur/).
  write_file(root / "new/400.M9.host", "Subject: later\n\nx\n");
  fs::rename(root / "cur/300.M1.host,S=20:2,FRa", root / "cur/300.M1.host,S=20:2,FRSa");
  auto again = import_mail(store_, blobs_, o, no_progress_);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->imported, 1u);
  EXPECT_EQ(again->already, 4u);
  EXPECT_EQ(messages("alice@example.test", "INBOX").size(), 3u);
}

TEST_F(ImportTest, PendingJournalEntriesAreSettledFromTheStore) {
  fs::path root = make_maildir();
  ImportOptions o = options(ImportKind::maildir, root, "alice@example.test");
  auto first = import_mail(store_, blobs_, o, no_progress_);
  ASSERT_TRUE(first);
  // As if the process died after the store committed the last message but before the
  // journal said so ("D" line lost), and, for another one, before the commit (the "B"
  // line kept, the message never stored: removed here from the store).
  std::string journal = read_file(first->journal);
  size_t last_done = journal.rfind("D\t");
  ASSERT_NE(last_done, std::string::npos);
  journal.resize(last_done);
  auto inbox = messages("alice@example.test", "INBOX");
  auto inbox_box = *store_.find_mailbox(account("alice@example.test"), "INBOX");
  ASSERT_TRUE(store_.expunge(inbox_box.id, {inbox[1].uid}));
  size_t second_done = journal.find("D\t./200.M2.host\n");
  ASSERT_NE(second_done, std::string::npos);
  journal.erase(second_done, std::string("D\t./200.M2.host\n").size());
  // And a torn last line.
  journal += "B\t./torn";
  write_file(first->journal, journal);

  auto again = import_mail(store_, blobs_, o, no_progress_);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->imported, 1u);  // only the one that never reached the store
  EXPECT_EQ(again->already, 3u);
  EXPECT_EQ(messages("alice@example.test", "INBOX").size(), 2u);
  EXPECT_EQ(messages("alice@example.test", "Junk").size(), 1u);
}

TEST_F(ImportTest, OverQuotaAndTooLargeAreSkippedAndReported) {
  fs::path root = make_maildir();
  store::QuotaSetting quota;
  quota.messages = 2;
  ASSERT_TRUE(store_.set_quota("alice@example.test", quota));
  ImportOptions o = options(ImportKind::maildir, root, "alice@example.test");
  o.max_message_size = 25;  // "Subject: second\n\nnew mail\n" is 26 octets
  auto report = import_mail(store_, blobs_, o, no_progress_);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->imported, 2u);
  ASSERT_EQ(report->skipped.size(), 2u);
  EXPECT_EQ(report->skipped[0].source, "new/200.M2.host");
  EXPECT_EQ(report->skipped[0].reason,
            "too large: 26 octets, the limit ([imap] max_literal) is 25");
  EXPECT_EQ(report->skipped[1].source, ".Spam/cur/50.M4.host:2,PT");
  EXPECT_EQ(report->skipped[1].reason,
            "account alice@example.test would pass its message quota of 2 messages");
  // Room made, limit raised: running it again brings exactly the skipped ones.
  quota.messages = 0;
  ASSERT_TRUE(store_.set_quota("alice@example.test", quota));
  o.max_message_size = 1000;
  auto again = import_mail(store_, blobs_, o, no_progress_);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->imported, 2u);
  EXPECT_EQ(again->already, 2u);
  EXPECT_TRUE(again->skipped.empty());
}

// A tree a user supplied cannot make the import read files outside it: a message file
// that is a link, a FIFO, a cur/ that is a link and a folder that is a link to another
// maildir are all left alone; the first two are named in the report.
TEST_F(ImportTest, LinksAndSpecialFilesInTheSourceAreNotFollowed) {
  fs::path root = dir_.root() / "Maildir";
  fs::path elsewhere = dir_.root() / "elsewhere";
  fs::create_directories(root / "cur");
  fs::create_directories(elsewhere / "cur");
  write_file(root / "cur/1.M1.h:2,S", "Subject: mine\n\nok\n");
  write_file(elsewhere / "secret", "Subject: secret\n\nnot yours\n");
  write_file(elsewhere / "cur/9.M9.h:2,S", "Subject: other maildir\n\nnot yours\n");
  fs::create_symlink(elsewhere / "secret", root / "cur/2.M2.h:2,S");
  ASSERT_EQ(::mkfifo((root / "cur/3.M3.h:2,S").c_str(), 0600), 0);
  fs::create_directories(root / ".Linked");
  fs::create_directory_symlink(elsewhere / "cur", root / ".Linked/cur");
  fs::create_directory_symlink(elsewhere, root / ".Other");
  auto report = import_mail(store_, blobs_,
                            options(ImportKind::maildir, root, "alice@example.test"), no_progress_);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->imported, 1u);
  ASSERT_EQ(report->skipped.size(), 2u);
  EXPECT_EQ(report->skipped[0].source, "cur/2.M2.h:2,S");
  EXPECT_EQ(report->skipped[0].reason, "cannot open " + (root / "cur/2.M2.h:2,S").string() +
                                           ": Too many levels of symbolic links");
  EXPECT_EQ(report->skipped[1].source, "cur/3.M3.h:2,S");
  EXPECT_EQ(report->skipped[1].reason, "not a regular file: " + (root / "cur/3.M3.h:2,S").string());
  EXPECT_EQ(describe("alice@example.test").find("not yours"), std::string::npos);
  EXPECT_FALSE(store_.find_mailbox(account("alice@example.test"), "Other"));
}

TEST_F(ImportTest, ABatchOverQuotaStoresWhatFitsOneByOne) {
  fs::path root = make_maildir();
  store::QuotaSetting quota;
  quota.messages = 1;
  ASSERT_TRUE(store_.set_quota("alice@example.test", quota));
  // INBOX's two messages are one batch; together they do not fit, the first one does.
  auto report = import_mail(store_, blobs_,
                            options(ImportKind::maildir, root, "alice@example.test"), no_progress_);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->imported, 1u);
  ASSERT_EQ(report->skipped.size(), 3u);
  EXPECT_EQ(report->skipped[0].source, "new/200.M2.host");
  auto inbox = messages("alice@example.test", "INBOX");
  ASSERT_EQ(inbox.size(), 1u);
  EXPECT_EQ(bytes(inbox[0]), "Subject: first\r\n\r\nFrom me\r\n");
  // The journal knows exactly that one.
  quota.messages = 0;
  ASSERT_TRUE(store_.set_quota("alice@example.test", quota));
  auto again = import_mail(store_, blobs_, options(ImportKind::maildir, root, "alice@example.test"),
                           no_progress_);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->imported, 3u);
  EXPECT_EQ(again->already, 1u);
  EXPECT_EQ(messages("alice@example.test", "INBOX").size(), 2u);
}

TEST_F(ImportTest, IntoAMailboxAndBadSources) {
  fs::path root = make_maildir();
  ImportOptions o = options(ImportKind::maildir, root, "alice@example.test");
  o.mailbox = "Old";
  ASSERT_TRUE(import_mail(store_, blobs_, o, no_progress_));
  EXPECT_EQ(messages("alice@example.test", "Old").size(), 2u);
  EXPECT_EQ(messages("alice@example.test", "Old/Spam").size(), 1u);
  EXPECT_EQ(messages("alice@example.test", "Old/Projects/2026").size(), 1u);
  EXPECT_TRUE(messages("alice@example.test", "Junk").empty());

  auto nobody = import_mail(store_, blobs_, options(ImportKind::maildir, root, "x@example.test"),
                            no_progress_);
  ASSERT_FALSE(nobody);
  EXPECT_EQ(nobody.error().kind, ErrorKind::not_found);
  fs::create_directories(dir_.root() / "empty");
  auto not_maildir = import_mail(
      store_, blobs_, options(ImportKind::maildir, dir_.root() / "empty", "bob@example.test"),
      no_progress_);
  ASSERT_FALSE(not_maildir);
  EXPECT_EQ(not_maildir.error().kind, ErrorKind::invalid);
  write_file(dir_.root() / "plain.txt", "Subject: no mbox\n\n");
  auto not_mbox = import_mail(
      store_, blobs_, options(ImportKind::mbox, dir_.root() / "plain.txt", "bob@example.test"),
      no_progress_);
  ASSERT_FALSE(not_mbox);
  EXPECT_EQ(not_mbox.error().message, dir_.root().string() + "/plain.txt: not an mbox file");
}

TEST_F(ImportTest, MboxFolderFromLinesStatusFieldsAndSkippedFiles) {
  fs::path dir = dir_.root() / "mail";
  fs::create_directories(dir / "Lists.sbd");
  write_file(dir / "INBOX",
             "From a@example.net Mon Jan  1 10:20:30 2024\n"
             "Subject: one\nStatus: RO\nX-Keywords: Work\n\n>From the start\n>>From quoted\n\n"
             "From b@example.net Sat Feb 29 23:59 2020 +0100\n"
             "Subject: two\nX-Status: A\n\nbody\n\n");
  write_file(dir / "Lists.sbd" / "rust.mbox", "From c Mon Jan  1 00:00:00 2024\n\nrust\n\n");
  write_file(dir / "Lists.msf", "index, not mail");
  write_file(dir / "notes.txt", "not an mbox\n");
  auto report =
      import_mail(store_, blobs_, options(ImportKind::mbox, dir, "bob@example.test"), no_progress_);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->imported, 3u);
  ASSERT_EQ(report->skipped.size(), 1u);
  EXPECT_EQ(report->skipped[0].source, "notes.txt");
  EXPECT_EQ(report->skipped[0].reason, "not an mbox file");
  auto inbox = messages("bob@example.test", "INBOX");
  ASSERT_EQ(inbox.size(), 2u);
  EXPECT_EQ(bytes(inbox[0]), "Subject: one\r\n\r\nFrom the start\r\n>From quoted\r\n");
  EXPECT_EQ(inbox[0].flags, (SystemFlags{SystemFlag::seen}));
  EXPECT_EQ(inbox[0].keywords, (Keywords{"Work"}));
  EXPECT_EQ(inbox[0].internal_date.time_since_epoch().count(), 1704104430);
  EXPECT_EQ(bytes(inbox[1]), "Subject: two\r\n\r\nbody\r\n");
  EXPECT_EQ(inbox[1].flags, (SystemFlags{SystemFlag::answered}));
  EXPECT_EQ(inbox[1].internal_date.time_since_epoch().count(), 1583020740 - 3600);
  EXPECT_EQ(messages("bob@example.test", "Lists/rust").size(), 1u);
  // mboxo reads ">>From" as it is.
  ImportOptions o = options(ImportKind::mbox, dir / "INBOX", "carol@example.test");
  o.mbox_format = mbox::MboxFormat::mboxo;
  ASSERT_TRUE(import_mail(store_, blobs_, o, no_progress_));
  EXPECT_EQ(bytes(messages("carol@example.test", "INBOX")[0]),
            "Subject: one\r\n\r\nFrom the start\r\n>>From quoted\r\n");
}

TEST_F(ImportTest, ExportThenImportRoundTripsBothFormats) {
  ASSERT_TRUE(import_mail(store_, blobs_,
                          options(ImportKind::maildir, make_maildir(), "alice@example.test"),
                          no_progress_));
  // A keyword on a message with a quoted From line, to go through both escapings.
  std::string expected = describe("alice@example.test");
  for (ExportFormat format : {ExportFormat::maildir, ExportFormat::mbox}) {
    std::string user = format == ExportFormat::maildir ? "bob@example.test" : "carol@example.test";
    fs::path dest = dir_.root() / (format == ExportFormat::maildir ? "out-maildir" : "out-mbox");
    ExportOptions e{"alice@example.test", format, dest};
    auto exported = export_mail(store_, blobs_, e);
    ASSERT_TRUE(exported) << exported.error().message;
    EXPECT_EQ(exported->messages, 4u);
    EXPECT_TRUE(exported->skipped.empty());
    auto back = import_mail(
        store_, blobs_,
        options(format == ExportFormat::maildir ? ImportKind::maildir : ImportKind::mbox, dest,
                user),
        no_progress_);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_TRUE(back->skipped.empty());
    EXPECT_EQ(describe(user), expected);
    // DEST must be new or empty.
    auto again = export_mail(store_, blobs_, e);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().kind, ErrorKind::invalid);
  }
  EXPECT_EQ(read_file(dir_.root() / "out-maildir" / ".Projects.2026" / "dovecot-keywords"),
            "0 $Forwarded\n1 Important\n");
  EXPECT_TRUE(fs::exists(dir_.root() / "out-mbox" / "Projects.sbd" / "2026.mbox"));
}

TEST_F(ImportTest, ExportLeavesOutWhatMaildirCannotName) {
  auto m = store_.create_mailbox(account("alice@example.test"), "v1.2", MailboxRole::none);
  ASSERT_TRUE(m);
  auto report =
      export_mail(store_, blobs_,
                  ExportOptions{"alice@example.test", ExportFormat::maildir, dir_.root() / "out"});
  ASSERT_TRUE(report);
  ASSERT_EQ(report->skipped.size(), 1u);
  EXPECT_EQ(report->skipped[0].what, "mailbox v1.2 (0 messages)");
  EXPECT_EQ(format_export_report(*report),
            "left out mailbox v1.2 (0 messages): a mailbox name level holds the folder "
            "separator\nexported 0 messages from 6 mailboxes\n");
}

TEST_F(ImportTest, ExportWritesAtMost26KeywordsPerMaildirFolder) {
  auto inbox = *store_.find_mailbox(account("alice@example.test"), "INBOX");
  for (int i = 0; i < 27; ++i) {
    std::string bytes = fmt::format("Subject: {}\r\n\r\nx\r\n", i);
    store::NewMessage m;
    m.blob = *blobs_.put(bytes);
    m.size = bytes.size();
    m.keywords.add(fmt::format("k{}", i));
    ASSERT_TRUE(store_.append(inbox.id, m));
  }
  auto report =
      export_mail(store_, blobs_,
                  ExportOptions{"alice@example.test", ExportFormat::maildir, dir_.root() / "out"});
  ASSERT_TRUE(report);
  EXPECT_EQ(report->messages, 27u);
  ASSERT_EQ(report->skipped.size(), 1u);
  EXPECT_EQ(report->skipped[0].what, "mailbox INBOX uid 27 keyword k26");
  EXPECT_EQ(report->skipped[0].reason, "not written: a maildir folder holds at most 26 keywords");
  std::string keywords = read_file(dir_.root() / "out" / "dovecot-keywords");
  EXPECT_TRUE(keywords.starts_with("0 k0\n1 k1\n"));
  EXPECT_TRUE(keywords.ends_with("25 k25\n"));
}

TEST(ImportProgressBar, FitsTheWidth) {
  EXPECT_EQ(progress_bar({5, 10, "INBOX"}, 40), "\r[=====     ] 5/10 INBOX" + std::string(15, ' '));
  EXPECT_EQ(progress_bar({0, 0, "x"}, 30).size(), 29u);
}

TEST(ImportRoles, FolderNamesOfSpecialUseFolders) {
  EXPECT_EQ(role_for_folder_name("sent messages"), MailboxRole::sent);
  EXPECT_EQ(role_for_folder_name("Spam"), MailboxRole::junk);
  EXPECT_EQ(role_for_folder_name("Deleted Items"), MailboxRole::trash);
  EXPECT_EQ(role_for_folder_name("Archives"), MailboxRole::archive);
  EXPECT_EQ(role_for_folder_name("Drafts"), MailboxRole::drafts);
  EXPECT_FALSE(role_for_folder_name("Projects"));
}

}  // namespace
}  // namespace postamt::admin
