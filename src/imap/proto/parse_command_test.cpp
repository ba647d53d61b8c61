#include "imap/proto/parse_command.h"

#include <gtest/gtest.h>

namespace postamt::imap::proto {
namespace {

template <class T>
T parse_as(std::string_view text, const ParseOptions& options = {}) {
  auto r = parse_command(text, options);
  if (!r.ok()) {
    ADD_FAILURE() << text << " -> " << r.error().message;
    return T{};
  }
  auto* body = std::get_if<T>(&r->body);
  if (!body) {
    ADD_FAILURE() << text << " parsed as another command";
    return T{};
  }
  return *body;
}

ParseError bad(std::string_view text) {
  auto r = parse_command(text);
  if (r.ok()) {
    ADD_FAILURE() << text << " parsed";
    return {};
  }
  return r.error();
}

TEST(ImapParseCommand, CommandsWithoutArguments) {
  auto r = parse_command("a1 capability");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->tag, "a1");
  EXPECT_TRUE(std::holds_alternative<CapabilityCmd>(r->body));
  EXPECT_TRUE(std::holds_alternative<NoopCmd>(parse_command("a NOOP")->body));
  EXPECT_TRUE(std::holds_alternative<LogoutCmd>(parse_command("a LOGOUT")->body));
  EXPECT_TRUE(std::holds_alternative<StartTlsCmd>(parse_command("a STARTTLS")->body));
  EXPECT_TRUE(std::holds_alternative<CheckCmd>(parse_command("a CHECK")->body));
  EXPECT_TRUE(std::holds_alternative<CloseCmd>(parse_command("a CLOSE")->body));
  EXPECT_TRUE(std::holds_alternative<UnselectCmd>(parse_command("a UNSELECT")->body));
  EXPECT_TRUE(std::holds_alternative<IdleCmd>(parse_command("a IDLE")->body));
  EXPECT_TRUE(std::holds_alternative<NamespaceCmd>(parse_command("a NAMESPACE")->body));
  auto ex = parse_as<ExpungeCmd>("a EXPUNGE");
  EXPECT_FALSE(ex.uids.has_value());
  static_assert(CapabilityCmd::kState == CommandState::any);
  static_assert(FetchCmd::kState == CommandState::selected);
  static_assert(LoginCmd::kState == CommandState::not_authenticated);
}

TEST(ImapParseCommand, ExtraArgumentsAreBad) {
  auto e = bad("a1 NOOP x");
  EXPECT_EQ(e.tag, "a1");
  EXPECT_EQ(e.kind, ParseErrorKind::syntax);
  EXPECT_EQ(e.message, "NOOP: unexpected characters at end of command");
  EXPECT_EQ(bad("a1 CAPABILITY ").message, "CAPABILITY: unexpected characters at end of command");
}

TEST(ImapParseCommand, TagErrors) {
  EXPECT_EQ(bad("").tag, "");
  EXPECT_EQ(bad("").message, "invalid tag");
  EXPECT_EQ(bad("+tag NOOP").tag, "");
  EXPECT_EQ(bad("ta{g NOOP").tag, "");
  EXPECT_EQ(bad(" NOOP").tag, "");
  auto e = bad("a1");
  EXPECT_EQ(e.tag, "a1");
  EXPECT_EQ(e.message, "missing command");
  EXPECT_EQ(bad("a1 ").message, "missing command");
  auto u = bad("a1 FROBNICATE x");
  EXPECT_EQ(u.kind, ParseErrorKind::unknown_command);
  EXPECT_EQ(u.message, "Unknown command FROBNICATE");
  EXPECT_EQ(u.tag, "a1");
  // Tags may contain "]" but not "+" (RFC 9051 §9 tag).
  EXPECT_EQ(parse_command("a]1 NOOP")->tag, "a]1");
}

TEST(ImapParseCommand, Login) {
  // RFC 9051 §6.2.3 example, with a literal as the mailbox clients send.
  auto l = parse_as<LoginCmd>("a001 LOGIN SMITH SESAME");
  EXPECT_EQ(l.userid, "SMITH");
  EXPECT_EQ(l.password, "SESAME");
  auto q = parse_as<LoginCmd>("a LOGIN \"fred \\\"the\\\" \\\\ x\" {7}\r\nfat man");
  EXPECT_EQ(q.userid, "fred \"the\" \\ x");
  EXPECT_EQ(parse_as<LoginCmd>("a LOGIN {4}\r\nuser {7+}\r\nfat man").password, "fat man");
  EXPECT_EQ(parse_as<LoginCmd>("a LOGIN u]x \"\"").userid, "u]x");
  EXPECT_EQ(bad("a LOGIN user").message, "LOGIN: expected a space");
  EXPECT_EQ(bad("a LOGIN user  pass").message, "LOGIN: expected a string");
  EXPECT_EQ(bad("a LOGIN \"user pass").message, "LOGIN: unterminated quoted string");
  EXPECT_EQ(bad("a LOGIN \"u\\ser\" p").message, "LOGIN: bad escape in quoted string");
  EXPECT_EQ(bad("a LOGIN {10}\r\nshort").message, "LOGIN: literal shorter than announced");
  EXPECT_EQ(bad(std::string("a LOGIN {5}\r\nu\0ser p", 20)).message, "LOGIN: NUL in literal");
  EXPECT_EQ(bad("a LOGIN ~{4}\r\nuser p").message, "LOGIN: literal8 not allowed here");
  EXPECT_EQ(bad("a LOGIN {4}user p").message, "LOGIN: literal length not followed by CRLF");
  EXPECT_EQ(bad("a LOGIN {5-}").message, "LOGIN: expected '}' closing the literal length");
}

TEST(ImapParseCommand, Authenticate) {
  auto a = parse_as<AuthenticateCmd>("a AUTHENTICATE plain");
  EXPECT_EQ(a.mechanism, "PLAIN");
  EXPECT_FALSE(a.initial_response.has_value());
  // RFC 4959 §4 example.
  auto ir = parse_as<AuthenticateCmd>("a AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=");
  EXPECT_EQ(ir.initial_response, std::string("test\0test\0test", 14));
  EXPECT_EQ(parse_as<AuthenticateCmd>("a AUTHENTICATE EXTERNAL =").initial_response, "");
  EXPECT_EQ(bad("a AUTHENTICATE PLAIN dGVzd").message, "AUTHENTICATE: bad base64 initial response");
  EXPECT_EQ(bad("a AUTHENTICATE PLAIN !!").message, "AUTHENTICATE: bad base64 initial response");
  EXPECT_EQ(bad("a AUTHENTICATE").message, "AUTHENTICATE: expected a space");
}

TEST(ImapParseCommand, SelectExamine) {
  auto s = parse_as<SelectCmd>("A142 SELECT inbox");
  EXPECT_EQ(s.mode, SelectMode::select);
  EXPECT_EQ(s.mailbox, "INBOX");
  EXPECT_EQ(s.condstore, Condstore::off);
  auto e = parse_as<SelectCmd>("A932 EXAMINE blurdybloop (CONDSTORE)");
  EXPECT_EQ(e.mode, SelectMode::examine);
  EXPECT_EQ(e.mailbox, "blurdybloop");
  EXPECT_EQ(e.condstore, Condstore::on);
  // RFC 7162 §3.2.5.2 example.
  auto q =
      parse_as<SelectCmd>("A02 SELECT INBOX (QRESYNC (67890007 90060115194045000 41:211,214:541))");
  ASSERT_TRUE(q.qresync.has_value());
  EXPECT_EQ(q.qresync->uid_validity, 67890007u);
  EXPECT_EQ(q.qresync->mod_seq, 90060115194045000u);
  EXPECT_EQ(q.qresync->known_uids->to_string(), "41:211,214:541");
  EXPECT_FALSE(q.qresync->known_sequence_set.has_value());
  auto q2 = parse_as<SelectCmd>(
      "B04 SELECT INBOX (QRESYNC (67890007 90060115194045000 1:29997 (5000,7500,9000,9990:9999 "
      "15000,22500,27000,29970,29973,29976,29979,29982,29985,29988,29991,29994,29997)))");
  EXPECT_EQ(q2.qresync->known_sequence_set->to_string(), "5000,7500,9000,9990:9999");
  EXPECT_EQ(q2.qresync->known_uid_set->ranges().size(), 13u);
  auto q3 = parse_as<SelectCmd>("a SELECT INBOX (QRESYNC (1 2 (1:2 5:6)) CONDSTORE)");
  EXPECT_FALSE(q3.qresync->known_uids.has_value());
  EXPECT_EQ(q3.qresync->known_uid_set->to_string(), "5:6");
  EXPECT_EQ(q3.condstore, Condstore::on);
  EXPECT_EQ(bad("a SELECT INBOX (QRESYNC (0 5))").message, "SELECT: bad UIDVALIDITY in QRESYNC");
  EXPECT_EQ(bad("a SELECT INBOX (QRESYNC (1 0))").message,
            "SELECT: mod-sequence value must not be 0");
  EXPECT_EQ(bad("a SELECT INBOX (QRESYNC (1 5 1:*))").message,
            "SELECT: '*' not allowed in known UIDs");
  EXPECT_EQ(bad("a SELECT INBOX (FOO)").message, "SELECT: unknown select parameter");
  EXPECT_EQ(bad("a SELECT INBOX (CONDSTORE )").message, "SELECT: unknown select parameter");
  EXPECT_EQ(bad("a SELECT &Jjo").message,
            "SELECT: invalid modified UTF-7 mailbox name: unterminated shift");
  EXPECT_EQ(bad("a SELECT").message, "SELECT: expected a space");
}

// RFC 3501 §5.1.3: any astring is a legal name on the wire; one that does not decode
// names no mailbox, which is a NO for the command, not a BAD.
TEST(ImapParseCommand, UndecodableMailboxNamesAreNoSuchMailbox) {
  for (std::string_view text :
       {"a SELECT !#$&'+,-.0123456789:;<=>?@^_`|[}", "a STATUS &Jjo (MESSAGES)", "a DELETE &",
        "a APPEND &Jjo {1+}\r\nx", "a RENAME &AGE- x", "a UID COPY 1 &Jjo"}) {
    EXPECT_EQ(bad(text).kind, ParseErrorKind::no_such_mailbox) << text;
  }
  EXPECT_EQ(bad("a CREATE &Jjo").kind, ParseErrorKind::invalid_mailbox_name);
  EXPECT_EQ(bad("a RENAME x &Jjo").kind, ParseErrorKind::invalid_mailbox_name);
  ParseOptions utf8;
  utf8.mailbox_encoding = MailboxEncoding::utf8;
  auto e = parse_command("a SELECT \"\xFF\"", utf8);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().kind, ParseErrorKind::no_such_mailbox);
  EXPECT_EQ(e.error().message, "SELECT: mailbox name is not valid UTF-8");
}

