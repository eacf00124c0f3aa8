#include "config/validate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "config/yaml_loader.h"
#include "error_text.h"

namespace ie::config {
namespace {

using ie::testing::invalid_input_message;
using ::testing::HasSubstr;

// A config that passes validation; each test breaks one thing.
BenchmarkConfig valid_offline() {
  BenchmarkConfig c;
  c.type = TestType::offline;
  c.model_params.name = "m";
  c.datasets.emplace_back();
  c.datasets.back().path = "data/prompts.jsonl";
  c.endpoint_config.endpoints = {"http://127.0.0.1:8000"};
  return c;
}

BenchmarkConfig valid_poisson() {
  BenchmarkConfig c = valid_offline();
  c.type = TestType::online;
  c.load_pattern.type = LoadPatternType::poisson;
  c.load_pattern.target_qps = 10;
  return c;
}

std::string validation_error(BenchmarkConfig c) {
  return invalid_input_message([&] { resolve_and_validate(c); });
}

TEST(ResolveAndValidate, FillsNameStreamingAndDatasetNameDefaults) {
  BenchmarkConfig offline = valid_offline();
  resolve_and_validate(offline);
  EXPECT_EQ(offline.name, "offline_benchmark");
  EXPECT_FALSE(offline.model_params.streaming);
  EXPECT_EQ(offline.model_params.streaming_mode, StreamingMode::off);
  EXPECT_EQ(offline.datasets[0].name, "prompts");

  BenchmarkConfig online = valid_poisson();
  resolve_and_validate(online);
  EXPECT_EQ(online.name, "online_benchmark");
  EXPECT_TRUE(online.model_params.streaming);
}

TEST(ResolveAndValidate, ExplicitStreamingAndNameAreKept) {
  BenchmarkConfig c = valid_offline();
  c.name = "mine";
  c.model_params.streaming_mode = StreamingMode::on;
  resolve_and_validate(c);
  EXPECT_EQ(c.name, "mine");
  EXPECT_TRUE(c.model_params.streaming);
}

TEST(ResolveAndValidate, PoissonNeedsPositiveFiniteQpsNamingFlagAndKey) {
  BenchmarkConfig c = valid_poisson();
  c.load_pattern.target_qps = -5;
  EXPECT_EQ(validation_error(c), "--target-qps / settings.load_pattern.target_qps must be > 0, got -5");
  c.load_pattern.target_qps = 0;
  EXPECT_THAT(validation_error(c), HasSubstr("must be > 0, got 0"));
  c.load_pattern.target_qps = INFINITY;
  EXPECT_THAT(validation_error(c), HasSubstr("must be finite, got inf"));
  c.load_pattern.target_qps = NAN;
  EXPECT_THAT(validation_error(c), HasSubstr("must be > 0"));
}

TEST(ResolveAndValidate, MessageSaysWhereTheValueCameFrom) {
  BenchmarkConfig c = valid_poisson();
  c.load_pattern.target_qps = -5;
  c.origins["settings.load_pattern.target_qps"] = "run.yaml:12";
  EXPECT_EQ(validation_error(c),
            "--target-qps / settings.load_pattern.target_qps must be > 0, got -5 (from run.yaml:12)");
}

TEST(ResolveAndValidate, ConcurrencyNeedsPositiveTarget) {
  BenchmarkConfig c = valid_poisson();
  c.load_pattern.type = LoadPatternType::concurrency;
  EXPECT_EQ(validation_error(c),
            "--concurrency / settings.load_pattern.target_concurrency must be > 0 for the concurrency "
            "pattern, got 0");
  c.load_pattern.target_concurrency = 8;
  EXPECT_NO_THROW(resolve_and_validate(c));
}

TEST(ResolveAndValidate, TestTypeAndLoadPatternMustAgree) {
  BenchmarkConfig offline = valid_offline();
  offline.load_pattern.type = LoadPatternType::poisson;
  offline.load_pattern.target_qps = 5;
  EXPECT_EQ(validation_error(offline),
            "--load-pattern / settings.load_pattern.type must be max_throughput for an offline benchmark, "
            "got poisson");
  BenchmarkConfig online = valid_poisson();
  online.load_pattern.type = LoadPatternType::max_throughput;
  EXPECT_THAT(validation_error(online), HasSubstr("must be poisson or concurrency for an online benchmark"));
}

TEST(ResolveAndValidate, WorkersAndConnectionsAreMinusOneOrPositive) {
  for (int32_t bad : {0, -2, -100}) {
    BenchmarkConfig c = valid_offline();
    c.client.workers = bad;
    EXPECT_EQ(validation_error(c),
              "--workers / settings.client.num_workers must be -1 (auto) or > 0, got " + std::to_string(bad));
    c = valid_offline();
    c.client.max_connections = bad;
    EXPECT_THAT(validation_error(c),
                HasSubstr("--max-connections / settings.client.max_connections must be -1 (auto) or > 0"));
  }
  BenchmarkConfig c = valid_offline();
  c.client.workers = 3;
  c.client.max_connections = 1;
  EXPECT_NO_THROW(resolve_and_validate(c));
}

TEST(ResolveAndValidate, MaxDurationMustCoverDurationWhenBothSet) {
  BenchmarkConfig c = valid_offline();
  c.runtime.duration_ms = 10'000;
  c.runtime.max_duration_ms = 5'000;
  EXPECT_EQ(validation_error(c),
            "--runtime.max-duration-ms / settings.runtime.max_duration_ms must be >= --duration / "
            "settings.runtime.min_duration_ms (10000 ms), got 5000 ms");
  c.runtime.max_duration_ms = 0;  // no cap
  EXPECT_NO_THROW(resolve_and_validate(c));
  c.runtime.max_duration_ms = 10'000;
  EXPECT_NO_THROW(resolve_and_validate(c));
}

TEST(ResolveAndValidate, RequiredPartsAreNamed) {
  BenchmarkConfig no_model = valid_offline();
  no_model.model_params.name.clear();
  EXPECT_EQ(validation_error(no_model), "--model / model_params.name is required");

  BenchmarkConfig no_dataset = valid_offline();
  no_dataset.datasets.clear();
  EXPECT_THAT(validation_error(no_dataset), HasSubstr("--dataset / datasets is required"));

  BenchmarkConfig two_datasets = valid_offline();
  two_datasets.datasets.push_back(two_datasets.datasets[0]);
  EXPECT_THAT(validation_error(two_datasets), HasSubstr("must hold exactly one performance dataset, got 2"));

  BenchmarkConfig no_path = valid_offline();
  no_path.datasets[0].path.clear();
  EXPECT_EQ(validation_error(no_path), "--dataset / datasets[0].path is required");

  BenchmarkConfig no_endpoint = valid_offline();
  no_endpoint.endpoint_config.endpoints.clear();
  EXPECT_EQ(validation_error(no_endpoint), "--endpoints / endpoint_config.endpoints needs at least one URL");
}

TEST(ResolveAndValidate, ZeroCountsAreRejected) {
  BenchmarkConfig c = valid_offline();
  c.model_params.max_output_tokens = 0;
  EXPECT_EQ(validation_error(c), "--max-output-tokens / model_params.max_new_tokens must be > 0, got 0");
  c = valid_offline();
  c.runtime.n_samples = 0;
  EXPECT_THAT(validation_error(c),
              HasSubstr("--num-samples / settings.runtime.n_samples_to_issue must be > 0"));
  c = valid_offline();
  c.client.max_concurrent_connects = 0;
  EXPECT_THAT(validation_error(c), HasSubstr("--max-concurrent-warmup-connects"));
}

TEST(ResolveAndValidate, EachEndpointIsParsedAndABadOneIsNamedByIndexAndOrigin) {
  BenchmarkConfig c = valid_offline();
  c.endpoint_config.endpoints.push_back("ftp://host:21");
  c.origins["endpoint_config.endpoints[1]"] = "run.yaml:9";
  std::string message = validation_error(c);
  EXPECT_THAT(message,
              HasSubstr("--endpoints / endpoint_config.endpoints[1] is not a usable endpoint URL: "));
  EXPECT_THAT(message, HasSubstr("(from run.yaml:9)"));
}

TEST(ResolveAndValidate, EndpointMessageNeverRepeatsAPassword) {
  BenchmarkConfig c = valid_offline();
  c.endpoint_config.endpoints = {"http://user:hunter2@host:8000"};
  std::string message = validation_error(c);
  EXPECT_THAT(message, HasSubstr("endpoint_config.endpoints[0]"));
  EXPECT_THAT(message, ::testing::Not(HasSubstr("hunter2")));
}

TEST(ResolveAndValidate, YamlErrorsNameTheLineThroughOrigins) {
  BenchmarkConfig c = load_config_text(
      "type: online\n"
      "model_params: {name: m}\n"
      "datasets: [{path: a.jsonl}]\n"
      "endpoint_config: {endpoints: [\"http://h:1\"]}\n"
      "settings:\n"
      "  load_pattern:\n"
      "    type: poisson\n"
      "    target_qps: -5\n",
      "run.yaml");
  EXPECT_EQ(validation_error(c),
            "--target-qps / settings.load_pattern.target_qps must be > 0, got -5 (from run.yaml:8)");
}

}  // namespace
}  // namespace ie::config
