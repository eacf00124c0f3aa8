#include "cli/benchmark_runner.h"

#include <unistd.h>

#include <fmt/chrono.h>
#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <ctime>
#include <deque>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include "cli/live_dashboard.h"
#include "common/clock.h"
#include "common/error.h"
#include "common/tsc_clock.h"
#include "config/redact.h"
#include "config/yaml_writer.h"
#include "dataset/dataset.h"
#include "engine/engine.h"
#include "report/atomic_file.h"
#include "report/console_summary.h"
#include "report/progress.h"
#include "report/request_log.h"
#include "report/run_info.h"
#include "report/write_report.h"
#include "trace/recorder.h"

namespace ie::cli {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kRateWindowNs = 5 * kNsPerSec;
constexpr int64_t kPlainProgressEveryNs = 5 * kNsPerSec;

fs::path choose_report_dir(const config::BenchmarkConfig& config) {
  if (!config.output.report_dir.empty()) return config.output.report_dir;
  std::time_t now = std::time(nullptr);
  return fs::path("reports") / fmt::format("{}_{:%Y%m%d_%H%M%S}", config.name, fmt::localtime(now));
}

// Prints progress on stderr: one rewritten line on a terminal, a plain line every few seconds otherwise.
// Log lines clear the progress line first so the two never tear each other.
class ProgressPrinter {
 public:
  explicit ProgressPrinter(bool enabled) : enabled_(enabled), tty_(isatty(STDERR_FILENO) == 1) {}

  // While a full-screen dashboard owns the terminal: no progress line, log lines wait for release_logs().
  void hold_logs() {
    holding_ = true;
    enabled_ = false;
  }
  void release_logs() {
    holding_ = false;
    for (const std::string& line : held_) fmt::print(stderr, "{}\n", line);
    held_.clear();
  }

  void log(const std::string& line) {
    if (holding_) {
      held_.push_back(line);
      return;
    }
    if (line_shown_) fmt::print(stderr, "\r{:{}}\r", "", report::kProgressLineWidth);
    line_shown_ = false;
    fmt::print(stderr, "{}\n", line);
  }

  void update(const engine::ProgressTick& tick) {
    if (!enabled_) return;
    int64_t now = now_ns();
    if (tick.warmup != warmup_) {
      samples_.clear();
      warmup_ = tick.warmup;
    }
    uint64_t completed = tick.succeeded + tick.failed;
    samples_.push_back({now, completed});
    while (samples_.size() > 2 && now - samples_.front().at_ns > kRateWindowNs) samples_.pop_front();
    report::ProgressSnapshot snapshot;
    snapshot.warmup = tick.warmup;
    snapshot.draining = tick.draining;
    snapshot.elapsed_ns = tick.elapsed_ns;
    snapshot.completed = completed;
    snapshot.issued = completed + tick.in_flight;
    snapshot.errors = tick.failed;
    snapshot.total_requests = tick.expected_total;
    snapshot.planned_duration_ns = tick.planned_ns;
    if (samples_.size() >= 2 && now > samples_.front().at_ns) {
      snapshot.recent_rate_per_s = static_cast<double>(completed - samples_.front().completed) * 1e9 /
                                   static_cast<double>(now - samples_.front().at_ns);
    }
    if (tty_) {
      fmt::print(stderr, "\r{}", report::format_progress(snapshot, true));
      line_shown_ = true;
      if (tick.final) {
        fmt::print(stderr, "\n");
        line_shown_ = false;
      }
      return;
    }
    // A log shows when the drain begins, not up to one interval later.
    const bool drain_began = tick.draining && !drain_shown_;
    if (tick.final || drain_began || now - last_plain_ns_ >= kPlainProgressEveryNs) {
      last_plain_ns_ = now;
      drain_shown_ = tick.draining;
      fmt::print(stderr, "{}", report::format_progress(snapshot, false));
    }
  }