TEST(ImapParseCommand, MailboxNamesAreDecoded) {
  EXPECT_EQ(parse_as<SelectCmd>("a SELECT Entw&APw-rfe").mailbox, "Entw\xC3\xBCrfe");
  ParseOptions utf8;
  utf8.mailbox_encoding = MailboxEncoding::utf8;
  EXPECT_EQ(parse_as<SelectCmd>("a SELECT \"Entw\xC3\xBCrfe\"", utf8).mailbox, "Entw\xC3\xBCrfe");
  EXPECT_EQ(parse_as<DeleteCmd>("a DELETE \"Entw&APw-rfe\"").mailbox, "Entw\xC3\xBCrfe");
}

TEST(ImapParseCommand, CreateDeleteRenameSubscribe) {
  EXPECT_EQ(parse_as<CreateCmd>("A003 CREATE owatagusiam/").mailbox, "owatagusiam/");
  // RFC 6154 §5.3 example.
  auto c = parse_as<CreateCmd>("t1 CREATE \"Important Messages\" (USE (\\flagged))");
  EXPECT_EQ(c.mailbox, "Important Messages");
  EXPECT_EQ(c.special_use, (std::vector<std::string>{"\\Flagged"}));
  EXPECT_EQ(parse_as<CreateCmd>("t CREATE x (USE (\\Sent \\X-Foo))").special_use,
            (std::vector<std::string>{"\\Sent", "\\X-Foo"}));
  EXPECT_EQ(bad("t CREATE x (USE (Sent))").message, "CREATE: expected a special-use attribute");
  EXPECT_EQ(bad("t CREATE x (FOO)").message, "CREATE: unknown create parameter");
  EXPECT_EQ(parse_as<DeleteCmd>("A683 DELETE blurdybloop").mailbox, "blurdybloop");
  auto r = parse_as<RenameCmd>("A683 RENAME blurdybloop sarasoop");
  EXPECT_EQ(r.from, "blurdybloop");
  EXPECT_EQ(r.to, "sarasoop");
  EXPECT_EQ(bad("A RENAME a").message, "RENAME: expected a space");
  auto s = parse_as<SubscribeCmd>("A002 SUBSCRIBE #news.comp.mail.mime");
  EXPECT_EQ(s.action, Subscription::subscribe);
  EXPECT_EQ(s.mailbox, "#news.comp.mail.mime");
  EXPECT_EQ(parse_as<SubscribeCmd>("A UNSUBSCRIBE x").action, Subscription::unsubscribe);
}

