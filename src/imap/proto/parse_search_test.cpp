#include <gtest/gtest.h>

#include "imap/proto/parse_command.h"

namespace postamt::imap::proto {
namespace {

using K = SearchKey::Kind;

SearchCmd search(std::string_view text) {
  auto r = parse_command(text);
  if (!r.ok()) {
    ADD_FAILURE() << text << " -> " << r.error().message;
    return {};
  }
  return std::get<SearchCmd>(r->body);
}

ParseError search_error(std::string_view text) {
  auto r = parse_command(text);
  if (r.ok()) {
    ADD_FAILURE() << text << " parsed";
    return {};
  }
  return r.error();
}

SearchKey key(K kind) {
  SearchKey k;
  k.kind = kind;
  return k;
}
SearchKey text_key(K kind, std::string text) {
  SearchKey k = key(kind);
  k.text = std::move(text);
  return k;
}
SearchKey date_key(K kind, Date d) {
  SearchKey k = key(kind);
  k.date = d;
  return k;
}
SearchKey number_key(K kind, uint64_t n) {
  SearchKey k = key(kind);
  k.number = n;
  return k;
}
SearchKey set_key(K kind, std::string_view set) {
  SearchKey k = key(kind);
  k.set = *parse_sequence_set(set, AllowSaved::yes);
  return k;
}
SearchKey node(K kind, std::vector<SearchKey> children) {
  SearchKey k = key(kind);
  k.children = std::move(children);
  return k;
}

TEST(ImapParseSearch, Rfc3501Example) {
  // RFC 3501 §6.4.4 example.
  auto s = search("A282 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"");
  EXPECT_EQ(s.numbers, NumberKind::sequence);
  EXPECT_FALSE(s.returns.requested);
  EXPECT_FALSE(s.charset_given);
  EXPECT_EQ(s.key, node(K::and_, {key(K::flagged), date_key(K::since, {1994, 2, 1}),
                                  node(K::not_, {text_key(K::from, "Smith")})}));
}

TEST(ImapParseSearch, EveryKey) {
  auto s = search(
      "a SEARCH ALL ANSWERED BCC b BEFORE \"2-Mar-2020\" BODY x CC c DELETED DRAFT FLAGGED FROM f "
      "HEADER X-Spam yes KEYWORD $Junk LARGER 100 NEW OLD ON 29-Feb-2020 RECENT SEEN "
      "SENTBEFORE 1-Jan-2000 SENTON 1-Jan-2000 SENTSINCE 1-Jan-2000 SINCE 1-Jan-2000 SMALLER 5 "
      "SUBJECT {3}\r\nabc TEXT t TO to UID 1:5 UNANSWERED UNDELETED UNDRAFT UNFLAGGED "
      "UNKEYWORD foo UNSEEN 2,4:* $ MODSEQ 620162338");
  SearchKey header = text_key(K::header, "yes");
  header.header_name = "X-Spam";
  Date y2k{2000, 1, 1};
  EXPECT_EQ(s.key.children, (std::vector<SearchKey>{key(K::all),
                                                    key(K::answered),
                                                    text_key(K::bcc, "b"),
                                                    date_key(K::before, {2020, 3, 2}),
                                                    text_key(K::body, "x"),
                                                    text_key(K::cc, "c"),
                                                    key(K::deleted),
                                                    key(K::draft),
                                                    key(K::flagged),
                                                    text_key(K::from, "f"),
                                                    header,
                                                    text_key(K::keyword, "$Junk"),
                                                    number_key(K::larger, 100),
                                                    key(K::new_),
                                                    key(K::old),
                                                    date_key(K::on, {2020, 2, 29}),
                                                    key(K::recent),
                                                    key(K::seen),
                                                    date_key(K::sent_before, y2k),
                                                    date_key(K::sent_on, y2k),
                                                    date_key(K::sent_since, y2k),
                                                    date_key(K::since, y2k),
                                                    number_key(K::smaller, 5),
                                                    text_key(K::subject, "abc"),
                                                    text_key(K::text, "t"),
                                                    text_key(K::to, "to"),
                                                    set_key(K::uid, "1:5"),
                                                    key(K::unanswered),
                                                    key(K::undeleted),
                                                    key(K::undraft),
                                                    key(K::unflagged),
                                                    text_key(K::unkeyword, "foo"),
                                                    key(K::unseen),
                                                    set_key(K::sequence_set, "2,4:*"),
                                                    set_key(K::sequence_set, "$"),
                                                    number_key(K::mod_seq, 620162338)}));
}

TEST(ImapParseSearch, NestedOrNotAndParentheses) {
  auto s = search("a UID SEARCH OR (SEEN FLAGGED) NOT OR 1:3 UID 7 (DELETED)");
  EXPECT_EQ(s.numbers, NumberKind::uid);
  EXPECT_EQ(s.key, node(K::and_,
                        {node(K::or_, {node(K::and_, {key(K::seen), key(K::flagged)}),
                                       node(K::not_, {node(K::or_, {set_key(K::sequence_set, "1:3"),
                                                                    set_key(K::uid, "7")})})}),
                         node(K::and_, {key(K::deleted)})}));
}

TEST(ImapParseSearch, CharsetAndReturn) {
  auto s = search("a SEARCH CHARSET utf-8 SUBJECT \"\xC3\xA4\"");
  EXPECT_TRUE(s.charset_given);
  EXPECT_EQ(s.charset, SearchCharset::utf8);
  EXPECT_EQ(search("a SEARCH CHARSET \"US-ASCII\" ALL").charset, SearchCharset::us_ascii);
  // RFC 4731 §4 example.
  auto r = search("A282 SEARCH RETURN (MIN COUNT) FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"");
  EXPECT_EQ(r.returns, (SearchReturn{true, true, false, false, true, false}));
  EXPECT_EQ(search("a SEARCH RETURN () ALL").returns,
            (SearchReturn{true, false, false, true, false, false}));
  EXPECT_EQ(search("a UID SEARCH RETURN (SAVE MAX ALL) CHARSET UTF-8 ALL").returns,
            (SearchReturn{true, false, true, true, false, true}));
  auto bc = search_error("a SEARCH CHARSET KOI8-R ALL");
  EXPECT_EQ(bc.kind, ParseErrorKind::bad_charset);
  EXPECT_EQ(bc.tag, "a");
  EXPECT_EQ(search_error("a SEARCH RETURN (FOO) ALL").message, "SEARCH: unknown RETURN option");
}

// RFC 5267 §4: CONTEXT, UPDATE and PARTIAL, for SEARCH and SORT (its examples).
TEST(ImapParseSearch, ContextReturnOptions) {
  auto a = search("A01 SEARCH RETURN (CONTEXT COUNT) UNDELETED UNKEYWORD $Junk");
  EXPECT_TRUE(a.returns.context);
  EXPECT_TRUE(a.returns.count);
  EXPECT_FALSE(a.returns.all);
  auto b = search("B01 UID SEARCH RETURN (UPDATE COUNT) DELETED KEYWORD $Junk");
  EXPECT_TRUE(b.returns.update);
  auto p = search("A02 UID SEARCH RETURN (PARTIAL 23500:24000) UNDELETED UNKEYWORD $Junk");
  EXPECT_EQ(p.returns.partial, (PartialRange{23500, 24000}));
  EXPECT_FALSE(p.returns.all);
  EXPECT_EQ(search("a SEARCH RETURN (PARTIAL 9:3) ALL").returns.partial, (PartialRange{3, 9}));
  EXPECT_TRUE(search("a SEARCH RETURN (UPDATE) ALL").returns.update);
  EXPECT_FALSE(search("a SEARCH RETURN (UPDATE) ALL").returns.all);
  EXPECT_EQ(search_error("a SEARCH RETURN (ALL PARTIAL 1:5) ALL").message,
            "SEARCH: PARTIAL and ALL exclude each other");
  EXPECT_EQ(search_error("a SEARCH RETURN (PARTIAL 1:5 PARTIAL 6:9) ALL").message,
            "SEARCH: PARTIAL and ALL exclude each other");
  EXPECT_EQ(search_error("a SEARCH RETURN (PARTIAL 0:5) ALL").message, "SEARCH: bad PARTIAL range");
  EXPECT_EQ(search_error("a SEARCH RETURN (PARTIAL 5) ALL").message,
            "SEARCH: expected ':' in the PARTIAL range");
}

TEST(ImapParseSearch, ModSeqWithEntry) {
  // RFC 7162 §3.1.5 example.
  auto s = search("a SEARCH MODSEQ \"/flags/\\\\draft\" all 620162338");
  EXPECT_EQ(s.key.children, (std::vector<SearchKey>{number_key(K::mod_seq, 620162338)}));
  EXPECT_EQ(search_error("a SEARCH MODSEQ \"/x\" all 1").message, "SEARCH: bad MODSEQ entry name");
  EXPECT_EQ(search_error("a SEARCH MODSEQ \"/flags/\\\\seen\" any 1").message,
            "SEARCH: bad MODSEQ entry type");
}

// RFC 8514 §4.3 (its examples).
// RFC 8474 §6: an objectid, 1 to 255 of ALPHA, DIGIT, "_" and "-", case kept.
TEST(ImapParseSearch, ObjectIdKeys) {
  EXPECT_EQ(search("27 search emailid M6d99ac3275bb4e").key.children,
            std::vector<SearchKey>{text_key(K::email_id, "M6d99ac3275bb4e")});
  EXPECT_EQ(search("a SEARCH OR THREADID T64b4_-x (EMAILID Ma)").key.children,
            (std::vector<SearchKey>{node(K::or_, {text_key(K::thread_id, "T64b4_-x"),
                                                  node(K::and_, {text_key(K::email_id, "Ma")})})}));
  EXPECT_EQ(search("a SEARCH EMAILID " + std::string(255, 'x')).key.children,
            std::vector<SearchKey>{text_key(K::email_id, std::string(255, 'x'))});
  EXPECT_EQ(search_error("a SEARCH EMAILID " + std::string(256, 'x')).message,
            "SEARCH: bad object id");
  EXPECT_EQ(search_error("a SEARCH EMAILID M1+2").message, "SEARCH: bad object id");
  EXPECT_EQ(search_error("a SEARCH THREADID \"T1\"").message, "SEARCH: bad object id");
  EXPECT_EQ(search_error("a SEARCH THREADID").message, "SEARCH: expected a space");
}

TEST(ImapParseSearch, SaveDateKeys) {
  auto s = search(
      "a SEARCH SAVEDON 28-Dec-2014 savedsince 1-Jan-2015 SAVEDBEFORE 2-Feb-2016 "
      "SAVEDATESUPPORTED");
  EXPECT_EQ(s.key.children,
            (std::vector<SearchKey>{
                date_key(K::saved_on, {2014, 12, 28}), date_key(K::saved_since, {2015, 1, 1}),
                date_key(K::saved_before, {2016, 2, 2}), key(K::savedate_supported)}));
  EXPECT_EQ(search_error("a SEARCH SAVEDON").message, "SEARCH: expected a space");
  EXPECT_EQ(search_error("a SEARCH SAVEDBEFORE 30-Feb-2020").message, "SEARCH: bad date");
}

TEST(ImapParseSearch, Malformed) {
  EXPECT_EQ(search_error("a SEARCH").message, "SEARCH: expected a space");
  EXPECT_EQ(search_error("a SEARCH ").message, "SEARCH: expected a search key");
  EXPECT_EQ(search_error("a SEARCH FOO").message, "SEARCH: unknown search key FOO");
  EXPECT_EQ(search_error("a SEARCH ALL ").message, "SEARCH: expected a search key");
  EXPECT_EQ(search_error("a SEARCH (ALL").message,
            "SEARCH: expected ')' closing the search key list");
  EXPECT_EQ(search_error("a SEARCH ()").message, "SEARCH: expected a search key");
  EXPECT_EQ(search_error("a SEARCH OR ALL").message, "SEARCH: expected a space");
  EXPECT_EQ(search_error("a SEARCH SINCE 30-Feb-2020").message, "SEARCH: bad date");
  EXPECT_EQ(search_error("a SEARCH SINCE 1-Foo-2020").message, "SEARCH: bad date");
  EXPECT_EQ(search_error("a SEARCH LARGER x").message, "SEARCH: expected a number");
  EXPECT_EQ(search_error("a SEARCH UID 0").message, "SEARCH: bad sequence set");
  EXPECT_EQ(search_error("a SEARCH HEADER From").message, "SEARCH: expected a space");
}

TEST(ImapParseSearch, NestingLimit) {
  std::string deep = "a SEARCH ";
  for (int i = 0; i < 100; ++i) deep += "NOT ";
  deep += "ALL";
  auto e = search_error(deep);
  EXPECT_EQ(e.kind, ParseErrorKind::limit);
  EXPECT_EQ(e.message, "SEARCH: search program nested too deeply");
  std::string parens = "a SEARCH " + std::string(100, '(') + "ALL" + std::string(100, ')');
  EXPECT_EQ(search_error(parens).kind, ParseErrorKind::limit);
  std::string ok = "a SEARCH " + std::string(10, '(') + "ALL" + std::string(10, ')');
  EXPECT_TRUE(parse_command(ok).ok());
}

// RFC 5256 §5 sort and thread, RFC 5267 §3 RETURN, RFC 5957 DISPLAYFROM/DISPLAYTO.
TEST(ImapParseSort, CriteriaCharsetAndProgram) {
  auto r = parse_command("A283 SORT (SUBJECT REVERSE DATE) UTF-8 ALL");
  ASSERT_TRUE(r.ok()) << r.error().message;
  const auto& s = std::get<SortCmd>(r->body);
  EXPECT_EQ(s.numbers, NumberKind::sequence);
  EXPECT_FALSE(s.returns.requested);
  EXPECT_EQ(s.criteria,
            (std::vector<SortCriterion>{{SortKeyName::subject, false}, {SortKeyName::date, true}}));
  EXPECT_EQ(s.charset, SearchCharset::utf8);
  ASSERT_EQ(s.key.children.size(), 1u);
  EXPECT_EQ(s.key.children[0].kind, K::all);

  auto u = parse_command(
      "E01 uid sort return () (reverse date displayFrom displayto arrival cc "
      "from size to) us-ascii UNDELETED UNKEYWORD $Junk");
  ASSERT_TRUE(u.ok()) << u.error().message;
  const auto& e = std::get<SortCmd>(u->body);
  EXPECT_EQ(e.numbers, NumberKind::uid);
  EXPECT_TRUE(e.returns.requested);
  EXPECT_TRUE(e.returns.all);
  EXPECT_EQ(e.criteria.size(), 8u);
  EXPECT_EQ(e.criteria[1], (SortCriterion{SortKeyName::display_from, false}));
  EXPECT_EQ(e.criteria[2], (SortCriterion{SortKeyName::display_to, false}));
  EXPECT_EQ(e.charset, SearchCharset::us_ascii);
  EXPECT_EQ(e.key.children.size(), 2u);

  auto m = parse_command("a SORT RETURN (MIN MAX COUNT SAVE) (SIZE) \"UTF-8\" 1:* MODSEQ 5");
  ASSERT_TRUE(m.ok()) << m.error().message;
  const auto& ms = std::get<SortCmd>(m->body);
  EXPECT_TRUE(ms.returns.min && ms.returns.max && ms.returns.count && ms.returns.save);
  EXPECT_FALSE(ms.returns.all);
}

TEST(ImapParseSort, Malformed) {
  for (std::string_view bad : {
           "a SORT",
           "a SORT (SUBJECT)",            // no charset
           "a SORT (SUBJECT) UTF-8",      // no search key
           "a SORT () UTF-8 ALL",         // no criterion
           "a SORT (REVERSE) UTF-8 ALL",  // REVERSE without a key
           "a SORT (REVERSE REVERSE DATE) UTF-8 ALL",
           "a SORT (SUBJECT  DATE) UTF-8 ALL",  // two spaces
           "a SORT (SUBJECT DATE ) UTF-8 ALL",
           "a SORT (THREAD) UTF-8 ALL",  // not a sort key
           "a SORT SUBJECT UTF-8 ALL",   // no parentheses
           "a SORT (SUBJECT) UTF-8 ALL)",
           "a SORT (SUBJECT) UTF-8 RETURN (ALL) ALL",  // RETURN after the criteria
           "a SORT RETURN (BOGUS) (SUBJECT) UTF-8 ALL",
       }) {
    EXPECT_EQ(search_error(bad).kind, ParseErrorKind::syntax) << bad;
  }
  // A charset the server lacks: NO [BADCHARSET], not BAD (RFC 5256 §3).
  EXPECT_EQ(search_error("a SORT (DATE) ISO-8859-1 ALL").kind, ParseErrorKind::bad_charset);
  EXPECT_EQ(search_error("a THREAD REFERENCES KOI8-R ALL").kind, ParseErrorKind::bad_charset);
  std::string many = "a SORT (";
  for (size_t i = 0; i <= kMaxSortCriteria; ++i) many += i ? " DATE" : "DATE";
  many += ") UTF-8 ALL";
  EXPECT_EQ(search_error(many).kind, ParseErrorKind::limit);
}

TEST(ImapParseThread, AlgorithmsAndProgram) {
  auto r = parse_command("A285 THREAD REFERENCES UTF-8 SINCE 5-MAR-2000");
  ASSERT_TRUE(r.ok()) << r.error().message;
  const auto& t = std::get<ThreadCmd>(r->body);
  EXPECT_EQ(t.numbers, NumberKind::sequence);
  EXPECT_EQ(t.algorithm, ThreadAlgorithmName::references);
  EXPECT_EQ(t.charset, SearchCharset::utf8);
  ASSERT_EQ(t.key.children.size(), 1u);
  EXPECT_EQ(t.key.children[0].kind, K::since);

  auto u = parse_command("a UID THREAD orderedsubject US-ASCII TEXT \"gewp\"");
  ASSERT_TRUE(u.ok()) << u.error().message;
  EXPECT_EQ(std::get<ThreadCmd>(u->body).algorithm, ThreadAlgorithmName::ordered_subject);
  EXPECT_EQ(std::get<ThreadCmd>(u->body).numbers, NumberKind::uid);

  for (std::string_view bad :
       {"a THREAD", "a THREAD REFERENCES", "a THREAD REFERENCES UTF-8", "a THREAD REFS UTF-8 ALL",
        "a THREAD (REFERENCES) UTF-8 ALL", "a THREAD RETURN () REFERENCES UTF-8 ALL"})
    EXPECT_EQ(search_error(bad).kind, ParseErrorKind::syntax) << bad;
}

}  // namespace
}  // namespace postamt::imap::proto
