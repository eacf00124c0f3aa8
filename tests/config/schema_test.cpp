#include "config/schema.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/suggest.h"
#include "error_text.h"

namespace ie::config {
namespace {

using ie::testing::invalid_input_message;
using ::testing::Contains;
using ::testing::HasSubstr;

TEST(Schema, KeyKindsFollowThePythonLayout) {
  EXPECT_EQ(key_kind("settings"), KeyKind::section);
  EXPECT_EQ(key_kind("settings.load_pattern"), KeyKind::section);
  EXPECT_EQ(key_kind("settings.load_pattern.target_qps"), KeyKind::value);
  EXPECT_EQ(key_kind("endpoint_config.endpoints"), KeyKind::list);
  EXPECT_EQ(key_kind("datasets"), KeyKind::dataset_list);
  EXPECT_EQ(key_kind("datasets[].parser"), KeyKind::section);
  EXPECT_EQ(key_kind("datasets[].parser.prompt"), KeyKind::value);
  EXPECT_EQ(key_kind("settings.client.transport"), KeyKind::ignored);
  EXPECT_EQ(key_kind("settings.client.transport.io_threads"), KeyKind::ignored);
  EXPECT_EQ(key_kind("settings.load_pattern.target_qp"), KeyKind::unknown);
  EXPECT_EQ(key_kind("settings.load"), KeyKind::unknown);  // a prefix of a name is not a section
}

TEST(Schema, ChildNamesListTheDirectChildrenOnce) {
  std::vector<std::string_view> names = child_names("settings.load_pattern");
  EXPECT_THAT(names, Contains("target_qps"));
  EXPECT_THAT(names, Contains("target_concurrency"));
  EXPECT_THAT(names, Contains("type"));
  std::vector<std::string_view> top = child_names("");
  EXPECT_EQ(std::count(top.begin(), top.end(), "settings"), 1);
  EXPECT_THAT(top, Contains("datasets"));
  EXPECT_THAT(child_names("datasets[]"), Contains("parser"));
}

TEST(Schema, SetFieldConvertsAndRecordsWhere) {
  BenchmarkConfig config;
  set_field(config, "settings.load_pattern.target_qps", "12.5", "f.yaml:4");
  set_field(config, "settings.client.num_workers", "-1", "--workers");
  set_field(config, "settings.runtime.min_duration_ms", "2m", "--duration");
  set_field(config, "settings.client.max_idle_time", "1.5", "f.yaml:9");
  set_field(config, "model_params.streaming", "on", "f.yaml:2");
  EXPECT_EQ(config.load_pattern.target_qps, 12.5);
  EXPECT_EQ(config.client.workers, -1);
  EXPECT_EQ(config.runtime.duration_ms, 120'000u);
  EXPECT_EQ(config.client.max_idle_time_ms, 1'500u);
  EXPECT_EQ(config.model_params.streaming_mode, StreamingMode::on);
  EXPECT_EQ(config.origins.at("settings.load_pattern.target_qps"), "f.yaml:4");
  EXPECT_EQ(config.origins.at("settings.client.num_workers"), "--workers");
}

TEST(Schema, ListKeyAppendsAndKeepsEachItemsOrigin) {
  BenchmarkConfig config;
  set_field(config, "endpoint_config.endpoints", "http://a:1", "f.yaml:5");
  set_field(config, "endpoint_config.endpoints", "http://b:2", "f.yaml:6");
  EXPECT_EQ(config.endpoint_config.endpoints, (std::vector<std::string>{"http://a:1", "http://b:2"}));
  EXPECT_EQ(config.origins.at("endpoint_config.endpoints[1]"), "f.yaml:6");
}

TEST(Schema, WrongTypeNamesKeyWhereExpectationAndValue) {
  BenchmarkConfig config;
  EXPECT_EQ(invalid_input_message(
                [&] { set_field(config, "settings.load_pattern.target_qps", "fast", "f.yaml:12"); }),
            "settings.load_pattern.target_qps at f.yaml:12: expected a number, got 'fast'");
  EXPECT_EQ(
      invalid_input_message([&] { set_field(config, "settings.client.num_workers", "many", "--workers"); }),
      "--workers: expected an integer, got 'many'");
  EXPECT_THAT(
      invalid_input_message([&] { set_field(config, "settings.warmup.enabled", "maybe", "f.yaml:1"); }),
      HasSubstr("expected true or false, got 'maybe'"));
  EXPECT_THAT(invalid_input_message(
                  [&] { set_field(config, "settings.load_pattern.target_concurrency", "-5", "f:1"); }),
              HasSubstr("expected a non-negative integer, got '-5'"));
  EXPECT_THAT(invalid_input_message(
                  [&] { set_field(config, "settings.client.max_idle_time", "99999999999999999999", "f:1"); }),
              HasSubstr("expected a number of seconds"));
  EXPECT_THAT(invalid_input_message([&] { set_field(config, "model_params.max_new_tokens", "1.5", "f:1"); }),
              HasSubstr("expected a non-negative integer, got '1.5'"));
  EXPECT_THAT(
      invalid_input_message([&] { set_field(config, "settings.client.num_workers", "99999999999", "f:1"); }),
      HasSubstr("expected an integer in [-2147483648, 2147483647]"));
}

TEST(Schema, NegativeDurationsSayTheyCannotBeNegativeFromYamlAndFlagsAlike) {
  BenchmarkConfig config;
  EXPECT_EQ(invalid_input_message(
                [&] { set_field(config, "settings.runtime.min_duration_ms", "-5s", "f.yaml:3"); }),
            "settings.runtime.min_duration_ms at f.yaml:3: a duration cannot be negative, got '-5s'");
  EXPECT_EQ(invalid_input_message(
                [&] { set_field(config, "settings.runtime.min_duration_ms", "-5s", "--duration"); }),
            "--duration: a duration cannot be negative, got '-5s'");
  EXPECT_THAT(
      invalid_input_message([&] { set_field(config, "settings.drain.performance_timeout_s", "-1", "f:1"); }),
      HasSubstr("a duration cannot be negative, got '-1'"));
  EXPECT_EQ(invalid_input_message(
                [&] { set_field(config, "settings.runtime.min_duration_ms", "10x", "--duration"); }),
            "--duration: expected a duration (examples: 30000, 30s, 5m), got '10x'");
}

TEST(Schema, NegativeCountsAreRejectedAsNonNegativeIntegersFromYamlAndFlagsAlike) {
  BenchmarkConfig config;
  EXPECT_EQ(invalid_input_message([&] {
              set_field(config, "settings.load_pattern.target_concurrency", "-1", "--concurrency");
            }),
            "--concurrency: expected a non-negative integer, got '-1'");
  EXPECT_EQ(invalid_input_message(
                [&] { set_field(config, "settings.runtime.n_samples_to_issue", "-1", "f.yaml:9"); }),
            "settings.runtime.n_samples_to_issue at f.yaml:9: expected a non-negative integer, got '-1'");
}

TEST(Schema, PythonValuesNotSupportedYetSaySo) {
  BenchmarkConfig config;
  EXPECT_THAT(invalid_input_message([&] { set_field(config, "type", "submission", "f:1"); }),
              HasSubstr("type 'submission' is not supported yet"));
  EXPECT_THAT(invalid_input_message([&] { set_field(config, "settings.load_pattern.type", "burst", "f:1"); }),
              HasSubstr("load pattern 'burst' is not supported yet"));
  EXPECT_THAT(invalid_input_message([&] { set_field(config, "endpoint_config.api_type", "sglang", "f:1"); }),
              HasSubstr("api type 'sglang' is not supported yet"));
  DatasetConfig dataset;
  EXPECT_THAT(
      invalid_input_message([&] { set_dataset_field(dataset, "type", "accuracy", "datasets[0].type"); }),
      HasSubstr("accuracy datasets are not supported yet"));
  EXPECT_THAT(
      invalid_input_message([&] { set_dataset_field(dataset, "format", ".csv", "datasets[0].format"); }),
      HasSubstr("format '.csv' is not supported yet"));
}

TEST(Schema, DescribeKeyPairsFlagAndYamlKey) {
  EXPECT_EQ(describe_key("settings.load_pattern.target_qps"),
            "--target-qps / settings.load_pattern.target_qps");
  EXPECT_EQ(describe_key("endpoint_config.endpoints[2]"), "--endpoints / endpoint_config.endpoints[2]");
  EXPECT_EQ(describe_key("datasets[0].path"), "--dataset / datasets[0].path");
  EXPECT_EQ(describe_key("name"), "name");
}

TEST(Suggest, EditDistanceCountsSingleEdits) {
  EXPECT_EQ(edit_distance("", ""), 0u);
  EXPECT_EQ(edit_distance("abc", ""), 3u);
  EXPECT_EQ(edit_distance("target_qps", "target_qp"), 1u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("tpye", "type"), 1u);  // adjacent swap is one edit
}

TEST(Suggest, NearestOnlyForPlausibleTypos) {
  std::vector<std::string_view> names = {"target_qps", "target_concurrency", "type"};
  EXPECT_EQ(nearest("target_qsp", names), "target_qps");
  EXPECT_EQ(nearest("tpye", names), "type");
  EXPECT_EQ(nearest("completely_different", names), "");
  EXPECT_EQ(nearest("qps", names), "");
}

}  // namespace
}  // namespace ie::config