TEST(ImapParseCommand, ListBasicAndLsub) {
  auto l = parse_as<ListCmd>("A101 LIST \"\" \"\"");
  EXPECT_EQ(l.kind, ListCmd::Kind::list);
  EXPECT_EQ(l.reference, "");
  EXPECT_EQ(l.patterns, (std::vector<std::string>{""}));
  EXPECT_FALSE(l.extended);
  auto w = parse_as<ListCmd>("A202 LIST ~/Mail/ %");
  EXPECT_EQ(w.reference, "~/Mail/");
  EXPECT_EQ(w.patterns, (std::vector<std::string>{"%"}));
  EXPECT_EQ(parse_as<ListCmd>("a LIST \"\" Entw&APw-rfe*").patterns,
            (std::vector<std::string>{"Entw\xC3\xBCrfe*"}));
  auto s = parse_as<ListCmd>("A002 LSUB \"#news.\" \"comp.mail.*\"");
  EXPECT_EQ(s.kind, ListCmd::Kind::lsub);
  EXPECT_EQ(s.patterns, (std::vector<std::string>{"comp.mail.*"}));
  EXPECT_EQ(bad("a LSUB () \"\" *").message, "LSUB: expected a string");
  EXPECT_EQ(bad("a LIST \"\"").message, "LIST: expected a space");
}

