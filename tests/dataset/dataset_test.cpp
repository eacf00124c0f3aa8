#include "dataset/dataset.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "common/error.h"

namespace ie::dataset {
namespace {

namespace fs = std::filesystem;

class DatasetLoad : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("dataset_test_" + std::to_string(::getpid()) + "_" +
                                             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Writes `contents` to <tmp>/<file_name> and returns a config pointing at it.
  config::DatasetConfig write(const std::string& file_name, const std::string& contents) {
    fs::path path = dir_ / file_name;
    std::ofstream(path, std::ios::binary) << contents;
    config::DatasetConfig config;
    config.path = path.string();
    return config;
  }

  // The message of the invalid_input error that loading throws.
  std::string load_error(const config::DatasetConfig& config, ExitCode expected = ExitCode::invalid_input) {
    try {
      Dataset::load(config);
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), expected) << error.what();
      return error.what();
    }
    ADD_FAILURE() << "Dataset::load accepted " << config.path;
    return "";
  }

  fs::path dir_;
};

TEST_F(DatasetLoad, ReadsThePromptColumnOfEveryLine) {
  Dataset dataset = Dataset::load(write("p.jsonl", "{\"prompt\":\"one\"}\n{\"prompt\":\"two\"}\n"));
  ASSERT_EQ(dataset.size(), 2u);
  EXPECT_EQ(dataset.at(0).prompt, "one");
  EXPECT_EQ(dataset.at(1).prompt, "two");
  EXPECT_EQ(dataset.at(0).system, "");
  EXPECT_EQ(dataset.at(0).messages_json, "");
  EXPECT_EQ(dataset.prompt_column(), "prompt");
}

TEST_F(DatasetLoad, NameDefaultsToTheFileStem) {
  EXPECT_EQ(Dataset::load(write("my_prompts.jsonl", "{\"prompt\":\"x\"}\n")).name(), "my_prompts");
  config::DatasetConfig named = write("other.jsonl", "{\"prompt\":\"x\"}\n");
  named.name = "custom";
  EXPECT_EQ(Dataset::load(named).name(), "custom");
}

TEST_F(DatasetLoad, AutoDetectsTheFirstKnownPromptColumnInPreferenceOrder) {
  EXPECT_EQ(Dataset::load(write("a.jsonl", "{\"question\":\"q\",\"id\":1}\n")).prompt_column(), "question");
  EXPECT_EQ(Dataset::load(write("b.jsonl", "{\"text_input\":\"t\"}\n")).prompt_column(), "text_input");
  // "prompt" is preferred over "question" whatever the column order in the row.
  Dataset both = Dataset::load(write("c.jsonl", "{\"question\":\"q\",\"prompt\":\"p\"}\n"));
  EXPECT_EQ(both.prompt_column(), "prompt");
  EXPECT_EQ(both.at(0).prompt, "p");
}

TEST_F(DatasetLoad, ConfiguredPromptColumnWins) {
  config::DatasetConfig config = write("p.jsonl", "{\"prompt\":\"no\",\"body\":\"yes\"}\n");
  config.prompt_column = "body";
  Dataset dataset = Dataset::load(config);
  EXPECT_EQ(dataset.prompt_column(), "body");
  EXPECT_EQ(dataset.at(0).prompt, "yes");
}

TEST_F(DatasetLoad, MissingPromptColumnNamesFileLineCandidatesAndColumnsPresent) {
  std::string message = load_error(write("prompts.jsonl", "\n\n{\"a\":\"x\",\"b\":2}\n"));
  std::string file = (dir_ / "prompts.jsonl").string();
  EXPECT_EQ(message.rfind(file + ":3: no prompt column: expected one of prompt, text_input, ", 0), 0)
      << message;
  // The remedy names both spellings of the remap: the flag's and the YAML key's.
  EXPECT_NE(message.find("or name the column with --dataset PATH,parser.prompt=COLUMN (YAML: "
                         "datasets[].parser.prompt); columns present: a, b"),
            std::string::npos)
      << message;
}

