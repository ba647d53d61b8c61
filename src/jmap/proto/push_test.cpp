#include "jmap/proto/push.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

namespace postamt::jmap {
namespace {

using std::chrono::seconds;

TEST(JmapPush, ParsesTheEventSourceQuery) {
  auto p = parse_event_source_query("types=Email,Mailbox&closeafter=state&ping=60");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->types, (std::vector<std::string>{"Email", "Mailbox"}));
  EXPECT_EQ(p->close_after, CloseAfter::state);
  EXPECT_EQ(p->ping, seconds(60));

  // RFC 6570 level 1 expansion percent-encodes "*" and ","; order does not matter.
  p = parse_event_source_query("ping=0&closeafter=no&types=%2A&x=1");
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->types.empty());
  EXPECT_EQ(p->close_after, CloseAfter::no);
  EXPECT_EQ(p->ping, seconds(0));
  p = parse_event_source_query("types=Email%2cThread");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->types, (std::vector<std::string>{"Email", "Thread"}));
}

TEST(JmapPush, AbsentParametersTakeDefaults) {
  for (std::string_view q : {"", "types=&closeafter=&ping=", "types", "&&"}) {
    auto p = parse_event_source_query(q);
    ASSERT_TRUE(p) << q;
    EXPECT_TRUE(p->types.empty()) << q;
    EXPECT_EQ(p->close_after, CloseAfter::no) << q;
    EXPECT_EQ(p->ping, seconds(0)) << q;
  }
}

TEST(JmapPush, RefusesMalformedParameters) {
  struct Case {
    std::string_view query, message;
  };
  const std::string long_type = "types=" + std::string(256, 'E');
  for (const Case& c : {
           Case{"types=Email,,Mailbox", "types: expected \"*\" or a list of type names"},
           Case{"types=Email,*", "types: expected \"*\" or a list of type names"},
           Case{"types=Em%20ail", "types: expected \"*\" or a list of type names"},
           Case{long_type, "types: expected \"*\" or a list of type names"},
           Case{"closeafter=State", "closeafter: expected \"state\" or \"no\""},
           Case{"closeafter=yes", "closeafter: expected \"state\" or \"no\""},
           Case{"ping=-1", "ping: expected a number of seconds"},
           Case{"ping=1.5", "ping: expected a number of seconds"},
           Case{"ping=2147483648", "ping: expected a number of seconds"},
           Case{"ping=99999999999999999999", "ping: expected a number of seconds"},
           Case{"ping=%", "ping: expected a number of seconds"},
       }) {
    auto p = parse_event_source_query(c.query);
    ASSERT_FALSE(p) << c.query;
    EXPECT_EQ(p.error().kind, ErrorKind::invalid);
    EXPECT_EQ(p.error().message, c.message) << c.query;
  }
  auto p = parse_event_source_query("ping=2147483647");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->ping, seconds(2147483647));
}

TEST(JmapPush, PingIntervalIsClamped) {
  EXPECT_EQ(ping_interval(seconds(0), seconds(10)), seconds(0));
  EXPECT_EQ(ping_interval(seconds(1), seconds(10)), seconds(10));
  EXPECT_EQ(ping_interval(seconds(10), seconds(10)), seconds(10));
  EXPECT_EQ(ping_interval(seconds(11), seconds(10)), seconds(11));
  EXPECT_EQ(ping_interval(seconds(300), seconds(10)), seconds(300));
  EXPECT_EQ(ping_interval(seconds(301), seconds(10)), seconds(300));
  EXPECT_EQ(ping_interval(seconds(1), seconds(1)), seconds(1));
  EXPECT_EQ(ping_interval(seconds(5), seconds(900)), seconds(300));
}

TEST(JmapPush, WantsType) {
  EventSourceParams all;
  EXPECT_TRUE(wants_type(all, "Email"));
  EXPECT_TRUE(wants_type(all, "EmailDelivery"));
  EventSourceParams some;
  some.types = {"Email", "Thread"};
  EXPECT_TRUE(wants_type(some, "Thread"));
  EXPECT_FALSE(wants_type(some, "Mailbox"));
  EXPECT_FALSE(wants_type(some, "email"));
}

TEST(JmapPush, EncodesEvents) {
  EXPECT_EQ(encode_event("ping", ping_data(seconds(30))),
            "event: ping\ndata: {\"interval\":30}\n\n");
  auto change = state_change("A1", {{"Mailbox", "17"}, {"Email", "17"}});
  EXPECT_EQ(encode_event("state", change),
            "event: state\ndata: {\"@type\":\"StateChange\",\"changed\":{\"A1\":"
            "{\"Mailbox\":\"17\",\"Email\":\"17\"}}}\n\n");
  // A line break inside a value is escaped by JSON, so it cannot end the data line.
  EXPECT_EQ(encode_event("state", state_change("A\n1", {})),
            "event: state\ndata: {\"@type\":\"StateChange\",\"changed\":{\"A\\n1\":{}}}\n\n");
}

}  // namespace
}  // namespace postamt::jmap
