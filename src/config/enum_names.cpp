#include "config/enum_names.h"

namespace ie::config {

std::string_view to_string(TestType type) {
  switch (type) {
    case TestType::offline:
      return "offline";
    case TestType::online:
      return "online";
  }
  return "?";
}

std::string_view to_string(LoadPatternType type) {
  switch (type) {
    case LoadPatternType::max_throughput:
      return "max_throughput";
    case LoadPatternType::poisson:
      return "poisson";
    case LoadPatternType::concurrency:
      return "concurrency";
  }
  return "?";
}

std::string_view to_string(ApiType type) {
  switch (type) {
    case ApiType::openai:
      return "openai";
    case ApiType::openai_completions:
      return "openai_completions";
  }
  return "?";
}

std::string_view to_string(StreamingMode mode) {
  switch (mode) {
    case StreamingMode::automatic:
      return "auto";
    case StreamingMode::on:
      return "on";
    case StreamingMode::off:
      return "off";
  }
  return "?";
}

std::optional<TestType> parse_test_type(std::string_view text) {
  for (TestType type : {TestType::offline, TestType::online}) {
    if (text == to_string(type)) return type;
  }
  return std::nullopt;
}

std::optional<LoadPatternType> parse_load_pattern_type(std::string_view text) {
  for (LoadPatternType type :
       {LoadPatternType::max_throughput, LoadPatternType::poisson, LoadPatternType::concurrency}) {
    if (text == to_string(type)) return type;
  }
  return std::nullopt;
}

std::optional<ApiType> parse_api_type(std::string_view text) {
  for (ApiType type : {ApiType::openai, ApiType::openai_completions}) {
    if (text == to_string(type)) return type;
  }
  return std::nullopt;
}

std::optional<StreamingMode> parse_streaming_mode(std::string_view text) {
  for (StreamingMode mode : {StreamingMode::automatic, StreamingMode::on, StreamingMode::off}) {
    if (text == to_string(mode)) return mode;
  }
  if (text == "true") return StreamingMode::on;
  if (text == "false") return StreamingMode::off;
  return std::nullopt;
}

}  // namespace ie::config
