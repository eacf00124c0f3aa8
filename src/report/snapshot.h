#pragma once
// metrics/final_snapshot.json: our own complete dump of RunMetrics (the Python tool's file of that name is
// the aggregator's raw snapshot; ours is the same idea, not the same shape). Every counter, every series with
// its count, the ITL summary and the errors, for tools that want more than result_summary.json.

#include <nlohmann/json.hpp>

#include "metrics/run_metrics.h"
#include "report/run_info.h"

namespace ie::report {

nlohmann::ordered_json final_snapshot_json(const metrics::RunMetrics& metrics, const RunInfo& info);

}  // namespace ie::report