 private:
  struct Sample {
    int64_t at_ns;
    uint64_t completed;
  };
  bool enabled_;
  bool tty_;
  bool line_shown_ = false;
  bool drain_shown_ = false;
  bool holding_ = false;
  std::vector<std::string> held_;
  bool warmup_ = false;
  int64_t last_plain_ns_ = 0;
  std::deque<Sample> samples_;
};

std::string describe_load(const config::BenchmarkConfig& config) {
  switch (config.load_pattern.type) {
    case config::LoadPatternType::poisson:
      return fmt::format("poisson at {} QPS", config.load_pattern.target_qps);
    case config::LoadPatternType::concurrency:
      return fmt::format("concurrency {}", config.load_pattern.target_concurrency);
    case config::LoadPatternType::max_throughput:
      break;
  }
  return "offline (max throughput)";
}

std::string describe_length(const config::BenchmarkConfig& config, const dataset::Dataset& dataset) {
  std::string text;
  if (config.runtime.duration_ms > 0) text = fmt::format("{:.1f} s", config.runtime.duration_ms / 1000.0);
  if (config.runtime.n_samples) {
    text += fmt::format("{}{} requests", text.empty() ? "" : ", at most ", *config.runtime.n_samples);
  }
  if (text.empty()) text = fmt::format("{} requests (one pass over the dataset)", dataset.size());
  return text;
}

// The trace file: --trace-file, or <report dir>/trace.ietrace with -vvv; none otherwise.
std::unique_ptr<trace::Recorder> start_trace(const config::BenchmarkConfig& config,
                                             const fs::path& report_dir, ProgressPrinter& printer) {
  std::string path = config.output.trace_file;
  if (path.empty() && config.output.verbosity >= 3) path = (report_dir / "trace.ietrace").string();
  if (path.empty()) return nullptr;
  trace::RecorderOptions options;
  options.file_path = path;
  options.sample_one_in = config.output.trace_sample_one_in;
  options.drain_period = std::chrono::milliseconds(config.output.trace_period_ms);
  // 5 ms: ~10 ppm from the start; the workers refit it against their own clock readings as they run.
  options.tsc_ns_per_tick = TscClock::calibrate(5 * kNsPerMs);
  nlohmann::json endpoints = nlohmann::json::array();
  for (const auto& url : config.endpoint_config.endpoints) endpoints.push_back(config::redact_url(url));
  nlohmann::json metadata = {
      {"name", config.name},
      {"load", describe_load(config)},
      {"streaming", config.model_params.streaming},
      {"model", config.model_params.name},
      {"endpoints", endpoints},
  };
  options.metadata_json = metadata.dump();
  auto recorder = std::make_unique<trace::Recorder>(std::move(options));
  std::string sampling = config.output.trace_sample_one_in > 1
                             ? fmt::format(", 1 request in {}", config.output.trace_sample_one_in)
                             : "";
  printer.log(
      fmt::format("trace: recording to {}{} (live state in {})", path, sampling, recorder->live_dir_path()));
  return recorder;
}

// The LOADGEN panel's numbers: counts, rates and latencies so far from the engine's progress while running...
dashboard::Loadgen live_loadgen(const engine::ProgressTick& tick) {
  dashboard::Loadgen g;
  g.issued = tick.succeeded + tick.failed + tick.in_flight;
  g.completed = tick.succeeded;
  g.errors = tick.failed;
  g.duration_ns = tick.elapsed_ns;
  g.stopping = tick.interrupted;
  g.connections = dashboard::ConnectionCounts{
      .open = tick.open_connections, .busy = tick.in_flight, .connecting = tick.connecting};
  g.ttft = tick.latencies.ttft;
  g.tpot = tick.latencies.tpot;
  g.e2e = tick.latencies.e2e;
  return g;
}

dashboard::DistRow dist_row(const metrics::SeriesSummary& series) {
  dashboard::DistRow row;
  if (series.empty()) return row;
  row.n = series.count;
  row.avg_ns = series.avg;
  row.min_ns = static_cast<int64_t>(series.min);
  row.p50_ns = static_cast<int64_t>(series.percentile(50.0));
  row.p99_ns = static_cast<int64_t>(series.percentile(99.0));
  row.max_ns = static_cast<int64_t>(series.max);
  return row;
}

// ...and everything, latencies included, from the finished run's metrics (the report's own numbers).
dashboard::Loadgen final_loadgen(const metrics::RunMetrics& m) {
  dashboard::Loadgen g;
  g.final = true;
  g.issued = m.issued;
  g.completed = m.succeeded;
  g.errors = m.failed;
  g.duration_ns = m.tracked_duration_ns > 0 ? m.tracked_duration_ns : m.total_duration_ns;
  if (!m.output_tokens.empty()) g.output_tokens = m.output_tokens.total;
  g.ttft = dist_row(m.ttft_ns);
  g.tpot = dist_row(m.tpot_ns);
  g.e2e = dist_row(m.latency_ns);
  return g;
}

// The live screen for a traced run, or null: --dashboard, where auto means on with -vvv only.
std::unique_ptr<LiveDashboard> start_dashboard(const config::BenchmarkConfig& config,
                                               trace::Recorder& recorder, ProgressPrinter& printer) {
  const std::string& mode = config.output.dashboard;
  if (mode == "off" || (mode == "auto" && config.output.verbosity < 3)) return nullptr;
  bool tty = mode == "tty" || (mode == "auto" && isatty(STDOUT_FILENO) == 1);
  LiveDashboard::Mode screen_mode = mode == "json" ? LiveDashboard::Mode::json
                                    : tty          ? LiveDashboard::Mode::tty
                                                   : LiveDashboard::Mode::plain;
  auto screen =
      std::make_unique<LiveDashboard>(screen_mode, config.output.trace_sample_one_in,
                                      LiveDashboardOptions{.color = std::getenv("NO_COLOR") == nullptr});
  screen->attach(recorder);
  if (tty) printer.hold_logs();
  screen->start();
  return screen;
}

void finish_trace(trace::Recorder& recorder, bool interrupted, ProgressPrinter& printer) {
  recorder.finish(interrupted);
  printer.log("trace: " + trace::describe(recorder.stats()));
}

}  // namespace