TEST(ImapParseCommand, ListExtended) {
  // RFC 5258 §5 examples.
  auto a = parse_as<ListCmd>("A02 LIST (SUBSCRIBED) \"\" \"*\"");
  EXPECT_TRUE(a.extended);
  EXPECT_TRUE(a.select.subscribed);
  auto b = parse_as<ListCmd>("A03 LIST () \"\" \"%\" RETURN (CHILDREN)");
  EXPECT_EQ(b.select, ListSelect{});
  EXPECT_TRUE(b.returns.children);
  auto c = parse_as<ListCmd>("A04 LIST (REMOTE SUBSCRIBED RECURSIVEMATCH) \"\" \"*\"");
  EXPECT_TRUE(c.select.remote && c.select.subscribed && c.select.recursive_match);
  auto d = parse_as<ListCmd>("BBB LIST \"\" (\"INBOX\" \"Drafts\" \"Sent/%\")");
  EXPECT_EQ(d.patterns, (std::vector<std::string>{"INBOX", "Drafts", "Sent/%"}));
  EXPECT_TRUE(d.extended);
  // RFC 5819 §3 and RFC 6154 §5.
  auto e = parse_as<ListCmd>("A01 LIST \"\" % RETURN (STATUS (MESSAGES UNSEEN))");
  EXPECT_EQ(e.returns.status, (std::vector<StatusItem>{StatusItem::messages, StatusItem::unseen}));
  auto f = parse_as<ListCmd>("t1 LIST (SPECIAL-USE) \"\" \"*\" RETURN (SPECIAL-USE SUBSCRIBED)");
  EXPECT_TRUE(f.select.special_use);
  EXPECT_TRUE(f.returns.special_use && f.returns.subscribed);
  EXPECT_EQ(bad("a LIST (RECURSIVEMATCH) \"\" *").message,
            "LIST: RECURSIVEMATCH needs a base option");
  EXPECT_EQ(bad("a LIST (FOO) \"\" *").message, "LIST: unknown LIST selection option");
  EXPECT_EQ(bad("a LIST \"\" * RETURN (FOO)").message, "LIST: unknown LIST return option");
  EXPECT_EQ(bad("a LIST \"\" * (CHILDREN)").message, "LIST: expected RETURN");
  EXPECT_EQ(bad("a LIST \"\" ()").message, "LIST: expected a mailbox pattern");
}

TEST(ImapParseCommand, Status) {
  auto s = parse_as<StatusCmd>("A042 STATUS blurdybloop (UIDNEXT MESSAGES)");
  EXPECT_EQ(s.mailbox, "blurdybloop");
  EXPECT_EQ(s.items, (std::vector<StatusItem>{StatusItem::uid_next, StatusItem::messages}));
  EXPECT_EQ(
      parse_as<StatusCmd>("a STATUS x (highestmodseq SIZE DELETED RECENT UIDVALIDITY UNSEEN)")
          .items,
      (std::vector<StatusItem>{StatusItem::highest_mod_seq, StatusItem::size, StatusItem::deleted,
                               StatusItem::recent, StatusItem::uid_validity, StatusItem::unseen}));
  // RFC 8474 §4.3.
  EXPECT_EQ(parse_as<StatusCmd>("6 status foo (mailboxid)").items,
            std::vector<StatusItem>{StatusItem::mailbox_id});
  // RFC 9208 §4.1.4.
  EXPECT_EQ(parse_as<StatusCmd>("S0003 STATUS INBOX (MESSAGES DELETED DELETED-STORAGE)").items,
            (std::vector<StatusItem>{StatusItem::messages, StatusItem::deleted,
                                     StatusItem::deleted_storage}));
  EXPECT_EQ(bad("a STATUS x ()").message, "STATUS: expected a status item");
  EXPECT_EQ(bad("a STATUS x (FOO)").message, "STATUS: unknown status item FOO");
  EXPECT_EQ(bad("a STATUS x MESSAGES").message, "STATUS: expected '(' opening the status items");
}

