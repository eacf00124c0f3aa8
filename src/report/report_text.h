#pragma once
// report.txt: the human-readable report. A summary block (state, counts, duration, QPS, tokens/s, errors by
// kind with a sample message), then one section per metric: count, min, max, median, avg, std dev, the
// percentile table (with early-stopping estimates where computed) and an ASCII histogram of its buckets.
// Times in ms with 3 decimals, lengths in tokens.

#include <string>

#include "metrics/run_metrics.h"
#include "report/run_info.h"

namespace ie::report {

std::string render_report_text(const metrics::RunMetrics& metrics, const RunInfo& info);

}  // namespace ie::report
