#include "config/yaml_loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "error_text.h"

namespace ie::config {
namespace {

using ie::testing::invalid_input_message;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

BenchmarkConfig load(std::string_view yaml, std::vector<std::string>* warnings = nullptr) {
  std::vector<std::string> ignored;
  return load_config_text(yaml, "run.yaml", warnings != nullptr ? warnings : &ignored);
}

std::string load_error(std::string_view yaml) {
  return invalid_input_message([&] { load(yaml); });
}

constexpr std::string_view kFull = R"(name: my_run
version: "1.0"
type: online
model_params:
  name: my-org/my-model
  max_new_tokens: 256
  streaming: "on"
  temperature: 0.7
  top_p: 0.9
  top_k: 40
  seed: 7
datasets:
  - name: prompts
    type: performance
    path: prompts.jsonl
    format: .jsonl
    samples: 500
    parser: {prompt: text_input, system: sys}
settings:
  runtime:
    min_duration_ms: 120000
    max_duration_ms: 3m
    n_samples_to_issue: 9000
    scheduler_random_seed: 1
    dataloader_random_seed: 2
  load_pattern: {type: poisson, target_qps: 500, target_concurrency: 0}
  client:
    num_workers: 16
    max_connections: 4096
    max_concurrent_warmup_connects: 64
    max_idle_time: 2.5
  warmup: {enabled: true, n_requests: 200}
  drain: {performance_timeout_s: 30}
endpoint_config:
  endpoints: ["http://10.0.0.5:8000", "http://10.0.0.6:8000"]
  api_key: secret-value
  api_type: openai_completions
report_dir: runs/my_run
)";

// Regression (fuzz/regressions/yaml_config): a quoted key holding a NUL put the NUL at the front of the
// unknown-key message, so the user saw "error: " and nothing else.
TEST(LoadConfigText, KeyWithAControlCharacterIsRejectedNamingSourceAndLine) {
  EXPECT_THAT(load_error(std::string("name:\n'\0\n", 9)),
              HasSubstr("run.yaml:2: a key must be a plain name"));
  EXPECT_THAT(load_error("name: x\n\"a\\tb\": 1\n"), HasSubstr("run.yaml:2: a key must be a plain name"));
}

TEST(LoadConfigText, EverySupportedKeyLandsInItsField) {
  BenchmarkConfig c = load(kFull);
  EXPECT_EQ(c.name, "my_run");
  EXPECT_EQ(c.type, TestType::online);
  EXPECT_EQ(c.model_params.name, "my-org/my-model");
  EXPECT_EQ(c.model_params.max_output_tokens, 256u);
  EXPECT_EQ(c.model_params.streaming_mode, StreamingMode::on);
  EXPECT_EQ(c.model_params.temperature, 0.7);
  EXPECT_EQ(c.model_params.top_p, 0.9);
  EXPECT_EQ(c.model_params.top_k, 40);
  EXPECT_EQ(c.model_params.seed, 7);
  ASSERT_EQ(c.datasets.size(), 1u);
  EXPECT_EQ(c.datasets[0].name, "prompts");
  EXPECT_EQ(c.datasets[0].path, "prompts.jsonl");
  EXPECT_EQ(c.datasets[0].samples, 500u);
  EXPECT_EQ(c.datasets[0].prompt_column, "text_input");
  EXPECT_EQ(c.datasets[0].system_column, "sys");
  EXPECT_EQ(c.runtime.duration_ms, 120'000u);
  EXPECT_EQ(c.runtime.max_duration_ms, 180'000u);
  EXPECT_EQ(c.runtime.n_samples, 9000u);
  EXPECT_EQ(c.runtime.scheduler_random_seed, 1u);
  EXPECT_EQ(c.runtime.dataloader_random_seed, 2u);
  EXPECT_EQ(c.runtime.drain_timeout_ms, 30'000u);
  EXPECT_EQ(c.load_pattern.type, LoadPatternType::poisson);
  EXPECT_EQ(c.load_pattern.target_qps, 500.0);
  EXPECT_EQ(c.client.workers, 16);
  EXPECT_EQ(c.client.max_connections, 4096);
  EXPECT_EQ(c.client.max_concurrent_connects, 64u);
  EXPECT_EQ(c.client.max_idle_time_ms, 2'500u);
  EXPECT_TRUE(c.warmup.enabled);
  EXPECT_EQ(c.warmup.n_requests, 200u);
  EXPECT_THAT(c.endpoint_config.endpoints, ElementsAre("http://10.0.0.5:8000", "http://10.0.0.6:8000"));
  EXPECT_EQ(c.endpoint_config.api_key, "secret-value");
  EXPECT_EQ(c.endpoint_config.api_type, ApiType::openai_completions);
  EXPECT_EQ(c.output.report_dir, "runs/my_run");
}

TEST(LoadConfigText, OriginsRecordFileAndLineOfEachValue) {
  BenchmarkConfig c = load(kFull);
  EXPECT_EQ(c.origins.at("settings.load_pattern.target_qps"), "run.yaml:26");
  EXPECT_EQ(c.origins.at("datasets[0].path"), "run.yaml:15");
  EXPECT_EQ(c.origins.at("endpoint_config.endpoints[1]"), "run.yaml:35");
}

TEST(LoadConfigText, AbsentAndNullValuesKeepDefaults) {
  BenchmarkConfig c =
      load("type: offline\nsettings:\n  runtime:\n    n_samples_to_issue: null\n  client: ~\n");
  BenchmarkConfig defaults;
  EXPECT_EQ(c.runtime.n_samples, std::nullopt);
  EXPECT_EQ(c.client.workers, defaults.client.workers);
  EXPECT_EQ(c.model_params.max_output_tokens, defaults.model_params.max_output_tokens);
  EXPECT_EQ(c.runtime.drain_timeout_ms, defaults.runtime.drain_timeout_ms);
}

TEST(LoadConfigText, SingleEndpointMayBeWrittenWithoutAList) {
  BenchmarkConfig c = load("endpoint_config:\n  endpoints: http://h:1\n");
  EXPECT_THAT(c.endpoint_config.endpoints, ElementsAre("http://h:1"));
}

TEST(LoadConfigText, UnknownKeyNamesFullKeyFileLineAndSuggestion) {
  EXPECT_EQ(load_error("type: online\nsettings:\n  load_pattern:\n    type: poisson\n    target_qsp: 5\n"),
            "settings.load_pattern.target_qsp at run.yaml:5: unknown key; did you mean 'target_qps'?");
  EXPECT_EQ(load_error("modle_params:\n  name: m\n"),
            "modle_params at run.yaml:1: unknown key; did you mean "
            "'model_params'?");
  EXPECT_THAT(load_error("datasets:\n  - path: a.jsonl\n    parser: {promt: x}\n"),
              HasSubstr("datasets[0].parser.promt at run.yaml:3: unknown key; did you mean 'prompt'?"));
}

TEST(LoadConfigText, UnknownKeyWithoutCloseMatchListsValidKeys) {
  std::string message = load_error("settings:\n  runtime:\n    zzzzzzzz: 1\n");
  EXPECT_THAT(message, HasSubstr("settings.runtime.zzzzzzzz at run.yaml:3: unknown key (valid here: "));
  EXPECT_THAT(message, HasSubstr("min_duration_ms"));
}

TEST(LoadConfigText, WrongTypeNamesKeyLineExpectationAndValue) {
  EXPECT_EQ(load_error("settings:\n  load_pattern:\n    target_qps: fast\n"),
            "settings.load_pattern.target_qps at run.yaml:3: expected a number, got 'fast'");
  EXPECT_EQ(load_error("settings: 5\n"), "settings at run.yaml:1: expected a mapping, got '5'");
  EXPECT_EQ(load_error("model_params:\n  name: [a, b]\n"),
            "model_params.name at run.yaml:2: expected a single value, got a list");
  EXPECT_THAT(load_error("datasets: {path: a}\n"), HasSubstr("datasets at run.yaml:1: expected a list"));
  EXPECT_THAT(load_error("datasets:\n  - a.jsonl\n"),
              HasSubstr("datasets[0] at run.yaml:2: expected a mapping"));
  EXPECT_THAT(
      load_error("endpoint_config:\n  endpoints:\n    - {url: x}\n"),
      HasSubstr("endpoint_config.endpoints[0] at run.yaml:3: expected a single value, got a mapping"));
  EXPECT_THAT(load_error("settings:\n  runtime:\n    min_duration_ms: soon\n"),
              HasSubstr("settings.runtime.min_duration_ms at run.yaml:3: expected a duration"));
}

TEST(LoadConfigText, UnsupportedPythonFeaturesAreClearErrors) {
  EXPECT_THAT(load_error("datasets:\n  - path: a.jsonl\n    type: accuracy\n"),
              HasSubstr("datasets[0].type at run.yaml:3: accuracy datasets are not supported yet"));
  EXPECT_THAT(load_error("type: submission\n"),
              HasSubstr("type at run.yaml:1: type 'submission' is not supported"));
  EXPECT_THAT(load_error("datasets:\n  - path: a.parquet\n    format: .parquet\n"),
              HasSubstr("format '.parquet' is not supported yet"));
}

TEST(LoadConfigText, DuplicateKeyIsAnError) {
  EXPECT_EQ(load_error("name: a\nname: b\n"), "name at run.yaml:2: duplicate key");
}

TEST(LoadConfigText, SyntaxErrorNamesSourceLineAndColumn) {
  EXPECT_THAT(load_error("name: [unclosed\n"), HasSubstr("run.yaml:"));
  EXPECT_THAT(load_error("name: [unclosed\n"), HasSubstr("YAML syntax error"));
}

TEST(LoadConfigText, EmptyOrNonMappingDocumentIsAnError) {
  EXPECT_THAT(load_error(""), HasSubstr("run.yaml: the config is empty"));
  EXPECT_THAT(load_error("- a\n- b\n"), HasSubstr("expected a mapping of settings"));
}

TEST(LoadConfigText, RecognisedPythonKeysAreIgnoredWithAWarningNamingKeyAndLine) {
  std::vector<std::string> warnings;
  BenchmarkConfig c = load(
      "settings:\n"
      "  client:\n"
      "    worker_gc_mode: relaxed\n"
      "    transport:\n"
      "      type: zmq\n"
      "      io_threads: 4\n"
      "    num_workers: 3\n"
      "enable_cpu_affinity: true\n"
      "datasets:\n"
      "  - path: a.jsonl\n"
      "    accuracy_config: {eval_method: x}\n",
      &warnings);
  EXPECT_EQ(c.client.workers, 3);
  EXPECT_THAT(warnings,
              ElementsAre("run.yaml:3: ignored: settings.client.worker_gc_mode has no effect in this client",
                          "run.yaml:4: ignored: settings.client.transport has no effect in this client",
                          "run.yaml:8: ignored: enable_cpu_affinity has no effect in this client",
                          "run.yaml:11: ignored: datasets[0].accuracy_config has no effect in this client"));
}

TEST(LoadConfigText, SupportedConfigProducesNoWarnings) {
  std::vector<std::string> warnings;
  load(kFull, &warnings);
  EXPECT_THAT(warnings, IsEmpty());
}

TEST(LoadConfigText, EnvironmentReferencesAreResolvedBeforeConversion) {
  ::setenv("IE_TEST_QPS", "250", 1);
  ::setenv("IE_TEST_HOST", "10.1.2.3", 1);
  ::unsetenv("IE_TEST_UNSET");
  BenchmarkConfig c = load(
      "settings:\n"
      "  load_pattern:\n"
      "    type: poisson\n"
      "    target_qps: ${IE_TEST_QPS}\n"  // plain (unquoted) in block style
      "  client: {num_workers: \"${IE_TEST_UNSET:-4}\"}\n"
      "endpoint_config:\n"
      "  endpoints: [\"http://$IE_TEST_HOST:8000\"]\n"
      "  api_key: \"pa$$word\"\n");
  EXPECT_EQ(c.load_pattern.target_qps, 250.0);
  EXPECT_EQ(c.client.workers, 4);
  EXPECT_THAT(c.endpoint_config.endpoints, ElementsAre("http://10.1.2.3:8000"));
  EXPECT_EQ(c.endpoint_config.api_key, "pa$word");
  ::unsetenv("IE_TEST_QPS");
  ::unsetenv("IE_TEST_HOST");
}

TEST(LoadConfigText, UnsetVariableWithoutDefaultNamesKeyAndLine) {
  ::unsetenv("IE_TEST_UNSET");
  EXPECT_EQ(load_error("name: ok\nendpoint_config:\n  api_key: ${IE_TEST_UNSET}\n"),
            "endpoint_config.api_key at run.yaml:3: environment variable IE_TEST_UNSET is not set (write "
            "${IE_TEST_UNSET:-default} to give a default)");
}

TEST(LoadConfigFile, ReadsTheFileAndNamesItInMessages) {
  std::filesystem::path path = std::filesystem::temp_directory_path() / "ie_loader_test.yaml";
  {
    std::ofstream out(path);
    out << "name: from_file\nsettings:\n  client:\n    num_workers: x\n";
  }
  EXPECT_EQ(invalid_input_message([&] { load_config_file(path.string()); }),
            "settings.client.num_workers at " + path.string() + ":4: expected an integer, got 'x'");
  std::filesystem::remove(path);
  EXPECT_THAT(invalid_input_message([&] { load_config_file(path.string()); }),
              HasSubstr("cannot read config file '" + path.string() + "'"));
}

}  // namespace
}  // namespace ie::config
