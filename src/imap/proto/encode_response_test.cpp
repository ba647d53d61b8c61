#include "imap/proto/response.h"

#include <gtest/gtest.h>

namespace postamt::imap::proto {
namespace {

using Code = ResponseCode;
using CK = ResponseCode::Kind;

StatusResponse tagged(std::string tag, Condition c, std::optional<ResponseCode> code,
                      std::string text) {
  return StatusResponse{std::move(tag), c, std::move(code), std::move(text)};
}

TEST(ImapEncodeResponse, TaggedAndUntaggedStatus) {
  EXPECT_EQ(encode(tagged("a1", Condition::ok, std::nullopt, "NOOP completed")),
            "a1 OK NOOP completed\r\n");
  EXPECT_EQ(encode(tagged("", Condition::ok, std::nullopt, "IMAP4rev2 server ready")),
            "* OK IMAP4rev2 server ready\r\n");
  EXPECT_EQ(encode(tagged("", Condition::bye, std::nullopt, "")), "* BYE Logging out\r\n");
  EXPECT_EQ(encode(tagged("a", Condition::bad, std::nullopt, "")), "a BAD Error in command\r\n");
  EXPECT_EQ(encode(tagged("", Condition::preauth, std::nullopt, "")), "* PREAUTH Logged in\r\n");
  // CR/LF can never end a response early; 8-bit text only for UTF-8 clients.
  EXPECT_EQ(encode(tagged("a", Condition::no, std::nullopt, "bad\r\nx \xC3\xA4")),
            "a NO bad  x ??\r\n");
  EncodeOptions utf8;
  utf8.strings = StringCharset::utf8;
  EXPECT_EQ(encode(tagged("a", Condition::no, std::nullopt, "x \xC3\xA4"), utf8),
            "a NO x \xC3\xA4\r\n");
}

// A text may quote a client or a message: no control character reaches the client's
// terminal, whatever the text holds (C0, DEL; for UTF-8 clients C1, U+2028/U+2029 and
// malformed UTF-8 too).
TEST(ImapEncodeResponse, TextNeverCarriesControlCharacters) {
  const std::string text = "x\x1B[2J\x7F\t\x01y \xC2\x85 \xE2\x80\xA8 \xC3 \xE2\x82\xAC";
  EXPECT_EQ(encode(tagged("a", Condition::bad, std::nullopt, text)),
            "a BAD x?[2J???y ?? ??? ? ???\r\n");
  EncodeOptions utf8;
  utf8.strings = StringCharset::utf8;
  EXPECT_EQ(encode(tagged("a", Condition::bad, std::nullopt, text), utf8),
            "a BAD x?[2J???y ? ? ? \xE2\x82\xAC\r\n");
  EXPECT_EQ(encode(Continuation{"\x1B]0;t\x07"}), "+ ?]0;t?\r\n");
}

TEST(ImapEncodeResponse, ResponseCodes) {
  auto one = [](ResponseCode c) { return encode(tagged("", Condition::ok, std::move(c), "t")); };
  EXPECT_EQ(one(Code::simple(CK::alert)), "* OK [ALERT] t\r\n");
  EXPECT_EQ(one(Code::with_words(CK::permanent_flags, {"\\Deleted", "\\Seen", "\\*"})),
            "* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] t\r\n");
  EXPECT_EQ(one(Code::with_words(CK::permanent_flags, {})), "* OK [PERMANENTFLAGS ()] t\r\n");
  EXPECT_EQ(one(Code::with_number(CK::uid_next, 4392)), "* OK [UIDNEXT 4392] t\r\n");
  EXPECT_EQ(one(Code::with_number(CK::uid_validity, 3857529045u)),
            "* OK [UIDVALIDITY 3857529045] t\r\n");
  EXPECT_EQ(one(Code::with_number(CK::unseen, 12)), "* OK [UNSEEN 12] t\r\n");
  EXPECT_EQ(one(Code::with_number(CK::highest_mod_seq, 715194045007u)),
            "* OK [HIGHESTMODSEQ 715194045007] t\r\n");
  EXPECT_EQ(one(Code::simple(CK::no_mod_seq)), "* OK [NOMODSEQ] t\r\n");
  EXPECT_EQ(one(Code::simple(CK::read_write)), "* OK [READ-WRITE] t\r\n");
  EXPECT_EQ(one(Code::simple(CK::read_only)), "* OK [READ-ONLY] t\r\n");
  EXPECT_EQ(one(Code::simple(CK::closed)), "* OK [CLOSED] t\r\n");
  // RFC 4315 §3 examples.
  EXPECT_EQ(encode(tagged("A003", Condition::ok, Code::append_uid(38505, SequenceSet::single(3955)),
                          "APPEND completed")),
            "A003 OK [APPENDUID 38505 3955] APPEND completed\r\n");
  EXPECT_EQ(encode(tagged("A004", Condition::ok,
                          Code::copy_uid(38505, SequenceSet::from_numbers({304, 319, 320, 321}),
                                         SequenceSet::from_numbers({3956, 3957, 3958, 3959})),
                          "Done")),
            "A004 OK [COPYUID 38505 304,319:321 3956:3959] Done\r\n");
  // RFC 7162 §3.1.3 example.
  EXPECT_EQ(encode(tagged("d105", Condition::ok, Code::modified(SequenceSet::from_numbers({7, 9})),
                          "Conditional STORE failed")),
            "d105 OK [MODIFIED 7,9] Conditional STORE failed\r\n");
  EXPECT_EQ(encode(tagged("a", Condition::ok,
                          Code::with_words(CK::capability, {"IMAP4rev1", "IMAP4rev2", "IDLE"}),
                          "Logged in")),
            "a OK [CAPABILITY IMAP4rev1 IMAP4rev2 IDLE] Logged in\r\n");
  EXPECT_EQ(encode(tagged("a", Condition::no,
                          Code::with_words(CK::badcharset, {"US-ASCII", "UTF-8"}), "")),
            "a NO [BADCHARSET (\"US-ASCII\" \"UTF-8\")] Failed\r\n");
  EXPECT_EQ(encode(tagged("a", Condition::no, Code::simple(CK::trycreate), "")),
            "a NO [TRYCREATE] Failed\r\n");
  EXPECT_EQ(encode(tagged("a", Condition::no, Code::simple(CK::authentication_failed), "x")),
            "a NO [AUTHENTICATIONFAILED] x\r\n");
  EXPECT_EQ(encode(tagged("a", Condition::no, Code::simple(CK::over_quota), "x")),
            "a NO [OVERQUOTA] x\r\n");
  EXPECT_EQ(encode(tagged("a", Condition::no, Code::simple(CK::already_exists), "x")),
            "a NO [ALREADYEXISTS] x\r\n");
  EXPECT_EQ(encode(tagged("a", Condition::bad, Code::simple(CK::toobig), "x")),
            "a BAD [TOOBIG] x\r\n");
  EXPECT_EQ(encode(tagged("a", Condition::no, Code::simple(CK::unknown_cte), "x")),
            "a NO [UNKNOWN-CTE] x\r\n");
  // RFC 8474 §4.1 and §4.2 examples.
  EXPECT_EQ(encode(tagged("3", Condition::ok,
                          Code::with_words(CK::mailbox_id, {"F2212ea87-6097-4256-9d51-71338625"}),
                          "Completed")),
            "3 OK [MAILBOXID (F2212ea87-6097-4256-9d51-71338625)] Completed\r\n");
  EXPECT_EQ(encode(tagged("", Condition::ok, Code::with_words(CK::mailbox_id, {"F1"}), "Ok")),
            "* OK [MAILBOXID (F1)] Ok\r\n");
}

TEST(ImapEncodeResponse, Continuation) {
  EXPECT_EQ(encode(Continuation{"Ready for literal data"}), "+ Ready for literal data\r\n");
  // An empty SASL challenge (RFC 4959 / RFC 9051 §7.6) is "+ ".
  EXPECT_EQ(encode(Continuation{""}), "+ \r\n");
}

TEST(ImapEncodeResponse, MailboxSizeAndFlags) {
  EXPECT_EQ(encode(ExistsData{23}), "* 23 EXISTS\r\n");
  EXPECT_EQ(encode(RecentData{5}), "* 5 RECENT\r\n");
  EXPECT_EQ(encode(ExpungeData{3}), "* 3 EXPUNGE\r\n");
  EXPECT_EQ(encode(FlagsData{{"\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft"}}),
            "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n");
  EXPECT_EQ(encode(CapabilityData{{"IMAP4rev1", "STARTTLS", "AUTH=PLAIN", "LOGINDISABLED"}}),
            "* CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN LOGINDISABLED\r\n");
  EXPECT_EQ(encode(EnabledData{{"CONDSTORE"}}), "* ENABLED CONDSTORE\r\n");
  EXPECT_EQ(encode(EnabledData{}), "* ENABLED\r\n");
}

TEST(ImapEncodeResponse, ListAndLsub) {
  ListData l;
  l.attributes = {"\\Noselect"};
  l.delimiter = '/';
  l.mailbox = "~/Mail/foo";
  EXPECT_EQ(encode(l), "* LIST (\\Noselect) \"/\" ~/Mail/foo\r\n");
  l.mailbox = "Entw\xC3\xBCrfe";
  l.attributes = {"\\Drafts", "\\HasNoChildren"};
  EXPECT_EQ(encode(l), "* LIST (\\Drafts \\HasNoChildren) \"/\" Entw&APw-rfe\r\n");
  EncodeOptions utf8{MailboxEncoding::utf8, StringCharset::utf8};
  EXPECT_EQ(encode(l, utf8), "* LIST (\\Drafts \\HasNoChildren) \"/\" \"Entw\xC3\xBCrfe\"\r\n");
  // UTF-8 names to a client that did not enable UTF8=ACCEPT but gets utf8 names anyway
  // must not be quoted with 8-bit octets.
  EncodeOptions names_only{MailboxEncoding::utf8, StringCharset::ascii};
  EXPECT_EQ(encode(l, names_only),
            "* LIST (\\Drafts \\HasNoChildren) \"/\" {9}\r\nEntw\xC3\xBCrfe\r\n");
  ListData flat;
  flat.mailbox = "INBOX";
  EXPECT_EQ(encode(flat), "* LIST () NIL INBOX\r\n");
  ListData sp;
  sp.kind = ListCmd::Kind::lsub;
  sp.delimiter = '.';
  sp.mailbox = "Sent Items";
  EXPECT_EQ(encode(sp), "* LSUB () \".\" \"Sent Items\"\r\n");
  // RFC 5258 §5 CHILDINFO example; RFC 9051 OLDNAME.
  ListData ci;
  ci.delimiter = '/';
  ci.mailbox = "Foo";
  ci.child_info = {"SUBSCRIBED"};
  EXPECT_EQ(encode(ci), "* LIST () \"/\" Foo (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n");
  ListData on;
  on.delimiter = '/';
  on.mailbox = "New";
  on.old_name = "Old";
  EXPECT_EQ(encode(on), "* LIST () \"/\" New (\"OLDNAME\" (Old))\r\n");
  ListData quote;
  quote.delimiter = '\\';
  quote.mailbox = "a\"b";
  EXPECT_EQ(encode(quote), "* LIST () \"\\\\\" \"a\\\"b\"\r\n");
}

TEST(ImapEncodeResponse, StatusSearchEsearch) {
  EXPECT_EQ(encode(StatusData{"blurdybloop",
                              {{StatusItem::messages, 231},
                               {StatusItem::uid_next, 44292},
                               {StatusItem::highest_mod_seq, 7011231777u}}}),
            "* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292 HIGHESTMODSEQ 7011231777)\r\n");
  // RFC 8474 §4.3: the objectid in parentheses, wherever it is asked for.
  EXPECT_EQ(encode(StatusData{"renamed",
                              {{StatusItem::messages, 2}, {StatusItem::mailbox_id, 0}},
                              "F2212ea87-6097-4256-9d51-71338625"}),
            "* STATUS renamed (MESSAGES 2 MAILBOXID (F2212ea87-6097-4256-9d51-71338625))\r\n");
  EXPECT_EQ(encode(SearchData{{2, 84, 882}, std::nullopt}), "* SEARCH 2 84 882\r\n");
  EXPECT_EQ(encode(SearchData{}), "* SEARCH\r\n");
  EXPECT_EQ(encode(SearchData{{2, 5, 6, 7, 11, 12, 18, 19, 20, 23}, 917162500}),
            "* SEARCH 2 5 6 7 11 12 18 19 20 23 (MODSEQ 917162500)\r\n");
  // RFC 4731 §4 examples.
  ESearchData e;
  e.tag = "A282";
  e.min = 2;
  e.count = 3;
  EXPECT_EQ(encode(e), "* ESEARCH (TAG \"A282\") MIN 2 COUNT 3\r\n");
  ESearchData u;
  u.tag = "A284";
  u.numbers = NumberKind::uid;
  u.all = SequenceSet::from_numbers({4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20});
  EXPECT_EQ(encode(u), "* ESEARCH (TAG \"A284\") UID ALL 4:7,9:20\r\n");
  ESearchData none;
  none.tag = "a";
  none.all = SequenceSet();
  none.count = 0;
  EXPECT_EQ(encode(none), "* ESEARCH (TAG \"a\") COUNT 0\r\n");
  ESearchData m;
  m.max = 9;
  m.mod_seq = 12;
  EXPECT_EQ(encode(m), "* ESEARCH MAX 9 MODSEQ 12\r\n");
  // RFC 5267 §4.4 and §4.3.3 examples.
  ESearchData p;
  p.tag = "A04";
  p.numbers = NumberKind::uid;
  p.partial = PartialRange{24000, 24500};
  EXPECT_EQ(encode(p), "* ESEARCH (TAG \"A04\") UID PARTIAL (24000:24500 NIL)\r\n");
  p.partial_set = SequenceSet::from_numbers({24000, 24001, 24003});
  EXPECT_EQ(encode(p), "* ESEARCH (TAG \"A04\") UID PARTIAL (24000:24500 24000:24001,24003)\r\n");
  ESearchData c;
  c.tag = "C01";
  c.numbers = NumberKind::uid;
  c.added = {{1, SequenceSet::from_numbers({2731, 2732, 2733})}};
  EXPECT_EQ(encode(c), "* ESEARCH (TAG \"C01\") UID ADDTO (1 2731:2733)\r\n");
  c.removed = {{0, SequenceSet::single(32768)}, {2, SequenceSet::single(5)}};
  c.added.clear();
  EXPECT_EQ(encode(c), "* ESEARCH (TAG \"C01\") UID REMOVEFROM (0 32768 2 5)\r\n");
  // RFC 5464 §4.4.1 and §4.2.1.
  static constexpr char kMetadata[] =
      "* METADATA INBOX (/shared/comment \"Shared comment\" /private/comment NIL "
      "/private/vendor/x/y ~{3}\r\na\0b \"/private/with space\" \"x\")\r\n";
  EXPECT_EQ(encode(MetadataData{"INBOX",
                                {{"/shared/comment", "Shared comment"},
                                 {"/private/comment", std::nullopt},
                                 {"/private/vendor/x/y", std::string("a\0b", 3)},
                                 {"/private/with space", "x"}}}),
            std::string(kMetadata, sizeof kMetadata - 1));
  ResponseCode longest = ResponseCode::with_words(ResponseCode::Kind::metadata, {"LONGENTRIES"});
  longest.number = 2199;
  EXPECT_EQ(encode(StatusResponse{"a", Condition::ok, longest, "GETMETADATA complete"}),
            "a OK [METADATA LONGENTRIES 2199] GETMETADATA complete\r\n");
  EXPECT_EQ(encode(StatusResponse{
                "a", Condition::no,
                ResponseCode::with_words(ResponseCode::Kind::metadata, {"TOOMANY"}), "Too many"}),
            "a NO [METADATA TOOMANY] Too many\r\n");
  EXPECT_EQ(encode(StatusResponse{"", Condition::no,
                                  ResponseCode::with_words(ResponseCode::Kind::noupdate, {"B02"}),
                                  "Too many contexts"}),
            "* NO [NOUPDATE \"B02\"] Too many contexts\r\n");
}

// RFC 5256 §4 and RFC 7162 §3.1.9.
TEST(ImapEncodeResponse, SortAndThread) {
  EXPECT_EQ(encode(SortData{{2, 3, 6}, std::nullopt}), "* SORT 2 3 6\r\n");
  EXPECT_EQ(encode(SortData{}), "* SORT\r\n");
  EXPECT_EQ(encode(SortData{{5, 3}, 917}), "* SORT 5 3 (MODSEQ 917)\r\n");
  EXPECT_EQ(encode(ThreadData{}), "* THREAD\r\n");
  // RFC 5256 §4: (2)(3 6 (4 23)(44 7 96)).
  ThreadData t;
  auto node = [&t](uint32_t number, std::vector<uint32_t> children) {
    t.nodes.push_back(ThreadData::Node{number, std::move(children)});
    return static_cast<uint32_t>(t.nodes.size() - 1);
  };
  uint32_t n96 = node(96, {}), n7 = node(7, {n96}), n44 = node(44, {n7});
  uint32_t n23 = node(23, {}), n4 = node(4, {n23});
  uint32_t n6 = node(6, {n4, n44}), n3 = node(3, {n6}), n2 = node(2, {});
  t.roots = {n2, n3};
  EXPECT_EQ(encode(t), "* THREAD (2)(3 6 (4 23)(44 7 96))\r\n");
  // RFC 5256 §4: ((3)(5)), siblings under a message not in the result.
  ThreadData d;
  d.nodes = {{3, {}}, {5, {}}, {0, {0, 1}}};
  d.roots = {2};
  EXPECT_EQ(encode(d), "* THREAD ((3)(5))\r\n");
  // A dummy's siblings may be chains; a lone child under a dummy needs no list.
  ThreadData c;
  c.nodes = {{1, {1}}, {2, {}}, {3, {}}, {0, {0, 2}}, {0, {5}}, {9, {}}};
  c.roots = {3, 4};
  EXPECT_EQ(encode(c), "* THREAD ((1 2)(3))(9)\r\n");
}

TEST(ImapEncodeResponse, ALongThreadIsWrittenWithoutRecursion) {
  ThreadData t;
  constexpr uint32_t kLength = 300000;
  for (uint32_t i = 0; i < kLength; ++i)
    t.nodes.push_back(ThreadData::Node{
        i + 1, i + 1 < kLength ? std::vector<uint32_t>{i + 1} : std::vector<uint32_t>{}});
  t.roots = {0};
  std::string out = encode(t);
  EXPECT_EQ(out.substr(0, 16), "* THREAD (1 2 3 ");
  EXPECT_EQ(out.substr(out.size() - 10), " 300000)\r\n");
  // Every other node branching: nesting as deep as the mailbox is long.
  ThreadData b;
  for (uint32_t i = 0; i < kLength; i += 2) {
    uint32_t self = static_cast<uint32_t>(b.nodes.size());
    bool last = i + 2 >= kLength;
    b.nodes.push_back(ThreadData::Node{
        i + 1, last ? std::vector<uint32_t>{} : std::vector<uint32_t>{self + 1, self + 2}});
    b.nodes.push_back(ThreadData::Node{i + 2, {}});
    if (last) b.nodes.pop_back();
  }
  b.roots = {0};
  std::string nested = encode(b);
  EXPECT_EQ(nested.substr(0, 22), "* THREAD (1 (2)(3 (4)(");
}

TEST(ImapEncodeResponse, NamespaceIdQuotaVanished) {
  // RFC 2342 §5 example 5.2 shape.
  NamespaceData n;
  n.personal = {{"", '/'}};
  n.shared = {{"Public Folders/", '/'}};
  EXPECT_EQ(encode(n), "* NAMESPACE ((\"\" \"/\")) NIL ((\"Public Folders/\" \"/\"))\r\n");
  EXPECT_EQ(encode(NamespaceData{}), "* NAMESPACE NIL NIL NIL\r\n");
  IdData id;
  id.params.emplace();
  id.params->push_back({"name", std::string("Postamt")});
  id.params->push_back({"support-url", std::nullopt});
  EXPECT_EQ(encode(id), "* ID (\"name\" \"Postamt\" \"support-url\" NIL)\r\n");
  EXPECT_EQ(encode(IdData{}), "* ID NIL\r\n");
  // RFC 9208 §5.1 / §5.2 examples.
  EXPECT_EQ(encode(QuotaData{"", {{"STORAGE", 10, 512}}}), "* QUOTA \"\" (STORAGE 10 512)\r\n");
  EXPECT_EQ(encode(QuotaData{"!partition/sda4", {{"STORAGE", 104, 10923847}, {"MESSAGE", 1, 5}}}),
            "* QUOTA \"!partition/sda4\" (STORAGE 104 10923847 MESSAGE 1 5)\r\n");
  EXPECT_EQ(encode(QuotaRootData{"INBOX", {""}}), "* QUOTAROOT INBOX \"\"\r\n");
  EXPECT_EQ(encode(QuotaRootData{"comp.mail.mime", {}}), "* QUOTAROOT comp.mail.mime\r\n");
  // RFC 7162 §3.2.10 examples.
  EXPECT_EQ(
      encode(VanishedData{Earlier::yes, *parse_sequence_set("300:310,405,411", AllowSaved::no)}),
      "* VANISHED (EARLIER) 300:310,405,411\r\n");
  EXPECT_EQ(encode(VanishedData{Earlier::no, SequenceSet::from_numbers({405, 407, 410})}),
            "* VANISHED 405,407,410\r\n");
}

TEST(ImapWriter, NestedListsAndStrings) {
  std::string out;
  Writer w(out, StringCharset::ascii);
  w.open().atom("A").open().number(1).string("two words").close().nil().open().close().close();
  EXPECT_EQ(out, "(A (1 \"two words\") NIL ())");
  std::string lit;
  Writer l(lit, StringCharset::ascii);
  l.string("line\r\nbreak").string("caf\xC3\xA9").string(std::string("a\0b", 3));
  EXPECT_EQ(lit, std::string("{11}\r\nline\r\nbreak {5}\r\ncaf\xC3\xA9 {3}\r\na\0b", 37));
  std::string u;
  Writer uw(u, StringCharset::utf8);
  uw.string("caf\xC3\xA9").string("bad\xC3");
  EXPECT_EQ(u, "\"caf\xC3\xA9\" {4}\r\nbad\xC3");
  EXPECT_TRUE(Writer::quotable("", StringCharset::ascii));
  EXPECT_FALSE(Writer::quotable("\n", StringCharset::utf8));
}

}  // namespace
}  // namespace postamt::imap::proto
