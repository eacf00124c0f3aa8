#include "dashboard/model_json.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace ie::dashboard {
namespace {

TEST(ModelJson, EmptyModelHasNoVerdictAndNoLoadgen) {
  nlohmann::json j = to_json(Model{});
  EXPECT_EQ(j["status"], "LIVE");
  EXPECT_EQ(j["traced"], 0);
  EXPECT_EQ(j["not_traced"]["out_of_order"], 0);
  EXPECT_FALSE(j.contains("verdict_pct"));
  EXPECT_FALSE(j.contains("loadgen"));
  EXPECT_FALSE(j.contains("tok_per_s"));
  EXPECT_FALSE(j.contains("recent")) << "no whole second yet";
}

TEST(ModelJson, CarriesTheFrameNumbers) {
  Model m;
  m.header.status = Status::done;
  m.header.completed = 7;
  m.header.tok_per_s = 12.5;
  m.coverage.out_of_order = 1;
  m.coverage.incomplete = 2;
  m.streaming = true;
  m.stages.push_back({trace::StageRow::stream,
                      trace::StageClass::server,
                      {7, 2e6, 1'000'000, 2'000'000, 3'000'000, 3'000'000},
                      80.0,
                      Heat::none});
  m.verdict.valid = true;
  m.verdict.pct = {10.0, 80.0, 10.0};
  m.loadgen = Loadgen{};
  m.loadgen->final = true;
  m.loadgen->e2e = {7, 2.5e6, 1, 2, 3, 4};
  nlohmann::json j = to_json(m);
  EXPECT_EQ(j["status"], "DONE");
  EXPECT_EQ(j["tok_per_s"], 12.5);
  EXPECT_EQ(j["layout"], "streaming");
  ASSERT_EQ(j["stages"].size(), 1u);
  EXPECT_EQ(j["stages"][0]["stage"], "1st chunk -> last chunk");
  EXPECT_EQ(j["stages"][0]["class"], "server");
  EXPECT_EQ(j["stages"][0]["p99_ns"], 3'000'000);
  EXPECT_EQ(j["verdict_pct"]["server"], 80.0);
  EXPECT_EQ(j["not_traced"]["out_of_order"], 1) << "why completed requests are not in the table";
  EXPECT_EQ(j["not_traced"]["missing_events"], 2);
  EXPECT_EQ(j["loadgen"]["latency"]["e2e"]["n"], 7);
}

TEST(ModelJson, LiveLoadgenLatenciesAndTheRecentWindowAreIncluded) {
  Model m;
  m.loadgen = Loadgen{};
  m.loadgen->ttft = {3, 1e6, 1, 2, 3, 4};
  m.loadgen->connections = ConnectionCounts{.open = 10, .busy = 7, .connecting = 2};
  m.recent.valid = true;
  m.recent.window_s = 2;
  m.recent.req_per_s = 150;
  m.recent.p99_e2e_ns = 9'000'000;
  m.recent.req_per_s_by_second = {100, 200};
  m.recent.p99_e2e_by_second_ns = {8'000'000, 9'000'000};
  nlohmann::json j = to_json(m);
  EXPECT_EQ(j["loadgen"]["latency"]["ttft"]["n"], 3) << "live latencies are sent before the final frame";
  EXPECT_EQ(j["loadgen"]["connections"]["idle"], 3);
  EXPECT_EQ(j["loadgen"]["connections"]["connecting"], 2);
  EXPECT_EQ(j["recent"]["window_s"], 2);
  EXPECT_EQ(j["recent"]["req_per_s"], 150.0);
  EXPECT_EQ(j["recent"]["req_per_s_by_second"], nlohmann::json::array({100.0, 200.0}));
  EXPECT_EQ(j["recent"]["p99_e2e_ns_by_second"][1], 9'000'000);
}

}  // namespace
}  // namespace ie::dashboard
