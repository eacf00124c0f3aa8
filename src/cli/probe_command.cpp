// `probe`: a few requests, one at a time, to check that an endpoint answers like an OpenAI-compatible server
// before a long benchmark. Fails fast (exit 3) when the endpoint cannot be reached.

#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <memory>

#include "cli/command.h"
#include "common/clock.h"
#include "common/error.h"
#include "config/benchmark_config.h"
#include "dataset/dataset.h"
#include "engine/engine.h"

namespace ie::cli {
namespace {

struct ProbeOptions {
  std::vector<std::string> endpoints;
  std::string model;
  std::string api_type = "openai";
  std::string api_key;
  std::string prompt = "Reply with one short sentence: what is a load test?";
  uint32_t requests = 10;
  uint32_t max_output_tokens = 50;
  bool streaming = false;
};

config::BenchmarkConfig probe_config(const ProbeOptions& options) {
  config::BenchmarkConfig config;
  config.name = "probe";
  config.type = config::TestType::offline;
  config.model_params.name = options.model;
  config.model_params.max_output_tokens = options.max_output_tokens;
  config.model_params.streaming = options.streaming;
  config.runtime.n_samples = options.requests;
  config.runtime.drain_timeout_ms = 60'000;
  config.client.workers = 1;
  config.client.max_connections = 1;
  config.endpoint_config.endpoints = options.endpoints;
  config.endpoint_config.api_key = options.api_key;
  config.endpoint_config.api_type = options.api_type == "openai_completions"
                                        ? config::ApiType::openai_completions
                                        : config::ApiType::openai;
  return config;
}

int run_probe(const ProbeOptions& options) {
  if (options.requests == 0) fail_input("--requests must be at least 1, got 0");
  if (options.model.empty()) fail_input("--model must not be empty: servers route requests by it");
  config::BenchmarkConfig config = probe_config(options);
  dataset::Dataset prompts =
      dataset::Dataset::from_samples("probe", {dataset::Sample{options.prompt, "", ""}});
  engine::EngineHooks hooks;
  hooks.log = [](const std::string& line) { fmt::print(stderr, "{}\n", line); };
  engine::EngineResult result = engine::run_engine(config, prompts, hooks);
  const metrics::RunMetrics& m = result.metrics;
  fmt::print("probe: {} of {} requests succeeded\n", m.succeeded, m.issued);
  if (!m.latency_ns.empty()) {
    fmt::print("latency: avg {:.1f} ms, min {:.1f} ms, max {:.1f} ms\n", m.latency_ns.avg / 1e6,
               m.latency_ns.min / 1e6, m.latency_ns.max / 1e6);
  }
  if (!m.output_tokens.empty()) fmt::print("output tokens per reply: avg {:.1f}\n", m.output_tokens.avg);
  for (const auto& [kind, stats] : m.errors)
    fmt::print("error {} x{}: {}\n", kind, stats.count, stats.sample);
  if (result.interrupt_signal != 0) return static_cast<int>(ExitCode::interrupted);
  return m.succeeded == m.issued && m.issued > 0 ? 0 : static_cast<int>(ExitCode::execution);
}

}  // namespace

void add_probe_command(CLI::App& root, Action& action) {
  auto options = std::make_shared<ProbeOptions>();
  CLI::App* probe =
      root.add_subcommand("probe", "Send a few requests one at a time and show whether they succeed");
  probe->add_option("--endpoints", options->endpoints, "Endpoint base URL(s), e.g. http://127.0.0.1:8000")
      ->required()
      ->delimiter(',');
  probe->add_option("--model", options->model, "Model name sent in each request")->required();
  probe->add_option("--api-type", options->api_type, "openai (chat completions) or openai_completions")
      ->check(CLI::IsMember({"openai", "openai_completions"}))
      ->capture_default_str();
  probe->add_option("--api-key", options->api_key, "Bearer token (default: $OPENAI_API_KEY)");
  probe->add_option("--requests", options->requests, "How many requests to send")->capture_default_str();
  probe->add_option("--prompt", options->prompt, "Prompt text")->capture_default_str();
  probe->add_option("--max-output-tokens", options->max_output_tokens, "Token cap per reply")
      ->capture_default_str();
  probe->add_flag("--streaming", options->streaming, "Ask for SSE streams instead of whole JSON bodies");
  probe->callback([&action, options] {
    if (options->api_key.empty()) {
      if (const char* key = std::getenv("OPENAI_API_KEY")) options->api_key = key;
    }
    action = [options] { return run_probe(*options); };
  });
}

}  // namespace ie::cli
