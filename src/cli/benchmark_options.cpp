#include "cli/benchmark_options.h"

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <set>

#include "cli/benchmark_runner.h"
#include "common/error.h"
#include "config/dataset_spec.h"
#include "config/schema.h"
#include "config/suggest.h"
#include "config/validate.h"
#include "config/yaml_loader.h"

namespace ie::cli {

namespace {

enum Modes : unsigned { kOffline = 1, kOnline = 2, kBoth = kOffline | kOnline };

// A value flag that sets one YAML key through config/schema, so it is converted and described like YAML.
struct ValueFlag {
  const char* names;  // CLI11 spelling, aliases separated by commas
  const char* key;    // YAML dotted key
  const char* type;   // placeholder shown in --help
  const char* help;   // what it does, its unit and its default
  unsigned modes;
};

// clang-format off
constexpr ValueFlag kValueFlags[] = {
  {"--model", "model_params.name", "NAME", "Model name, sent as \"model\" (required)", kBoth},
  {"--api-type", "endpoint_config.api_type", "TYPE",
   "openai (/v1/chat/completions) or openai_completions (/v1/completions); default openai", kBoth},
  {"--api-key", "endpoint_config.api_key", "KEY",
   "Sent as \"Authorization: Bearer <key>\"; default $OPENAI_API_KEY when set, else none. Never printed", kBoth},
  {"--streaming", "model_params.streaming", "MODE",
   "auto|on|off; default auto = off for offline, on for online (TTFT/TPOT need on)", kBoth},
  {"--max-output-tokens,--model-params.max-new-tokens", "model_params.max_new_tokens", "TOKENS",
   "Output token limit per request (max_completion_tokens / max_tokens); default 1024", kBoth},
  {"--temperature,--model-params.temperature", "model_params.temperature", "FLOAT",
   "Sampling temperature sent to the server; default: not sent", kBoth},
  {"--model-params.top-p", "model_params.top_p", "FLOAT", "top_p sent to the server; default: not sent", kBoth},
  {"--model-params.top-k", "model_params.top_k", "INT", "top_k sent to the server; default: not sent", kBoth},
  {"--seed,--model-params.seed", "model_params.seed", "INT", "Sampling seed sent to the server; default: not sent", kBoth},
  {"--load-pattern", "settings.load_pattern.type", "PATTERN",
   "poisson (open loop at --target-qps) or concurrency (closed loop at --concurrency); required", kOnline},
  {"--target-qps", "settings.load_pattern.target_qps", "QPS",
   "Mean request rate in requests/s for --load-pattern poisson (required there, > 0)", kOnline},
  {"--concurrency", "settings.load_pattern.target_concurrency", "N",
   "Requests kept in flight for --load-pattern concurrency (required there, > 0)", kOnline},
  {"--duration", "settings.runtime.min_duration_ms", "DURATION",
   "Keep issuing for this long, then drain in-flight requests: ms, or with a unit (90s, 10m, 1h); "
   "default 0 = not timed", kBoth},
  {"--num-samples", "settings.runtime.n_samples_to_issue", "N",
   "Number of requests to issue (cap); default: one pass over the dataset when --duration is not set", kBoth},
  {"--runtime.max-duration-ms", "settings.runtime.max_duration_ms", "DURATION",
   "Hard cap on the performance phase in ms (or 10s/5m): in-flight requests are abandoned; default 0 = none",
   kBoth},
  {"--runtime.scheduler-random-seed", "settings.runtime.scheduler_random_seed", "SEED",
   "Seed of the Poisson arrival times; default 42", kBoth},
  {"--runtime.dataloader-random-seed", "settings.runtime.dataloader_random_seed", "SEED",
   "Seed of the sample order; default 42", kBoth},
  {"--workers,--num-workers", "settings.client.num_workers", "N",
   "Worker threads; default -1 = one per core", kBoth},
  {"--max-connections", "settings.client.max_connections", "N",
   "Connection pool size across all workers; default -1 = --concurrency for concurrency runs, else 1024; "
   "always capped by the open-file limit and the ephemeral port range", kBoth},
  {"--max-concurrent-warmup-connects", "settings.client.max_concurrent_warmup_connects", "N",
   "TCP connects in flight at once, across workers; default 128", kBoth},
  {"--max-idle-time,--client.max-idle-time", "settings.client.max_idle_time", "SECONDS",
   "How long an idle pooled connection may wait for reuse, in seconds (or 500ms, 1m); default 4", kBoth},
  {"--request-timeout", "settings.client.request_timeout", "SECONDS",
   "Fail a request not fully answered this long after it was sent (or 500ms, 2m); default 0 = no limit",
   kBoth},
  {"--stall-timeout", "settings.client.stall_timeout", "SECONDS",
   "Fail a request when the server sends no byte for this long, before or during the response; default 0 = "
   "no limit",
   kBoth},
  {"--warmup-requests", "settings.warmup.n_requests", "N",
   "Requests in the warmup phase (with --warmup); default: one pass over the dataset", kBoth},
  {"--performance-drain-timeout", "settings.drain.performance_timeout_s", "SECONDS",
   "Wait for in-flight requests after issuing stops, in seconds (or 30s, 2m); default 240", kBoth},
  {"--report-dir", "report_dir", "DIR", "Report directory; default reports/<name>_<YYYYmmdd_HHMMSS>", kBoth},
};
// clang-format on

constexpr const char* kRunLengthFooter =
    "Run length: --duration keeps issuing requests for that long, then waits for the in-flight ones (at "
    "most\n"
    "--performance-drain-timeout). --num-samples caps the number of requests. With neither, the run is one "
    "pass\n"
    "over the dataset. --runtime.max-duration-ms is a hard cap that abandons in-flight requests.";

// Flags that only shape output; shared by all three subcommands.
struct OutputFlags {
  bool requests_log = false;
  bool no_progress = false;
  int verbosity = 0;
  std::string trace_file;
  uint32_t trace_sample_one_in = 1;
  uint32_t trace_period_ms = 5;
  std::string dashboard = "auto";

