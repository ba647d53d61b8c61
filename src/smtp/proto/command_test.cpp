#include "smtp/proto/command.h"

#include <gtest/gtest.h>

namespace postamt::smtp::proto {
namespace {

ParseOptions all_offered() {
  ParseOptions o;
  o.offered = OfferedParams{true, true, true, true, true, true};
  return o;
}

template <class T>
T ok_as(std::string_view line, const ParseOptions& options = all_offered()) {
  auto r = parse_command(line, options);
  EXPECT_TRUE(r.ok()) << line << ": " << (r.ok() ? "" : r.error().detail);
  if (!r) return T{};
  EXPECT_TRUE(std::holds_alternative<T>(*r)) << line;
  if (!std::holds_alternative<T>(*r)) return T{};
  return std::get<T>(*r);
}

CommandError fails(std::string_view line, const ParseOptions& options = all_offered()) {
  auto r = parse_command(line, options);
  EXPECT_FALSE(r.ok()) << line;
  if (r) return {};
  return r.error();
}

std::string reply_for(std::string_view line, const ParseOptions& options = all_offered()) {
  return encode_reply(error_reply(fails(line, options)));
}

TEST(Command, SimpleVerbsAnyCase) {
  ok_as<Data>("DATA");
  ok_as<Data>("data");
  ok_as<Rset>("Rset");
  ok_as<Quit>("QUIT");
  ok_as<Quit>("QUIT  ");  // trailing spaces ignored
  ok_as<Starttls>("starttls");
  ok_as<Noop>("NOOP");
  ok_as<Noop>("NOOP anything at all");
}

TEST(Command, NoArgVerbsRejectArguments) {
  EXPECT_EQ(reply_for("DATA now"), "501 5.5.2 Syntax error: DATA takes no arguments\r\n");
  EXPECT_EQ(reply_for("QUIT x"), "501 5.5.2 Syntax error: QUIT takes no arguments\r\n");
  EXPECT_EQ(reply_for("STARTTLS x"), "501 5.5.2 Syntax error: STARTTLS takes no arguments\r\n");
}

TEST(Command, EhloHelo) {
  EXPECT_EQ(ok_as<Ehlo>("EHLO mail.example.com").domain, "mail.example.com");
  EXPECT_EQ(ok_as<Ehlo>("ehlo [192.0.2.7]").domain, "[192.0.2.7]");
  EXPECT_EQ(ok_as<Ehlo>("EHLO [IPv6:::1]").domain, "[IPv6:::1]");
  EXPECT_EQ(ok_as<Helo>("HELO client").domain, "client");
  EXPECT_EQ(reply_for("EHLO"), "501 5.5.2 Syntax error: EHLO requires a valid domain\r\n");
  EXPECT_EQ(reply_for("HELO a b"), "501 5.5.2 Syntax error: HELO requires a valid domain\r\n");
  EXPECT_EQ(reply_for("EHLO bad_name"), "501 5.5.2 Syntax error: EHLO requires a valid domain\r\n");
  EXPECT_EQ(fails("EHLO b\xc3\xbc\x63her.example").kind, CommandErrorKind::syntax);
}

TEST(Command, MailPlainAndNull) {
  Mail m = ok_as<Mail>("MAIL FROM:<alice@example.com>");
  EXPECT_EQ(m.reverse_path, (Mailbox{"alice", "example.com"}));
  EXPECT_EQ(m.params, MailParams{});
  EXPECT_TRUE(ok_as<Mail>("mail from:<>").reverse_path.is_null());
  // A space after the colon is tolerated (common in the wild).
  EXPECT_EQ(ok_as<Mail>("MAIL FROM: <a@b.c>").reverse_path, (Mailbox{"a", "b.c"}));
}

TEST(Command, MailParams) {
  Mail m = ok_as<Mail>(
      "MAIL FROM:<a@b.c> size=12345 BODY=8bitmime RET=HDRS ENVID=QQ+2B1 AUTH=e+3Dmc2@example.com");
  EXPECT_EQ(m.params.size, 12345u);
  EXPECT_EQ(m.params.body, BodyType::eight_bit_mime);
  EXPECT_EQ(m.params.ret, DsnReturn::headers);
  EXPECT_EQ(m.params.envid, "QQ+1");
  EXPECT_EQ(m.params.auth, "e=mc2@example.com");
  EXPECT_FALSE(m.params.smtputf8);

  EXPECT_EQ(ok_as<Mail>("MAIL FROM:<a@b.c> BODY=BINARYMIME").params.body, BodyType::binary_mime);
  EXPECT_EQ(ok_as<Mail>("MAIL FROM:<a@b.c> BODY=7BIT").params.body, BodyType::seven_bit);
  EXPECT_EQ(ok_as<Mail>("MAIL FROM:<a@b.c> RET=full").params.ret, DsnReturn::full);
  EXPECT_EQ(ok_as<Mail>("MAIL FROM:<a@b.c> AUTH=<>").params.auth, "<>");
  EXPECT_EQ(ok_as<Mail>("MAIL FROM:<a@b.c>  SIZE=1   SMTPUTF8").params.smtputf8, true);
  // RFC 1870: up to 20 digits; beyond uint64 saturates (certainly too big).
  EXPECT_EQ(ok_as<Mail>("MAIL FROM:<a@b.c> SIZE=99999999999999999999").params.size, UINT64_MAX);
}

TEST(Command, MailParamErrors) {
  EXPECT_EQ(reply_for("MAIL FROM:<a@b.c> SIZE=12x"), "501 5.5.4 Bad value for parameter SIZE\r\n");
  EXPECT_EQ(reply_for("MAIL FROM:<a@b.c> SIZE"), "501 5.5.4 Bad value for parameter SIZE\r\n");
  EXPECT_EQ(reply_for("MAIL FROM:<a@b.c> SIZE=123456789012345678901"),
            "501 5.5.4 Bad value for parameter SIZE\r\n");
  EXPECT_EQ(reply_for("MAIL FROM:<a@b.c> SIZE=1 SIZE=2"), "501 5.5.4 Duplicate parameter SIZE\r\n");
  EXPECT_EQ(reply_for("MAIL FROM:<a@b.c> BODY=9BIT"), "501 5.5.4 Bad value for parameter BODY\r\n");
  EXPECT_EQ(reply_for("MAIL FROM:<a@b.c> RET=ALL"), "501 5.5.4 Bad value for parameter RET\r\n");
  EXPECT_EQ(reply_for("MAIL FROM:<a@b.c> SMTPUTF8=yes"),
            "501 5.5.4 Parameter SMTPUTF8 takes no value\r\n");
  EXPECT_EQ(reply_for("MAIL FROM:<a@b.c> ENVID=a+2"), "501 5.5.4 Bad xtext in parameter ENVID\r\n");
  EXPECT_EQ(reply_for("MAIL FROM:<a@b.c> AUTH=a+zz"), "501 5.5.4 Bad xtext in parameter AUTH\r\n");
  EXPECT_EQ(reply_for("MAIL FROM:<a@b.c> SIZE=1=2"), "501 5.5.4 Bad value for parameter SIZE\r\n");
  EXPECT_EQ(reply_for("MAIL FROM:<a@b.c> -X=1"), "501 5.5.2 Syntax error in parameter name\r\n");
  EXPECT_EQ(reply_for("MAIL FROM:<a@b.c>SIZE=1"),
            "501 5.5.2 Syntax error: expected a space after the path\r\n");
  EXPECT_EQ(reply_for("MAIL FROM:<a@b.c> XFOO=1"), "555 5.5.4 Unsupported parameter XFOO\r\n");
  EXPECT_EQ(reply_for("MAIL FROM:<a@b.c> NOTIFY=NEVER"),
            "555 5.5.4 Unsupported parameter NOTIFY\r\n");
}

TEST(Command, ParamsOfExtensionsNotOfferedAreUnknown) {
  ParseOptions none;
  none.offered = OfferedParams{false, false, false, false, false, false};
  EXPECT_EQ(reply_for("MAIL FROM:<a@b.c> SIZE=1", none),
            "555 5.5.4 Unsupported parameter SIZE\r\n");
  EXPECT_EQ(reply_for("MAIL FROM:<a@b.c> BODY=8BITMIME", none),
            "555 5.5.4 Unsupported parameter BODY\r\n");
  EXPECT_EQ(reply_for("MAIL FROM:<a@b.c> RET=FULL", none),
            "555 5.5.4 Unsupported parameter RET\r\n");
  EXPECT_EQ(reply_for("MAIL FROM:<a@b.c> AUTH=<>", none),
            "555 5.5.4 Unsupported parameter AUTH\r\n");
  EXPECT_EQ(reply_for("MAIL FROM:<a@b.c> SMTPUTF8", none),
            "555 5.5.4 Unsupported parameter SMTPUTF8\r\n");
  EXPECT_EQ(reply_for("RCPT TO:<a@b.c> NOTIFY=NEVER", none),
            "555 5.5.4 Unsupported parameter NOTIFY\r\n");
  // Defaults: SIZE and 8BITMIME offered, BINARYMIME not.
  ParseOptions defaults;
  EXPECT_EQ(ok_as<Mail>("MAIL FROM:<a@b.c> SIZE=5 BODY=8BITMIME", defaults).params.size, 5u);
  EXPECT_EQ(reply_for("MAIL FROM:<a@b.c> BODY=BINARYMIME", defaults),
            "501 5.5.4 Bad value for parameter BODY\r\n");
}

TEST(Command, MailSyntaxErrors) {
  EXPECT_EQ(reply_for("MAIL <a@b.c>"), "501 5.5.2 Syntax error: expected MAIL FROM:<address>\r\n");
  EXPECT_EQ(reply_for("MAIL FROM:a@b.c"),
            "501 5.5.2 Syntax error in reverse-path: missing \"<\"\r\n");
  EXPECT_EQ(reply_for("MAIL FROM:<a@b.c"),
            "501 5.5.2 Syntax error in reverse-path: missing \">\"\r\n");
}

TEST(Command, Smtputf8InMailAllowsUtf8ReversePath) {
  std::string utf8_from = "MAIL FROM:<j\xc3\xb6rg@example.com>";
  EXPECT_EQ(reply_for(utf8_from),
            "550 5.6.7 Non-ASCII addresses not permitted without SMTPUTF8\r\n");
  Mail m = ok_as<Mail>(utf8_from + " SMTPUTF8");
  EXPECT_EQ(m.reverse_path.local_part, "j\xc3\xb6rg");
  EXPECT_TRUE(m.params.smtputf8);
  // SMTPUTF8 not offered: the parameter itself is unknown.
  ParseOptions defaults;
  EXPECT_EQ(reply_for(utf8_from + " SMTPUTF8", defaults),
            "555 5.5.4 Unsupported parameter SMTPUTF8\r\n");
}

TEST(Command, RcptPlainPostmasterAndRoute) {
  Rcpt r = ok_as<Rcpt>("RCPT TO:<bob@example.org>");
  EXPECT_EQ(r.forward_path, (Mailbox{"bob", "example.org"}));
  EXPECT_EQ(r.params, RcptParams{});
  EXPECT_EQ(ok_as<Rcpt>("rcpt to:<POSTMASTER>").forward_path, (Mailbox{"POSTMASTER", ""}));
  EXPECT_EQ(ok_as<Rcpt>("RCPT TO:<@hop.example:bob@example.org>").forward_path,
            (Mailbox{"bob", "example.org"}));
  EXPECT_EQ(reply_for("RCPT TO:<>"), "501 5.5.2 Syntax error in forward-path: empty path\r\n");
  EXPECT_EQ(reply_for("RCPT <a@b.c>"), "501 5.5.2 Syntax error: expected RCPT TO:<address>\r\n");
}

TEST(Command, RcptDsnParams) {
  Rcpt r = ok_as<Rcpt>("RCPT TO:<b@c.d> NOTIFY=success,Delay ORCPT=rfc822;b+2Bx@c.d");
  ASSERT_TRUE(r.params.notify);
  EXPECT_EQ(*r.params.notify, (Notify{false, true, false, true}));
  ASSERT_TRUE(r.params.orcpt);
  EXPECT_EQ(*r.params.orcpt, (OriginalRecipient{"rfc822", "b+x@c.d"}));
  EXPECT_EQ(*ok_as<Rcpt>("RCPT TO:<b@c.d> NOTIFY=NEVER").params.notify,
            (Notify{true, false, false, false}));

  EXPECT_EQ(reply_for("RCPT TO:<b@c.d> NOTIFY=NEVER,SUCCESS"),
            "501 5.5.4 Bad value for parameter NOTIFY\r\n");
  EXPECT_EQ(reply_for("RCPT TO:<b@c.d> NOTIFY=FAILURE,FAILURE"),
            "501 5.5.4 Bad value for parameter NOTIFY\r\n");
  EXPECT_EQ(reply_for("RCPT TO:<b@c.d> NOTIFY=SOMETIMES"),
            "501 5.5.4 Bad value for parameter NOTIFY\r\n");
  EXPECT_EQ(reply_for("RCPT TO:<b@c.d> NOTIFY=SUCCESS,"),
            "501 5.5.4 Bad value for parameter NOTIFY\r\n");
  EXPECT_EQ(reply_for("RCPT TO:<b@c.d> ORCPT=b@c.d"),
            "501 5.5.4 Bad address type in parameter ORCPT\r\n");
  EXPECT_EQ(reply_for("RCPT TO:<b@c.d> ORCPT=rfc822;"),
            "501 5.5.4 Bad xtext in parameter ORCPT\r\n");
  EXPECT_EQ(reply_for("RCPT TO:<b@c.d> NOTIFY=NEVER NOTIFY=NEVER"),
            "501 5.5.4 Duplicate parameter NOTIFY\r\n");
  EXPECT_EQ(reply_for("RCPT TO:<b@c.d> SIZE=10"), "555 5.5.4 Unsupported parameter SIZE\r\n");
}

TEST(Command, RcptUtf8FollowsTheTransaction) {
  std::string line = "RCPT TO:<\xc3\xb1@example.org>";
  EXPECT_EQ(reply_for(line), "553 5.6.7 Non-ASCII addresses not permitted without SMTPUTF8\r\n");
  ParseOptions utf8 = all_offered();
  utf8.utf8_recipients = Utf8Addresses::accepted;
  EXPECT_EQ(ok_as<Rcpt>(line, utf8).forward_path.local_part, "\xc3\xb1");
}

TEST(Command, VrfyExpnHelp) {
  EXPECT_EQ(ok_as<Vrfy>("VRFY Smith").arg, "Smith");
  EXPECT_EQ(ok_as<Vrfy>("VRFY \"John Smith\"").arg, "John Smith");
  EXPECT_EQ(ok_as<Expn>("EXPN staff").arg, "staff");
  EXPECT_EQ(ok_as<Help>("HELP").arg, std::nullopt);
  EXPECT_EQ(ok_as<Help>("HELP MAIL").arg, "MAIL");
  EXPECT_EQ(reply_for("VRFY"), "501 5.5.2 Syntax error: VRFY requires an argument\r\n");
  EXPECT_EQ(reply_for("EXPN"), "501 5.5.2 Syntax error: EXPN requires an argument\r\n");
}

TEST(Command, Bdat) {
  EXPECT_EQ(ok_as<Bdat>("BDAT 1000"), (Bdat{1000, BdatLast::no}));
  EXPECT_EQ(ok_as<Bdat>("bdat 0 last"), (Bdat{0, BdatLast::yes}));
  for (const char* bad : {"BDAT", "BDAT x", "BDAT 10 FIRST", "BDAT 10 LAST X", "BDAT -1", "BDAT +5",
                          "BDAT 99999999999999999999999"}) {
    EXPECT_EQ(reply_for(bad), "501 5.5.2 Syntax error: expected BDAT <size> [LAST]\r\n") << bad;
  }
}

TEST(Command, Auth) {
  EXPECT_EQ(ok_as<Auth>("AUTH plain"), (Auth{"PLAIN", std::nullopt}));
  EXPECT_EQ(ok_as<Auth>("AUTH PLAIN AGFsaWNlAHNlY3JldA=="),
            (Auth{"PLAIN", std::string("AGFsaWNlAHNlY3JldA==")}));
  EXPECT_EQ(ok_as<Auth>("AUTH EXTERNAL ="), (Auth{"EXTERNAL", std::string("=")}));
  EXPECT_EQ(ok_as<Auth>("AUTH SCRAM-SHA-256"), (Auth{"SCRAM-SHA-256", std::nullopt}));
  const char* expected = "501 5.5.2 Syntax error: expected AUTH <mechanism> [initial-response]\r\n";
  EXPECT_EQ(reply_for("AUTH"), expected);
  EXPECT_EQ(reply_for("AUTH PLAIN a b"), expected);
  EXPECT_EQ(reply_for("AUTH PLAIN a*b"), expected);
  EXPECT_EQ(reply_for("AUTH ABCDEFGHIJKLMNOPQRSTU"), expected);  // 21 characters
}

TEST(Command, UnknownAndBadCharacters) {
  EXPECT_EQ(reply_for("XYZZY"), "500 5.5.1 Unrecognized command\r\n");
  EXPECT_EQ(reply_for(""), "500 5.5.1 Unrecognized command\r\n");
  EXPECT_EQ(reply_for(" QUIT"), "500 5.5.1 Unrecognized command\r\n");
  EXPECT_EQ(reply_for("MAILFROM:<a@b.c>"), "500 5.5.1 Unrecognized command\r\n");
  const char* bad = "500 5.5.2 NUL, CR or LF in command line\r\n";
  EXPECT_EQ(reply_for(std::string_view("QUIT\0", 5)), bad);
  EXPECT_EQ(reply_for("RCPT TO:<a@b.c>\rDATA"), bad);
  EXPECT_EQ(reply_for("NOOP\nQUIT"), bad);
}

TEST(Command, ToErrorIsInvalid) {
  Error e = to_error(fails("XYZZY"));
  EXPECT_EQ(e.kind, ErrorKind::invalid);
  EXPECT_EQ(e.message, "Unrecognized command");
}

}  // namespace
}  // namespace postamt::smtp::proto
