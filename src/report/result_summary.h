#pragma once
// performance/result_summary.json: the Python tool's Report JSON, key for key (the MLPerf submission checker
// parses it), plus our additions under one extra key, "extended".
//
// Differences in meaning, not in shape: n_samples_completed counts successes only (Python counts failures as
// completions), QPS/TPS use successes over the tracked window, test_started_at is the start time in ns since
// the epoch (Python always writes 0), and duration_ns is the tracked window (null when nothing succeeded).

#include <nlohmann/json.hpp>

#include "metrics/run_metrics.h"
#include "report/run_info.h"

namespace ie::report {

// Never contains the API key: the config's endpoint section is not read, and free text is scrubbed.
nlohmann::ordered_json result_summary_json(const metrics::RunMetrics& metrics, const RunInfo& info);

// The "run_config" object: {load_pattern{type, target_qps, target_concurrency}, warmup{enabled, n_requests},
// scheduler_random_seed, dataloader_random_seed}; null without a config.
nlohmann::ordered_json run_config_json(const RunInfo& info);

// {kind: {count, sample}} with samples scrubbed of secrets.
nlohmann::ordered_json errors_json(const metrics::RunMetrics& metrics, const RunInfo& info);

}  // namespace ie::report
