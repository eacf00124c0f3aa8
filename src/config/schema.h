#pragma once
// The one table of settable config keys: YAML dotted key, the flag that sets the same value, and how its text
// is converted. The YAML loader, the flag parser and the validator all go through it, so a value typed in
// either place is converted, range-checked and described the same way.

#include <string>
#include <string_view>
#include <vector>

#include "config/benchmark_config.h"

namespace ie::config {

// Key patterns are dotted YAML paths; keys of a dataset entry appear under "datasets[]." (for example
// "datasets[].parser.prompt"), and "datasets" itself is the list of entries.
enum class KeyKind {
  unknown,       // not a key of the schema
  value,         // a scalar leaf
  list,          // a list of scalars (endpoint_config.endpoints)
  dataset_list,  // the datasets list of mappings
  section,       // a mapping of further keys
  ignored,       // a Python key with no effect here: accepted with a warning (a whole subtree when a section)
};

// What the pattern key is; `pattern` has no list indices ("datasets[].path", not "datasets[0].path").
KeyKind key_kind(std::string_view pattern);

// The names directly below a section pattern ("" = top level), for "did you mean" suggestions.
std::vector<std::string_view> child_names(std::string_view section);

// Sets the value at a top-level key (not under datasets) from its text as typed in YAML or on the command
// line, and records `where` ("file.yaml:12" or the flag, "--workers") in config.origins. A list key appends
// one item (origin key "endpoint_config.endpoints[N]"). Throws ie::Error(invalid_input) "<label>: expected a
// number, got 'fast'" (label from value_label) for text of the wrong type or range, and for values that name
// a Python feature not supported yet (type: submission, load_pattern: burst, api_type: sglang, ...).
void set_field(BenchmarkConfig& config, std::string_view key, std::string_view text, std::string_view where);

// Sets a dataset-entry key ("path", "parser.prompt", "samples", "name", "type", "format"). Throws
// ie::Error(invalid_input) "<label>: ..." for a bad value; "type: accuracy" and formats other than .jsonl are
// reported as not supported yet.
void set_dataset_field(DatasetConfig& dataset, std::string_view key, std::string_view text,
                       std::string_view label);

// The flag that sets the same value as a key, "" when there is none. Accepts concrete keys with indices.
std::string_view flag_for_key(std::string_view key);

// "--target-qps / settings.load_pattern.target_qps", or just the key when no flag sets it.
std::string describe_key(std::string_view key);

// How a message refers to a value: the flag itself when `where` is a flag ("--workers"), otherwise
// "<key> at <where>" ("settings.client.num_workers at run.yaml:7"), or the key alone when `where` is empty.
std::string value_label(std::string_view key, std::string_view where);

}  // namespace ie::config
