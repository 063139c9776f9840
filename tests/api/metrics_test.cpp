// The metrics registry's Prometheus text: counters add up per label set, histograms are
// cumulative with +Inf, _sum and _count, and label values are escaped.
#include "api/metrics.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace costwise::api {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(MetricsTest, CountersAddUpPerLabelSet) {
  IncrementCounter("test_things_total", "Things", {{"kind", "a"}});
  IncrementCounter("test_things_total", "Things", {{"kind", "a"}}, 2);
  IncrementCounter("test_things_total", "Things", {{"kind", "b"}});
  IncrementCounter("test_things_total", "Things", {{"kind", "b"}}, -5);  // ignored
  const std::string text = RenderMetrics();
  EXPECT_THAT(text,
              HasSubstr("# HELP test_things_total Things\n# TYPE test_things_total counter\n"));
  EXPECT_THAT(text, HasSubstr("test_things_total{kind=\"a\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("test_things_total{kind=\"b\"} 1\n"));
}

TEST(MetricsTest, HistogramsAreCumulative) {
  for (const double seconds : {0.25, 0.25, 0.5, 100.0}) {
    ObserveSeconds("test_wait_seconds", "Waits", {{"engine", "ets"}}, seconds);
  }
  const std::string text = RenderMetrics();
  EXPECT_THAT(text, HasSubstr("# TYPE test_wait_seconds histogram\n"));
  EXPECT_THAT(text, HasSubstr("test_wait_seconds_bucket{engine=\"ets\",le=\"0.1\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("test_wait_seconds_bucket{engine=\"ets\",le=\"0.25\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("test_wait_seconds_bucket{engine=\"ets\",le=\"0.5\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("test_wait_seconds_bucket{engine=\"ets\",le=\"60\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("test_wait_seconds_bucket{engine=\"ets\",le=\"+Inf\"} 4\n"));
  EXPECT_THAT(text, HasSubstr("test_wait_seconds_sum{engine=\"ets\"} 101\n"));
  EXPECT_THAT(text, HasSubstr("test_wait_seconds_count{engine=\"ets\"} 4\n"));
}

TEST(MetricsTest, EscapesLabelValuesAndKeepsTheFirstType) {
  IncrementCounter("test_escaped_total", "Help with \\ and\nnewline",
                   {{"route", R"(/api/x/(\d+))"}, {"note", "say \"hi\"\n"}});
  ObserveSeconds("test_escaped_total", "Other", {}, 1.0);  // a counter stays a counter
  const std::string text = RenderMetrics();
  EXPECT_THAT(text, HasSubstr("# HELP test_escaped_total Help with \\\\ and\\nnewline\n"));
  EXPECT_THAT(text,
              HasSubstr(R"x(test_escaped_total{route="/api/x/(\\d+)",note="say \"hi\"\n"} 1)x"));
  EXPECT_THAT(text, Not(HasSubstr("test_escaped_total_bucket")));
}

}  // namespace
}  // namespace costwise::api
