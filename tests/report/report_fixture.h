#pragma once
// Shared by the report tests: a scratch directory per test and a known run built through RunAggregate.

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "config/benchmark_config.h"
#include "metrics/run_aggregate.h"
#include "report/run_info.h"

namespace ie::report::testing {

constexpr int64_t kStartNs = 5'000'000'000;
constexpr int64_t kMs = 1'000'000;
constexpr const char* kApiKey = "sk-test-SECRET-123";

// A fresh directory under /tmp, removed with everything in it when the test ends.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name)
      : path_(std::filesystem::temp_directory_path() /
              ("ie_report_" + name + "_" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline config::BenchmarkConfig poisson_config() {
  config::BenchmarkConfig cfg;
  cfg.name = "online_benchmark";
  cfg.type = config::TestType::online;
  cfg.model_params.name = "test-model";
  cfg.model_params.streaming = true;
  cfg.load_pattern.type = config::LoadPatternType::poisson;
  cfg.load_pattern.target_qps = 2000;
  cfg.warmup.enabled = true;
  cfg.warmup.n_requests = 16;
  cfg.runtime.scheduler_random_seed = 7;
  cfg.runtime.dataloader_random_seed = 9;
  cfg.endpoint_config.endpoints = {"http://127.0.0.1:8000"};
  cfg.endpoint_config.api_key = kApiKey;
  return cfg;
}

// Four streamed successes issued at 0/10/20/30 ms with latencies 100..400 ms, TTFT 10..40 ms, 11 completion
// tokens and 50 prompt tokens each; one timeout; one HTTP 503 whose message echoes the API key; one warmup
// request that must not show anywhere.
inline metrics::RunMetrics known_run(bool streaming = true) {
  metrics::RunAggregate agg(streaming);
  agg.set_perf_start(kStartNs);
  for (int i = 0; i < 4; ++i) {
    metrics::RequestRecord r;
    r.sequence = static_cast<uint64_t>(i);
    r.outcome = metrics::Outcome::ok;
    r.http_status = 200;
    r.finish_reason = i == 3 ? metrics::FinishReason::length : metrics::FinishReason::stop;
    r.streamed = true;
    r.scheduled_ns = kStartNs + i * 10 * kMs;
    r.issued_ns = r.scheduled_ns;
    r.first_token_ns = r.issued_ns + (i + 1) * 10 * kMs;
    r.completed_ns = r.issued_ns + (i + 1) * 100 * kMs;
    r.completion_tokens = 11;
    r.prompt_tokens = 50;
    r.content_chunks = 11;
    agg.add(r);
  }
  metrics::RequestRecord timeout;
  timeout.outcome = metrics::Outcome::timeout;
  timeout.scheduled_ns = timeout.issued_ns = kStartNs + 5 * kMs;
  timeout.completed_ns = kStartNs + 900 * kMs;
  agg.add(timeout);
  metrics::RequestRecord unavailable;
  unavailable.outcome = metrics::Outcome::http_status;
  unavailable.http_status = 503;
  unavailable.scheduled_ns = unavailable.issued_ns = kStartNs + 6 * kMs;
  unavailable.completed_ns = kStartNs + 7 * kMs;
  agg.add(unavailable);
  agg.note_error(metrics::Outcome::http_status, 503, std::string("overloaded; you sent Bearer ") + kApiKey);
  agg.note_error(metrics::Outcome::timeout, 0, "no byte for 30 s");
  metrics::RequestRecord warm;
  warm.warmup = true;
  warm.outcome = metrics::Outcome::ok;
  warm.scheduled_ns = warm.issued_ns = kStartNs - 10'000 * kMs;
  warm.completed_ns = kStartNs - 1 * kMs;
  agg.add(warm);
  return agg.finish(kStartNs + 1000 * kMs);
}

inline RunInfo known_info(const config::BenchmarkConfig& cfg) {
  RunInfo info;
  info.config = &cfg;
  info.state = RunState::complete;
  info.started_wall_time = "2026-08-21 14:03:07 +0200";
  info.started_unix_ns = 1'787'000'000'000'000'000;
  info.duration_ns = 1500 * kMs;
  info.workers = 2;
  info.max_connections = 64;
  return info;
}

}  // namespace ie::report::testing