TEST(ImapParseCommand, Append) {
  // RFC 9051 §6.3.12 example.
  std::string msg =
      "Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\nSubject: afternoon meeting\r\n\r\nHello\r\n";
  auto a = parse_as<AppendCmd>("A003 APPEND saved-messages (\\Seen) {" +
                               std::to_string(msg.size()) + "}\r\n" + msg);
  EXPECT_EQ(a.mailbox, "saved-messages");
  ASSERT_EQ(a.messages.size(), 1u);
  EXPECT_EQ(a.messages[0].flags, (std::vector<std::string>{"\\Seen"}));
  EXPECT_FALSE(a.messages[0].internal_date.has_value());
  EXPECT_EQ(a.messages[0].message, msg);
  EXPECT_EQ(a.messages[0].form, MessageForm::literal);
  auto d = parse_as<AppendCmd>(
      "a APPEND INBOX (\\seen $Junk) \" 7-Feb-1994 21:52:25 -0800\" {2+}\r\nhi");
  EXPECT_EQ(d.messages[0].flags, (std::vector<std::string>{"\\Seen", "$Junk"}));
  ASSERT_TRUE(d.messages[0].internal_date.has_value());
  EXPECT_EQ(*d.messages[0].internal_date, (DateTime{{1994, 2, 7}, 21, 52, 25, -480}));
  auto b = parse_as<AppendCmd>(std::string("a APPEND INBOX ~{3}\r\na\0b", 24));
  EXPECT_EQ(b.messages[0].message, std::string("a\0b", 3));
  EXPECT_EQ(b.messages[0].form, MessageForm::literal8);
  EXPECT_EQ(parse_as<AppendCmd>("a APPEND INBOX () {0}\r\n").messages[0].flags.size(), 0u);
  // RFC 3502 §6.3.11 (its example): several messages, each with its own flags and date.
  auto multi = parse_as<AppendCmd>(
      "A003 APPEND saved-messages (\\Seen) {5}\r\nfirst (\\Flagged $Work) "
      "\"20-Feb-1994 21:52:25 -0800\" {6+}\r\nsecond {5}\r\nthird");
  ASSERT_EQ(multi.messages.size(), 3u);
  EXPECT_EQ(multi.messages[0].message, "first");
  EXPECT_EQ(multi.messages[1].flags, (std::vector<std::string>{"\\Flagged", "$Work"}));
  EXPECT_EQ(multi.messages[1].internal_date->date.day, 20);
  EXPECT_EQ(multi.messages[1].message, "second");
  EXPECT_TRUE(multi.messages[2].flags.empty());
  EXPECT_EQ(multi.messages[2].message, "third");
  EXPECT_EQ(bad("a APPEND INBOX {1}\r\nx ").message, "APPEND: expected a literal");
  EXPECT_EQ(bad("a APPEND INBOX {1}\r\nx (\\Seen)").message, "APPEND: expected a space");
  // RFC 4469 §5 (its example): TEXT literals and URLs, with MULTIAPPEND too.
  auto cat = parse_as<AppendCmd>(
      "A003 APPEND Drafts (\\Seen \\Draft $MDNSent) CATENATE (URL "
      "\"/Drafts;UIDVALIDITY=385759045/;UID=20/;section=HEADER\" TEXT {42}\r\n"
      "\r\n--------------030308070208000400050907\r\n URL \"/Drafts;UIDVALIDITY=385759045/"
      ";UID=20/;section=1.MIME\" URL \"bogus\") {1}\r\nx");
  ASSERT_EQ(cat.messages.size(), 2u);
  ASSERT_TRUE(cat.messages[0].catenate);
  ASSERT_EQ(cat.messages[0].parts.size(), 4u);
  EXPECT_EQ(cat.messages[0].parts[0].kind, CatenatePart::Kind::url);
  EXPECT_EQ(cat.messages[0].parts[0].url->uid, 20u);
  EXPECT_EQ(cat.messages[0].parts[1].kind, CatenatePart::Kind::text);
  EXPECT_EQ(cat.messages[0].parts[1].text, "\r\n--------------030308070208000400050907\r\n");
  EXPECT_EQ(cat.messages[0].parts[2].url->section->text, SectionText::mime);
  EXPECT_EQ(cat.messages[0].parts[3].text, "bogus");
  EXPECT_FALSE(cat.messages[0].parts[3].url);
  EXPECT_FALSE(cat.messages[1].catenate);
  EXPECT_EQ(bad("a APPEND INBOX CATENATE ()").message, "APPEND: expected TEXT, UTF8 or URL");
  EXPECT_EQ(bad("a APPEND INBOX CATENATE (TEXT x)").message, "APPEND: expected a literal");
  EXPECT_EQ(bad("a APPEND INBOX CATENATE (TEXT {1}\r\nx").message,
            "APPEND: expected ')' closing the CATENATE parts");
  std::string parts = "a APPEND INBOX CATENATE (";
  for (size_t i = 0; i <= kMaxCatenateParts; ++i) parts += (i ? " " : "") + std::string("URL x");
  EXPECT_EQ(bad(parts + ")").message, "APPEND: too many CATENATE parts");
  std::string many = "a APPEND INBOX";
  for (size_t i = 0; i < kMaxAppendMessages; ++i) many += " {1}\r\nx";
  EXPECT_EQ(parse_as<AppendCmd>(many).messages.size(), kMaxAppendMessages);
  EXPECT_EQ(bad(many + " {1}\r\nx").message, "APPEND: too many messages in one APPEND");
  EXPECT_EQ(bad("a APPEND INBOX \"hello\"").message, "APPEND: bad date-time");
  EXPECT_EQ(bad("a APPEND INBOX hello").message, "APPEND: expected a literal");
  EXPECT_EQ(bad("a APPEND INBOX (\\Recent) {1}\r\nx").message, "APPEND: \\Recent cannot be set");
  EXPECT_EQ(bad("a APPEND INBOX \"31-Feb-2020 00:00:00 +0000\" {1}\r\nx").message,
            "APPEND: bad date-time");
  EXPECT_EQ(bad("a APPEND INBOX \"1-Feb-2020 00:00:00 +0000\" {1}\r\nx").message,
            "APPEND: bad date-time");
  EXPECT_EQ(bad("a APPEND INBOX {1}\r\nxy").message, "APPEND: expected a space");
}

