#pragma once
// Folds the run's RequestRecords into RunMetrics. Cold side: one collector thread owns it; nothing here is
// thread-safe or meant for the workers.
//
// Semantics (ours, deliberately stricter than the Python tool, which counts failures as completions and
// puts their latency into the latency series):
// - Warmup records are ignored entirely. Every other record counts as issued; Outcome::ok counts as
//   succeeded, anything else as failed, per Outcome and per error kind ("timeout", "http_503", ...).
// - Failed requests never enter a latency, TTFT, TPOT or token series, nor QPS/TPS. The one exception is
//   schedule lag (issued - scheduled): it describes the client, so every request that was sent counts.
// - latency = completed - issued; latency_from_schedule = completed - scheduled. Under a timed load pattern
//   the second also counts any delay before a worker took the request: it shows coordinated omission.
// - TTFT = first_token - issued, for streamed successes with a first token (and the streaming run flag).
// - OSL = the server's completion_tokens when present, else the number of content chunks if streamed (one
//   chunk ~ one token for most servers); token_count_source says which. ISL = the server's prompt_tokens
//   when present. TPOT = (completed - first_token) / (OSL - 1), for streamed successes with OSL > 1.
// - Window: from set_perf_start() (or the first issue, if never set) to the last successful completion.
//   QPS = succeeded / window; TPS = sum(OSL) / window; issue rate = (sent - 1) / (last - first issue).
// - Finish reasons are counted over successes.

#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/hdr_histogram.h"
#include "metrics/live_latencies.h"
#include "metrics/request_record.h"
#include "metrics/run_metrics.h"

namespace ie::metrics {

// The error-kind key of a failure: "http_<status>" for HTTP errors with a status, else the Outcome's name.
std::string error_kind(Outcome outcome, uint16_t http_status);

class RunAggregate {
 public:
  // streaming: the run asked for SSE streams; when false TTFT and TPOT stay empty, as in the Python tool.
  explicit RunAggregate(bool streaming);

  // --- feeding (collector thread) ---
  void set_perf_start(int64_t ns);  // start of the tracked window, after warmup
  void add(const RequestRecord& record);
  // Keeps the first message seen per error kind, as the sample shown in reports. Counting is add()'s job: a
  // note for a kind that add() never saw shows up with count 0.
  void note_error(Outcome outcome, uint16_t http_status, std::string_view message);
  // Adds the workers' inter-token gaps. The first histogram fixes the layout; later ones must match it
  // (std::invalid_argument otherwise).
  void merge_itl(const HdrHistogram& histogram);

  // --- live view for progress lines, O(1) ---
  uint64_t issued() const { return issued_; }
  uint64_t succeeded() const { return succeeded_; }
  uint64_t failed() const { return failed_; }
  // Successes so far, from histograms: O(buckets), for a display refreshed a few times a second.
  LiveLatencies live_latencies() const;

  // --- result ---
  // Exact summaries of everything added so far; end_ns closes the run's total duration. Sorts copies of the
  // raw values, so it can be called more than once (e.g. for an interrupted report).
  RunMetrics finish(int64_t end_ns) const;

 private:
  void add_success(const RequestRecord& record);
  void add_failure(const RequestRecord& record);

  bool streaming_;
  int64_t perf_start_ns_ = 0;
  uint64_t issued_ = 0;
  uint64_t succeeded_ = 0;
  uint64_t failed_ = 0;
  std::array<uint64_t, kOutcomeCount> failed_by_outcome_{};
  std::map<std::string, ErrorStats, std::less<>> errors_;
  std::array<uint64_t, kFinishReasonCount> finish_reason_counts_{};

  uint64_t sent_ = 0;  // records with an issue time, for the issue rate
  int64_t first_issue_ns_ = std::numeric_limits<int64_t>::max();
  int64_t last_issue_ns_ = std::numeric_limits<int64_t>::min();
  int64_t last_success_ns_ = 0;

  std::vector<int64_t> latency_ns_;
  std::vector<int64_t> latency_from_schedule_ns_;
  std::vector<int64_t> schedule_lag_ns_;
  std::vector<int64_t> ttft_ns_;
  std::vector<int64_t> ttft_from_schedule_ns_;
  std::vector<double> tpot_ns_;
  std::vector<int64_t> output_tokens_;
  std::vector<int64_t> input_tokens_;
  uint64_t osl_from_server_usage_ = 0;
  uint64_t osl_from_content_chunks_ = 0;
  std::optional<HdrHistogram> itl_;
  HdrHistogram live_e2e_;  // the same values as latency_ns_ / ttft_ns_ / tpot_ns_, for live_latencies()
  HdrHistogram live_ttft_;
  HdrHistogram live_tpot_;
};

}  // namespace ie::metrics
