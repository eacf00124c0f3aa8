#include "config/templates.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "config/validate.h"
#include "config/yaml_loader.h"

namespace ie::config {
namespace {

// The templates read these; with none set the defaults must make a valid config.
void clear_template_environment() {
  for (const char* name : {"ENDPOINT", "MODEL", "DATASET", "OPENAI_API_KEY", "TARGET_QPS", "CONCURRENCY"}) {
    ::unsetenv(name);
  }
}

TEST(Templates, ThereAreOfflineOnlineAndConcurrency) {
  EXPECT_THAT(std::vector<std::string_view>(template_names().begin(), template_names().end()),
              ::testing::ElementsAre("offline", "online", "concurrency"));
  EXPECT_EQ(template_text("eval"), std::nullopt);
}

TEST(Templates, EachLoadsWithoutWarningsAndValidatesWithEnvironmentDefaults) {
  clear_template_environment();
  for (std::string_view name : template_names()) {
    SCOPED_TRACE(name);
    std::vector<std::string> warnings;
    BenchmarkConfig config =
        load_config_text(*template_text(name), std::string(name) + "_template.yaml", &warnings);
    EXPECT_TRUE(warnings.empty());
    EXPECT_NO_THROW(resolve_and_validate(config));
    ASSERT_EQ(config.endpoint_config.endpoints.size(), 1u);
    EXPECT_EQ(config.endpoint_config.endpoints[0], "http://127.0.0.1:8000");
    EXPECT_EQ(config.endpoint_config.api_key, "");
    EXPECT_FALSE(config.datasets.at(0).path.empty());
  }
}

TEST(Templates, EachSelectsItsLoadPattern) {
  clear_template_environment();
  BenchmarkConfig offline = load_config_text(*template_text("offline"), "offline");
  BenchmarkConfig online = load_config_text(*template_text("online"), "online");
  BenchmarkConfig concurrency = load_config_text(*template_text("concurrency"), "concurrency");
  EXPECT_EQ(offline.type, TestType::offline);
  EXPECT_EQ(offline.load_pattern.type, LoadPatternType::max_throughput);
  EXPECT_EQ(online.type, TestType::online);
  EXPECT_EQ(online.load_pattern.type, LoadPatternType::poisson);
  EXPECT_EQ(online.load_pattern.target_qps, 10.0);
  EXPECT_EQ(concurrency.load_pattern.type, LoadPatternType::concurrency);
  EXPECT_EQ(concurrency.load_pattern.target_concurrency, 32u);
}

TEST(Templates, EnvironmentOverridesTheDefaults) {
  clear_template_environment();
  ::setenv("ENDPOINT", "http://10.9.8.7:9000", 1);
  ::setenv("TARGET_QPS", "123", 1);
  BenchmarkConfig online = load_config_text(*template_text("online"), "online");
  EXPECT_EQ(online.endpoint_config.endpoints.at(0), "http://10.9.8.7:9000");
  EXPECT_EQ(online.load_pattern.target_qps, 123.0);
  clear_template_environment();
}

}  // namespace
}  // namespace ie::config
