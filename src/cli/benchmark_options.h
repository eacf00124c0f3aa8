#pragma once
// `benchmark offline | online | from-config`: the Python tool's flags -> one BenchmarkConfig (through the
// same config/schema table the YAML loader uses) -> resolve_and_validate -> run. add_benchmark_commands
// (cli/command.h) registers them with run_benchmark as the runner.

#include <functional>
#include <string>
#include <vector>

#include "cli/command.h"
#include "config/benchmark_config.h"

namespace ie::cli {

// What a selected subcommand does with its finished config; returns the exit code.
using ConfigRunner = std::function<int(const config::BenchmarkConfig&)>;

// Registers the `benchmark` command and its three subcommands on `root`. When one of them is selected,
// `action` is set to: build the config from the flags (or the YAML file plus overrides), resolve_and_validate
// it, then return runner(config). Building happens inside the action, so ie::Error reaches main's action
// handler. An unknown option is ie::Error(invalid_input) "benchmark online: unknown option '--worker'; did
// you mean '--workers'?". (add_benchmark_commands' runner also refuses a report path that runs into a file,
// exit 3, and removes the report directories a run created when it fails before writing any file.)
void register_benchmark_commands(CLI::App& root, Action& action, ConfigRunner runner);

// Parses a command line that starts with the word "benchmark" (for example {"benchmark", "online",
// "--endpoints", "http://h:8000", ...}) into the resolved, validated config that subcommand would run,
// without running anything. Throws ie::Error(invalid_input) for flag errors (CLI11's message) and invalid
// values.
config::BenchmarkConfig config_from_args(std::vector<std::string> args);

}  // namespace ie::cli