TEST_F(DatasetLoad, LaterLineWithoutTheChosenColumnIsAnError) {
  std::string message = load_error(write("p.jsonl", "{\"prompt\":\"x\"}\n{\"question\":\"y\"}\n"));
  EXPECT_NE(message.find("p.jsonl:2: no prompt column \"prompt\""), std::string::npos) << message;
  EXPECT_NE(message.find("columns present: question"), std::string::npos) << message;
}

TEST_F(DatasetLoad, MissingConfiguredColumnSaysItCameFromTheParser) {
  config::DatasetConfig config = write("p.jsonl", "{\"prompt\":\"x\"}\n");
  config.prompt_column = "body";
  std::string message = load_error(config);
  EXPECT_NE(message.find("p.jsonl:1: no column \"body\" (set by parser.prompt); columns present: prompt"),
            std::string::npos)
      << message;
}

TEST_F(DatasetLoad, LineThatIsNotJsonNamesFileAndLine) {
  std::string message = load_error(write("prompts.jsonl", "{\"prompt\":\"a\"}\n{\"prompt\": oops}\n"));
  EXPECT_NE(message.find("prompts.jsonl:2: not a JSON object (invalid JSON"), std::string::npos) << message;
}

TEST_F(DatasetLoad, LineThatIsAJsonArrayIsNotAnObject) {
  std::string message = load_error(write("prompts.jsonl", "[1,2]\n"));
  EXPECT_NE(message.find("prompts.jsonl:1: not a JSON object (found an array)"), std::string::npos)
      << message;
}

TEST_F(DatasetLoad, NonStringPromptIsAnError) {
  std::string message = load_error(write("p.jsonl", "{\"prompt\":\"ok\"}\n{\"prompt\":42}\n"));
  EXPECT_NE(message.find("p.jsonl:2: prompt column \"prompt\" is a number, expected a string"),
            std::string::npos)
      << message;
  message = load_error(write("q.jsonl", "{\"prompt\":null}\n"));
  EXPECT_NE(message.find("is null"), std::string::npos) << message;
}

TEST_F(DatasetLoad, MissingFileIsASetupError) {
  config::DatasetConfig config;
  config.path = (dir_ / "absent.jsonl").string();
  std::string message = load_error(config, ExitCode::setup);
  EXPECT_NE(message.find("absent.jsonl"), std::string::npos) << message;
  EXPECT_NE(message.find("No such file"), std::string::npos) << message;
}

TEST_F(DatasetLoad, EmptyFileIsAnError) {
  EXPECT_NE(load_error(write("e.jsonl", "")).find("e.jsonl' has no rows (the file is empty)"),
            std::string::npos);
  EXPECT_NE(load_error(write("b.jsonl", "\n  \n\t\n")).find("b.jsonl' has no rows (only blank lines)"),
            std::string::npos);
}

TEST_F(DatasetLoad, DirectoryIsASetupErrorNotAnEmptyDataset) {
  config::DatasetConfig config;
  config.path = dir_.string();
  std::string message = load_error(config, ExitCode::setup);
  EXPECT_NE(message.find("'" + dir_.string() + "': it is a directory"), std::string::npos) << message;
}

TEST_F(DatasetLoad, UnsupportedFormatIsRefusedByExtensionBeforeParsing) {
  std::string message = load_error(write("rows.csv", "prompt,id\nhello,1\n"));
  EXPECT_NE(message.find("rows.csv': csv datasets are not supported; convert it to JSONL"), std::string::npos)
      << message;
  EXPECT_NE(load_error(write("rows.PARQUET", "PAR1")).find("parquet datasets are not supported"),
            std::string::npos);
}

TEST_F(DatasetLoad, PrettyPrintedJsonArrayFileGetsAJsonlHint) {
  std::string message = load_error(write("rows.json", "[\n  {\"prompt\": \"a\"}\n]\n"));
  EXPECT_NE(message.find("rows.json:1: not a JSON object (invalid JSON"), std::string::npos) << message;
  EXPECT_NE(message.find("looks like one JSON array, but a dataset is JSONL"), std::string::npos) << message;
  // The hint is only for the first row: a later broken line is just a broken line.
  message = load_error(write("later.jsonl", "{\"prompt\":\"a\"}\n[\n"));
  EXPECT_EQ(message.find("looks like one JSON array"), std::string::npos) << message;
}

