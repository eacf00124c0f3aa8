#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

#include "cli/command.h"
#include "common/error.h"
#include "common/version.h"
#include "engine/engine.h"

namespace ie::cli {

int run(int argc, char** argv) {
  // Before any thread exists, so every thread inherits the mask and the engine alone takes these signals.
  engine::block_termination_signals();

  CLI::App root("inference-endpoint: benchmark OpenAI-compatible LLM inference endpoints",
                "inference-endpoint");
  root.set_version_flag("--version", std::string(kVersion));
  root.require_subcommand(1);
  root.footer(
      "Exit codes: 0 ok, 1 failure, 2 invalid input, 3 setup error (endpoint, files), 4 run failed,\n"
      "130 interrupted (a report marked interrupted is still written).\n"
      "Quick start: inference-endpoint serve --port 8000 &  then\n"
      "  inference-endpoint benchmark offline --endpoints http://127.0.0.1:8000 --model m --dataset "
      "data.jsonl");
  Action action;
  add_benchmark_commands(root, action);
  add_probe_command(root, action);
  add_info_command(root, action);
  add_config_commands(root, action);
  add_serve_command(root, action);
  add_trace_commands(root, action);

  try {
    root.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = root.exit(e);
    return code == 0 ? 0 : static_cast<int>(ExitCode::invalid_input);
  } catch (const Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return static_cast<int>(e.code());
  }
  try {
    return action ? action() : 0;
  } catch (const Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return static_cast<int>(e.code());
  } catch (const std::exception& e) {
    std::cerr << "error: unexpected failure: " << e.what() << "\n";
    return static_cast<int>(ExitCode::failure);
  }
}

}  // namespace ie::cli
