// `trace stats FILE` and `trace export FILE --format chrome`: read a trace recorded with --trace-file / -vvv
// after the run, without a terminal UI.

#include <fmt/chrono.h>
#include <fmt/core.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <unistd.h>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cli/command.h"
#include "common/error.h"
#include "dashboard/model.h"
#include "dashboard/render.h"
#include "trace/chrome_export.h"
#include "trace/lifecycle.h"
#include "trace/stage_table.h"
#include "trace/trace_file.h"

namespace ie::cli {
namespace {

namespace fs = std::filesystem;

struct TraceOptions {
  std::string file;
  bool json = false;
  std::string format = "chrome";
  std::string output;
  bool no_color = false;
};

std::string wall_time(int64_t realtime_ns) {
  auto seconds = std::chrono::system_clock::time_point(std::chrono::seconds(realtime_ns / 1'000'000'000));
  return fmt::format("{:%Y-%m-%d %H:%M:%S}", fmt::localtime(std::chrono::system_clock::to_time_t(seconds)));
}

// Where the recording came from and whether it is whole; warnings go to stderr.
void print_provenance(const trace::TraceReader& reader, const std::string& path) {
  const trace::TraceHeader& header = reader.header();
  fmt::print("trace {}: format v{}, CLOCK_MONOTONIC, started {}", path, header.version,
             wall_time(header.anchor_realtime_ns));
  if (header.sample_one_in > 1) fmt::print(", 1 request in {} traced", header.sample_one_in);
  fmt::print("\n");
  if (!header.metadata_json.empty()) {
    nlohmann::json metadata = nlohmann::json::parse(header.metadata_json, nullptr, false);
    if (!metadata.is_discarded() && metadata.is_object()) {
      std::string load = metadata.value("load", "");
      std::string model = metadata.value("model", "");
      bool streaming = metadata.value("streaming", false);
      fmt::print("run: {} — {}, model {}, {}\n", metadata.value("name", "?"), load, model,
                 streaming ? "streaming" : "not streaming");
    }
  }
  const trace::TraceFooter* footer = reader.footer();
  if (footer == nullptr) {
    fmt::print("state: no footer — the recording was cut short (crash or kill); whole passes are shown\n");
  } else if (footer->interrupted) {
    fmt::print("state: the run was interrupted\n");
  }
  for (const std::string& warning : reader.warnings()) fmt::print(stderr, "warning: {}\n", warning);
}

int trace_stats(const TraceOptions& options) {
  trace::TraceReader reader(options.file);
  trace::StageTable table({.sample_one_in = reader.header().sample_one_in});
  trace::LifecycleAssembler assembler(table);
  std::vector<trace::Record> pass;
  while (reader.next_pass(pass)) assembler.feed_pass(pass);
  assembler.finish();
  if (options.json) {
    nlohmann::json out = trace::to_json(table, assembler.health());
    out["file"] = options.file;
    out["complete_file"] = reader.footer() != nullptr;
    out["warnings"] = reader.warnings();
    fmt::print("{}\n", out.dump(2));
    return 0;
  }
  print_provenance(reader, options.file);
  fmt::print("\n{}", trace::render_stage_table(table, assembler.health()));
  return 0;
}

// Replays the file through the dashboard's fold as fast as it reads and prints the final frame.
int trace_view(const TraceOptions& options) {
  trace::TraceReader reader(options.file);
  dashboard::DashboardFold fold(reader.header().sample_one_in);
  std::vector<trace::Record> pass;
  while (reader.next_pass(pass)) fold.feed_pass(pass);
  fold.finish();
  const trace::TraceHealth& health = fold.health();
  int64_t end_ns = health.perf_end_ns.value_or(health.last_ts_ns);
  dashboard::RenderOptions render;
  render.color = !options.no_color && isatty(STDOUT_FILENO) == 1 && std::getenv("NO_COLOR") == nullptr;
  fmt::print("{}", dashboard::render(fold.snapshot(end_ns), render));
  for (const std::string& warning : reader.warnings()) fmt::print(stderr, "warning: {}\n", warning);
  fmt::print("trace finished\n");
  return 0;
}

std::string default_export_path(const std::string& file) {
  fs::path path(file);
  if (path.extension() == ".ietrace") path.replace_extension();
  return path.string() + ".chrome.json";
}

int trace_export(const TraceOptions& options) {
  if (options.format != "chrome") {
    throw Error(ExitCode::invalid_input,
                fmt::format("--format {}: unknown export format (supported: chrome)", options.format));
  }
  trace::TraceReader reader(options.file);
  std::string output = options.output.empty() ? default_export_path(options.file) : options.output;
  std::string partial = output + ".partial";
  std::ofstream out(partial, std::ios::binary | std::ios::trunc);
  if (!out) {
    throw Error(ExitCode::setup, fmt::format("cannot write {}: {}", partial, std::strerror(errno)));
  }
  const trace::TraceHeader& header = reader.header();
  trace::ChromeExportInfo info;
  info.anchor_monotonic_ns = header.anchor_monotonic_ns;
  info.anchor_realtime_ns = header.anchor_realtime_ns;
  info.sample_one_in = header.sample_one_in;
  info.metadata_json = header.metadata_json;
  trace::write_chrome_trace(out, info,
                            [&reader](std::vector<trace::Record>& pass) { return reader.next_pass(pass); });
  out.close();
  if (!out) {
    std::remove(partial.c_str());
    throw Error(ExitCode::execution, fmt::format("writing {} failed (disk full?)", partial));
  }
  std::error_code error;
  fs::rename(partial, output, error);
  if (error)
    throw Error(ExitCode::execution,
                fmt::format("cannot rename {} to {}: {}", partial, output, error.message()));
  for (const std::string& warning : reader.warnings()) fmt::print(stderr, "warning: {}\n", warning);
  fmt::print("wrote {} ({:.1f} MB): open it in https://ui.perfetto.dev or chrome://tracing\n", output,
             static_cast<double>(fs::file_size(output)) / 1e6);
  return 0;
}

}  // namespace

void add_trace_commands(CLI::App& root, Action& action) {
  static TraceOptions options;
  CLI::App* trace = root.add_subcommand("trace", "Read a lifecycle trace recorded with --trace-file or -vvv");
  trace->require_subcommand(1);
  // Every trace subcommand takes the file as its positional and runs `run` on the parsed options.
  auto add_file_command = [&](const char* name, const char* help, int (*run)(const TraceOptions&)) {
    CLI::App* command = trace->add_subcommand(name, help);
    command->add_option("file", options.file, "Trace file (.ietrace)")->required()->check(CLI::ExistingFile);
    command->callback([&action, run] { action = [run] { return run(options); }; });
    return command;
  };

  CLI::App* stats = add_file_command(
      "stats",
      "Per-stage latency table (N/avg/min/p50/p99/max/%E2E), client/server/backpressure verdict, "
      "worker loop health and lost records",
      trace_stats);
  stats->add_flag("--json", options.json, "Print the same numbers as JSON");

  CLI::App* view = add_file_command(
      "view",
      "Replay a trace through the -vvv dashboard and print its final frame (request lifecycle, "
      "client/server/backpressure verdict and bar, backpressure causes, event-loop lag)",
      trace_view);
  view->add_flag("--no-color", options.no_color, "Plain text even on a terminal (also: NO_COLOR set)");

  CLI::App* exporter = add_file_command(
      "export",
      "Convert a trace for a viewer: chrome = Chrome trace-event JSON (Perfetto UI, chrome://tracing): one "
      "track per request with a slice per stage, per-worker counters for loop lag, busy %, in-flight and "
      "lost "
      "records",
      trace_export);
  exporter->add_option("--format", options.format, "Output format; default chrome")->type_name("chrome");
  exporter->add_option("-o,--output", options.output, "Output file; default <file>.chrome.json")
      ->type_name("PATH");
}

}  // namespace ie::cli
