#pragma once
// Prompts loaded once into memory before a run. Loading validates every line; the run only reads.

#include <cstdint>
#include <string>
#include <vector>

#include "config/benchmark_config.h"

namespace ie::dataset {

struct Sample {
  std::string prompt;         // the user prompt text (empty when messages_json is used)
  std::string system;         // optional system prompt, "" = none
  std::string messages_json;  // a chat "messages" array as raw JSON, "" = none (then prompt is used)
};

class Dataset {
 public:
  // Loads a JSONL file: one JSON object per line. Blank (whitespace-only) lines anywhere are skipped, not
  // errors, but still count in the line numbers messages give. The prompt column is config.prompt_column
  // when set (the parser remap), else the first present of: prompt, text_input, input, user_prompt,
  // question, input_text, problem, query, or a chat "messages" array. The system column is
  // config.system_column, else "system" or "system_prompt" when present. Throws ie::Error(invalid_input)
  // naming file and line for a line that is not a JSON object, lacks the prompt column (naming the columns
  // present and the parser.prompt remap), or has a non-string prompt; invalid_input for a file with no rows
  // and for formats it does not read (.csv, .tsv, .parquet, ...); ie::Error(setup) when the file cannot be
  // read (missing, unreadable, a directory).
  static Dataset load(const config::DatasetConfig& config);

  static Dataset from_samples(std::string name, std::vector<Sample> samples);  // tests and built-in data

  const std::string& name() const { return name_; }
  const std::string& prompt_column() const { return prompt_column_; }  // which column was used
  size_t size() const { return samples_.size(); }
  const Sample& at(size_t index) const { return samples_[index]; }

 private:
  std::string name_;
  std::string prompt_column_;
  std::vector<Sample> samples_;
};

}  // namespace ie::dataset