TEST_F(DatasetLoad, BlankLinesAreSkippedButCountedInLineNumbers) {
  Dataset dataset = Dataset::load(write("p.jsonl", "\n{\"prompt\":\"a\"}\n   \n\n{\"prompt\":\"b\"}"));
  EXPECT_EQ(dataset.size(), 2u);
  EXPECT_NE(load_error(write("q.jsonl", "\n{\"prompt\":\"a\"}\n   \n\n{\"nope\":1}")).find("q.jsonl:5:"),
            std::string::npos);
}

TEST_F(DatasetLoad, CrLfLineEndingsAreAccepted) {
  Dataset dataset = Dataset::load(write("p.jsonl", "{\"prompt\":\"a\"}\r\n{\"prompt\":\"b\"}\r\n\r\n"));
  ASSERT_EQ(dataset.size(), 2u);
  EXPECT_EQ(dataset.at(1).prompt, "b");
}

TEST_F(DatasetLoad, LeadingByteOrderMarkIsIgnored) {
  EXPECT_EQ(Dataset::load(write("p.jsonl", "\xEF\xBB\xBF{\"prompt\":\"a\"}\n")).at(0).prompt, "a");
}

TEST_F(DatasetLoad, Utf8AndEscapesAreDecodedIntoUtf8Text) {
  Dataset dataset = Dataset::load(
      write("p.jsonl", "{\"prompt\":\"caf\xC3\xA9 \\u00e9 \\ud83d\\ude00 \\\"q\\\"\\n\xE6\x97\xA5\"}\n"));
  EXPECT_EQ(dataset.at(0).prompt, "caf\xC3\xA9 \xC3\xA9 \xF0\x9F\x98\x80 \"q\"\n\xE6\x97\xA5");
}

TEST_F(DatasetLoad, InvalidUtf8IsAnError) {
  EXPECT_NE(load_error(write("p.jsonl", "{\"prompt\":\"\xC3\"}\n")).find("p.jsonl:1: not a JSON object"),
            std::string::npos);
}

TEST_F(DatasetLoad, SamplesLimitTruncatesAndSkipsTheRest) {
  // Line 3 is broken: with samples=2 it is never read.
  config::DatasetConfig config = write("p.jsonl", "{\"prompt\":\"a\"}\n{\"prompt\":\"b\"}\n{broken\n");
  config.samples = 2;
  Dataset dataset = Dataset::load(config);
  ASSERT_EQ(dataset.size(), 2u);
  EXPECT_EQ(dataset.at(1).prompt, "b");
}

TEST_F(DatasetLoad, SamplesLimitLargerThanTheFileKeepsAllRows) {
  config::DatasetConfig config = write("p.jsonl", "{\"prompt\":\"a\"}\n");
  config.samples = 10;
  EXPECT_EQ(Dataset::load(config).size(), 1u);
}

TEST_F(DatasetLoad, SystemColumnIsOptionalAndAutoDetected) {
  Dataset dataset = Dataset::load(write("p.jsonl",
                                        "{\"prompt\":\"a\"}\n"
                                        "{\"prompt\":\"b\",\"system\":\"be brief\"}\n"
                                        "{\"prompt\":\"c\",\"system_prompt\":\"be kind\"}\n"
                                        "{\"prompt\":\"d\",\"system\":null}\n"));
  EXPECT_EQ(dataset.at(0).system, "");
  EXPECT_EQ(dataset.at(1).system, "be brief");
  EXPECT_EQ(dataset.at(2).system, "be kind");
  EXPECT_EQ(dataset.at(3).system, "");
}

TEST_F(DatasetLoad, ConfiguredSystemColumnIsUsed) {
  config::DatasetConfig config =
      write("p.jsonl", "{\"prompt\":\"a\",\"sys\":\"s\",\"system\":\"ignored\"}\n");
  config.system_column = "sys";
  EXPECT_EQ(Dataset::load(config).at(0).system, "s");
}