  void add_to(CLI::App& app) {
    app.add_flag(
        "--requests-log", requests_log,
        "Also write metrics/requests.jsonl, one line per request (timings, status, tokens); default off");
    app.add_flag("--no-progress", no_progress, "No live progress line; default: progress on");
    app.add_flag("-v,--verbose", verbosity,
                 "More setup detail on stderr, -vv for debug detail, -vvv also records a lifecycle trace "
                 "(<report dir>/trace.ietrace); default: quiet");
    app.add_option("--trace-file", trace_file,
                   "Record every request's lifecycle events and the workers' loop lag into this file (see "
                   "`trace stats` / `trace export`); default: none, or <report dir>/trace.ietrace with -vvv")
        ->type_name("PATH");
    app.add_option("--trace-sample", trace_sample_one_in,
                   "Trace 1 request in N (every event of a traced request is kept); default 1 = all")
        ->type_name("N")
        ->check(CLI::Range(1u, 1u << 30));
    app.add_option("--trace-period-ms", trace_period_ms,
                   "How often the trace recorder drains the threads' trace rings: every pass costs a "
                   "wake-up, a longer period leaves the records to cool in memory; default 5")
        ->type_name("MS")
        ->check(CLI::Range(1u, 100u));
    app.add_option(
           "--dashboard", dashboard,
           "Live trace dashboard while tracing: tty = full screen, redrawn 3x a second; plain = a frame "
           "every 5 s (logs, CI); json = one JSON object per line every 5 s, the last one final; off; "
           "default auto = tty on a terminal with -vvv, plain otherwise with -vvv, off with only "
           "--trace-file")
        ->type_name("auto|tty|plain|json|off")
        ->check(CLI::IsMember({"auto", "tty", "plain", "json", "off"}));
  }

  void apply(config::BenchmarkConfig& config) const {
    config.output.write_requests = config.output.write_requests || requests_log;
    if (no_progress) config.output.progress = false;
    config.output.verbosity = std::max(config.output.verbosity, verbosity);
    if (!trace_file.empty()) config.output.trace_file = trace_file;
    config.output.trace_sample_one_in = trace_sample_one_in;
    config.output.trace_period_ms = trace_period_ms;
    config.output.dashboard = dashboard;
  }
};

// The flags of `benchmark offline` / `benchmark online`, kept alive by the subcommand's callback.
struct FlagSet {
  config::TestType type;
  std::vector<std::pair<CLI::Option*, const char*>> values;  // option, YAML key
  CLI::Option* endpoints = nullptr;
  CLI::Option* datasets = nullptr;
  CLI::Option* warmup = nullptr;
  bool warmup_enabled = false;
  OutputFlags output;

