// The real binary against the real stub server: counts, timings and token numbers in the written reports must
// agree with what the stub is known to have sent.

#include <gtest/gtest.h>

#include <signal.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "harness.h"

namespace ie::testing {
namespace {

namespace fs = std::filesystem;

const std::string kDemoDataset = source_path("data/demo_prompts.jsonl");

void expect_counts_add_up(const nlohmann::json& summary) {
  EXPECT_EQ(summary["n_samples_issued"].get<uint64_t>(),
            summary["n_samples_completed"].get<uint64_t>() + summary["n_samples_failed"].get<uint64_t>());
}

TEST(Benchmark, OfflineNonStreamingCountsAddUpAndTokensMatchTheStub) {
  StubServer stub({"--output-chars", "160", "--chars-per-event", "10"});
  TempDir dir;
  CommandResult run = run_binary(benchmark_args("offline", stub, dir, {"--num-samples", "300"}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  nlohmann::json summary = read_json(dir.path() / "performance" / "result_summary.json");
  EXPECT_EQ(summary["n_samples_issued"], 300);
  EXPECT_EQ(summary["n_samples_completed"], 300);
  EXPECT_EQ(summary["n_samples_failed"], 0);
  EXPECT_EQ(summary["state"], "complete");
  EXPECT_EQ(summary["complete"], true);
  expect_counts_add_up(summary);
  // 160 characters in events of 10: the stub reports 16 completion tokens.
  EXPECT_EQ(summary["output_sequence_lengths"]["min"], 16);
  EXPECT_EQ(summary["output_sequence_lengths"]["max"], 16);
  EXPECT_TRUE(summary["ttft"].empty()) << "no TTFT without streaming";
  EXPECT_GT(summary["qps"].get<double>(), 0);
  EXPECT_GT(summary["latency"]["min"].get<double>(), 0);
  EXPECT_TRUE(summary["latency"]["percentiles"].contains("99.0"));
  EXPECT_TRUE(fs::exists(dir.path() / "report.txt"));
  EXPECT_TRUE(fs::exists(dir.path() / "config.yaml"));
  EXPECT_TRUE(fs::exists(dir.path() / "metrics" / "final_snapshot.json"));
  EXPECT_NE(run.out.find("300 succeeded"), std::string::npos) << run.out;
}

TEST(Benchmark, StreamingConcurrencyTtftNeverExceedsLatencyAndChunksMatch) {
  StubServer stub({"--output-chars", "160", "--chars-per-event", "10"});
  TempDir dir;
  CommandResult run = run_binary(benchmark_args(
      "online", stub, dir,
      {"--load-pattern", "concurrency", "--concurrency", "8", "--num-samples", "400", "--requests-log"}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  nlohmann::json summary = read_json(dir.path() / "performance" / "result_summary.json");
  expect_counts_add_up(summary);
  EXPECT_EQ(summary["n_samples_completed"], 400);
  EXPECT_EQ(summary["extended"]["token_count_source"], "server_usage");
  std::vector<nlohmann::json> requests = read_json_lines(dir.path() / "metrics" / "requests.jsonl");
  ASSERT_EQ(requests.size(), 400u);
  for (const auto& r : requests) {
    ASSERT_EQ(r["outcome"], "ok");
    EXPECT_LE(r["ttft_ns"].get<int64_t>(), r["latency_ns"].get<int64_t>());
    EXPECT_GT(r["ttft_ns"].get<int64_t>(), 0);
    EXPECT_EQ(r["content_chunks"], 16);
    EXPECT_EQ(r["output_bytes"], 160);
    EXPECT_EQ(r["completion_tokens"], 16);
  }
}

TEST(Benchmark, VariableStubWithFixedTtftYieldsTtftAtLeastThatLong) {
  StubServer stub({"--mode", "variable", "--ttft-ms", "30", "--ttft-spread", "0", "--itl-ms", "2",
                   "--itl-spread", "0", "--output-tokens", "5", "--output-tokens-spread", "0"});
  TempDir dir;
  CommandResult run = run_binary(benchmark_args(
      "online", stub, dir, {"--load-pattern", "concurrency", "--concurrency", "4", "--num-samples", "40"}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  nlohmann::json summary = read_json(dir.path() / "performance" / "result_summary.json");
  EXPECT_EQ(summary["n_samples_completed"], 40);
  EXPECT_GE(summary["ttft"]["min"].get<int64_t>(), 30'000'000);
  EXPECT_LE(summary["ttft"]["max"].get<int64_t>(), summary["latency"]["max"].get<int64_t>());
  EXPECT_EQ(summary["output_sequence_lengths"]["min"], 5);
  EXPECT_EQ(summary["output_sequence_lengths"]["max"], 5);
  // The stub sends the last token no earlier than TTFT + 4 gaps of 2 ms after the request arrived.
  EXPECT_GE(summary["latency"]["min"].get<int64_t>(), 38'000'000);
  EXPECT_FALSE(summary["tpot"].empty());
}

TEST(Benchmark, EchoStubReturnsEveryPromptByteForByte) {
  StubServer stub({"--mode", "echo"});
  TempDir dir;
  CommandResult run = run_binary(benchmark_args(
      "online", stub, dir,
      {"--load-pattern", "concurrency", "--concurrency", "4", "--num-samples", "200", "--requests-log"}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::vector<nlohmann::json> prompts = read_json_lines(kDemoDataset);
  std::vector<nlohmann::json> requests = read_json_lines(dir.path() / "metrics" / "requests.jsonl");
  ASSERT_EQ(requests.size(), 200u);
  for (const auto& r : requests) {
    ASSERT_EQ(r["outcome"], "ok");
    const std::string prompt = prompts.at(r["sample_index"].get<size_t>())["prompt"];
    EXPECT_EQ(r["output_bytes"].get<size_t>(), prompt.size()) << prompt;
  }
}

TEST(Benchmark, CompletionsApiStreamsAndCountsTokens) {
  StubServer stub({"--output-chars", "50", "--chars-per-event", "5"});
  TempDir dir;
  CommandResult run =
      run_binary(benchmark_args("online", stub, dir,
                                {"--api-type", "openai_completions", "--load-pattern", "concurrency",
                                 "--concurrency", "2", "--num-samples", "50"}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  nlohmann::json summary = read_json(dir.path() / "performance" / "result_summary.json");
  EXPECT_EQ(summary["n_samples_completed"], 50);
  EXPECT_EQ(summary["output_sequence_lengths"]["max"], 10);
  EXPECT_FALSE(summary["ttft"].empty());
}

TEST(Benchmark, PythonQuickStartDatasetWorksWithoutAParserRemap) {
  const std::string dummy = source_path("../shared/datasets/dummy_1k.jsonl");
  if (!fs::exists(dummy)) GTEST_SKIP() << "shared datasets not present";
  StubServer stub;
  TempDir dir;
  CommandResult run = run_binary({"benchmark", "offline", "--endpoints", stub.url(), "--model", "m",
                                  "--dataset", dummy, "--report-dir", dir.path().string(), "--no-progress"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("text_input"), std::string::npos) << run.err;
  EXPECT_EQ(read_json(dir.path() / "performance" / "result_summary.json")["n_samples_completed"], 1000);
}

TEST(Benchmark, PoissonRunReportsScheduleLagForEveryRequest) {
  StubServer stub;
  TempDir dir;
  CommandResult run = run_binary(benchmark_args(
      "online", stub, dir, {"--load-pattern", "poisson", "--target-qps", "400", "--num-samples", "300"}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  nlohmann::json summary = read_json(dir.path() / "performance" / "result_summary.json");
  expect_counts_add_up(summary);
  EXPECT_EQ(summary["n_samples_issued"], 300);
  const auto& extended = summary["extended"];
  EXPECT_EQ(extended["schedule_lag"]["total"].is_null(), false);
  EXPECT_GE(extended["latency_from_schedule"]["min"].get<double>(), summary["latency"]["min"].get<double>());
  EXPECT_EQ(summary["run_config"]["load_pattern"]["type"], "poisson");
}

TEST(Benchmark, WarmupRequestsAreExcludedFromEveryCount) {
  StubServer stub;
  TempDir dir;
  CommandResult run = run_binary(
      benchmark_args("offline", stub, dir, {"--num-samples", "100", "--warmup", "--warmup-requests", "70"}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  nlohmann::json summary = read_json(dir.path() / "performance" / "result_summary.json");
  EXPECT_EQ(summary["n_samples_issued"], 100);
  EXPECT_EQ(summary["latency"]["percentiles"].size(), 12u);
}

TEST(Benchmark, UnreachableEndpointFailsFastNamingTheAddress) {
  TempDir dir;
  ClosedPort closed;
  const std::string address = "127.0.0.1:" + std::to_string(closed.port());
  CommandResult run = run_binary({"benchmark", "offline", "--endpoints", "http://" + address, "--model", "m",
                                  "--dataset", kDemoDataset, "--report-dir", dir.path().string()});
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_NE(run.err.find(address), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("refused"), std::string::npos) << run.err;
}

TEST(Benchmark, BadDatasetLineIsNamedWithFileAndLine) {
  StubServer stub;
  TempDir dir;
  fs::path bad = dir.path() / "bad.jsonl";
  write_text(bad, "{\"prompt\":\"a\"}\n{\"prompt\":\"b\"}\n{\"prompt\": oops}\n");
  CommandResult run = run_binary({"benchmark", "offline", "--endpoints", stub.url(), "--model", "m",
                                  "--dataset", bad.string(), "--report-dir", (dir.path() / "r").string()});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("bad.jsonl:3"), std::string::npos) << run.err;
  EXPECT_FALSE(fs::exists(dir.path() / "r" / "performance" / "result_summary.json"));
}

TEST(Benchmark, UnwritableReportDirFailsBeforeTheRun) {
  StubServer stub;
  CommandResult run = run_binary({"benchmark", "offline", "--endpoints", stub.url(), "--model", "m",
                                  "--dataset", kDemoDataset, "--report-dir", "/proc/ie-cannot-write-here"});
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_NE(run.err.find("/proc/ie-cannot-write-here"), std::string::npos) << run.err;
}

TEST(Benchmark, ApiKeyNeverReachesOutputOrReportFiles) {
  StubServer stub;
  TempDir dir;
  const std::string key = "sk-test-very-secret-4242";
  CommandResult run =
      run_binary(benchmark_args("offline", stub, dir, {"--num-samples", "20", "--api-key", key, "-vvv"}));
  ASSERT_TRUE(fs::exists(dir.path() / "trace.ietrace")) << "-vvv writes a trace: it is scanned below too";
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out.find(key), std::string::npos);
  EXPECT_EQ(run.err.find(key), std::string::npos);
  for (const auto& entry : fs::recursive_directory_iterator(dir.path())) {
    if (!entry.is_regular_file()) continue;
    EXPECT_EQ(read_text(entry.path()).find(key), std::string::npos) << entry.path();
  }
  EXPECT_NE(read_text(dir.path() / "config.yaml").find("redacted"), std::string::npos);
  // What is derived from the trace later: the stage table, its JSON, the Chrome export, the replayed frame.
  const std::string trace = (dir.path() / "trace.ietrace").string();
  for (const std::vector<std::string>& command :
       {std::vector<std::string>{"trace", "stats", trace},
        {"trace", "stats", trace, "--json"},
        {"trace", "export", trace, "--format", "chrome", "-o", (dir.path() / "t.json").string()},
        {"trace", "view", trace, "--no-color"}}) {
    CommandResult derived = run_binary(command);
    EXPECT_EQ(derived.exit_code, 0) << command[1] << derived.err;
    EXPECT_EQ(derived.out.find(key), std::string::npos) << command[1];
    EXPECT_EQ(derived.err.find(key), std::string::npos) << command[1];
  }
  EXPECT_EQ(read_text(dir.path() / "t.json").find(key), std::string::npos);
}

TEST(Benchmark, ApiKeyEchoedByAFailingServerIsScrubbedFromErrorSamples) {
  // The stub echoes the prompt; a server that echoes request headers in its errors is the same risk. Here the
  // key is in the prompt itself, so the echoed reply and any error sample carry it.
  const std::string key = "sk-echo-secret-777";
  TempDir dir;
  write_text(dir.path() / "data.jsonl", "{\"prompt\": \"please repeat " + key + "\"}\n");
  StubServer stub({"--mode", "echo", "--threads", "1", "--fault", "http_500=1"});
  CommandResult run = run_binary({"benchmark", "offline", "--endpoints", stub.url(), "--model", "m",
                                  "--dataset", (dir.path() / "data.jsonl").string(), "--api-key", key,
                                  "--report-dir", (dir.path() / "report").string(), "--no-progress"});
  EXPECT_EQ(run.exit_code, 4) << run.err;
  EXPECT_EQ(run.out.find(key), std::string::npos) << run.out;
  EXPECT_EQ(run.err.find(key), std::string::npos) << run.err;
  for (const auto& entry : fs::recursive_directory_iterator(dir.path() / "report")) {
    if (!entry.is_regular_file()) continue;
    EXPECT_EQ(read_text(entry.path()).find(key), std::string::npos) << entry.path();
  }
}

TEST(Benchmark, InterruptDuringWarmupSkipsThePerformancePhaseAndIsReported) {
  StubServer stub({"--mode", "variable", "--ttft-ms", "60000", "--ttft-spread", "0"});
  TempDir dir;
  std::vector<std::string> args = benchmark_args(
      "online", stub, dir,
      {"--load-pattern", "concurrency", "--concurrency", "2", "--num-samples", "50", "--warmup"});
  std::erase(args, "--no-progress");  // progress lines name the phase: the signal must land in warmup
  BackgroundRun run(args);
  ASSERT_TRUE(run.wait_for_stderr("progress phase=warmup"));
  ASSERT_TRUE(run.stop_then_abandon(SIGTERM));
  CommandResult result = run.finish();
  EXPECT_EQ(result.exit_code, 130) << result.err;
  nlohmann::json summary = read_json(dir.path() / "performance" / "result_summary.json");
  EXPECT_EQ(summary["state"], "interrupted");
  EXPECT_EQ(summary["n_samples_issued"], 0) << "warmup requests never count";
  EXPECT_NE(summary["extended"]["interrupted_reason"].get<std::string>().find("SIGTERM"), std::string::npos);
}

TEST(Benchmark, InterruptDuringTheDrainAbandonsTheInFlightRequests) {
  StubServer stub({"--mode", "variable", "--ttft-ms", "60000", "--ttft-spread", "0"});
  TempDir dir;
  std::vector<std::string> args = benchmark_args(
      "online", stub, dir, {"--load-pattern", "concurrency", "--concurrency", "3", "--duration", "200ms"});
  std::erase(args, "--no-progress");
  BackgroundRun run(args);
  ASSERT_TRUE(run.wait_for_stderr("progress phase=drain"));  // issuing is over; 3 requests wait for 60 s
  ASSERT_TRUE(run.stop_then_abandon(SIGINT));
  CommandResult result = run.finish();
  EXPECT_EQ(result.exit_code, 130) << result.err;
  nlohmann::json summary = read_json(dir.path() / "performance" / "result_summary.json");
  EXPECT_EQ(summary["state"], "interrupted");
  EXPECT_EQ(summary["n_samples_issued"], 3);
  EXPECT_EQ(summary["extended"]["errors"]["abandoned"]["count"], 3) << summary["extended"]["errors"].dump();
}

TEST(Benchmark, InterruptStopsIssuingAndStillWritesAnInterruptedReport) {
  // Each request takes 60 s, so the run is certainly in flight when the signal lands.
  StubServer stub({"--mode", "variable", "--ttft-ms", "60000", "--ttft-spread", "0"});
  TempDir dir;
  BackgroundRun run(benchmark_args(
      "online", stub, dir, {"--load-pattern", "concurrency", "--concurrency", "3", "--num-samples", "1000"}));
  ASSERT_TRUE(run.wait_for_stderr("reachable"));
  ASSERT_TRUE(run.stop_then_abandon(SIGINT));
  CommandResult result = run.finish();
  EXPECT_EQ(result.exit_code, 130) << result.err;
  nlohmann::json summary = read_json(dir.path() / "performance" / "result_summary.json");
  EXPECT_EQ(summary["state"], "interrupted");
  EXPECT_EQ(summary["complete"], false);
  expect_counts_add_up(summary);
  EXPECT_EQ(summary["n_samples_completed"], 0);
}

}  // namespace
}  // namespace ie::testing
