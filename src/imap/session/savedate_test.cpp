// SAVEDATE (RFC 8514): FETCH SAVEDATE is when the message came into its mailbox, not its
// internal date; SAVED* search keys use it; SAVEDATESUPPORTED matches every message.
#include <fmt/format.h>

#include <chrono>

#include "imap/session/test_fixture.h"

namespace postamt::imap::testing {
namespace {

constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

TEST_F(ImapSession, SaveDateIsWhenTheMessageCameIn) {
  std::string out = after_login("b APPEND INBOX \"14-Nov-1994 23:13:20 +0100\" {5+}\r\nhello\r\n");
  ASSERT_EQ(out.substr(0, 5), "b OK ") << out;
  auto saved = store_.get_message(inbox_, 1)->save_date;
  ASSERT_TRUE(saved);
  auto day = std::chrono::floor<std::chrono::days>(*saved);
  std::chrono::year_month_day ymd{day};
  std::chrono::hh_mm_ss time{*saved - day};
  std::string search_day = fmt::format("{}-{}-{}", unsigned(ymd.day()),
                                       kMonths[unsigned(ymd.month()) - 1], int(ymd.year()));
  std::string fetched =
      fmt::format("{:>2}-{}-{} {:02}:{:02}:{:02} +0000", unsigned(ymd.day()),
                  kMonths[unsigned(ymd.month()) - 1], int(ymd.year()), time.hours().count(),
                  time.minutes().count(), time.seconds().count());
  out = after_login(fmt::format(
      "c EXAMINE INBOX\r\nd FETCH 1 (INTERNALDATE SAVEDATE)\r\ne SEARCH SAVEDON {0}\r\n"
      "f SEARCH ON {0}\r\ng SEARCH SAVEDBEFORE 1-Jan-2000\r\nh SEARCH SAVEDSINCE {0}\r\n"
      "i SEARCH SAVEDATESUPPORTED\r\n",
      search_day));
  std::string tail = fmt::format(
      "* 1 FETCH (INTERNALDATE \"14-Nov-1994 22:13:20 +0000\" SAVEDATE \"{}\")\r\n"
      "d OK FETCH completed\r\n* SEARCH 1\r\ne OK SEARCH completed\r\n"
      "* SEARCH\r\nf OK SEARCH completed\r\n* SEARCH\r\ng OK SEARCH completed\r\n"
      "* SEARCH 1\r\nh OK SEARCH completed\r\n* SEARCH 1\r\ni OK SEARCH completed\r\n",
      fetched);
  EXPECT_EQ(ending(out, tail), tail);
}

}  // namespace
}  // namespace postamt::imap::testing
