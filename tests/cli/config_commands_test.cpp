#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "../config/error_text.h"
#include "cli/command.h"
#include "config/templates.h"

namespace ie::cli {
namespace {

using ie::testing::invalid_input_message;
using ::testing::HasSubstr;

// Each test runs in its own empty directory, since `init` writes into the current one.
class ConfigCommands : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"ENDPOINT", "MODEL", "DATASET", "OPENAI_API_KEY", "TARGET_QPS", "CONCURRENCY"}) {
      ::unsetenv(name);
    }
    previous_ = std::filesystem::current_path();
    dir_ = std::filesystem::temp_directory_path() /
           ("ie_config_commands_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    std::filesystem::current_path(dir_);
  }
  void TearDown() override {
    std::filesystem::current_path(previous_);
    std::filesystem::remove_all(dir_);
  }

  // Parses and runs one command line; returns the action's exit code.
  int run(std::vector<std::string> args) {
    CLI::App root("test");
    Action action;
    add_config_commands(root, action);
    std::reverse(args.begin(), args.end());
    root.parse(args);
    EXPECT_TRUE(action);
    return action();
  }

  static std::string read(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

  std::filesystem::path previous_;
  std::filesystem::path dir_;
};

TEST_F(ConfigCommands, InitWritesTheTemplateInTheCurrentDirectoryAndPrintsThePath) {
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(run({"init", "online"}), 0);
  std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_THAT(out, HasSubstr("online_template.yaml"));
  EXPECT_EQ(read(dir_ / "online_template.yaml"), std::string(*config::template_text("online")));
}

TEST_F(ConfigCommands, InitRefusesToOverwriteWithoutForce) {
  std::ofstream(dir_ / "offline_template.yaml") << "mine\n";
  EXPECT_THAT(invalid_input_message([&] {
                run({"init", "offline"});
              }),
              HasSubstr("offline_template.yaml already exists; pass --force"));
  EXPECT_EQ(read(dir_ / "offline_template.yaml"), "mine\n");
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(run({"init", "offline", "--force"}), 0);
  ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(read(dir_ / "offline_template.yaml"), std::string(*config::template_text("offline")));
}

TEST_F(ConfigCommands, InitOutputOptionChoosesTheFile) {
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(run({"init", "concurrency", "--output", "custom.yaml"}), 0);
  ::testing::internal::GetCapturedStdout();
  EXPECT_TRUE(std::filesystem::exists(dir_ / "custom.yaml"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "concurrency_template.yaml"));
}

TEST_F(ConfigCommands, InitRejectsUnknownTemplate) {
  EXPECT_THROW(run({"init", "eval"}), CLI::ValidationError);
}

TEST_F(ConfigCommands, ValidateYamlAcceptsEachInitTemplateAndPrintsASummary) {
  for (std::string_view name : config::template_names()) {
    ::testing::internal::CaptureStdout();
    run({"init", std::string(name)});
    EXPECT_EQ(run({"validate-yaml", "-c", std::string(name) + "_template.yaml"}), 0);
    std::string out = ::testing::internal::GetCapturedStdout();
    EXPECT_THAT(out, HasSubstr(std::string(name) + "_template.yaml: valid"));
    EXPECT_THAT(out, HasSubstr("name"));
    EXPECT_THAT(out, HasSubstr("http://127.0.0.1:8000"));
    EXPECT_THAT(out, HasSubstr("dataset"));
    EXPECT_THAT(out, HasSubstr("load pattern"));
  }
}

TEST_F(ConfigCommands, ValidateYamlSummaryShowsTheLoadPattern) {
  ::testing::internal::CaptureStdout();
  run({"init", "online"});
  run({"validate-yaml", "-c", "online_template.yaml"});
  EXPECT_THAT(::testing::internal::GetCapturedStdout(), HasSubstr("poisson at 10 requests/s"));
}

TEST_F(ConfigCommands, ValidateYamlReportsTheErrorAsInvalidInput) {
  std::ofstream(dir_ / "bad.yaml") << "type: offline\nsettings:\n  client:\n    num_workers: 0\n"
                                      "model_params: {name: m}\ndatasets: [{path: d.jsonl}]\n"
                                      "endpoint_config: {endpoints: [\"http://h:1\"]}\n";
  EXPECT_EQ(invalid_input_message([&] {
              run({"validate-yaml", "-c", "bad.yaml"});
            }),
            "--workers / settings.client.num_workers must be -1 (auto) or > 0, got 0 (from bad.yaml:4)");
  EXPECT_THAT(invalid_input_message([&] {
                run({"validate-yaml", "-c", "missing.yaml"});
              }),
              HasSubstr("cannot read config file 'missing.yaml'"));
}

}  // namespace
}  // namespace ie::cli