TEST_F(DatasetLoad, NonStringSystemIsAnError) {
  std::string message = load_error(write("p.jsonl", "{\"prompt\":\"a\",\"system\":[1]}\n"));
  EXPECT_NE(message.find("p.jsonl:1: system column \"system\" is an array"), std::string::npos) << message;
}

TEST_F(DatasetLoad, MessagesArrayIsKeptAsMinifiedJson) {
  Dataset dataset =
      Dataset::load(write("chat.jsonl",
                          "{\"messages\": [ {\"role\": \"system\", \"content\": \"be brief\"},\t"
                          "  {\"role\" : \"user\", \"content\": [{\"type\":\"text\",\"text\":\"hi "
                          "\\\"you\\\"\"}]} ], \"id\": 3}\n"));
  EXPECT_EQ(dataset.prompt_column(), "messages");
  const Sample& sample = dataset.at(0);
  EXPECT_EQ(sample.prompt, "");
  EXPECT_EQ(
      sample.messages_json,
      R"([{"role":"system","content":"be brief"},{"role":"user","content":[{"type":"text","text":"hi \"you\""}]}])");
  nlohmann::json parsed = nlohmann::json::parse(sample.messages_json);
  EXPECT_EQ(parsed[1]["content"][0]["text"], "hi \"you\"");
}

TEST_F(DatasetLoad, PromptColumnIsPreferredOverMessages) {
  Dataset dataset = Dataset::load(
      write("p.jsonl", "{\"messages\":[{\"role\":\"user\",\"content\":\"m\"}],\"prompt\":\"p\"}\n"));
  EXPECT_EQ(dataset.prompt_column(), "prompt");
  EXPECT_EQ(dataset.at(0).prompt, "p");
  EXPECT_EQ(dataset.at(0).messages_json, "");
}

TEST_F(DatasetLoad, MessagesMustBeObjectsWithRoleAndContent) {
  auto message_for = [&](const std::string& messages) {
    return load_error(write("m.jsonl", "{\"messages\":" + messages + "}\n"));
  };
  EXPECT_NE(message_for("[]").find("m.jsonl:1: column \"messages\" must be an array of objects with role and "
                                   "content: the array is empty"),
            std::string::npos);
  EXPECT_NE(message_for("[\"hi\"]").find("element 0 is not an object"), std::string::npos);
  EXPECT_NE(message_for("[{\"content\":\"x\"}]").find("element 0 has no string role"), std::string::npos);
  EXPECT_NE(message_for("[{\"role\":\"user\",\"content\":\"x\"},{\"role\":\"user\"}]")
                .find("element 1 has no content"),
            std::string::npos);
  EXPECT_NE(message_for("[{\"role\":1,\"content\":\"x\"}]").find("element 0 has no string role"),
            std::string::npos);
}

TEST_F(DatasetLoad, SharedDummyDatasetLoadsWithTextInputDetected) {
  config::DatasetConfig config;
  config.path = std::string(IE_SOURCE_DIR) + "/../shared/datasets/dummy_1k.jsonl";
  if (!fs::exists(config.path)) GTEST_SKIP() << "no shared dataset at " << config.path;
  Dataset dataset = Dataset::load(config);
  EXPECT_EQ(dataset.name(), "dummy_1k");
  EXPECT_EQ(dataset.prompt_column(), "text_input");
  ASSERT_EQ(dataset.size(), 1000u);
  EXPECT_EQ(dataset.at(0).prompt, "Write a short story about artificial intelligence (case 0)");
  for (size_t i = 0; i < dataset.size(); ++i) ASSERT_FALSE(dataset.at(i).prompt.empty()) << i;
}

TEST(DatasetFromSamples, KeepsNameAndSamples) {
  Dataset dataset = Dataset::from_samples("builtin", {Sample{"a", "", ""}, Sample{"b", "s", ""}});
  EXPECT_EQ(dataset.name(), "builtin");
  ASSERT_EQ(dataset.size(), 2u);
  EXPECT_EQ(dataset.at(1).system, "s");
}

}  // namespace
}  // namespace ie::dataset
