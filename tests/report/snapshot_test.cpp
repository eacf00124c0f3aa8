#include "report/snapshot.h"

#include <gtest/gtest.h>

#include "report/write_report.h"
#include "report_fixture.h"

namespace ie::report {
namespace {

using nlohmann::json;
using namespace testing;

TEST(FinalSnapshot, HoldsEveryCounterAndSeriesWithCounts) {
  const auto cfg = poisson_config();
  const json j = json::parse(json_text(final_snapshot_json(known_run(), known_info(cfg))));
  EXPECT_EQ(j["state"], "complete");
  EXPECT_EQ(j["counters"]["issued"], 6);
  EXPECT_EQ(j["counters"]["succeeded"], 4);
  EXPECT_EQ(j["counters"]["failed"], 2);
  EXPECT_EQ(j["counters"]["failed_by_outcome"]["timeout"], 1);
  EXPECT_EQ(j["counters"]["failed_by_outcome"]["http_status"], 1);
  EXPECT_FALSE(j["counters"]["failed_by_outcome"].contains("ok"));
  EXPECT_EQ(j["counters"]["tracked_duration_ns"], 430 * kMs);
  EXPECT_EQ(j["counters"]["total_duration_ns"], 1000 * kMs);
  for (const char* name : {"latency_ns", "latency_from_schedule_ns", "ttft_ns", "ttft_from_schedule_ns",
                           "tpot_ns", "output_tokens", "input_tokens"}) {
    EXPECT_EQ(j["series"][name]["count"], 4) << name;
  }
  EXPECT_EQ(j["series"]["schedule_lag_ns"]["count"], 6);
  EXPECT_EQ(j["finish_reason_counts"]["none"], 0);
  EXPECT_EQ(j["errors"]["http_503"]["count"], 1);
  EXPECT_EQ(j["itl"], json::object());
}

TEST(FinalSnapshot, NeverContainsTheApiKey) {
  const auto cfg = poisson_config();
  const std::string text = json_text(final_snapshot_json(known_run(), known_info(cfg)));
  EXPECT_EQ(text.find(kApiKey), std::string::npos);
}

}  // namespace
}  // namespace ie::report
