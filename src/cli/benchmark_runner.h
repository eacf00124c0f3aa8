#pragma once

#include "config/benchmark_config.h"

namespace ie::cli {

// Runs a validated benchmark end to end: loads the dataset, checks the report directory, runs the engine with
// a live progress line, writes the report (also when interrupted) and prints the summary. Returns the exit
// code; setup failures surface as ie::Error.
int run_benchmark(const config::BenchmarkConfig& config);

}  // namespace ie::cli
