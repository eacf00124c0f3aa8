#include "dataset/dataset.h"

#include <simdjson.h>

#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>

#include "common/error.h"

namespace ie::dataset {
namespace {

namespace dom = simdjson::dom;

// Auto-detected prompt columns, in order of preference; "messages" (a chat array) comes last.
constexpr std::array<std::string_view, 9> kPromptColumns = {
    "prompt", "text_input", "input", "user_prompt", "question", "input_text", "problem", "query", "messages"};
constexpr std::array<std::string_view, 2> kSystemColumns = {"system", "system_prompt"};

// Where a row came from, for error messages: "prompts.jsonl:17".
struct RowSource {
  const std::string& path;
  size_t line_number;
  std::string where() const { return path + ":" + std::to_string(line_number); }
};

// Formats people reach for that this loader does not read: refused by extension, before a confusing
// "invalid JSON" on line 1.
constexpr std::array<std::string_view, 7> kUnsupportedExtensions = {".csv",  ".tsv", ".parquet", ".arrow",
                                                                    ".xlsx", ".pkl", ".pickle"};

void check_format(const std::string& path) {
  std::string extension = std::filesystem::path(path).extension().string();
  for (char& c : extension) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (std::string_view unsupported : kUnsupportedExtensions) {
    if (extension == unsupported) {
      fail_input("dataset file '" + path + "': " + extension.substr(1) +
                 " datasets are not supported; convert it to JSONL (one JSON object per line)");
    }
  }
}

std::string read_file(const std::string& path) {
  // An ifstream opens a directory without complaint and then reads nothing: name the real problem.
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    fail_setup("cannot read dataset file '" + path + "': it is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) fail_setup("cannot read dataset file '" + path + "': " + std::strerror(errno));
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) fail_setup("cannot read dataset file '" + path + "': " + std::strerror(errno));
  return std::move(contents).str();
}

bool is_blank(std::string_view line) {
  return line.find_first_not_of(" \t") == std::string_view::npos;
}

std::string_view type_name(dom::element_type type) {
  switch (type) {
    case dom::element_type::ARRAY:
      return "an array";
    case dom::element_type::OBJECT:
      return "an object";
    case dom::element_type::INT64:
    case dom::element_type::UINT64:
    case dom::element_type::DOUBLE:
      return "a number";
    case dom::element_type::STRING:
      return "a string";
    case dom::element_type::BOOL:
      return "a boolean";
    case dom::element_type::NULL_VALUE:
      return "null";
  }
  return "an unknown value";
}

std::string column_list(dom::object row) {
  std::string out;
  for (auto field : row) {
    if (!out.empty()) out += ", ";
    out += field.key;
  }
  return out.empty() ? "(none)" : out;
}

bool has_column(dom::object row, std::string_view column) {
  return row.at_key(column).error() == simdjson::SUCCESS;
}

// The configured prompt column, else the first candidate this row has; "" when it has none.
std::string choose_prompt_column(const config::DatasetConfig& config, dom::object row) {
  if (!config.prompt_column.empty()) return config.prompt_column;
  for (std::string_view column : kPromptColumns) {
    if (has_column(row, column)) return std::string(column);
  }
  return "";
}

[[noreturn]] void fail_no_prompt_column(const RowSource& source, const config::DatasetConfig& config,
                                        std::string_view chosen, dom::object row) {
  std::string expected;
  if (!config.prompt_column.empty()) {
    expected = "no column \"" + config.prompt_column + "\" (set by parser.prompt)";
  } else if (!chosen.empty()) {
    expected = "no prompt column \"" + std::string(chosen) + "\" (the column earlier rows use)";
  } else {
    expected = "no prompt column: expected one of ";
    for (std::string_view column : kPromptColumns) expected += std::string(column) + ", ";
    expected +=
        "or name the column with --dataset PATH,parser.prompt=COLUMN (YAML: datasets[].parser.prompt)";
  }
  fail_input(source.where() + ": " + expected + "; columns present: " + column_list(row));
}

// A whole file holding one pretty-printed JSON array fails on its first line "[": say what JSONL means.
std::string array_hint(bool first_row, std::string_view line) {
  if (!first_row || line.find_first_not_of(" \t") == std::string_view::npos ||
      line[line.find_first_not_of(" \t")] != '[')
    return "";
  return "; the file looks like one JSON array, but a dataset is JSONL: one JSON object per line";
}

// A chat messages array: objects that each have a string "role" and a "content" (text or content parts).
std::string take_messages(const RowSource& source, std::string_view column, dom::element value) {
  auto fail = [&](const std::string& problem) -> void {
    fail_input(source.where() + ": column \"" + std::string(column) +
               "\" must be an array of objects with role and content: " + problem);
  };
  dom::array messages;
  if (value.get_array().get(messages) != simdjson::SUCCESS)
    fail("found " + std::string(type_name(value.type())));
  if (messages.size() == 0) fail("the array is empty");
  size_t index = 0;
  for (dom::element message : messages) {
    std::string at = "element " + std::to_string(index++);
    dom::object fields;
    if (message.get_object().get(fields) != simdjson::SUCCESS) fail(at + " is not an object");
    std::string_view role;
    if (fields["role"].get_string().get(role) != simdjson::SUCCESS) fail(at + " has no string role");
    if (!has_column(fields, "content")) fail(at + " has no content");
  }
  return simdjson::minify(value);
}

// The system prompt: config.system_column, else the first of kSystemColumns this row has; "" when the row has
// none or null. Looked up per row because it is optional: the first row may lack it.
std::string take_system(const RowSource& source, const config::DatasetConfig& config, dom::object row) {
  std::string_view column = config.system_column;
  dom::element value;
  bool found = false;
  if (!column.empty()) {
    found = row.at_key(column).get(value) == simdjson::SUCCESS;
  } else {
    for (std::string_view candidate : kSystemColumns) {
      if (row.at_key(candidate).get(value) == simdjson::SUCCESS) {
        column = candidate;
        found = true;
        break;
      }
    }
  }
  if (!found || value.is_null()) return "";
  std::string_view text;
  if (value.get_string().get(text) != simdjson::SUCCESS) {
    fail_input(source.where() + ": system column \"" + std::string(column) + "\" is " +
               std::string(type_name(value.type())) + ", expected a string");
  }
  return std::string(text);
}

Sample take_sample(const RowSource& source, const config::DatasetConfig& config,
                   const std::string& prompt_column, dom::object row) {
  dom::element value;
  if (row.at_key(prompt_column).get(value) != simdjson::SUCCESS) {
    fail_no_prompt_column(source, config, prompt_column, row);
  }
  Sample sample;
  if (value.is_array()) {
    // A messages array carries its own system turn, so the system column does not apply.
    sample.messages_json = take_messages(source, prompt_column, value);
    return sample;
  }
  std::string_view text;
  if (value.get_string().get(text) != simdjson::SUCCESS) {
    fail_input(source.where() + ": prompt column \"" + prompt_column + "\" is " +
               std::string(type_name(value.type())) + ", expected a string");
  }
  sample.prompt = std::string(text);
  sample.system = take_system(source, config, row);
  return sample;
}

}  // namespace

Dataset Dataset::load(const config::DatasetConfig& config) {
  check_format(config.path);
  std::string contents = read_file(config.path);
  Dataset dataset;
  dataset.name_ = config.name.empty() ? std::filesystem::path(config.path).stem().string() : config.name;
  uint64_t limit = config.samples.value_or(UINT64_MAX);
  dom::parser parser;
  std::string_view rest(contents);
  if (rest.starts_with("\xEF\xBB\xBF")) rest.remove_prefix(3);  // a UTF-8 byte order mark some editors write
  for (size_t line_number = 1; !rest.empty() && dataset.samples_.size() < limit; ++line_number) {
    size_t newline = rest.find('\n');
    std::string_view line = rest.substr(0, newline);
    rest = newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (is_blank(line)) continue;
    RowSource source{config.path, line_number};
    dom::element document;
    if (auto error = parser.parse(line.data(), line.size()).get(document)) {
      fail_input(source.where() + ": not a JSON object (invalid JSON: " + simdjson::error_message(error) +
                 ")" + array_hint(dataset.samples_.empty(), line));
    }
    dom::object row;
    if (document.get_object().get(row) != simdjson::SUCCESS) {
      fail_input(source.where() + ": not a JSON object (found " + std::string(type_name(document.type())) +
                 ")");
    }
    if (dataset.prompt_column_.empty()) {
      // The first row decides the prompt column; every later row must have the same prompt column.
      dataset.prompt_column_ = choose_prompt_column(config, row);
      if (dataset.prompt_column_.empty()) fail_no_prompt_column(source, config, "", row);
    }
    dataset.samples_.push_back(take_sample(source, config, dataset.prompt_column_, row));
  }
  if (dataset.samples_.empty()) {
    fail_input("dataset file '" + config.path + "' has no rows (" +
               (contents.empty() ? "the file is empty" : "only blank lines") + ")");
  }
  return dataset;
}

Dataset Dataset::from_samples(std::string name, std::vector<Sample> samples) {
  Dataset dataset;
  dataset.name_ = std::move(name);
  dataset.prompt_column_ = "prompt";
  dataset.samples_ = std::move(samples);
  return dataset;
}

}  // namespace ie::dataset
