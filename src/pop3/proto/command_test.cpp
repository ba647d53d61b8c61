#include "pop3/proto/command.h"

#include <gtest/gtest.h>

namespace postamt::pop3::proto {
namespace {

template <class T>
T ok_as(std::string_view line) {
  auto r = parse_command(line);
  EXPECT_TRUE(r.ok()) << line << ": " << (r.ok() ? "" : r.error().message);
  if (!r) return T{};
  EXPECT_TRUE(std::holds_alternative<T>(*r)) << line;
  if (!std::holds_alternative<T>(*r)) return T{};
  return std::get<T>(*r);
}

Error fails(std::string_view line) {
  auto r = parse_command(line);
  EXPECT_FALSE(r.ok()) << line;
  if (r) return {};
  return r.error();
}

TEST(Pop3Command, NoArgumentCommandsAnyCase) {
  ok_as<Stat>("STAT");
  ok_as<Stat>("stat");
  ok_as<Noop>("NoOp");
  ok_as<Rset>("RSET");
  ok_as<Quit>("QUIT");
  ok_as<Quit>("QUIT ");  // trailing space ignored
  ok_as<Capa>("capa");
  ok_as<Stls>("STLS");
  for (const char* bad : {"STAT 1", "NOOP x", "RSET 1", "QUIT now", "CAPA x", "STLS x"}) {
    Error e = fails(bad);
    EXPECT_EQ(e.kind, ErrorKind::invalid) << bad;
  }
  EXPECT_EQ(fails("STAT 1").message, "STAT takes no arguments");
}

TEST(Pop3Command, UserAndPass) {
  EXPECT_EQ(ok_as<User>("USER alice").name, "alice");
  EXPECT_EQ(ok_as<User>("user alice@example.com").name, "alice@example.com");
  EXPECT_EQ(fails("USER").message, "USER requires one name");
  EXPECT_EQ(fails("USER a b").message, "USER requires one name");
  EXPECT_EQ(ok_as<Pass>("PASS secret").password, "secret");
  EXPECT_EQ(ok_as<Pass>("pass  two  spaces ").password, " two  spaces ");
  EXPECT_EQ(ok_as<Pass>("PASS a:b=c").password, "a:b=c");
  EXPECT_EQ(fails("PASS").message, "PASS requires a password");
  EXPECT_EQ(fails("PASS ").message, "PASS requires a password");
}

TEST(Pop3Command, MessageNumbers) {
  EXPECT_EQ(ok_as<List>("LIST"), List{});
  EXPECT_EQ(ok_as<List>("LIST 3"), List{3});
  EXPECT_EQ(ok_as<Uidl>("UIDL"), Uidl{});
  EXPECT_EQ(ok_as<Uidl>("uidl 4294967295"), Uidl{4294967295u});
  EXPECT_EQ(ok_as<Retr>("RETR 1"), Retr{1});
  EXPECT_EQ(ok_as<Dele>("DELE 007"), Dele{7});
  for (const char* bad : {"RETR 0", "RETR -1", "RETR +1", "RETR 4294967296", "RETR x", "LIST 0",
                          "UIDL 1a", "DELE 99999999999999999999999"}) {
    EXPECT_EQ(fails(bad).message, "Invalid message number") << bad;
  }
  EXPECT_EQ(fails("RETR").message, "RETR requires one message number");
  EXPECT_EQ(fails("DELE 1 2").message, "DELE requires one message number");
  EXPECT_EQ(fails("LIST 1 2").message, "LIST takes at most one message number");
  EXPECT_EQ(fails("LIST  1").message, "Arguments are separated by one space");
}

TEST(Pop3Command, Top) {
  EXPECT_EQ(ok_as<Top>("TOP 1 0"), (Top{1, 0}));
  EXPECT_EQ(ok_as<Top>("top 2 10"), (Top{2, 10}));
  EXPECT_EQ(fails("TOP 1").message, "TOP requires a message number and a line count");
  EXPECT_EQ(fails("TOP 1 2 3").message, "TOP requires a message number and a line count");
  EXPECT_EQ(fails("TOP 0 1").message, "Invalid message number");
  EXPECT_EQ(fails("TOP 1 -1").message, "Invalid line count");
  EXPECT_EQ(fails("TOP 1 99999999999999999999").message, "Invalid line count");
}

TEST(Pop3Command, Auth) {
  EXPECT_EQ(ok_as<Auth>("AUTH"), Auth{});
  EXPECT_EQ(ok_as<Auth>("AUTH plain"), (Auth{"PLAIN", std::nullopt}));
  EXPECT_EQ(ok_as<Auth>("AUTH PLAIN AGFsaWNlAHNlY3JldA=="),
            (Auth{"PLAIN", std::string("AGFsaWNlAHNlY3JldA==")}));
  EXPECT_EQ(ok_as<Auth>("AUTH EXTERNAL ="), (Auth{"EXTERNAL", std::string("=")}));
  EXPECT_EQ(fails("AUTH PL*AIN").message, "Invalid mechanism name");
  EXPECT_EQ(fails("AUTH PLAIN a!b").message, "Invalid initial response");
  EXPECT_EQ(fails("AUTH PLAIN a b").message, "AUTH takes a mechanism and an initial response");
}

TEST(Pop3Command, UnknownAndBadCharacters) {
  Error e = fails("APOP mrose c4c9334bac560ecc979e58001b3e22fb");
  EXPECT_EQ(e.kind, ErrorKind::not_found);
  EXPECT_EQ(e.message, "Unknown command");
  EXPECT_EQ(fails("").kind, ErrorKind::not_found);
  EXPECT_EQ(fails(" STAT").kind, ErrorKind::not_found);
  Error nul = fails(std::string_view("PASS a\0b", 8));
  EXPECT_EQ(nul.kind, ErrorKind::invalid);
  EXPECT_EQ(nul.message, "NUL, CR or LF in command line");
  EXPECT_EQ(fails("USER a\rb").message, "NUL, CR or LF in command line");
  EXPECT_EQ(fails("STAT\n").message, "NUL, CR or LF in command line");
}

}  // namespace
}  // namespace postamt::pop3::proto