// RFC 6855 §4: append-data =/ "UTF8" SP "(" literal8 ")", and the same as a cat-part.
TEST(ImapParseCommand, AppendUtf8Data) {
  auto one = parse_as<AppendCmd>(
      "a APPEND INBOX (\\Seen) UTF8 (~{18}\r\nSubject: \xC3\xBC\r\n\r\nx\r\n) {1}\r\ny");
  ASSERT_EQ(one.messages.size(), 2u);
  EXPECT_TRUE(one.messages[0].utf8);
  EXPECT_EQ(one.messages[0].form, MessageForm::literal8);
  EXPECT_EQ(one.messages[0].message, "Subject: \xC3\xBC\r\n\r\nx\r\n");
  EXPECT_EQ(one.messages[0].flags, std::vector<std::string>{"\\Seen"});
  EXPECT_FALSE(one.messages[1].utf8);
  auto cat = parse_as<AppendCmd>(
      "a APPEND INBOX CATENATE (UTF8 (~{3}\r\nabc) URL \"/INBOX/;UID=1\" TEXT {1}\r\nd)");
  ASSERT_EQ(cat.messages[0].parts.size(), 3u);
  EXPECT_TRUE(cat.messages[0].parts[0].utf8);
  EXPECT_EQ(cat.messages[0].parts[0].kind, CatenatePart::Kind::text);
  EXPECT_EQ(cat.messages[0].parts[0].text, "abc");
  EXPECT_FALSE(cat.messages[0].parts[2].utf8);
  EXPECT_EQ(bad("a APPEND INBOX UTF8 ({3}\r\nabc)").message, "APPEND: expected a literal8");
  EXPECT_EQ(bad("a APPEND INBOX UTF8 ~{3}\r\nabc").message,
            "APPEND: expected '(' opening the UTF8 data");
  EXPECT_EQ(bad("a APPEND INBOX UTF8 (~{3}\r\nabc").message,
            "APPEND: expected ')' closing the UTF8 data");
  EXPECT_EQ(bad("a APPEND INBOX CATENATE (UTF8 ({1}\r\na))").message,
            "APPEND: expected a literal8");
}

// RFC 6855 §3: after ENABLE UTF8=ACCEPT, 8-bit octets in a quoted string must be UTF-8;
// before it they are taken as they come (8-bit passwords of older clients).
TEST(ImapParseCommand, QuotedStringsAfterUtf8Accept) {
  ParseOptions accept;
  accept.mailbox_encoding = MailboxEncoding::utf8;
  accept.utf8_quoted = true;
  EXPECT_EQ(parse_as<CreateCmd>("a CREATE \"Entw\xC3\xBCrfe\"", accept).mailbox, "Entw\xC3\xBCrfe");
  auto e = parse_command("a SEARCH SUBJECT \"Gr\xFC\xDF\"", accept);
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().kind, ParseErrorKind::syntax);
  EXPECT_EQ(e.error().message, "SEARCH: quoted string is not UTF-8");
  EXPECT_EQ(parse_command("a SEARCH SUBJECT \"Gr\xC3\xBC\xC3\x9F\"", accept).ok(), true);
  EXPECT_EQ(parse_as<SearchCmd>("a SEARCH SUBJECT \"Gr\xFC\xDF\"").key.children[0].text,
            "Gr\xFC\xDF");
}

