#include "report/console_summary.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "report_fixture.h"

namespace ie::report {
namespace {

using namespace testing;

size_t line_count(const std::string& text) {
  size_t n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

std::string line_starting(const std::string& text, const std::string& prefix) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(prefix, 0) == 0) return line;
  }
  return "";
}

TEST(ConsoleSummary, IsACompactTableOfTheMainMetrics) {
  const auto cfg = poisson_config();
  const std::string text = render_console_summary(known_run(), known_info(cfg));
  EXPECT_LE(line_count(text), 30u);
  EXPECT_NE(text.find("Requests:    6 issued, 4 succeeded, 2 failed (33.33%)"), std::string::npos) << text;
  EXPECT_NE(text.find("QPS:         9.30"), std::string::npos);
  const std::string e2e = line_starting(text, "  E2E latency");
  // avg, p50, p90, p99, max of 100/200/300/400 ms with numpy "lower" percentiles.
  EXPECT_EQ(e2e, "  E2E latency                250.000     200.000     300.000     300.000     400.000");
  EXPECT_FALSE(line_starting(text, "  TTFT ").empty());
  EXPECT_FALSE(line_starting(text, "  TPOT ").empty());
  EXPECT_EQ(line_starting(text, "  ITL "), "  ITL                              -");
  EXPECT_FALSE(line_starting(text, "  Schedule lag").empty());
}

TEST(ConsoleSummary, ErrorsAreListedMostFrequentFirstWithOneScrubbedSample) {
  const auto cfg = poisson_config();
  metrics::RunAggregate agg(false);
  for (int i = 0; i < 3; ++i) {
    metrics::RequestRecord r;
    r.outcome = metrics::Outcome::connection_closed;
    agg.add(r);
  }
  metrics::RequestRecord r;
  r.outcome = metrics::Outcome::http_status;
  r.http_status = 401;
  agg.add(r);
  agg.note_error(metrics::Outcome::http_status, 401, std::string("bad key ") + kApiKey + "\nsecond line");
  const std::string text = render_console_summary(agg.finish(kMs), known_info(cfg));
  const size_t closed = text.find("connection_closed");
  const size_t unauthorized = text.find("http_401");
  ASSERT_NE(closed, std::string::npos);
  ASSERT_NE(unauthorized, std::string::npos);
  EXPECT_LT(closed, unauthorized);
  EXPECT_EQ(text.find(kApiKey), std::string::npos);
  EXPECT_NE(text.find("bad key <redacted> second line"), std::string::npos);
  EXPECT_EQ(line_starting(text, "  E2E latency"), "  E2E latency                      -");
}

}  // namespace
}  // namespace ie::report
