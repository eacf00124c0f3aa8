#pragma once
// The spelling of each config enum in YAML, flags and messages (the Python tool's values), both ways.

#include <optional>
#include <string_view>

#include "config/benchmark_config.h"

namespace ie::config {

std::string_view to_string(TestType type);         // "offline" | "online"
std::string_view to_string(LoadPatternType type);  // "max_throughput" | "poisson" | "concurrency"
std::string_view to_string(ApiType type);          // "openai" | "openai_completions"
std::string_view to_string(StreamingMode mode);    // "auto" | "on" | "off"

// Exact, case-sensitive matches of the spellings above; nullopt for anything else.
std::optional<TestType> parse_test_type(std::string_view text);
std::optional<LoadPatternType> parse_load_pattern_type(std::string_view text);
std::optional<ApiType> parse_api_type(std::string_view text);
// Also accepts true/false, because YAML users write `streaming: true`.
std::optional<StreamingMode> parse_streaming_mode(std::string_view text);

}  // namespace ie::config
