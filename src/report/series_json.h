#pragma once
// JSON forms of the metric summaries, shared by result_summary.json and final_snapshot.json. Objects keep
// their keys in insertion order (ordered_json), so the files read in the same order as the Python tool's.

#include <nlohmann/json.hpp>
#include <optional>

#include "metrics/run_metrics.h"
#include "metrics/series.h"

namespace ie::report {

enum class SeriesShape {
  python,  // exactly the Python tool's keys: total, min, max, median, avg, std_dev, percentiles, histogram
  with_count,  // the same plus "count" first (our own files and the "extended" section)
};

// {} for an empty series. total/min/max are integers for integral series; median, avg, std_dev and the
// percentiles are floats, as Python writes them. "early_stopping_percentiles" ({"99.9": v|null, ...}) follows
// "percentiles" when the summary carries estimates.
nlohmann::ordered_json series_json(const metrics::SeriesSummary& summary, SeriesShape shape);

// {count, mean_ns, min_ns, p50_ns, p90_ns, p99_ns, p999_ns, max_ns, clamped}, or {} when no gap was recorded.
nlohmann::ordered_json itl_json(const metrics::ItlSummary& itl);

// JSON number or null.
nlohmann::ordered_json optional_json(const std::optional<double>& value);

}  // namespace ie::report
