#pragma once
// What the reports need to know about a run besides its metrics: the frozen config, how the run ended, and
// where the binary came from. Filled by the lead's run driver.

#include <cstdint>
#include <string>
#include <string_view>

#include "config/benchmark_config.h"

namespace ie::report {

enum class RunState { complete, interrupted, failed };
std::string_view run_state_name(RunState state);  // "complete" | "interrupted" | "failed"

// The build's git sha: the IE_GIT_SHA compile definition of ie_report, or "unknown".
std::string_view build_git_sha();
// The build's version: the IE_VERSION compile definition of ie_report, or ie::kVersion (common/version.h).
std::string_view build_version();

struct RunInfo {
  const config::BenchmarkConfig* config = nullptr;  // may be null (then run_config is null in the JSON)
  RunState state = RunState::complete;
  std::string started_wall_time;  // human-readable local start time, e.g. "2026-08-21 14:03:07 +0200"
  int64_t started_unix_ns = 0;    // the same instant as ns since the epoch; 0 = unknown
  int64_t duration_ns = 0;        // wall time of the whole run: warmup, performance phase and drain
  std::string version{build_version()};
  std::string git_sha{build_git_sha()};
  int workers = 0;
  int max_connections = 0;
  std::string interrupted_reason;  // e.g. "SIGINT", "max_duration_ms reached"; empty = none
};

// Replaces every occurrence of the configured API key in `text` with "<redacted>". Every free-text field that
// reaches a report (error samples, the interrupted reason) goes through this: servers do echo headers back.
std::string scrub_secrets(std::string_view text, const RunInfo& info);

}  // namespace ie::report
