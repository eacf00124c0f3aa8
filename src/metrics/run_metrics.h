#pragma once
// Everything a finished run measured, as plain values: what RunAggregate::finish() produces and every report
// renderer reads. Definitions (which requests feed which series, which window QPS uses) are documented at the
// top of metrics/run_aggregate.h.

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "metrics/request_record.h"
#include "metrics/series.h"

namespace ie::metrics {

// Where the output-token counts (OSL, TPOT, TPS) came from, over the successful requests that had one.
enum class TokenCountSource { unknown, server_usage, content_chunks, mixed };
std::string_view token_count_source_name(TokenCountSource source);  // "unknown" | "server_usage" | ...

// Failures of one kind: an Outcome name ("timeout") or, for HTTP errors, the status ("http_503").
struct ErrorStats {
  uint64_t count = 0;
  std::string sample;  // the first message noted for this kind; empty if none was noted
};

// Inter-token gaps from the workers' merged HDR histogram (3 significant digits).
struct ItlSummary {
  uint64_t count = 0;
  double mean_ns = 0;
  int64_t min_ns = 0;
  int64_t p50_ns = 0;
  int64_t p90_ns = 0;
  int64_t p99_ns = 0;
  int64_t p999_ns = 0;
  int64_t max_ns = 0;
  uint64_t clamped = 0;  // gaps outside the histogram's range, recorded at the nearest bound
};

struct RunMetrics {
  bool streaming = false;

  // --- counters (non-warmup requests only) ---
  uint64_t issued = 0;
  uint64_t succeeded = 0;
  uint64_t failed = 0;
  std::array<uint64_t, kOutcomeCount> failed_by_outcome{};  // indexed by Outcome; [ok] stays 0
  std::map<std::string, ErrorStats> errors;                 // by kind, see error_kind()
  std::array<uint64_t, kFinishReasonCount>
      finish_reason_counts{};  // successful requests, indexed by FinishReason

  // --- windows ---
  int64_t perf_start_ns = 0;         // start of the tracked window (monotonic)
  int64_t end_ns = 0;                // when finish() was called (monotonic)
  int64_t tracked_duration_ns = 0;   // last successful completion - perf start; 0 when nothing succeeded
  int64_t total_duration_ns = 0;     // end - perf start
  std::optional<double> qps;         // succeeded / tracked window; empty when the window is 0
  std::optional<double> tps;         // sum(OSL of successes) / tracked window; empty without token counts
  std::optional<double> issue_rate;  // achieved send rate, (issued - 1) / (last issue - first issue), per s

  // --- series ---
  SeriesSummary latency_ns;                // completed - issued, successes
  SeriesSummary latency_from_schedule_ns;  // completed - scheduled, successes (shows coordinated omission)
  SeriesSummary schedule_lag_ns;           // issued - scheduled, every request a worker took
  SeriesSummary ttft_ns;                   // first token - issued, streamed successes
  SeriesSummary ttft_from_schedule_ns;     // first token - scheduled, streamed successes
  SeriesSummary tpot_ns;        // (completed - first token) / (OSL - 1), streamed successes, OSL > 1
  SeriesSummary output_tokens;  // OSL per success
  SeriesSummary input_tokens;   // ISL per success (server-reported prompt tokens)
  TokenCountSource token_count_source = TokenCountSource::unknown;
  uint64_t osl_from_server_usage = 0;    // successes whose OSL came from usage.completion_tokens
  uint64_t osl_from_content_chunks = 0;  // successes whose OSL was the count of content chunks
  ItlSummary itl;
};

}  // namespace ie::metrics
