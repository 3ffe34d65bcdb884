#include <gtest/gtest.h>

#include <cmath>

#include "metrics/exposition.h"
#include "metrics/registry.h"
#include "metrics/test_exposition.h"

namespace cbit::metrics {
namespace {

TEST(Metrics, CounterGaugeAndHistogramRenderAsTheTextFormat) {
  Registry r;
  r.AddCounter("cbit_things_total", "Things.", {"kind"}).With({"a"}).Inc(3);
  r.AddGauge("cbit_level", "A level.").With({}).Set(-2.5);
  auto& h = r.AddHistogram("cbit_wait_seconds", "Waits.", {}, {0.1, 1});
  h.With({}).Observe(0.05);
  h.With({}).Observe(0.5);
  h.With({}).Observe(7);
  EXPECT_EQ(r.Render(),
            "# HELP cbit_things_total Things.\n"
            "# TYPE cbit_things_total counter\n"
            "cbit_things_total{kind=\"a\"} 3\n"
            "# HELP cbit_level A level.\n"
            "# TYPE cbit_level gauge\n"
            "cbit_level -2.5\n"
            "# HELP cbit_wait_seconds Waits.\n"
            "# TYPE cbit_wait_seconds histogram\n"
            "cbit_wait_seconds_bucket{le=\"0.1\"} 1\n"
            "cbit_wait_seconds_bucket{le=\"1\"} 2\n"
            "cbit_wait_seconds_bucket{le=\"+Inf\"} 3\n"
            "cbit_wait_seconds_sum 7.55\n"
            "cbit_wait_seconds_count 3\n");
}

TEST(Metrics, LabelValuesAreEscapedAndReadBack) {
  Registry r;
  r.AddCounter("cbit_routes_total", "Help with \\ and\nnewline.", {"route"})
      .With({"/job/(\\d+) \"q\"\nx"})
      .Inc();
  std::string text = r.Render();
  EXPECT_NE(text.find(R"(route="/job/(\\d+) \"q\"\nx")"), std::string::npos) << text;
  EXPECT_NE(text.find("# HELP cbit_routes_total Help with \\\\ and\\nnewline.\n"),
            std::string::npos);
  auto e = ParseExposition(text);
  EXPECT_EQ(e.Value("cbit_routes_total", {{"route", "/job/(\\d+) \"q\"\nx"}}), 1);
}

TEST(Metrics, ValuesAreFormattedExactly) {
  EXPECT_EQ(FormatValue(0), "0");
  EXPECT_EQ(FormatValue(123456789012), "123456789012");
  EXPECT_EQ(FormatValue(0.25), "0.25");
  EXPECT_EQ(FormatValue(1e300), "1e+300");
  EXPECT_EQ(FormatValue(INFINITY), "+Inf");
  EXPECT_EQ(FormatValue(-INFINITY), "-Inf");
  EXPECT_EQ(FormatValue(NAN), "NaN");
}

TEST(Metrics, SeriesBeyondTheLimitShareOneOverflowSeries) {
  Registry r;
  auto& f = r.AddCounter("cbit_paths_total", "Paths.", {"path"}, 3);
  for (int i = 0; i < 100; ++i) f.With({"/p" + std::to_string(i)}).Inc();
  auto e = ParseExposition(r.Render());
  EXPECT_EQ(e.samples.size(), 3u);
  EXPECT_EQ(e.Value("cbit_paths_total", {{"path", "other"}}), 98);
  EXPECT_EQ(e.Sum("cbit_paths_total"), 100);
}

TEST(Metrics, BadNamesAndBoundsAreRefused) {
  Registry r;
  EXPECT_THROW(r.AddCounter("9lives", "x"), std::invalid_argument);
  EXPECT_THROW(r.AddCounter("ok_total", "x", {"__reserved"}), std::invalid_argument);
  EXPECT_THROW(r.AddCounter("ok_total", "x", {"le"}), std::invalid_argument);
  EXPECT_THROW(r.AddHistogram("h", "x", {}, {1, 1}), std::invalid_argument);
  r.AddGauge("twice", "x");
  EXPECT_THROW(r.AddCounter("twice", "x"), std::invalid_argument);
  EXPECT_THROW(r.AddCounter("c_total", "x", {"a"}).With({"1", "2"}), std::invalid_argument);
}

TEST(Metrics, HistogramIgnoresNaNAndCountsTheBoundItselfInItsBucket) {
  Histogram h({1, 2});
  h.Observe(1);
  h.Observe(NAN);
  h.Observe(2.5);
  auto s = h.snapshot();
  EXPECT_EQ(s.cumulative, (std::vector<std::uint64_t>{1, 1, 2}));
  EXPECT_EQ(s.sum, 3.5);
}

TEST(Metrics, CollectorsAreWrittenAfterTheFamilies) {
  Registry r;
  r.AddCounter("a_total", "A.").With({}).Inc();
  r.AddCollector([](Writer& w) {
    w.Begin("b", "B.", "gauge");
    w.Sample("b", {{"x", "1"}}, 2);
  });
  auto e = ParseExposition(r.Render());
  EXPECT_EQ(e.Value("b", {{"x", "1"}}), 2);
  EXPECT_EQ(e.Value("a_total"), 1);
}

// The checker itself: each text breaks one rule of the format.
TEST(Exposition, TheCheckerRefusesWhatTheFormatForbids) {
  const char* bad[] = {
      "# TYPE a counter\na 1",                                           // no final newline
      "a 1\n",                                                           // sample before TYPE
      "# TYPE a counter\n# TYPE a counter\na 1\n",                       // TYPE twice
      "# TYPE a blob\na 1\n",                                            // unknown type
      "# TYPE a gauge\na{x=\"1\"} 1\na{x=\"1\"} 2\n",                    // series repeated
      "# TYPE a gauge\n# TYPE b gauge\na 1\nb 1\n",                      // a split by b's TYPE
      "# TYPE a gauge\na{x=\"1} 1\n",                                    // unterminated value
      "# TYPE a gauge\na{x=\"\\t\"} 1\n",                                // bad escape
      "# TYPE a gauge\na{9x=\"1\"} 1\n",                                 // bad label name
      "# TYPE a gauge\na one\n",                                         // bad value
      "# TYPE a gauge\na 0x10\n",                                        // hex is not a value
      "# TYPE a gauge\na{x=\"1\",x=\"2\"} 1\n",                          // label twice
      "# TYPE h histogram\nh 1\n",                                       // bare histogram sample
      "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n",  // no +Inf
      "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n",
      "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 1\n",  // count differs
      "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_count 1\n",           // no sum
  };
  for (const char* text : bad) EXPECT_THROW(ParseExposition(text), std::runtime_error) << text;
  EXPECT_NO_THROW(ParseExposition("# HELP a x\n# TYPE a gauge\na{x=\"1\",} 1 1700000000\n"));
}

}  // namespace
}  // namespace cbit::metrics
