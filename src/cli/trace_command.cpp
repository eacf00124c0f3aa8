// `trace stats FILE`, `trace view FILE` and `trace export FILE --format chrome`: read a trace recorded with
// --trace-file / -vvv after the run.

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
#include "cli/live_dashboard.h"
#include "common/clock.h"
#include "common/error.h"
#include "dashboard/model.h"
#include "dashboard/render.h"
#include "engine/engine.h"
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
  double speed = 0;  // view: replay pace, 1 = real time; 0 = as fast as it reads
};

std::string wall_time(int64_t realtime_ns) {
  auto seconds = std::chrono::system_clock::time_point(std::chrono::seconds(realtime_ns / 1'000'000'000));
  return fmt::format("{:%Y-%m-%d %H:%M:%S}", fmt::localtime(std::chrono::system_clock::to_time_t(seconds)));
}

// Where the recording came from and whether it is whole; warnings go to stderr.
void print_provenance(const trace::TraceReader& reader, const std::string& path) {
  const trace::TraceHeader& header = reader.header();
  fmt::print("trace {}: format v{}, CLOCK_MONOTONIC{}, started {}", path, header.version,
             header.tsc_ns_per_tick > 0
                 ? fmt::format(" (trace-only readings via a {:.3f} GHz TSC)", 1 / header.tsc_ns_per_tick)
                 : "",
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

bool color_wanted(const TraceOptions& options) {
  return !options.no_color && isatty(STDOUT_FILENO) == 1 && std::getenv("NO_COLOR") == nullptr;
}

// As fast as it reads: only the final frame. Ctrl-C between passes stops it (exit 130, nothing printed).
int view_at_once(trace::TraceReader& reader, const TraceOptions& options) {
  dashboard::DashboardFold fold(reader.header().sample_one_in);
  std::vector<trace::Record> pass;
  while (reader.next_pass(pass)) {
    fold.feed_pass(pass);
    if (engine::wait_termination_signal(0) != 0) return static_cast<int>(ExitCode::interrupted);
  }
  fold.finish();
  const trace::TraceHealth& health = fold.health();
  int64_t end_ns = health.perf_end_ns.value_or(health.last_ts_ns);
  dashboard::RenderOptions render;
  render.color = color_wanted(options);
  fmt::print("{}", dashboard::render(fold.snapshot(end_ns), render));
  for (const std::string& warning : reader.warnings()) fmt::print(stderr, "warning: {}\n", warning);
  fmt::print("trace finished\n");
  return 0;
}

// At `speed` times the recorded pace, drawn like the live run (the screen on a terminal, else plain frames
// every 5 s): each pass is folded when the replay clock reaches its last record. Ctrl-C stops the replay and
// prints the frame as of that moment.
int view_paced(trace::TraceReader& reader, const TraceOptions& options) {
  std::vector<trace::Record> pass;
  if (!reader.next_pass(pass)) return view_at_once(reader, options);  // empty: nothing to pace
  auto last_ts = [](const std::vector<trace::Record>& records) {
    int64_t last = records.front().ts_ns;
    for (const trace::Record& r : records) last = std::max(last, r.ts_ns);
    return last;
  };
  int64_t trace_origin_ns = pass.front().ts_ns;
  for (const trace::Record& r : pass) trace_origin_ns = std::min(trace_origin_ns, r.ts_ns);
  const int64_t wall_origin_ns = now_ns();
  const double speed = options.speed;
  const auto trace_now = [=] {
    return trace_origin_ns + static_cast<int64_t>(static_cast<double>(now_ns() - wall_origin_ns) * speed);
  };
  const bool tty = isatty(STDOUT_FILENO) == 1;
  LiveDashboard screen(tty ? LiveDashboard::Mode::tty : LiveDashboard::Mode::plain,
                       reader.header().sample_one_in,
                       LiveDashboardOptions{.color = color_wanted(options), .clock = trace_now});
  fmt::print(stderr, "replaying {} at {}x the recorded pace; Ctrl-C stops\n", options.file, speed);
  screen.start();
  int signal = 0;
  do {
    const int64_t due_ns =
        wall_origin_ns + static_cast<int64_t>(static_cast<double>(last_ts(pass) - trace_origin_ns) / speed);
    // Waiting for a signal is the pacing sleep, so Ctrl-C is taken at once.
    if (const int64_t wait_ns = due_ns - now_ns(); wait_ns > 0)
      signal = engine::wait_termination_signal(wait_ns);
    if (signal == 0) screen.feed_pass(pass);
  } while (signal == 0 && reader.next_pass(pass));
  screen.finish();
  for (const std::string& warning : reader.warnings()) fmt::print(stderr, "warning: {}\n", warning);
  if (signal != 0) {
    fmt::print(stderr, "replay interrupted\n");
    return static_cast<int>(ExitCode::interrupted);
  }
  return 0;
}

int trace_view(const TraceOptions& options) {
  trace::TraceReader reader(options.file);
  return options.speed > 0 ? view_paced(reader, options) : view_at_once(reader, options);
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
  info.tsc_ns_per_tick = header.tsc_ns_per_tick;
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
      "Replay a trace through the -vvv dashboard (request lifecycle, client/server/backpressure verdict "
      "and bar, backpressure causes, event-loop lag): at once to its final frame, or paced with "
      "--realtime / --speed",
      trace_view);
  view->add_flag("--no-color", options.no_color, "Plain text even on a terminal (also: NO_COLOR set)");
  CLI::Option* realtime = view->add_flag_callback(
      "--realtime", [] { options.speed = 1; },
      "Replay at the recorded pace, drawn as during the run (the live screen on a terminal, plain "
      "frames every 5 s otherwise); Ctrl-C stops it");
  view->add_option("--speed", options.speed,
                   "Replay at this multiple of the recorded pace (2 = twice as fast); implies a paced replay")
      ->check(CLI::PositiveNumber)
      ->type_name("FACTOR")
      ->excludes(realtime);

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
