#include "config/yaml_writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/validate.h"
#include "config/yaml_loader.h"

namespace ie::config {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

BenchmarkConfig rich_config() {
  BenchmarkConfig c;
  c.name = "round $trip";
  c.type = TestType::online;
  c.model_params = ModelParams{.name = "org/model",
                               .max_output_tokens = 77,
                               .streaming_mode = StreamingMode::on,
                               .streaming = true,
                               .temperature = 0.1,
                               .top_p = 0.95,
                               .top_k = 5,
                               .seed = -3};
  c.datasets.push_back(DatasetConfig{.path = "data/p.jsonl",
                                     .name = "p",
                                     .prompt_column = "text_input",
                                     .system_column = "sys",
                                     .samples = 10});
  c.runtime = RuntimeSettings{.duration_ms = 60'000,
                              .max_duration_ms = 90'000,
                              .n_samples = 1234,
                              .scheduler_random_seed = 7,
                              .dataloader_random_seed = 8,
                              .drain_timeout_ms = 1'500};
  c.load_pattern = LoadPattern{.type = LoadPatternType::poisson, .target_qps = 0.1, .target_concurrency = 0};
  c.client = ClientSettings{
      .workers = 3, .max_connections = 99, .max_concurrent_connects = 5, .max_idle_time_ms = 250};
  c.warmup = WarmupSettings{.enabled = true, .n_requests = 4};
  c.endpoint_config.endpoints = {"http://127.0.0.1:8000", "http://10.0.0.2:9000/base"};
  c.endpoint_config.api_type = ApiType::openai_completions;
  c.output.report_dir = "reports/x";
  return c;
}

void expect_same_settings(const BenchmarkConfig& a, const BenchmarkConfig& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.type, b.type);
  EXPECT_EQ(a.model_params.name, b.model_params.name);
  EXPECT_EQ(a.model_params.max_output_tokens, b.model_params.max_output_tokens);
  EXPECT_EQ(a.model_params.streaming_mode, b.model_params.streaming_mode);
  EXPECT_EQ(a.model_params.temperature, b.model_params.temperature);
  EXPECT_EQ(a.model_params.top_p, b.model_params.top_p);
  EXPECT_EQ(a.model_params.top_k, b.model_params.top_k);
  EXPECT_EQ(a.model_params.seed, b.model_params.seed);
  ASSERT_EQ(a.datasets.size(), b.datasets.size());
  for (size_t i = 0; i < a.datasets.size(); ++i) {
    EXPECT_EQ(a.datasets[i].path, b.datasets[i].path);
    EXPECT_EQ(a.datasets[i].name, b.datasets[i].name);
    EXPECT_EQ(a.datasets[i].prompt_column, b.datasets[i].prompt_column);
    EXPECT_EQ(a.datasets[i].system_column, b.datasets[i].system_column);
    EXPECT_EQ(a.datasets[i].samples, b.datasets[i].samples);
  }
  EXPECT_EQ(a.runtime.duration_ms, b.runtime.duration_ms);
  EXPECT_EQ(a.runtime.max_duration_ms, b.runtime.max_duration_ms);
  EXPECT_EQ(a.runtime.n_samples, b.runtime.n_samples);
  EXPECT_EQ(a.runtime.scheduler_random_seed, b.runtime.scheduler_random_seed);
  EXPECT_EQ(a.runtime.dataloader_random_seed, b.runtime.dataloader_random_seed);
  EXPECT_EQ(a.runtime.drain_timeout_ms, b.runtime.drain_timeout_ms);
  EXPECT_EQ(a.load_pattern.type, b.load_pattern.type);
  EXPECT_EQ(a.load_pattern.target_qps, b.load_pattern.target_qps);
  EXPECT_EQ(a.load_pattern.target_concurrency, b.load_pattern.target_concurrency);
  EXPECT_EQ(a.client.workers, b.client.workers);
  EXPECT_EQ(a.client.max_connections, b.client.max_connections);
  EXPECT_EQ(a.client.max_concurrent_connects, b.client.max_concurrent_connects);
  EXPECT_EQ(a.client.max_idle_time_ms, b.client.max_idle_time_ms);
  EXPECT_EQ(a.warmup.enabled, b.warmup.enabled);
  EXPECT_EQ(a.warmup.n_requests, b.warmup.n_requests);
  EXPECT_EQ(a.endpoint_config.endpoints, b.endpoint_config.endpoints);
  EXPECT_EQ(a.endpoint_config.api_type, b.endpoint_config.api_type);
  EXPECT_EQ(a.output.report_dir, b.output.report_dir);
}

TEST(ToYaml, RoundTripsThroughTheLoader) {
  BenchmarkConfig original = rich_config();
  std::vector<std::string> warnings;
  BenchmarkConfig reloaded = load_config_text(to_yaml(original), "config.yaml", &warnings);
  expect_same_settings(original, reloaded);
  EXPECT_TRUE(warnings.empty());
}

TEST(ToYaml, DefaultConfigRoundTripsToo) {
  BenchmarkConfig original;
  original.datasets.emplace_back();
  original.datasets.back().path = "a.jsonl";
  expect_same_settings(original, load_config_text(to_yaml(original), "config.yaml"));
}

TEST(ToYaml, ResolvedConfigStaysValidAfterReload) {
  BenchmarkConfig original = rich_config();
  resolve_and_validate(original);
  BenchmarkConfig reloaded = load_config_text(to_yaml(original), "config.yaml");
  resolve_and_validate(reloaded);
  expect_same_settings(original, reloaded);
}

TEST(ToYaml, DollarSignsSurviveWithoutReinterpolation) {
  BenchmarkConfig c = rich_config();
  c.name = "cost_$HOME_${USER}";
  c.datasets[0].path = "$$dir/p.jsonl";
  BenchmarkConfig reloaded = load_config_text(to_yaml(c), "config.yaml");
  EXPECT_EQ(reloaded.name, c.name);
  EXPECT_EQ(reloaded.datasets[0].path, c.datasets[0].path);
}

TEST(ToYaml, ApiKeyNeverAppearsAndIsMarkedRedacted) {
  BenchmarkConfig c = rich_config();
  c.endpoint_config.api_key = "sk-very-secret-123";
  std::string yaml = to_yaml(c);
  EXPECT_THAT(yaml, Not(HasSubstr("sk-very-secret-123")));
  EXPECT_EQ(load_config_text(yaml, "config.yaml").endpoint_config.api_key, "<redacted>");
}

TEST(ToYaml, EmptyApiKeyIsNotWritten) {
  EXPECT_THAT(to_yaml(rich_config()), Not(HasSubstr("api_key")));
}

TEST(ToYaml, UrlSecretsAreRedacted) {
  BenchmarkConfig c = rich_config();
  c.endpoint_config.endpoints = {"http://alice:pw123@host:8000/v1?api_key=abc123&x=1"};
  std::string yaml = to_yaml(c);
  EXPECT_THAT(yaml, Not(HasSubstr("pw123")));
  EXPECT_THAT(yaml, Not(HasSubstr("alice")));
  EXPECT_THAT(yaml, Not(HasSubstr("abc123")));
  EXPECT_THAT(yaml, HasSubstr("x=1"));
}

TEST(ToYaml, UsesThePythonKeyLayout) {
  std::string yaml = to_yaml(rich_config());
  for (const char* key :
       {"model_params:", "max_new_tokens: 77", "settings:", "runtime:", "min_duration_ms: 60000",
        "load_pattern:", "target_qps: 0.1", "client:", "num_workers: 3", "endpoint_config:",
        "api_type: openai_completions", "performance_timeout_s: 1.5", "max_idle_time: 0.25"}) {
    EXPECT_THAT(yaml, HasSubstr(key));
  }
}

}  // namespace
}  // namespace ie::config
