#include "cli/benchmark_options.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <CLI/CLI.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "../config/error_text.h"

namespace ie::cli {
namespace {

using ie::testing::invalid_input_message;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace ie::config;

// Keeps OPENAI_API_KEY out of the tests that do not set it on purpose.
class BenchmarkOptions : public ::testing::Test {
 protected:
  void SetUp() override { ::unsetenv("OPENAI_API_KEY"); }
  void TearDown() override { ::unsetenv("OPENAI_API_KEY"); }
};

std::vector<std::string> offline_args(std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"benchmark", "offline", "--endpoints", "http://127.0.0.1:8000",
                                   "--model",   "m",       "--dataset",   "data/prompts.jsonl"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

std::vector<std::string> online_args(std::vector<std::string> extra) {
  std::vector<std::string> args = {"benchmark", "online", "--endpoints", "http://127.0.0.1:8000",
                                   "--model",   "m",      "--dataset",   "data/prompts.jsonl"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

TEST_F(BenchmarkOptions, OfflineMinimalCommandLineGivesResolvedDefaults) {
  BenchmarkConfig c = config_from_args(offline_args());
  EXPECT_EQ(c.type, TestType::offline);
  EXPECT_EQ(c.name, "offline_benchmark");
  EXPECT_EQ(c.load_pattern.type, LoadPatternType::max_throughput);
  EXPECT_THAT(c.endpoint_config.endpoints, ElementsAre("http://127.0.0.1:8000"));
  EXPECT_EQ(c.model_params.name, "m");
  ASSERT_EQ(c.datasets.size(), 1u);
  EXPECT_EQ(c.datasets[0].path, "data/prompts.jsonl");
  EXPECT_EQ(c.datasets[0].name, "prompts");
  EXPECT_FALSE(c.model_params.streaming);
  EXPECT_EQ(c.runtime.duration_ms, 0u);
  EXPECT_EQ(c.runtime.n_samples, std::nullopt);
  EXPECT_EQ(c.endpoint_config.api_key, "");
  EXPECT_TRUE(c.output.progress);
  EXPECT_EQ(c.output.verbosity, 0);
}

TEST_F(BenchmarkOptions, OfflineFlagsLandInTheirFields) {
  BenchmarkConfig c = config_from_args(offline_args({"--api-type",
                                                     "openai_completions",
                                                     "--streaming",
                                                     "on",
                                                     "--workers",
                                                     "4",
                                                     "--max-connections",
                                                     "64",
                                                     "--duration",
                                                     "10s",
                                                     "--num-samples",
                                                     "500",
                                                     "--runtime.max-duration-ms",
                                                     "5m",
                                                     "--runtime.scheduler-random-seed",
                                                     "3",
                                                     "--runtime.dataloader-random-seed",
                                                     "9",
                                                     "--max-output-tokens",
                                                     "128",
                                                     "--report-dir",
                                                     "out/r1",
                                                     "--api-key",
                                                     "sk-1",
                                                     "--warmup",
                                                     "--warmup-requests",
                                                     "20",
                                                     "--performance-drain-timeout",
                                                     "30",
                                                     "--max-idle-time",
                                                     "1.5",
                                                     "--max-concurrent-warmup-connects",
                                                     "16",
                                                     "--temperature",
                                                     "0.5",
                                                     "--seed",
                                                     "11",
                                                     "--requests-log",
                                                     "--no-progress",
                                                     "-vv"}));
  EXPECT_EQ(c.endpoint_config.api_type, ApiType::openai_completions);
  EXPECT_TRUE(c.model_params.streaming);
  EXPECT_EQ(c.client.workers, 4);
  EXPECT_EQ(c.client.max_connections, 64);
  EXPECT_EQ(c.runtime.duration_ms, 10'000u);
  EXPECT_EQ(c.runtime.n_samples, 500u);
  EXPECT_EQ(c.runtime.max_duration_ms, 300'000u);
  EXPECT_EQ(c.runtime.scheduler_random_seed, 3u);
  EXPECT_EQ(c.runtime.dataloader_random_seed, 9u);
  EXPECT_EQ(c.model_params.max_output_tokens, 128u);
  EXPECT_EQ(c.output.report_dir, "out/r1");
  EXPECT_EQ(c.endpoint_config.api_key, "sk-1");
  EXPECT_TRUE(c.warmup.enabled);
  EXPECT_EQ(c.warmup.n_requests, 20u);
  EXPECT_EQ(c.runtime.drain_timeout_ms, 30'000u);
  EXPECT_EQ(c.client.max_idle_time_ms, 1'500u);
  EXPECT_EQ(c.client.max_concurrent_connects, 16u);
  EXPECT_EQ(c.model_params.temperature, 0.5);
  EXPECT_EQ(c.model_params.seed, 11);
  EXPECT_TRUE(c.output.write_requests);
  EXPECT_FALSE(c.output.progress);
  EXPECT_EQ(c.output.verbosity, 2);
}

TEST_F(BenchmarkOptions, PythonAliasesWork) {
  BenchmarkConfig c = config_from_args(offline_args(
      {"--num-workers", "2", "--model-params.max-new-tokens", "9", "--model-params.temperature", "0.25"}));
  EXPECT_EQ(c.client.workers, 2);
  EXPECT_EQ(c.model_params.max_output_tokens, 9u);
  EXPECT_EQ(c.model_params.temperature, 0.25);
}

TEST_F(BenchmarkOptions, EndpointsAreRepeatableAndCommaSeparated) {
  BenchmarkConfig c = config_from_args({"benchmark", "offline", "--endpoints", "http://a:1,http://b:2",
                                        "--endpoints", "http://c:3", "--model", "m", "--dataset", "d.jsonl"});
  EXPECT_THAT(c.endpoint_config.endpoints, ElementsAre("http://a:1", "http://b:2", "http://c:3"));
}

TEST_F(BenchmarkOptions, DatasetGrammarIsApplied) {
  BenchmarkConfig c = config_from_args({"benchmark", "offline", "--endpoints", "http://a:1", "--model", "m",
                                        "--dataset", "perf:d.jsonl,parser.prompt=text_input,samples=50"});
  EXPECT_EQ(c.datasets[0].prompt_column, "text_input");
  EXPECT_EQ(c.datasets[0].samples, 50u);
}

TEST_F(BenchmarkOptions, OnlinePoissonAndConcurrency) {
  BenchmarkConfig poisson =
      config_from_args(online_args({"--load-pattern", "poisson", "--target-qps", "250"}));
  EXPECT_EQ(poisson.type, TestType::online);
  EXPECT_EQ(poisson.load_pattern.type, LoadPatternType::poisson);
  EXPECT_EQ(poisson.load_pattern.target_qps, 250.0);
  EXPECT_TRUE(poisson.model_params.streaming);  // auto -> on for online
  EXPECT_EQ(poisson.name, "online_benchmark");

  BenchmarkConfig closed =
      config_from_args(online_args({"--load-pattern", "concurrency", "--concurrency", "64"}));
  EXPECT_EQ(closed.load_pattern.type, LoadPatternType::concurrency);
  EXPECT_EQ(closed.load_pattern.target_concurrency, 64u);
}

TEST_F(BenchmarkOptions, NegativeNumbersAreAcceptedAsValues) {
  EXPECT_EQ(config_from_args(offline_args({"--workers", "-1"})).client.workers, -1);
  EXPECT_EQ(config_from_args(offline_args({"--max-connections=-1"})).client.max_connections, -1);
}

TEST_F(BenchmarkOptions, TracePeriodDefaultsToTenMillisecondsAndIsBounded) {
  EXPECT_EQ(config_from_args(offline_args()).output.trace_period_ms, 5u);
  EXPECT_EQ(config_from_args(offline_args({"--trace-period-ms", "1"})).output.trace_period_ms, 1u);
  for (const char* bad : {"0", "101", "x"}) {
    EXPECT_THAT(invalid_input_message([bad] {
                  config_from_args(offline_args({"--trace-period-ms", bad}));
                }),
                HasSubstr("--trace-period-ms"))
        << bad;
  }
}

TEST_F(BenchmarkOptions, OnlineRequiresLoadPattern) {
  EXPECT_THAT(invalid_input_message([] {
                config_from_args(online_args({"--target-qps", "5"}));
              }),
              HasSubstr("--load-pattern"));
}

TEST_F(BenchmarkOptions, OfflineHasNoLoadPatternFlags) {
  EXPECT_THAT(invalid_input_message([] {
                config_from_args(offline_args({"--target-qps", "5"}));
              }),
              HasSubstr("--target-qps"));
}

TEST_F(BenchmarkOptions, RequiredFlagsAreEnforced) {
  EXPECT_THAT(invalid_input_message([] {
                config_from_args({"benchmark", "offline", "--model", "m", "--dataset", "d.jsonl"});
              }),
              HasSubstr("--endpoints"));
}

TEST_F(BenchmarkOptions, ValidationMessagesNameFlagAndKey) {
  EXPECT_EQ(invalid_input_message([] {
              config_from_args(online_args({"--load-pattern", "poisson", "--target-qps", "-5"}));
            }),
            "--target-qps / settings.load_pattern.target_qps must be > 0, got -5 (from --target-qps)");
  EXPECT_THAT(
      invalid_input_message([] {
        config_from_args(offline_args({"--num-workers", "0"}));
      }),
      HasSubstr("--workers / settings.client.num_workers must be -1 (auto) or > 0, got 0 (from --workers)"));
  EXPECT_THAT(invalid_input_message([] {
                config_from_args(online_args({"--load-pattern", "concurrency"}));
              }),
              HasSubstr("--concurrency / settings.load_pattern.target_concurrency must be > 0"));
}

TEST_F(BenchmarkOptions, BadValuesNameTheFlag) {
  EXPECT_EQ(invalid_input_message([] {
              config_from_args(offline_args({"--workers", "lots"}));
            }),
            "--workers: expected an integer, got 'lots'");
  EXPECT_EQ(invalid_input_message([] {
              config_from_args(offline_args({"--duration", "soon"}));
            }),
            "--duration: expected a duration (examples: 30000, 30s, 5m), got 'soon'");
  EXPECT_THAT(invalid_input_message([] {
                config_from_args(offline_args({"--streaming", "maybe"}));
              }),
              HasSubstr("--streaming: expected auto, on or off, got 'maybe'"));
  EXPECT_THAT(invalid_input_message([] {
                config_from_args(offline_args({"--dataset", "x.jsonl,samples:3"}));
              }),
              HasSubstr("write samples=3"));
}

TEST_F(BenchmarkOptions, MisspelledFlagIsNamedWithTheNearestRealFlag) {
  EXPECT_EQ(
      invalid_input_message([] {
        config_from_args(online_args({"--load-pattern", "poisson", "--target-qps", "5", "--worker", "2"}));
      }),
      "benchmark online: unknown option '--worker'; did you mean '--workers'?");
  EXPECT_EQ(invalid_input_message([] { config_from_args(offline_args({"--num-sampels=3"})); }),
            "benchmark offline: unknown option '--num-sampels'; did you mean '--num-samples'?");
  EXPECT_THAT(invalid_input_message([] { config_from_args(offline_args({"--frobnicate"})); }),
              HasSubstr("unknown option '--frobnicate' (see inference-endpoint benchmark offline --help)"));
  EXPECT_THAT(invalid_input_message([] { config_from_args(offline_args({"stray"})); }),
              HasSubstr("benchmark offline: unexpected argument 'stray'"));
}

TEST_F(BenchmarkOptions, InvalidValuesGetTheSameMessagesAsFromYaml) {
  // One row per rule of the brief's list: the flag names itself, the rule and the value.
  EXPECT_THAT(invalid_input_message([] {
                config_from_args(online_args({"--load-pattern", "poisson", "--target-qps", "0"}));
              }),
              HasSubstr("settings.load_pattern.target_qps must be > 0, got 0 (from --target-qps)"));
  EXPECT_EQ(invalid_input_message([] {
              config_from_args(online_args({"--load-pattern", "concurrency", "--concurrency", "-1"}));
            }),
            "--concurrency: expected a non-negative integer, got '-1'");
  EXPECT_EQ(invalid_input_message([] {
              config_from_args(offline_args({"--duration", "-5s"}));
            }),
            "--duration: a duration cannot be negative, got '-5s'");
  EXPECT_EQ(invalid_input_message([] {
              config_from_args(offline_args({"--duration", "10x"}));
            }),
            "--duration: expected a duration (examples: 30000, 30s, 5m), got '10x'");
  EXPECT_THAT(invalid_input_message([] {
                config_from_args(offline_args({"--num-samples", "0"}));
              }),
              HasSubstr("settings.runtime.n_samples_to_issue must be > 0, got 0 (from --num-samples)"));
  for (const char* url : {"127.0.0.1:8000", "http://h:99999", "http://:8000"}) {
    EXPECT_THAT(invalid_input_message([url] {
                  config_from_args(
                      {"benchmark", "offline", "--endpoints", url, "--model", "m", "--dataset", "d.jsonl"});
                }),
                HasSubstr("endpoint_config.endpoints[0] is not a usable endpoint URL"))
        << url;
  }
}

TEST_F(BenchmarkOptions, ApiKeyComesFromEnvironmentWhenNotGiven) {
  ::setenv("OPENAI_API_KEY", "sk-env", 1);
  EXPECT_EQ(config_from_args(offline_args()).endpoint_config.api_key, "sk-env");
  EXPECT_EQ(config_from_args(offline_args({"--api-key", "sk-flag"})).endpoint_config.api_key, "sk-flag");
}

TEST_F(BenchmarkOptions, HelpShowsDefaultsUnitsAndRunLengthSemanticsButNoKey) {
  ::setenv("OPENAI_API_KEY", "sk-should-not-show", 1);
  CLI::App root("test");
  Action action;
  register_benchmark_commands(root, action, [](const BenchmarkConfig&) { return 0; });
  CLI::App* offline = root.get_subcommand("benchmark")->get_subcommand("offline");
  std::string help = offline->help();
  for (const char* text :
       {"--duration", "10m", "default 0", "--num-samples", "--runtime.max-duration-ms", "abandons in-flight",
        "default 1024", "default -1", "--requests-log", "--no-progress", "-v", "one pass", "--max-idle-time",
        "seconds", "OPENAI_API_KEY"}) {
    EXPECT_THAT(help, HasSubstr(text));
  }
  EXPECT_THAT(help, Not(HasSubstr("sk-should-not-show")));
}

TEST_F(BenchmarkOptions, SelectedSubcommandHandsTheConfigToTheRunner) {
  CLI::App root("test");
  Action action;
  int runs = 0;
  register_benchmark_commands(root, action, [&runs](const BenchmarkConfig& config) {
    ++runs;
    return config.client.workers;
  });
  std::vector<std::string> args = offline_args({"--workers", "7"});
  std::reverse(args.begin(), args.end());
  root.parse(args);
  ASSERT_TRUE(action);
  EXPECT_EQ(runs, 0);  // parsing alone runs nothing
  EXPECT_EQ(action(), 7);
  EXPECT_EQ(runs, 1);
}

class FromConfig : public BenchmarkOptions {
 protected:
  void SetUp() override {
    BenchmarkOptions::SetUp();
    path_ =
        std::filesystem::temp_directory_path() / ("ie_from_config_" + std::to_string(::getpid()) + ".yaml");
  }
  void TearDown() override {
    std::filesystem::remove(path_);
    BenchmarkOptions::TearDown();
  }
  void write(std::string_view yaml) {
    std::ofstream out(path_);
    out << yaml;
  }
  std::filesystem::path path_;
};

constexpr std::string_view kConcurrencyYaml = R"(type: online
model_params: {name: m}
datasets:
  - path: d.jsonl
settings:
  load_pattern:
    type: concurrency
    target_concurrency: 12
endpoint_config:
  endpoints: ["http://127.0.0.1:8000"]
report_dir: from/file
)";

TEST_F(FromConfig, LoadsTheFileAndAppliesOverrides) {
  write(kConcurrencyYaml);
  BenchmarkConfig c = config_from_args({"benchmark", "from-config", "-c", path_.string()});
  EXPECT_EQ(c.type, TestType::online);
  EXPECT_EQ(c.load_pattern.target_concurrency, 12u);
  EXPECT_EQ(c.output.report_dir, "from/file");
  EXPECT_TRUE(c.model_params.streaming);

  BenchmarkConfig overridden = config_from_args({"benchmark", "from-config", "--config", path_.string(),
                                                 "--report-dir", "from/flag", "--requests-log", "-v"});
  EXPECT_EQ(overridden.output.report_dir, "from/flag");
  EXPECT_TRUE(overridden.output.write_requests);
  EXPECT_EQ(overridden.output.verbosity, 1);
}

TEST_F(FromConfig, FileErrorsNameFileAndLine) {
  write("type: online\nsettings:\n  load_pattern:\n    target_qsp: 5\n");
  EXPECT_EQ(invalid_input_message([&] {
              config_from_args({"benchmark", "from-config", "-c", path_.string()});
            }),
            "settings.load_pattern.target_qsp at " + path_.string() +
                ":4: unknown key; did you mean 'target_qps'?");
}

TEST_F(FromConfig, MisspelledFlagIsNamedWithTheNearestRealFlag) {
  write(kConcurrencyYaml);
  EXPECT_EQ(invalid_input_message([&] {
              config_from_args({"benchmark", "from-config", "-c", path_.string(), "--report-dri", "x"});
            }),
            "benchmark from-config: unknown option '--report-dri'; did you mean '--report-dir'?");
}

TEST_F(FromConfig, ConfigFileIsRequired) {
  EXPECT_THAT(invalid_input_message([] {
                config_from_args({"benchmark", "from-config"});
              }),
              HasSubstr("--config"));
}

}  // namespace
}  // namespace ie::cli
