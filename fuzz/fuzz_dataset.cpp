// Fuzzes dataset::Dataset::load with arbitrary JSONL files. The loader only takes a path, so each input is
// written to one temporary file per process first. Byte 0 chooses the parser remap (prompt column: auto,
// "prompt", "text" or "messages"; system column: auto or "sys") and a sample limit.
//
// Invariants checked, beyond "no crash, no sanitizer report":
// - Errors: only ie::Error(invalid_input), and its message names the file.
// - Shape: 1 <= size <= non-blank lines (and <= the sample limit); a chat sample has a messages array that
//   re-parses as a non-empty array of objects each with a string "role" and a "content", and no prompt or
//   system; the reported prompt column is the configured one when one is configured.
// - Limit is a prefix: with samples = k the loader returns exactly the first k samples of the full load.
// - Line ends: the same file with CRLF line ends loads to the same samples, or fails with the same message.

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "dataset/dataset.h"
#include "fuzz_input.h"

namespace {

constexpr const char* kTarget = "fuzz_dataset";

const std::string& temp_path() {
  static const std::string path = [] {
    const char* dir = std::getenv("TMPDIR");
    std::string pattern = std::string(dir && *dir ? dir : "/tmp") + "/ie_fuzz_dataset_XXXXXX.jsonl";
    int fd = mkstemps(pattern.data(), 6);
    if (fd < 0) ie::fuzz::violated(kTarget, "cannot create a temporary file");
    close(fd);
    std::atexit([] { std::remove(temp_path().c_str()); });
    return pattern;
  }();
  return path;
}

struct Outcome {
  bool ok = false;
  std::string error;
  std::string prompt_column;
  std::vector<ie::dataset::Sample> samples;
};

bool same_samples(const std::vector<ie::dataset::Sample>& a, const std::vector<ie::dataset::Sample>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].prompt != b[i].prompt || a[i].system != b[i].system || a[i].messages_json != b[i].messages_json)
      return false;
  }
  return true;
}

Outcome load(std::string_view contents, ie::config::DatasetConfig config) {
  {
    std::ofstream out(temp_path(), std::ios::binary | std::ios::trunc);
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  }
  config.path = temp_path();
  Outcome outcome;
  try {
    ie::dataset::Dataset dataset = ie::dataset::Dataset::load(config);
    outcome.ok = true;
    outcome.prompt_column = dataset.prompt_column();
    for (size_t i = 0; i < dataset.size(); ++i) outcome.samples.push_back(dataset.at(i));
  } catch (const ie::Error& error) {
    if (error.code() != ie::ExitCode::invalid_input)
      ie::fuzz::violated(kTarget, std::string("an error that is not invalid_input: ") + error.what());
    outcome.error = error.what();
    if (outcome.error.find(config.path) == std::string::npos)
      ie::fuzz::violated(kTarget, "an error that does not name the file: " + outcome.error);
  }
  return outcome;
}

size_t count_nonblank_lines(std::string_view contents) {
  size_t count = 0;
  while (!contents.empty()) {
    size_t newline = contents.find('\n');
    std::string_view line = contents.substr(0, newline);
    contents = newline == std::string_view::npos ? std::string_view() : contents.substr(newline + 1);
    if (line.find_first_not_of(" \t\r") != std::string_view::npos) ++count;
  }
  return count;
}

void check_chat_sample(const ie::dataset::Sample& sample) {
  if (!sample.prompt.empty() || !sample.system.empty())
    ie::fuzz::violated(kTarget, "a chat sample that also has a prompt or system");
  nlohmann::json messages = nlohmann::json::parse(sample.messages_json, nullptr, false);
  if (!messages.is_array() || messages.empty())
    ie::fuzz::violated(kTarget, "messages_json is not a non-empty JSON array: " + sample.messages_json);
  for (const nlohmann::json& message : messages) {
    if (!message.is_object() || !message.contains("role") || !message["role"].is_string() ||
        !message.contains("content")) {
      ie::fuzz::violated(kTarget, "a message without string role and content: " + sample.messages_json);
    }
  }
}

void check_shape(const Outcome& o, std::string_view contents, const ie::config::DatasetConfig& config) {
  if (!o.ok) return;
  if (o.samples.empty()) ie::fuzz::violated(kTarget, "an empty dataset loaded without error");
  if (o.samples.size() > count_nonblank_lines(contents))
    ie::fuzz::violated(kTarget, "more samples than non-blank lines");
  if (config.samples && o.samples.size() > *config.samples)
    ie::fuzz::violated(kTarget, "more samples than the limit");
  if (!config.prompt_column.empty() && o.prompt_column != config.prompt_column)
    ie::fuzz::violated(kTarget, "prompt_column() is not the configured column");
  for (const ie::dataset::Sample& sample : o.samples) {
    if (!sample.messages_json.empty()) check_chat_sample(sample);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ie::fuzz::Input in = ie::fuzz::take_input(data, size);
  static const char* const kPromptColumns[] = {"", "prompt", "text", "messages"};
  ie::config::DatasetConfig config;
  config.prompt_column = kPromptColumns[in.options & 3];
  config.system_column = (in.options & 4) ? "sys" : "";
  if (size_t limit = (in.options >> 3) & 7; limit != 0) config.samples = limit;

  Outcome full = load(in.payload, config);
  check_shape(full, in.payload, config);

  if (full.ok && !config.samples && full.samples.size() > 1) {
    ie::config::DatasetConfig limited = config;
    limited.samples = 1 + in.split_seed % (full.samples.size() - 1);
    Outcome prefix = load(in.payload, limited);
    std::vector<ie::dataset::Sample> expected(full.samples.begin(), full.samples.begin() + *limited.samples);
    if (!prefix.ok || !same_samples(prefix.samples, expected))
      ie::fuzz::violated(kTarget, "samples = k is not the first k samples: " + prefix.error);
  }

  if (in.payload.find('\r') == std::string_view::npos) {
    std::string crlf;
    for (char c : in.payload) {
      if (c == '\n') crlf += '\r';
      crlf += c;
    }
    Outcome other = load(crlf, config);
    if (other.ok != full.ok || other.error != full.error || !same_samples(other.samples, full.samples))
      ie::fuzz::violated(kTarget,
                         "CRLF line ends change the result: '" + full.error + "' vs '" + other.error + "'");
  }
  return 0;
}