TEST(ImapParseCommand, Store) {
  auto s = parse_as<StoreCmd>("A003 STORE 2:4 +FLAGS (\\Deleted)");
  EXPECT_EQ(s.set.to_string(), "2:4");
  EXPECT_EQ(s.mode, StoreMode::add);
  EXPECT_EQ(s.silent, Silent::no);
  EXPECT_EQ(s.flags, (std::vector<std::string>{"\\Deleted"}));
  auto r = parse_as<StoreCmd>("a STORE 1 -flags.silent \\Seen \\Answered");
  EXPECT_EQ(r.mode, StoreMode::remove);
  EXPECT_EQ(r.silent, Silent::yes);
  EXPECT_EQ(r.flags, (std::vector<std::string>{"\\Seen", "\\Answered"}));
  auto p = parse_as<StoreCmd>("a STORE $ FLAGS ()");
  EXPECT_TRUE(p.set.is_saved());
  EXPECT_EQ(p.mode, StoreMode::replace);
  EXPECT_TRUE(p.flags.empty());
  // RFC 7162 §3.1.3 example.
  auto c =
      parse_as<StoreCmd>("d105 STORE 7,5,9 (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\\Deleted)");
  EXPECT_EQ(c.unchanged_since, 320162338u);
  EXPECT_EQ(c.silent, Silent::yes);
  auto u = parse_as<StoreCmd>("a UID STORE 100:* FLAGS.SILENT ($Forwarded)");
  EXPECT_EQ(u.numbers, NumberKind::uid);
  EXPECT_EQ(bad("a STORE 1 FLAG (\\Seen)").message, "STORE: expected FLAGS or FLAGS.SILENT");
  EXPECT_EQ(bad("a STORE 1 +FLAGS (\\Seen").message, "STORE: expected a space");
  EXPECT_EQ(bad("a STORE 0 FLAGS ()").message, "STORE: bad sequence set");
  EXPECT_EQ(bad("a STORE 1 (FOO 1) FLAGS ()").message, "STORE: unknown STORE modifier");
  EXPECT_EQ(bad("a STORE 1 FLAGS (\\*)").message, "STORE: expected a flag");
}

TEST(ImapParseCommand, CopyMoveExpunge) {
  auto c = parse_as<CopyCmd>("A003 COPY 2:4 MEETING");
  EXPECT_EQ(c.action, Transfer::copy);
  EXPECT_EQ(c.numbers, NumberKind::sequence);
  EXPECT_EQ(c.mailbox, "MEETING");
  auto m = parse_as<CopyCmd>("a UID MOVE 42:69 foo");
  EXPECT_EQ(m.action, Transfer::move);
  EXPECT_EQ(m.numbers, NumberKind::uid);
  EXPECT_EQ(m.set.to_string(), "42:69");
  EXPECT_EQ(parse_as<CopyCmd>("a MOVE 1 inbox").mailbox, "INBOX");
  auto x = parse_as<ExpungeCmd>("A003 UID EXPUNGE 3000:3002");
  EXPECT_EQ(x.uids->to_string(), "3000:3002");
  EXPECT_EQ(bad("a UID EXPUNGE").message, "UID EXPUNGE: expected a space");
  EXPECT_EQ(bad("a UID FOO 1").message, "UID FOO: unknown UID command");
  EXPECT_EQ(bad("a UID").message, "UID: expected a space");
  EXPECT_EQ(bad("a COPY 1:2").message, "COPY: expected a space");
}

