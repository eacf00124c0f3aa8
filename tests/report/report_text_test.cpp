#include "report/report_text.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "report_fixture.h"

namespace ie::report {
namespace {

using namespace testing;

size_t count_lines_with(const std::string& text, const std::string& needle) {
  std::istringstream in(text);
  size_t n = 0;
  for (std::string line; std::getline(in, line);) n += line.find(needle) != std::string::npos;
  return n;
}

// The text between a section title line and the next blank line.
std::string section(const std::string& text, const std::string& title) {
  const size_t start = text.find("\n" + title + ":\n");
  if (start == std::string::npos) return "";
  const size_t end = text.find("\n\n", start + 1);
  return text.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

TEST(ReportText, SummaryShowsCountsRatesAndErrorsWithSamples) {
  const auto cfg = poisson_config();
  const std::string text = render_report_text(known_run(), known_info(cfg));
  EXPECT_NE(text.find("State: complete"), std::string::npos);
  EXPECT_NE(text.find("Issued:          6\n"), std::string::npos);
  EXPECT_NE(text.find("Succeeded:       4\n"), std::string::npos);
  EXPECT_NE(text.find("Failed:          2\n"), std::string::npos);
  EXPECT_NE(text.find("Duration:        1.500 s (tracked window 0.430 s)"), std::string::npos);
  EXPECT_NE(text.find("QPS:             9.30\n"), std::string::npos);
  EXPECT_NE(text.find("Output tokens/s: 102.33 (token counts: server_usage)"), std::string::npos);
  EXPECT_NE(text.find("timeout"), std::string::npos);
  EXPECT_NE(text.find("e.g. no byte for 30 s"), std::string::npos);
  EXPECT_NE(text.find("type=poisson, target_qps=2000"), std::string::npos);
}

TEST(ReportText, EachMetricHasStatsPercentilesAndAThirtyBucketHistogram) {
  const auto cfg = poisson_config();
  const std::string text = render_report_text(known_run(), known_info(cfg));
  const std::string latency = section(text, "Latency");
  ASSERT_FALSE(latency.empty()) << text;
  EXPECT_NE(latency.find("Count:    4"), std::string::npos);
  EXPECT_NE(latency.find("Min:      100.000 ms"), std::string::npos);
  EXPECT_NE(latency.find("Max:      400.000 ms"), std::string::npos);
  EXPECT_NE(latency.find("Median:   200.000 ms"), std::string::npos);
  EXPECT_NE(latency.find("Avg.:     250.000 ms"), std::string::npos);
  EXPECT_NE(latency.find("Std Dev.: 129.099 ms"), std::string::npos);
  EXPECT_NE(latency.find(" 99.9: 300.000 ms"), std::string::npos);
  EXPECT_NE(latency.find("  1.0: 100.000 ms"), std::string::npos);
  EXPECT_EQ(count_lines_with(latency, " |"), 30u);
  EXPECT_NE(latency.find("[100.000, "), std::string::npos);
  EXPECT_NE(latency.find(", 400.000]"), std::string::npos);  // the last bucket is closed

  const std::string osl = section(text, "Output sequence lengths");
  EXPECT_NE(osl.find("Min:      11 tokens"), std::string::npos) << osl;
  EXPECT_NE(osl.find("Avg.:     11.00 tokens"), std::string::npos) << osl;
  EXPECT_EQ(count_lines_with(osl, " |"), 1u);  // min == max: one bucket
}

TEST(ReportText, EmptySeriesSayNoDataAndNonStreamingRunsSkipTtft) {
  const auto cfg = poisson_config();
  const std::string streaming = render_report_text(known_run(true), known_info(cfg));
  EXPECT_NE(streaming.find("\nTTFT:\n"), std::string::npos);
  EXPECT_NE(section(streaming, "Inter-token latency (ITL, from a 3-digit HDR histogram)").find("no data"),
            std::string::npos);
  const std::string plain = render_report_text(known_run(false), known_info(cfg));
  EXPECT_EQ(plain.find("\nTTFT:\n"), std::string::npos);
}

TEST(ReportText, InterruptedRunsSayWhyAndNeverShowTheApiKey) {
  const auto cfg = poisson_config();
  RunInfo info = known_info(cfg);
  info.state = RunState::interrupted;
  info.interrupted_reason = "SIGINT";
  const std::string text = render_report_text(known_run(), info);
  EXPECT_NE(text.find("WARNING: the run was interrupted (SIGINT)"), std::string::npos);
  EXPECT_EQ(text.find(kApiKey), std::string::npos);
  EXPECT_NE(text.find("Bearer <redacted>"), std::string::npos);
}

}  // namespace
}  // namespace ie::report
