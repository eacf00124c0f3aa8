#pragma once
// Time values as users type them in flags and YAML: "30000" (ms), "30s", "5m", "1.5h", "600000ms".

#include <cstdint>
#include <optional>
#include <string_view>

namespace ie::config {

// A duration in whole milliseconds: a plain non-negative number means milliseconds; the suffixes ms, s, m and
// h pick another unit and may follow a decimal ("1.5s" = 1500). Sub-millisecond remainders are rounded to the
// nearest millisecond. Throws ie::Error(invalid_input) "<what>: '<text>' is not a duration (examples: 30000,
// 30s, 5m)" for negatives, empty text, garbage, unknown units or values that overflow uint64 milliseconds.
uint64_t parse_duration_ms(std::string_view text, std::string_view what);

// Like parse_duration_ms, but a plain number means seconds ("4", "0.5"), as in the Python tool's *_s and
// max_idle_time settings. A unit suffix still wins ("500ms").
uint64_t parse_seconds_as_ms(std::string_view text, std::string_view what);

// The same grammars without the exception, for callers that word their own message: nullopt when invalid.
std::optional<uint64_t> try_parse_duration_ms(std::string_view text);
std::optional<uint64_t> try_parse_seconds_as_ms(std::string_view text);

}  // namespace ie::config
