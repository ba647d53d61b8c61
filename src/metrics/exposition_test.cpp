#include "metrics/exposition.h"

#include <gtest/gtest.h>

#include <cmath>

#include "metrics/catalog.h"
#include "metrics/testing/text_format_parser.h"

namespace postamt::metrics {
namespace {

using testing::parse_text_format;

TEST(Exposition, WritesTheTextFormatExactly) {
  Registry r;
  auto& c = r.counter("postamt_x_total", "Things.\nSecond line with \\ backslash.",
                      {"service", "result"});
  c.with({"imap", "ok"}).inc(3);
  c.with({"imap", "failed"}).inc();
  r.gauge("postamt_g", "A gauge.").with({}).set(0.25);
  r.counter("postamt_unused_total", "Nothing yet.", {"kind"});
  auto& h = r.histogram("postamt_h_seconds", "Latency.", {0.005, 1, 2.5}, {"command"});
  h.with({"FETCH"}).observe(0.5);
  h.with({"FETCH"}).observe(2);
  EXPECT_EQ(render(r),
            "# HELP postamt_x_total Things.\\nSecond line with \\\\ backslash.\n"
            "# TYPE postamt_x_total counter\n"
            "postamt_x_total{service=\"imap\",result=\"failed\"} 1\n"
            "postamt_x_total{service=\"imap\",result=\"ok\"} 3\n"
            "# HELP postamt_g A gauge.\n"
            "# TYPE postamt_g gauge\n"
            "postamt_g 0.25\n"
            "# HELP postamt_unused_total Nothing yet.\n"
            "# TYPE postamt_unused_total counter\n"
            "# HELP postamt_h_seconds Latency.\n"
            "# TYPE postamt_h_seconds histogram\n"
            "postamt_h_seconds_bucket{command=\"FETCH\",le=\"0.005\"} 0\n"
            "postamt_h_seconds_bucket{command=\"FETCH\",le=\"1\"} 1\n"
            "postamt_h_seconds_bucket{command=\"FETCH\",le=\"2.5\"} 2\n"
            "postamt_h_seconds_bucket{command=\"FETCH\",le=\"+Inf\"} 2\n"
            "postamt_h_seconds_sum{command=\"FETCH\"} 2.5\n"
            "postamt_h_seconds_count{command=\"FETCH\"} 2\n");
}

TEST(Exposition, EscapesLabelValues) {
  EXPECT_EQ(escape_label_value("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
  EXPECT_EQ(escape_help("a\\b\"c\nd"), "a\\\\b\"c\\nd");
  Registry r;
  r.counter("c_total", "h", {"v"}).with({"say \"hi\"\\\n"}).inc();
  auto parsed = parse_text_format(render(r));
  EXPECT_EQ(parsed.value("c_total", {{"v", "say \"hi\"\\\n"}}), 1);
}

TEST(Exposition, FormatsNumbers) {
  EXPECT_EQ(format_value(0), "0");
  EXPECT_EQ(format_value(3), "3");
  EXPECT_EQ(format_value(-2), "-2");
  EXPECT_EQ(format_value(0.1), "0.1");
  EXPECT_EQ(format_value(0.00025), "0.00025");
  EXPECT_EQ(format_value(1e20), "1e+20");
  EXPECT_EQ(format_value(INFINITY), "+Inf");
  EXPECT_EQ(format_value(-INFINITY), "-Inf");
  EXPECT_EQ(format_value(NAN), "NaN");
}

// The strict reader must itself refuse what is wrong, or the tests above prove little.
TEST(TextFormatParser, RefusesMalformedInput) {
  const char* bad[] = {
      "x 1\n",                                                           // no TYPE
      "# TYPE x counter\nx 1",                                           // no final newline
      "# TYPE x counter\n# a comment\nx 1\n",                            // other comment
      "# TYPE x counter\nx{a=\"1\"} 1\nx{a=\"1\"} 2\n",                  // duplicate series
      "# TYPE x counter\nx{a=1} 1\n",                                    // unquoted value
      "# TYPE x counter\nx{a=\"\\t\"} 1\n",                              // bad escape
      "# TYPE x counter\nx{a=\"1\",} 1\n",                               // trailing comma
      "# TYPE x counter\nx -1\n",                                        // negative counter
      "# TYPE x counter\nx  1\n",                                        // two spaces
      "# TYPE x counter\nx 1\n# TYPE y gauge\ny 1\nx 2\n",               // split family
      "# TYPE x counter\n# TYPE x counter\nx 1\n",                       // second TYPE
      "# TYPE x nonsense\nx 1\n",                                        // unknown type
      "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n",  // no +Inf
      "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n",
      "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 1\n",  // count differs
      "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_count 1\n",           // no sum
  };
  for (const char* text : bad) EXPECT_THROW(parse_text_format(text), std::runtime_error) << text;
  EXPECT_NO_THROW(parse_text_format(
      "# HELP h x\n# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 1\n"
      "h_sum 0.5\nh_count 1\n"));
}

TEST(Catalog, EveryFamilyRendersAndParsesStrictly) {
  Catalog& c = catalog();
  c.commands.with({"imap", "FETCH", "ok"}).observe(0.002);
  c.logins.with({"imap", "failed"}).inc();
  c.build_info.with({"0.0.0-test"}).set(1);
  set_queue_state(2, std::chrono::system_clock::now() - std::chrono::seconds(90));
  auto parsed = parse_text_format(render(registry()));
  for (const FamilyBase* f : registry().families())
    EXPECT_TRUE(parsed.families.count(f->descriptor().name)) << f->descriptor().name;
  EXPECT_EQ(parsed.value("postamt_queue_messages", {}), 2);
  const double age = parsed.value("postamt_queue_oldest_message_age_seconds", {});
  EXPECT_GE(age, 90);
  EXPECT_LT(age, 120);
  EXPECT_GT(parsed.value("process_resident_memory_bytes", {}), 0);
  EXPECT_GT(parsed.value("process_open_fds", {}), 0);
  EXPECT_EQ(parsed.value("postamt_receipts_total", {{"kind", "duplicate_rejected"}}), 0);
  EXPECT_EQ(parsed.value("postamt_command_duration_seconds_count",
                         {{"protocol", "imap"}, {"command", "FETCH"}, {"result", "ok"}}),
            1);
  set_queue_state(0, std::nullopt);
  parsed = parse_text_format(render(registry()));
  EXPECT_EQ(parsed.value("postamt_queue_oldest_message_age_seconds", {}), 0);
}

}  // namespace
}  // namespace postamt::metrics
