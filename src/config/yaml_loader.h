#pragma once
// YAML config files in the Python tool's layout (the subset this client supports) -> BenchmarkConfig.
// The result is not yet resolved: call resolve_and_validate() (config/validate.h) before using it.

#include <string>
#include <string_view>
#include <vector>

#include "config/benchmark_config.h"

namespace ie::config {

// Parses a config document. Every string value is first passed through interpolate_env (${VAR}, ${VAR:-x},
// $VAR, $$). Python keys that have no effect here produce a warning "<source>:<line>: ignored: <key> has no
// effect in this client", appended to `warnings`, or printed to stderr when `warnings` is null. Throws
// ie::Error(invalid_input) naming the dotted key, source and line for: YAML syntax errors, unknown keys (with
// "did you mean '<nearest>'?" when one is close), values of the wrong type or range, duplicate keys, and
// unset environment variables. Values equal to null keep their defaults.
BenchmarkConfig load_config_text(std::string_view yaml, const std::string& source_name,
                                 std::vector<std::string>* warnings = nullptr);

// Reads `path` and parses it with load_config_text, naming the file in messages. Throws
// ie::Error(invalid_input) when the file cannot be read.
BenchmarkConfig load_config_file(const std::string& path, std::vector<std::string>* warnings = nullptr);

}  // namespace ie::config
