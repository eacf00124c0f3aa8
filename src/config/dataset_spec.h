#pragma once
// The --dataset flag's mini-grammar: [perf:|acc:]PATH[,key=value]*, e.g.
//   --dataset prompts.jsonl,parser.prompt=text_input,samples=500

#include <string_view>

#include "config/benchmark_config.h"

namespace ie::config {

// Parses one --dataset value. Keys: parser.prompt, parser.system, samples, format, name. The "perf:" prefix
// is optional (performance is the default). Throws ie::Error(invalid_input) "--dataset '<spec>': ..." for an
// empty path, "acc:" (accuracy datasets are not supported yet), "key:value" (with a hint to write key=value),
// an unknown key (named, with the nearest valid one), a repeated key, or a bad value.
DatasetConfig parse_dataset_spec(std::string_view spec);

}  // namespace ie::config