int run_benchmark(const config::BenchmarkConfig& config) {
  ProgressPrinter printer(config.output.progress);
  dataset::Dataset dataset = dataset::Dataset::load(config.datasets.at(0));
  printer.log(fmt::format("dataset {}: {} prompts (column '{}')", config.datasets[0].path, dataset.size(),
                          dataset.prompt_column()));

  fs::path report_dir = choose_report_dir(config);
  report::prepare_report_dir(report_dir);  // a bad --report-dir fails now, not after the run

  std::unique_ptr<report::RequestLog> request_log;
  if (config.output.write_requests) {
    request_log = std::make_unique<report::RequestLog>(report_dir / "metrics" / "requests.jsonl", 0);
  }

  report::RunInfo info;
  info.config = &config;
  std::time_t started = std::time(nullptr);
  info.started_wall_time = fmt::format("{:%Y-%m-%d %H:%M:%S %z}", fmt::localtime(started));
  info.started_unix_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  int64_t started_ns = now_ns();

  printer.log(fmt::format("benchmark '{}': {}, {}, {}", config.name, describe_load(config),
                          describe_length(config, dataset),
                          config.model_params.streaming ? "streaming" : "not streaming"));
  engine::EngineHooks hooks;
  hooks.log = [&printer](const std::string& line) { printer.log(line); };
  if (request_log) {
    hooks.on_record = [&request_log](const metrics::RequestRecord& record, int64_t perf_start_ns) {
      request_log->set_perf_start(perf_start_ns);
      request_log->append(record);
    };
  }
  // Declared first so it outlives the recorder, whose destructor may still deliver a last pass to it.
  std::unique_ptr<LiveDashboard> screen;
  std::unique_ptr<trace::Recorder> recorder = start_trace(config, report_dir, printer);
  if (recorder) {
    hooks.trace_recorder = recorder.get();
    hooks.trace_sample_one_in = config.output.trace_sample_one_in;
    screen = start_dashboard(config, *recorder, printer);
  }
  hooks.progress = [&printer, &screen](const engine::ProgressTick& tick) {
    printer.update(tick);
    if (screen && !tick.warmup) screen->set_loadgen(live_loadgen(tick));
  };
  engine::EngineResult result = engine::run_engine(config, dataset, hooks);
  if (recorder) {
    finish_trace(*recorder, result.interrupt_signal != 0, printer);
    if (screen) {
      screen->set_loadgen(final_loadgen(result.metrics));
      screen->finish();
    }
    printer.release_logs();
  }

  info.duration_ns = now_ns() - started_ns;
  info.workers = static_cast<int>(result.workers);
  info.max_connections = static_cast<int>(result.max_connections);
  info.state = result.interrupt_signal != 0 ? report::RunState::interrupted : report::RunState::complete;
  info.interrupted_reason = result.stop_reason;
  const metrics::RunMetrics& metrics = result.metrics;
  if (metrics.issued > 0 && metrics.succeeded == 0 && info.state == report::RunState::complete) {
    info.state = report::RunState::failed;
  }

  report::write_report(report_dir, metrics, info, config::to_yaml(config));
  if (request_log) request_log->close();
  fmt::print("{}", report::render_console_summary(metrics, info));
  fmt::print("report: {}\n", report_dir.string());

  if (result.interrupt_signal != 0) return static_cast<int>(ExitCode::interrupted);
  if (info.state == report::RunState::failed) {
    fmt::print(stderr, "error: no request succeeded ({} failed); see the errors above\n", metrics.failed);
    return static_cast<int>(ExitCode::execution);
  }
  return 0;
}

}  // namespace ie::cli