  config::BenchmarkConfig build() const;
};

// CLI11 says "The following arguments were not expected: 2 --worker" for a misspelled flag. Extras are
// allowed through parsing so this can name the flag and suggest the nearest real one instead.
void reject_extras(const CLI::App& sub) {
  std::vector<std::string> extras = sub.remaining();
  if (extras.empty()) return;
  std::string command = fmt::format("benchmark {}", sub.get_name());
  auto flag =
      std::find_if(extras.begin(), extras.end(), [](const std::string& e) { return e.starts_with('-'); });
  if (flag == extras.end()) {
    fail_input(
        fmt::format("{}: unexpected argument '{}' (options are --name VALUE)", command, extras.front()));
  }
  std::string typed = flag->substr(0, flag->find('='));
  std::vector<std::string> names;
  for (const CLI::Option* option : sub.get_options()) {
    for (const std::string& name : option->get_lnames()) names.push_back("--" + name);
  }
  std::vector<std::string_view> candidates(names.begin(), names.end());
  std::string suggestion = config::nearest(typed, candidates);
  if (!suggestion.empty()) {
    fail_input(fmt::format("{}: unknown option '{}'; did you mean '{}'?", command, typed, suggestion));
  }
  fail_input(
      fmt::format("{}: unknown option '{}' (see inference-endpoint {} --help)", command, typed, command));
}

std::string trim(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return {};
  size_t end = text.find_last_not_of(" \t");
  return std::string(text.substr(begin, end - begin + 1));
}

config::BenchmarkConfig FlagSet::build() const {
  config::BenchmarkConfig config;
  config.type = type;
  for (const std::string& value : endpoints->results()) {
    // --endpoints a,b and --endpoints a --endpoints b both give two URLs.
    for (size_t begin = 0; begin <= value.size();) {
      size_t comma = std::min(value.find(',', begin), value.size());
      std::string url = trim(std::string_view(value).substr(begin, comma - begin));
      if (!url.empty()) config::set_field(config, "endpoint_config.endpoints", url, "--endpoints");
      begin = comma + 1;
    }
  }
  for (const std::string& spec : datasets->results()) {
    config.origins[fmt::format("datasets[{}]", config.datasets.size())] = "--dataset";
    config.datasets.push_back(config::parse_dataset_spec(spec));
  }
  for (const auto& [option, key] : values) {
    for (const std::string& value : option->results()) {
      config::set_field(config, key, value, option->get_name());
    }
  }
  if (warmup->count() > 0) {
    config::set_field(config, "settings.warmup.enabled", warmup_enabled ? "true" : "false", "--warmup");
  }
  if (config.endpoint_config.api_key.empty()) {
    if (const char* key = std::getenv("OPENAI_API_KEY"); key != nullptr && *key != '\0') {
      config::set_field(config, "endpoint_config.api_key", key, "$OPENAI_API_KEY");
    }
  }
  output.apply(config);
  config::resolve_and_validate(config);
  return config;
}

void add_flag_subcommand(CLI::App& benchmark, Action& action, const ConfigRunner& runner,
                         config::TestType type) {
  bool online = type == config::TestType::online;
  CLI::App* sub = benchmark.add_subcommand(
      online ? "online" : "offline",
      online
          ? "Online benchmark: requests arrive at --target-qps (poisson) or keep --concurrency in flight"
          : "Offline benchmark: issue every request as fast as the endpoint accepts them (max_throughput)");
  sub->footer(kRunLengthFooter);
  auto flags = std::make_shared<FlagSet>();
  flags->type = type;
  flags->endpoints = sub->add_option("--endpoints",
                                     "Endpoint base URL(s), http://host:port[/base]; repeatable or "
                                     "comma-separated (required)")
                         ->type_name("URL")
                         ->required()
                         ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  flags->datasets =
      sub->add_option("--dataset",
                      "[perf:]PATH[,parser.prompt=COL][,parser.system=COL][,samples=N][,name=NAME]: "
                      "a JSONL file, one object per line (required)")
          ->type_name("SPEC")
          ->required()
          ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  for (const ValueFlag& flag : kValueFlags) {
    if ((flag.modes & (online ? kOnline : kOffline)) == 0) continue;
    CLI::Option* option = sub->add_option(flag.names, flag.help)->type_name(flag.type);
    if (online && std::string_view(flag.names) == "--load-pattern") option->required();
    flags->values.emplace_back(option, flag.key);
  }
  flags->warmup = sub->add_flag("--warmup,!--no-warmup", flags->warmup_enabled,
                                "Run an untracked warmup phase before the measured one; default off");
  flags->output.add_to(*sub);
  sub->allow_extras();
  sub->callback([flags, sub, &action, runner] {
    action = [flags, sub, runner] {
      reject_extras(*sub);
      return runner(flags->build());
    };
  });
}

void add_from_config_subcommand(CLI::App& benchmark, Action& action, const ConfigRunner& runner) {
  CLI::App* sub = benchmark.add_subcommand("from-config", "Run the benchmark a YAML config file describes");
  sub->footer(kRunLengthFooter);
  struct Flags {
    std::string path;
    CLI::Option* report_dir = nullptr;
    OutputFlags output;
  };
  auto flags = std::make_shared<Flags>();
  sub->add_option("-c,--config", flags->path, "YAML config file (see `init` for templates)")->required();
  flags->report_dir = sub->add_option("--report-dir", "Report directory; overrides report_dir from the file");
  flags->output.add_to(*sub);
  sub->allow_extras();
  sub->callback([flags, sub, &action, runner] {
    action = [flags, sub, runner] {
      reject_extras(*sub);
      config::BenchmarkConfig config = config::load_config_file(flags->path);
      for (const std::string& dir : flags->report_dir->results()) {
        config::set_field(config, "report_dir", dir, "--report-dir");
      }
      flags->output.apply(config);
      config::resolve_and_validate(config);
      return runner(config);
    };
  });
}

namespace fs = std::filesystem;

// The report directory is created before the engine checks the endpoint (the runner's order), so a run that
// fails in setup would leave an empty skeleton behind. This remembers what did not exist before the run and
// removes what the run created, as long as no file was written into it.
class ReportDirLeftovers {
 public:
  explicit ReportDirLeftovers(const config::BenchmarkConfig& config) {
    if (config.output.report_dir.empty()) {
      // The default reports/<name>_<time>: the runner picks the exact name, so watch reports/ for new ones.
      watched_ = "reports";
      prefix_ = config.name + "_";
      std::error_code ec;
      for (const auto& entry : fs::directory_iterator(watched_, ec)) before_.insert(entry.path());
      if (ec) created_ = watched_;
      return;
    }
    for (fs::path p = config.output.report_dir; !p.empty(); p = p.parent_path()) {
      std::error_code ec;
      if (fs::exists(p, ec) || ec) break;
      created_ = p;
      if (p == p.parent_path()) break;
    }
  }

