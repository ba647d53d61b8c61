#include <gtest/gtest.h>

#include "imap/proto/parse_command.h"

namespace postamt::imap::proto {
namespace {

using K = FetchItem::Kind;

FetchCmd fetch(std::string_view text) {
  auto r = parse_command(text);
  if (!r.ok()) {
    ADD_FAILURE() << text << " -> " << r.error().message;
    return {};
  }
  return std::get<FetchCmd>(r->body);
}

std::string fetch_error(std::string_view text) {
  auto r = parse_command(text);
  if (r.ok()) return "parsed";
  return r.error().message;
}

FetchItem item(K kind) {
  FetchItem i;
  i.kind = kind;
  return i;
}

FetchItem body_section(std::vector<uint32_t> part, SectionText text,
                       std::vector<std::string> fields = {}, Peek peek = Peek::no,
                       std::optional<Partial> partial = std::nullopt) {
  FetchItem i;
  i.kind = K::body_section;
  i.section = Section{std::move(part), text, std::move(fields)};
  i.peek = peek;
  i.partial = partial;
  return i;
}

TEST(ImapParseFetch, Macros) {
  EXPECT_EQ(fetch("a FETCH 1 ALL").items,
            (std::vector<FetchItem>{item(K::flags), item(K::internal_date), item(K::rfc822_size),
                                    item(K::envelope)}));
  EXPECT_EQ(fetch("a FETCH 1 fast").items,
            (std::vector<FetchItem>{item(K::flags), item(K::internal_date), item(K::rfc822_size)}));
  EXPECT_EQ(fetch("a FETCH 1:* FULL").items,
            (std::vector<FetchItem>{item(K::flags), item(K::internal_date), item(K::rfc822_size),
                                    item(K::envelope), item(K::body)}));
  EXPECT_EQ(fetch_error("a FETCH 1 (ALL)"), "FETCH: unknown data item ALL");
}

TEST(ImapParseFetch, SimpleItems) {
  auto f = fetch(
      "a FETCH 2,4:* (ENVELOPE FLAGS INTERNALDATE RFC822.SIZE BODY BODYSTRUCTURE UID MODSEQ RFC822 "
      "RFC822.HEADER RFC822.TEXT)");
  EXPECT_EQ(f.set.to_string(), "2,4:*");
  EXPECT_EQ(f.numbers, NumberKind::sequence);
  EXPECT_EQ(f.items,
            (std::vector<FetchItem>{item(K::envelope), item(K::flags), item(K::internal_date),
                                    item(K::rfc822_size), item(K::body), item(K::body_structure),
                                    item(K::uid), item(K::mod_seq), item(K::rfc822),
                                    item(K::rfc822_header), item(K::rfc822_text)}));
  EXPECT_EQ(fetch("a FETCH 1 flags").items, (std::vector<FetchItem>{item(K::flags)}));
}

TEST(ImapParseFetch, UidFetchAlwaysIncludesUid) {
  auto f = fetch("a UID FETCH 1:* FLAGS");
  EXPECT_EQ(f.numbers, NumberKind::uid);
  EXPECT_EQ(f.items, (std::vector<FetchItem>{item(K::uid), item(K::flags)}));
  EXPECT_EQ(fetch("a UID FETCH 1 (FLAGS UID)").items,
            (std::vector<FetchItem>{item(K::flags), item(K::uid)}));
}

TEST(ImapParseFetch, BodySections) {
  // RFC 9051 §6.4.5 example.
  auto f = fetch("A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])");
  EXPECT_EQ(f.items,
            (std::vector<FetchItem>{
                item(K::flags), body_section({}, SectionText::header_fields, {"DATE", "FROM"})}));
  EXPECT_EQ(fetch("a FETCH 1 BODY[]").items,
            (std::vector<FetchItem>{body_section({}, SectionText::none)}));
  EXPECT_EQ(fetch("a FETCH 1 body.peek[header]").items,
            (std::vector<FetchItem>{body_section({}, SectionText::header, {}, Peek::yes)}));
  EXPECT_EQ(fetch("a FETCH 1 BODY[TEXT]<0.2048>").items,
            (std::vector<FetchItem>{
                body_section({}, SectionText::text, {}, Peek::no, Partial{0, 2048})}));
  EXPECT_EQ(fetch("a FETCH 1 BODY[4.2.2.1]").items,
            (std::vector<FetchItem>{body_section({4, 2, 2, 1}, SectionText::none)}));
  EXPECT_EQ(fetch("a FETCH 1 BODY[3.HEADER]").items,
            (std::vector<FetchItem>{body_section({3}, SectionText::header)}));
  EXPECT_EQ(fetch("a FETCH 1 BODY[1.MIME]").items,
            (std::vector<FetchItem>{body_section({1}, SectionText::mime)}));
  EXPECT_EQ(fetch("a FETCH 1 BODY.PEEK[2.1.HEADER.FIELDS.NOT (Received \"X-Odd(\")]").items,
            (std::vector<FetchItem>{body_section({2, 1}, SectionText::header_fields_not,
                                                 {"Received", "X-Odd("}, Peek::yes)}));
}

TEST(ImapParseFetch, BinaryItems) {
  FetchItem b;
  b.kind = K::binary;
  b.section.part = {1, 2};
  b.peek = Peek::yes;
  b.partial = Partial{10, 20};
  FetchItem s;
  s.kind = K::binary_size;
  s.section.part = {3};
  FetchItem whole;
  whole.kind = K::binary;
  EXPECT_EQ(fetch("a FETCH 1 (BINARY.PEEK[1.2]<10.20> BINARY.SIZE[3] BINARY[])").items,
            (std::vector<FetchItem>{b, s, whole}));
  EXPECT_EQ(fetch_error("a FETCH 1 BINARY[1.TEXT]"), "FETCH: BINARY takes only a part number");
  EXPECT_EQ(fetch_error("a FETCH 1 BINARY[HEADER]"), "FETCH: BINARY takes only a part number");
  EXPECT_EQ(fetch_error("a FETCH 1 BINARY.SIZE[1]<0.5>"),
            "FETCH: unexpected characters at end of command");
}

// RFC 8514 §4.2 (its example).
TEST(ImapParseFetch, SaveDate) {
  EXPECT_EQ(fetch("A101 FETCH 998 (SAVEDATE)").items, std::vector<FetchItem>{item(K::save_date)});
  EXPECT_EQ(fetch("a FETCH 1 savedate").items, std::vector<FetchItem>{item(K::save_date)});
}

// RFC 8474 §5.3 (its example).
TEST(ImapParseFetch, ObjectIds) {
  EXPECT_EQ(fetch("22 fetch 1:* (emailid threadid)").items,
            (std::vector<FetchItem>{item(K::email_id), item(K::thread_id)}));
  EXPECT_EQ(fetch("a FETCH 1 EMAILID").items, std::vector<FetchItem>{item(K::email_id)});
}

// RFC 8970 §6: PREVIEW with an optional list of modifiers, LAZY the only one.
TEST(ImapParseFetch, Preview) {
  FetchItem lazy = item(K::preview);
  lazy.lazy = true;
  EXPECT_EQ(fetch("a FETCH 1 PREVIEW").items, std::vector<FetchItem>{item(K::preview)});
  EXPECT_EQ(fetch("a FETCH 1:4 (ENVELOPE preview (lazy) UID)").items,
            (std::vector<FetchItem>{item(K::envelope), lazy, item(K::uid)}));
  EXPECT_EQ(fetch("a FETCH 1 (PREVIEW (LAZY LAZY))").items, std::vector<FetchItem>{lazy});
  for (std::string_view bad :
       {"a FETCH 1 (PREVIEW ())", "a FETCH 1 (PREVIEW (FAST))", "a FETCH 1 PREVIEW (LAZY",
        "a FETCH 1 (PREVIEW(LAZY))", "a FETCH 1 PREVIEW[]"})
    EXPECT_NE(fetch_error(bad), "parsed") << bad;
}

TEST(ImapParseFetch, Modifiers) {
  // RFC 7162 §3.1.4.2 and §3.2.6 examples.
  auto c = fetch("s100 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345)");
  EXPECT_EQ(c.changed_since, 12345u);
  EXPECT_FALSE(c.vanished);
  auto v = fetch("A001 UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)");
  EXPECT_TRUE(v.vanished);
  EXPECT_EQ(fetch_error("a FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)"),
            "FETCH: VANISHED requires UID FETCH and CHANGEDSINCE");
  EXPECT_EQ(fetch_error("a UID FETCH 1:* (FLAGS) (VANISHED)"),
            "UID FETCH: VANISHED requires UID FETCH and CHANGEDSINCE");
  EXPECT_EQ(fetch_error("a FETCH 1 FLAGS (FOO)"), "FETCH: unknown FETCH modifier");
  EXPECT_EQ(fetch_error("a FETCH 1 FLAGS ()"), "FETCH: empty FETCH modifier list");
}

TEST(ImapParseFetch, MalformedItems) {
  EXPECT_EQ(fetch_error("a FETCH 1 (FLAGS"), "FETCH: expected a space");
  EXPECT_EQ(fetch_error("a FETCH 1 ()"), "FETCH: unknown data item ");
  EXPECT_EQ(fetch_error("a FETCH 1 BODY.PEEK"), "FETCH: unknown data item BODY.PEEK");
  EXPECT_EQ(fetch_error("a FETCH 1 BODY[MIME]"), "FETCH: MIME needs a part number");
  EXPECT_EQ(fetch_error("a FETCH 1 BODY[0]"), "FETCH: bad part number");
  EXPECT_EQ(fetch_error("a FETCH 1 BODY[1.]"), "FETCH: bad section");
  EXPECT_EQ(fetch_error("a FETCH 1 BODY[HEADER.FIELDS ()]"), "FETCH: expected a header field name");
  EXPECT_EQ(fetch_error("a FETCH 1 BODY[HEADER.FIELDS]"), "FETCH: expected a space");
  EXPECT_EQ(fetch_error("a FETCH 1 BODY[TEXT"), "FETCH: expected ']' closing the section");
  EXPECT_EQ(fetch_error("a FETCH 1 BODY[]<5>"), "FETCH: expected '.' in partial");
  EXPECT_EQ(fetch_error("a FETCH 1 BODY[]<5.0>"), "FETCH: bad partial length");
  EXPECT_EQ(fetch_error("a FETCH * FLAGS"), "parsed");
  EXPECT_EQ(fetch_error("a FETCH 1:0 FLAGS"), "FETCH: bad sequence set");
  EXPECT_EQ(fetch_error("a FETCH FLAGS"), "FETCH: bad sequence set");
  EXPECT_EQ(fetch_error("a FETCH 1 XYZZY"), "FETCH: unknown data item XYZZY");
}

}  // namespace
}  // namespace postamt::imap::proto
