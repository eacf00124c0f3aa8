#pragma once
// BenchmarkConfig -> YAML in the same key layout the loader reads (the report's config.yaml, `init` output).

#include <string>

#include "config/benchmark_config.h"

namespace ie::config {

// The config as YAML that load_config_text reads back to the same values, secrets excepted: a set api_key is
// written as "<redacted>", endpoint URLs go through redact_url, and every "$" is written as "$$" so nothing
// is re-interpolated on reload. Output-only settings without a YAML key (verbosity, progress, requests log)
// and origins are not written.
std::string to_yaml(const BenchmarkConfig& config);

}  // namespace ie::config
