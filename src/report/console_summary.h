#pragma once
// The compact table printed when a run ends (~20-30 lines, plain text): state, counts, QPS, tokens/s, then
// avg / p50 / p90 / p99 / max in ms for TTFT, TPOT, ITL, end-to-end latency, latency from schedule and
// schedule lag, then errors by kind with one sample message each. The caller prints the report directory.

#include <string>

#include "metrics/run_metrics.h"
#include "report/run_info.h"

namespace ie::report {

std::string render_console_summary(const metrics::RunMetrics& metrics, const RunInfo& info);

}  // namespace ie::report
