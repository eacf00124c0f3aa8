// Server faults through the real binary against the fault-injecting stub: every fault is counted as a failure
// of the right kind with a sample message, the run completes, and failures never reach QPS or latency.
//
// The oracle is exact: one stub thread, `--fault KIND=1 --fault-after 10` answers the first 10 completion
// requests normally and faults every later one, and the client never retries, so a run of 14 requests has
// exactly 10 successes and 4 failures of the expected kind.

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "harness.h"

namespace ie::testing {
namespace {

constexpr int kHealthy = 10;
constexpr int kRequests = 14;

struct FaultCase {
  std::string fault;
  std::string expected_kind;  // the error-kind key in the report
  bool streaming;
  std::vector<std::string> stub_extra = {};
  std::vector<std::string> client_extra = {};
};

std::string label(const FaultCase& c) {
  return c.fault + (c.streaming ? " (streaming)" : " (not streaming)");
}

void expect_counted(const FaultCase& c) {
  std::vector<std::string> stub_args{
      "--threads", "1", "--fault", c.fault + "=1", "--fault-after", std::to_string(kHealthy)};
  stub_args.insert(stub_args.end(), c.stub_extra.begin(), c.stub_extra.end());
  StubServer stub(stub_args);
  TempDir dir;
  // One connection at a time: a fault that closes a connection cannot touch a neighbour's request.
  std::vector<std::string> extra{"--load-pattern", "concurrency", "--concurrency", "1", "--num-samples",
                                 std::to_string(kRequests), "--streaming", c.streaming ? "on" : "off",
                                 // A fault the client missed ends as abandoned requests, not as a hang.
                                 "--performance-drain-timeout", "20s"};
  extra.insert(extra.end(), c.client_extra.begin(), c.client_extra.end());
  CommandResult run = run_binary(benchmark_args("online", stub, dir, extra));
  ASSERT_EQ(run.exit_code, 0) << label(c) << ": the run completes despite the faults\n" << run.err;

  const nlohmann::json summary = read_json(dir.path() / "performance" / "result_summary.json");
  EXPECT_EQ(summary["n_samples_issued"], kRequests) << label(c);
  EXPECT_EQ(summary["n_samples_completed"], kHealthy) << label(c);
  EXPECT_EQ(summary["n_samples_failed"], kRequests - kHealthy) << label(c);
  const nlohmann::json& errors = summary["extended"]["errors"];
  ASSERT_TRUE(errors.contains(c.expected_kind)) << label(c) << ": " << errors.dump();
  EXPECT_EQ(errors[c.expected_kind]["count"], kRequests - kHealthy) << label(c) << ": " << errors.dump();
  EXPECT_EQ(errors.size(), 1u) << label(c) << ": one kind only\n" << errors.dump();
  EXPECT_FALSE(errors[c.expected_kind]["sample"].get<std::string>().empty()) << label(c);
  EXPECT_NE(run.out.find(c.expected_kind), std::string::npos) << label(c) << ": console shows the kind\n"
                                                              << run.out;

  // Failures stay out of every latency series and out of QPS.
  EXPECT_EQ(summary["extended"]["series_counts"]["latency"], kHealthy) << label(c);
  if (c.streaming) {
    EXPECT_EQ(summary["extended"]["series_counts"]["ttft"], kHealthy) << label(c);
  }
  const double window_s = summary["extended"]["tracked_duration_ns"].get<double>() / 1e9;
  EXPECT_NEAR(summary["qps"].get<double>(), kHealthy / window_s, 1e-6 * kHealthy / window_s) << label(c);
}

TEST(ServerFaults, EveryInjectedFaultIsCountedByKindAndTheRunCompletes) {
  const std::vector<FaultCase> cases = {
      {"http_500", "http_500", true},
      {"http_429", "http_429", false},
      {"http_503", "http_503", true},
      {"bad_json", "bad_response", true},
      {"bad_json", "bad_response", false},
      {"truncated", "connection_closed", true},
      {"truncated", "connection_closed", false},
      {"bad_chunked", "protocol_error", true},
      {"bad_chunked", "protocol_error", false},
      {"bad_sse", "bad_response", true},
      {"reset_before", "connection_closed", true},
      {"reset_during", "connection_closed", true},
      {"reset_during", "connection_closed", false},
      // A stall that never ends fails only through the client's stall timeout.
      {"stall", "timeout", true, {}, {"--stall-timeout", "200ms"}},
      {"stall", "timeout", false, {}, {"--stall-timeout", "200ms"}},
      // Larger than the client's caps: 64 MiB for a body, 16 MiB for one SSE event.
      {"oversized", "bad_response", false, {"--oversized-bytes", std::to_string(65 << 20)}},
      {"oversized", "bad_response", true, {"--oversized-bytes", std::to_string(17 << 20)}},
  };
  for (const FaultCase& c : cases) expect_counted(c);
}

TEST(ServerFaults, RequestTimeoutFailsSlowResponsesAsTimeouts) {
  // Every reply's first token would come after 10 minutes.
  StubServer stub({"--mode", "variable", "--ttft-ms", "600000", "--ttft-spread", "0"});
  TempDir dir;
  CommandResult run = run_binary(benchmark_args("online", stub, dir,
                                                {"--load-pattern", "concurrency", "--concurrency", "3",
                                                 "--num-samples", "6", "--request-timeout", "150ms"}));
  EXPECT_EQ(run.exit_code, 4) << "no request succeeded\n" << run.err;
  const nlohmann::json summary = read_json(dir.path() / "performance" / "result_summary.json");
  EXPECT_EQ(summary["n_samples_failed"], 6);
  const nlohmann::json& timeout = summary["extended"]["errors"]["timeout"];
  EXPECT_EQ(timeout["count"], 6) << summary["extended"]["errors"].dump();
  EXPECT_NE(timeout["sample"].get<std::string>().find("request timeout (0.15 s)"), std::string::npos)
      << timeout.dump();
}

TEST(ServerFaults, StallTimeoutSparesASlowButSteadyStream) {
  // 30 tokens 50 ms apart: 1.5 s per reply, but never 200 ms without a byte.
  StubServer stub({"--mode", "variable", "--ttft-ms", "50", "--ttft-spread", "0", "--itl-ms", "50",
                   "--itl-spread", "0", "--output-tokens", "30", "--output-tokens-spread", "0"});
  TempDir dir;
  CommandResult run = run_binary(benchmark_args("online", stub, dir,
                                                {"--load-pattern", "concurrency", "--concurrency", "2",
                                                 "--num-samples", "2", "--stall-timeout", "400ms"}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const nlohmann::json summary = read_json(dir.path() / "performance" / "result_summary.json");
  EXPECT_EQ(summary["n_samples_completed"], 2) << summary["extended"]["errors"].dump();
}

TEST(ServerFaults, ServerKilledMidRunAndRestartedCountsTheLossAndRecovers) {
  // Replies take 300 ms, so requests are in flight whenever the server dies.
  const std::vector<std::string> slow{"--mode",
                                      "variable",
                                      "--ttft-ms",
                                      "300",
                                      "--ttft-spread",
                                      "0",
                                      "--output-tokens",
                                      "3",
                                      "--output-tokens-spread",
                                      "0"};
  auto stub = std::make_unique<StubServer>(slow);
  const std::string url = stub->url();
  const std::string port = url.substr(url.rfind(':') + 1);
  TempDir dir;
  std::vector<std::string> args{"benchmark",      "online",
                                "--endpoints",    url,
                                "--model",        "m",
                                "--dataset",      source_path("data/demo_prompts.jsonl"),
                                "--report-dir",   dir.path().string(),
                                "--load-pattern", "poisson",
                                "--target-qps",   "60",
                                "--duration",     "3s"};
  BackgroundRun run(args);
  // The first progress line comes after a second of issuing: requests are in flight by then.
  ASSERT_TRUE(run.wait_for_stderr("progress phase=perf"));
  stub.reset();  // SIGTERM: the server closes its connections with the requests on them
  std::vector<std::string> restarted_args = slow;
  restarted_args.insert(restarted_args.end(), {"--port", port});
  StubServer restarted(restarted_args);
  CommandResult result = run.finish();
  ASSERT_EQ(result.exit_code, 0) << result.err;

  const nlohmann::json summary = read_json(dir.path() / "performance" / "result_summary.json");
  const int64_t issued = summary["n_samples_issued"];
  const int64_t completed = summary["n_samples_completed"];
  const int64_t failed = summary["n_samples_failed"];
  EXPECT_EQ(completed + failed, issued);
  EXPECT_GT(failed, 0) << "the requests in flight at the kill";
  EXPECT_GT(completed, 0);
  for (const auto& [kind, stats] : summary["extended"]["errors"].items())
    EXPECT_TRUE(kind == "connection_closed" || kind == "connect_failed") << kind << ": " << stats.dump();
  EXPECT_EQ(summary["extended"]["series_counts"]["latency"], completed);
}

}  // namespace
}  // namespace ie::testing

namespace ie::testing {
namespace {

// The client's own limits, found before the run: a process allowed 200 open files has room for 136
// connections (64 descriptors are kept for files, epoll and stdio).
CommandResult run_with_open_file_limit(int limit, const std::vector<std::string>& args) {
  std::string command =
      "ulimit -n " + std::to_string(limit) + " && exec '" + std::string(IE_BINARY_PATH) + "'";
  for (const std::string& arg : args) command += " '" + arg + "'";
  return run_program({"sh", "-c", command});
}

TEST(ConnectionBudget, APoolLargerThanTheOpenFileLimitIsShrunkWithAMessage) {
  StubServer stub;
  TempDir dir;
  CommandResult run =
      run_with_open_file_limit(200, benchmark_args("online", stub, dir,
                                                   {"--load-pattern", "poisson", "--target-qps", "200",
                                                    "--num-samples", "50", "--max-connections", "1000"}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("max connections lowered from 1000 to 136"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("open-file limit 200"), std::string::npos) << run.err;
  EXPECT_EQ(read_json(dir.path() / "performance" / "result_summary.json")["n_samples_completed"], 50);
}

TEST(ConnectionBudget, AConcurrencyThatCannotFitIsRefusedBeforeTheRun) {
  StubServer stub;
  TempDir dir;
  CommandResult run = run_with_open_file_limit(
      200, benchmark_args("online", stub, dir, {"--load-pattern", "concurrency", "--concurrency", "500"}));
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_NE(run.err.find("--concurrency 500"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("open-file limit 200"), std::string::npos) << run.err;
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "performance" / "result_summary.json"));
}

}  // namespace
}  // namespace ie::testing
