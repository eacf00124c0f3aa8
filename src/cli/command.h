#pragma once
// How subcommands plug into the root CLI: each registers its flags on the root app and, when CLI11 selects
// it, stores the action to run. main() parses, then runs the stored action and exits with what it returns.

#include <functional>

namespace CLI {
class App;
}

namespace ie::cli {

using Action = std::function<int()>;  // returns the process exit code (see common/error.h)

void add_benchmark_commands(CLI::App& root, Action& action);  // benchmark offline|online|from-config
void add_config_commands(CLI::App& root, Action& action);     // init TEMPLATE, validate-yaml -c FILE
void add_probe_command(CLI::App& root, Action& action);
void add_info_command(CLI::App& root, Action& action);
void add_serve_command(CLI::App& root, Action& action);   // the stub endpoint server
void add_trace_commands(CLI::App& root, Action& action);  // trace stats FILE, trace export FILE

int run(int argc, char** argv);

}  // namespace ie::cli
