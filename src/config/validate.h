#pragma once
// The one place a BenchmarkConfig is completed and checked, whether it came from flags or YAML.

#include "config/benchmark_config.h"

namespace ie::config {

// Fills the values that depend on others (name "<type>_benchmark", streaming auto -> off for offline and on
// for online, dataset name = file stem) and checks every rule: exactly one dataset with a path, a model name,
// at least one endpoint URL that ie::net::parse_url accepts, offline -> max_throughput, online -> poisson
// (with a finite target_qps > 0) or concurrency (target_concurrency > 0), workers and max_connections -1 or
// positive, max_duration >= duration when both are set, and positive counts. Throws ie::Error(invalid_input)
// at the first violation: "<flag> / <yaml key> <rule>, got <value> (from <file:line or flag>)".
void resolve_and_validate(BenchmarkConfig& config);

}  // namespace ie::config
