#include "config/dataset_spec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "error_text.h"

namespace ie::config {
namespace {

using ie::testing::invalid_input_message;
using ::testing::HasSubstr;

TEST(ParseDatasetSpec, PathAloneIsAPerformanceDataset) {
  DatasetConfig d = parse_dataset_spec("data/prompts.jsonl");
  EXPECT_EQ(d.path, "data/prompts.jsonl");
  EXPECT_EQ(d.name, "");
  EXPECT_EQ(d.samples, std::nullopt);
}

TEST(ParseDatasetSpec, PerfPrefixIsOptional) {
  EXPECT_EQ(parse_dataset_spec("perf:a.jsonl").path, "a.jsonl");
}

TEST(ParseDatasetSpec, AllKeysApply) {
  DatasetConfig d = parse_dataset_spec(
      "perf:a.jsonl,parser.prompt=text_input,parser.system=sys,samples=500,format=.jsonl,name=x");
  EXPECT_EQ(d.path, "a.jsonl");
  EXPECT_EQ(d.prompt_column, "text_input");
  EXPECT_EQ(d.system_column, "sys");
  EXPECT_EQ(d.samples, 500u);
  EXPECT_EQ(d.name, "x");
}

TEST(ParseDatasetSpec, ValueMayContainEqualsAndColons) {
  EXPECT_EQ(parse_dataset_spec("a.jsonl,name=a=b:c").name, "a=b:c");
}

TEST(ParseDatasetSpec, ColonInsteadOfEqualsGetsAHint) {
  EXPECT_EQ(
      invalid_input_message([] { parse_dataset_spec("a.jsonl,samples:10"); }),
      "--dataset 'a.jsonl,samples:10': 'samples:10' uses ':'; write samples=10 (options are key=value)");
}

TEST(ParseDatasetSpec, UnknownKeyIsNamedWithNearestAndValidKeys) {
  std::string message = invalid_input_message([] { parse_dataset_spec("a.jsonl,parser.promt=x"); });
  EXPECT_THAT(message, HasSubstr("unknown key 'parser.promt'"));
  EXPECT_THAT(message, HasSubstr("did you mean 'parser.prompt'?"));
  EXPECT_THAT(
      invalid_input_message([] { parse_dataset_spec("a.jsonl,colour=red"); }),
      HasSubstr("unknown key 'colour' (valid keys: parser.prompt, parser.system, samples, format, name)"));
}

TEST(ParseDatasetSpec, AccuracyDatasetsAreNotSupportedYet) {
  EXPECT_THAT(invalid_input_message([] { parse_dataset_spec("acc:gpqa.jsonl"); }),
              HasSubstr("accuracy datasets are not supported yet"));
}

TEST(ParseDatasetSpec, BadValuesAndShapesAreRejected) {
  EXPECT_THAT(
      invalid_input_message([] { parse_dataset_spec("a.jsonl,samples=many"); }),
      HasSubstr("--dataset 'a.jsonl,samples=many': samples: expected a non-negative integer, got 'many'"));
  EXPECT_THAT(invalid_input_message([] { parse_dataset_spec("a.jsonl,format=.csv"); }),
              HasSubstr("format '.csv' is not supported yet"));
  EXPECT_THAT(invalid_input_message([] { parse_dataset_spec(""); }), HasSubstr("the dataset path is empty"));
  EXPECT_THAT(invalid_input_message([] { parse_dataset_spec(",samples=1"); }), HasSubstr("path is empty"));
  EXPECT_THAT(invalid_input_message([] { parse_dataset_spec("a.jsonl,"); }), HasSubstr("is not a key=value"));
  EXPECT_THAT(invalid_input_message([] { parse_dataset_spec("a.jsonl,samples=1,samples=2"); }),
              HasSubstr("key 'samples' is given twice"));
}

TEST(ParseDatasetSpec, EveryPrefixParsesOrFailsWithInvalidInput) {
  const std::string spec = "perf:a.jsonl,parser.prompt=q,samples=5";
  for (size_t length = 0; length <= spec.size(); ++length) {
    try {
      parse_dataset_spec(std::string_view(spec).substr(0, length));
    } catch (const ie::Error& error) {
      EXPECT_EQ(error.code(), ie::ExitCode::invalid_input) << length;
    }
  }
}

}  // namespace
}  // namespace ie::config
