#include "report/result_summary.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "report/write_report.h"
#include "report_fixture.h"

namespace ie::report {
namespace {

using nlohmann::json;
using namespace testing;

// Round-trips through text, as a consumer (the MLPerf checker) would see the file.
json summary_of(const metrics::RunMetrics& m, const RunInfo& info) {
  return json::parse(json_text(result_summary_json(m, info)));
}

std::vector<std::string> keys_in_order(const nlohmann::ordered_json& object) {
  std::vector<std::string> keys;
  for (const auto& item : object.items()) keys.push_back(item.key());
  return keys;
}

TEST(ResultSummary, TopLevelKeysAreThePythonReportsInOrderPlusExtended) {
  const auto cfg = poisson_config();
  const auto j = result_summary_json(known_run(), known_info(cfg));
  const std::vector<std::string> expected = {"version",
                                             "git_sha",
                                             "test_started_at",
                                             "n_samples_issued",
                                             "n_samples_completed",
                                             "n_samples_failed",
                                             "duration_ns",
                                             "state",
                                             "complete",
                                             "ttft",
                                             "tpot",
                                             "latency",
                                             "output_sequence_lengths",
                                             "input_sequence_lengths",
                                             "legacy_loadgen_window_duration_ns",
                                             "qps",
                                             "tps",
                                             "finish_reason_counts",
                                             "run_config",
                                             "extended"};
  EXPECT_EQ(keys_in_order(j), expected);
}

TEST(ResultSummary, CountersExcludeWarmupAndCountOnlySuccessesAsCompleted) {
  const auto cfg = poisson_config();
  const json j = summary_of(known_run(), known_info(cfg));
  EXPECT_EQ(j["n_samples_issued"], 6);
  EXPECT_EQ(j["n_samples_completed"], 4);
  EXPECT_EQ(j["n_samples_failed"], 2);
  EXPECT_EQ(j["duration_ns"], 430 * kMs);  // tracked window: perf start -> last successful completion
  EXPECT_EQ(j["state"], "complete");
  EXPECT_EQ(j["complete"], true);
  EXPECT_EQ(j["test_started_at"], 1'787'000'000'000'000'000);
  EXPECT_TRUE(j["legacy_loadgen_window_duration_ns"].is_null());
  EXPECT_DOUBLE_EQ(j["qps"].get<double>(), 4 / 0.43);
  EXPECT_DOUBLE_EQ(j["tps"].get<double>(), 44 / 0.43);
}

TEST(ResultSummary, LatencySeriesHasPythonShapeAndValues) {
  const auto cfg = poisson_config();
  const json j = summary_of(known_run(), known_info(cfg));
  const json& latency = j["latency"];
  EXPECT_FALSE(latency.contains("count"));
  EXPECT_TRUE(latency["total"].is_number_integer());
  EXPECT_EQ(latency["total"], 1000 * kMs);
  EXPECT_TRUE(latency["min"].is_number_integer());
  EXPECT_EQ(latency["min"], 100 * kMs);  // the warmup's and the failures' latencies stay out
  EXPECT_EQ(latency["max"], 400 * kMs);
  EXPECT_TRUE(latency["median"].is_number_float());
  EXPECT_EQ(latency["median"].get<double>(), 200.0 * kMs);
  EXPECT_DOUBLE_EQ(latency["avg"].get<double>(), 250.0 * kMs);
  EXPECT_NEAR(latency["std_dev"].get<double>(), std::sqrt(5.0 / 3.0) * 1e8, 1e-3);

  const std::vector<std::string> keys = {"99.9", "99.0", "97.0", "95.0", "90.0", "80.0",
                                         "75.0", "50.0", "25.0", "10.0", "5.0",  "1.0"};
  const auto ordered = result_summary_json(known_run(), known_info(cfg));
  EXPECT_EQ(keys_in_order(ordered["latency"]["percentiles"]), keys);
  EXPECT_EQ(latency["percentiles"]["99.9"].get<double>(), 300.0 * kMs);
  EXPECT_EQ(latency["percentiles"]["50.0"].get<double>(), 200.0 * kMs);
  EXPECT_EQ(latency["percentiles"]["1.0"].get<double>(), 100.0 * kMs);

  ASSERT_TRUE(latency.contains("early_stopping_percentiles"));
  EXPECT_TRUE(latency["early_stopping_percentiles"]["50.0"].is_null());  // 4 values < 11 needed

  const json& histogram = latency["histogram"];
  ASSERT_EQ(histogram["buckets"].size(), 30u);
  ASSERT_EQ(histogram["counts"].size(), 30u);
  EXPECT_EQ(histogram["buckets"][0][0].get<double>(), 100.0 * kMs);
  EXPECT_EQ(histogram["buckets"][29][1].get<double>(), 400.0 * kMs);
  uint64_t total = 0;
  for (const auto& c : histogram["counts"]) total += c.get<uint64_t>();
  EXPECT_EQ(total, 4u);
}

TEST(ResultSummary, StreamingSeriesTokenCountsAndFinishReasons) {
  const auto cfg = poisson_config();
  const json j = summary_of(known_run(), known_info(cfg));
  EXPECT_EQ(j["ttft"]["min"], 10 * kMs);
  EXPECT_TRUE(j["tpot"]["min"].is_number_float());
  EXPECT_DOUBLE_EQ(j["tpot"]["min"].get<double>(), 9.0 * kMs);
  EXPECT_DOUBLE_EQ(j["tpot"]["max"].get<double>(), 36.0 * kMs);
  EXPECT_EQ(j["output_sequence_lengths"]["total"], 44);
  EXPECT_EQ(j["input_sequence_lengths"]["total"], 200);
  EXPECT_FALSE(j["output_sequence_lengths"].contains("early_stopping_percentiles"));
  const json expected_reasons = {{"stop", 3},           {"length", 1},        {"tool_calls", 0},
                                 {"content_filter", 0}, {"function_call", 0}, {"other", 0}};
  EXPECT_EQ(j["finish_reason_counts"], expected_reasons);
}

TEST(ResultSummary, EmptySeriesAreEmptyObjects) {
  const auto cfg = poisson_config();
  const json j = summary_of(known_run(/*streaming=*/false), known_info(cfg));
  EXPECT_EQ(j["ttft"], json::object());
  EXPECT_EQ(j["tpot"], json::object());
  EXPECT_EQ(j["extended"]["ttft_from_schedule"], json::object());
  EXPECT_EQ(j["extended"]["itl"], json::object());
  EXPECT_FALSE(j["latency"].empty());
}

TEST(ResultSummary, NothingSucceededGivesNullRatesAndDuration) {
  metrics::RunAggregate agg(false);
  agg.set_perf_start(kStartNs);
  metrics::RequestRecord r;
  r.outcome = metrics::Outcome::connect_failed;
  agg.add(r);
  RunInfo info;
  info.state = RunState::failed;
  const json j = summary_of(agg.finish(kStartNs + kMs), info);
  EXPECT_TRUE(j["qps"].is_null());
  EXPECT_TRUE(j["tps"].is_null());
  EXPECT_TRUE(j["duration_ns"].is_null());
  EXPECT_EQ(j["latency"], json::object());
  EXPECT_EQ(j["state"], "failed");
  EXPECT_EQ(j["complete"], false);
  EXPECT_TRUE(j["run_config"].is_null());
  EXPECT_EQ(j["extended"]["errors"]["connect_failed"]["count"], 1);
}

TEST(ResultSummary, RunConfigDescribesLoadPatternWarmupAndSeeds) {
  const auto cfg = poisson_config();
  const json j = summary_of(known_run(), known_info(cfg));
  const json expected = {
      {"load_pattern", {{"type", "poisson"}, {"target_qps", 2000.0}, {"target_concurrency", nullptr}}},
      {"warmup", {{"enabled", true}, {"n_requests", 16}}},
      {"scheduler_random_seed", 7},
      {"dataloader_random_seed", 9}};
  EXPECT_EQ(j["run_config"], expected);
}

TEST(ResultSummary, ExtendedCarriesOurAdditions) {
  const auto cfg = poisson_config();
  RunInfo info = known_info(cfg);
  const json j = summary_of(known_run(), info);
  const json& ext = j["extended"];
  EXPECT_EQ(ext["latency_from_schedule"]["count"], 4);
  EXPECT_EQ(ext["schedule_lag"]["count"], 6);
  EXPECT_EQ(ext["schedule_lag"]["histogram"]["counts"], json::array({6}));  // all zero: one bucket
  EXPECT_EQ(ext["errors"]["timeout"]["count"], 1);
  EXPECT_EQ(ext["errors"]["timeout"]["sample"], "no byte for 30 s");
  EXPECT_EQ(ext["errors"]["http_503"]["count"], 1);
  EXPECT_EQ(ext["token_count_source"], "server_usage");
  EXPECT_EQ(ext["target_qps"], 2000.0);
  EXPECT_EQ(ext["workers"], 2);
  EXPECT_EQ(ext["connections"], 64);
  EXPECT_EQ(ext["streaming"], true);
  EXPECT_EQ(ext["api_type"], "openai");
  EXPECT_TRUE(ext["interrupted_reason"].is_null());
  EXPECT_EQ(ext["series_counts"]["ttft"], 4);
  ASSERT_TRUE(ext["issue_rate"].is_number());
}

TEST(ResultSummary, ApiKeyAppearsNowhere) {
  const auto cfg = poisson_config();
  RunInfo info = known_info(cfg);
  info.state = RunState::interrupted;
  info.interrupted_reason = std::string("server said: bad key ") + kApiKey;
  const std::string text = json_text(result_summary_json(known_run(), info));
  EXPECT_EQ(text.find(kApiKey), std::string::npos);
  EXPECT_NE(text.find("<redacted>"), std::string::npos);
  const json j = json::parse(text);
  EXPECT_EQ(j["state"], "interrupted");
  EXPECT_EQ(j["complete"], false);
  EXPECT_EQ(j["extended"]["interrupted_reason"], "server said: bad key <redacted>");
}

TEST(ResultSummary, InvalidUtf8InAnErrorSampleIsReplacedNotFatal) {
  metrics::RunAggregate agg(false);
  metrics::RequestRecord r;
  r.outcome = metrics::Outcome::bad_response;
  agg.add(r);
  agg.note_error(metrics::Outcome::bad_response, 0, "bad bytes \xff\xfe here");
  const std::string text = json_text(result_summary_json(agg.finish(kMs), RunInfo{}));
  const json j = json::parse(text);
  EXPECT_EQ(j["extended"]["errors"]["bad_response"]["sample"], "bad bytes \xEF\xBF\xBD\xEF\xBF\xBD here");
}

}  // namespace
}  // namespace ie::report