  void remove() const {
    if (!created_.empty()) remove_if_empty(created_);
    if (watched_.empty() || !created_.empty()) return;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(watched_, ec)) {
      const fs::path& path = entry.path();
      if (!before_.contains(path) && path.filename().string().starts_with(prefix_)) remove_if_empty(path);
    }
  }

 private:
  // Removes `dir` when it holds directories only: a file in it is someone's output and stays.
  static void remove_if_empty(const fs::path& dir) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      if (!it->is_directory(ec)) return;
    }
    if (!ec) fs::remove_all(dir, ec);
  }

  fs::path created_;  // topmost directory of the report path that did not exist; empty = none
  fs::path watched_;  // "reports" for the default report dir
  std::string prefix_;
  std::set<fs::path> before_;
};

// A report path that runs into a file fails with "Not a directory" only after the dataset is loaded; say
// which component is the file, before anything else happens.
void check_report_dir(const config::BenchmarkConfig& config) {
  fs::path dir = config.output.report_dir.empty() ? fs::path("reports") : fs::path(config.output.report_dir);
  for (fs::path p = dir; !p.empty(); p = p.parent_path()) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) return;
    if (fs::exists(p, ec)) {
      fail_setup(fmt::format("cannot use report directory '{}': '{}' is a file, not a directory",
                             dir.string(), p.string()));
    }
    if (p == p.parent_path()) return;
  }
}

int run_leaving_nothing_on_failure(const config::BenchmarkConfig& config) {
  check_report_dir(config);
  ReportDirLeftovers leftovers(config);
  try {
    return run_benchmark(config);
  } catch (...) {
    leftovers.remove();
    throw;
  }
}

}  // namespace

void register_benchmark_commands(CLI::App& root, Action& action, ConfigRunner runner) {
  CLI::App* benchmark =
      root.add_subcommand("benchmark", "Benchmark an endpoint: offline, online or from-config");
  benchmark->require_subcommand(1);
  add_flag_subcommand(*benchmark, action, runner, config::TestType::offline);
  add_flag_subcommand(*benchmark, action, runner, config::TestType::online);
  add_from_config_subcommand(*benchmark, action, runner);
}

void add_benchmark_commands(CLI::App& root, Action& action) {
  register_benchmark_commands(root, action, run_leaving_nothing_on_failure);
}

config::BenchmarkConfig config_from_args(std::vector<std::string> args) {
  CLI::App root("config_from_args", "inference-endpoint");
  Action action;
  config::BenchmarkConfig result;
  register_benchmark_commands(root, action, [&result](const config::BenchmarkConfig& config) {
    result = config;
    return 0;
  });
  std::reverse(args.begin(), args.end());  // CLI11 consumes the vector from the back
  try {
    root.parse(args);
  } catch (const CLI::ParseError& error) {
    throw Error(ExitCode::invalid_input, error.what());
  }
  if (!action) throw Error(ExitCode::invalid_input, "no benchmark subcommand selected");
  action();
  return result;
}

}  // namespace ie::cli