TEST(ImapParseCommand, IdEnableQuotaNamespace) {
  // RFC 2971 §3.1 example.
  auto i = parse_as<IdCmd>(
      "a023 ID (\"name\" \"sodr\" \"version\" \"19.34\" \"vendor\" \"Pink Floyd Music Limited\" "
      "\"x\" NIL)");
  ASSERT_TRUE(i.params.has_value());
  ASSERT_EQ(i.params->size(), 4u);
  EXPECT_EQ((*i.params)[2].second, "Pink Floyd Music Limited");
  EXPECT_FALSE((*i.params)[3].second.has_value());
  EXPECT_FALSE(parse_as<IdCmd>("a ID NIL").params.has_value());
  EXPECT_EQ(bad("a ID (\"name\")").message, "ID: expected a space");
  auto e = parse_as<EnableCmd>("t2 ENABLE condstore X-GOOD-IDEA");
  EXPECT_EQ(e.capabilities, (std::vector<std::string>{"CONDSTORE", "X-GOOD-IDEA"}));
  EXPECT_EQ(bad("t ENABLE").message, "ENABLE: expected a space");
  EXPECT_EQ(parse_as<GetQuotaCmd>("G0001 GETQUOTA \"!partition/sda4\"").root, "!partition/sda4");
  EXPECT_EQ(parse_as<GetQuotaRootCmd>("A003 GETQUOTAROOT INBOX").mailbox, "INBOX");
  // RFC 9208 §4.1.3 (its example) and §7.
  auto set = parse_as<SetQuotaCmd>("S0001 SETQUOTA \"#user/alice\" (STORAGE 510)");
  EXPECT_EQ(set.root, "#user/alice");
  EXPECT_EQ(set.limits, (std::vector<std::pair<std::string, uint64_t>>{{"STORAGE", 510}}));
  EXPECT_EQ(parse_as<SetQuotaCmd>("a SETQUOTA \"\" (storage 1 Message 2)").limits,
            (std::vector<std::pair<std::string, uint64_t>>{{"STORAGE", 1}, {"MESSAGE", 2}}));
  EXPECT_TRUE(parse_as<SetQuotaCmd>("a SETQUOTA x ()").limits.empty());
  EXPECT_EQ(bad("a SETQUOTA x (STORAGE 1 storage 2)").message,
            "SETQUOTA: resource STORAGE given twice");
  EXPECT_EQ(bad("a SETQUOTA x (STORAGE)").message, "SETQUOTA: expected a space");
  EXPECT_EQ(bad("a SETQUOTA x (STORAGE x)").message.substr(0, 10), "SETQUOTA: ");
  EXPECT_EQ(bad("a SETQUOTA x STORAGE 1").message,
            "SETQUOTA: expected '(' opening the resource limits");
  EXPECT_EQ(bad("a SETQUOTA x (STORAGE 1").message,
            "SETQUOTA: expected ')' closing the resource limits");
  EXPECT_EQ(bad("a NAMESPACE x").message, "NAMESPACE: unexpected characters at end of command");
  // RFC 5464 §4.2 and §4.3 (their examples); options before or after the mailbox.
  auto g = parse_as<GetMetadataCmd>("a GETMETADATA \"INBOX\" (/shared/comment /private/comment)");
  EXPECT_EQ(g.mailbox, "INBOX");
  EXPECT_EQ(g.entries, (std::vector<std::string>{"/shared/comment", "/private/comment"}));
  EXPECT_FALSE(g.max_size);
  auto server = parse_as<GetMetadataCmd>("a GETMETADATA \"\" /shared/comment");
  EXPECT_EQ(server.mailbox, "");
  EXPECT_EQ(server.entries, std::vector<std::string>{"/shared/comment"});
  auto opts = parse_as<GetMetadataCmd>(
      "a GETMETADATA \"INBOX\" (MAXSIZE 1024) (/shared/comment /private/comment)");
  EXPECT_EQ(opts.max_size, 1024u);
  auto depth = parse_as<GetMetadataCmd>("a GETMETADATA (DEPTH 1) INBOX (/private/filters/values)");
  EXPECT_EQ(depth.depth, MetadataDepth::one);
  EXPECT_EQ(
      parse_as<GetMetadataCmd>("a GETMETADATA INBOX (DEPTH infinity MAXSIZE 5) /private/a").depth,
      MetadataDepth::infinity);
  for (const char* name :
       {"/comment", "/private", "/private/", "/private//x", "/other/x", "/shared/vendor/x",
        "private/x", "\"/private/a*\"", "\"/private/a%b\"", "\"/private/\xC3\xA4\""})
    EXPECT_EQ(bad(std::string("a GETMETADATA INBOX ") + name).message,
              "GETMETADATA: bad metadata entry name")
        << name;
  EXPECT_EQ(bad("a GETMETADATA INBOX (DEPTH 2) /private/a").message, "GETMETADATA: bad DEPTH");
  auto s = parse_as<SetMetadataCmd>(
      "a SETMETADATA INBOX (/private/comment {35}\r\nMy new comment across\r\ntwo lines.\r\n "
      "/shared/comment NIL /private/vendor/x/y ~{3}\r\n" +
      std::string("a\0b)", 4));
  ASSERT_EQ(s.entries.size(), 3u);
  EXPECT_EQ(s.entries[0].second, "My new comment across\r\ntwo lines.\r\n");
  EXPECT_FALSE(s.entries[1].second);
  EXPECT_EQ(s.entries[2].second, std::string("a\0b", 3));
  EXPECT_EQ(bad("a SETMETADATA INBOX (/private/comment)").message, "SETMETADATA: expected a space");
  // RFC 5267 §4.3.5 (its example) and §5: one or more tags as strings.
  EXPECT_EQ(parse_as<CancelUpdateCmd>("B04 CANCELUPDATE \"B01\"").tags,
            std::vector<std::string>{"B01"});
  EXPECT_EQ(parse_as<CancelUpdateCmd>("a CANCELUPDATE \"x\" y").tags,
            (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(bad("a CANCELUPDATE").message, "CANCELUPDATE: expected a space");
  // RFC 4978 §5: the mechanism is an atom, matched without regard to case.
  EXPECT_EQ(parse_as<CompressCmd>("c compress deflate").mechanism, "DEFLATE");
  EXPECT_EQ(parse_as<CompressCmd>("c COMPRESS X-LZ4").mechanism, "X-LZ4");
  EXPECT_EQ(bad("c COMPRESS").message, "COMPRESS: expected a space");
  EXPECT_EQ(bad("c COMPRESS \"DEFLATE\"").message, "COMPRESS: expected a compression mechanism");
  EXPECT_EQ(bad("c COMPRESS DEFLATE x").message,
            "COMPRESS: unexpected characters at end of command");
}

}  // namespace
}  // namespace postamt::imap::proto
