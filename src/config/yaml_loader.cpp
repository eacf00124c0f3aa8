#include "config/yaml_loader.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "common/error.h"
#include "config/interpolate.h"
#include "config/schema.h"
#include "config/suggest.h"

namespace ie::config {
namespace {

std::string_view node_shape(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Null:
      return "null";
    default:
      return "a single value";
  }
}

std::string join_key(std::string_view parent, std::string_view child) {
  return parent.empty() ? std::string(child) : fmt::format("{}.{}", parent, child);
}

// Walks the document once, section by section. `pattern` is the schema key without list indices and `path`
// the same key as the user sees it ("datasets[].path" vs "datasets[0].path").
class Loader {
 public:
  Loader(std::string source, std::vector<std::string>* warnings)
      : source_(std::move(source)), warnings_(warnings) {}

  BenchmarkConfig load(std::string_view yaml) {
    YAML::Node root = parse(yaml);
    if (root.IsNull()) fail_input(fmt::format("{}: the config is empty", source_));
    if (!root.IsMap())
      fail_input(fmt::format("{}: expected a mapping of settings, got {}", where(root), node_shape(root)));
    walk_section(root, "", "", nullptr);
    return std::move(config_);
  }

 private:
  YAML::Node parse(std::string_view yaml) {
    try {
      return YAML::Load(std::string(yaml));
    } catch (const YAML::ParserException& error) {
      fail_input(fmt::format("{}:{}:{}: YAML syntax error: {}", source_, error.mark.line + 1,
                             error.mark.column + 1, error.msg));
    }
  }

  std::string where(const YAML::Node& node) const { return where(node.Mark()); }
  std::string where(const YAML::Mark& mark) const { return fmt::format("{}:{}", source_, mark.line + 1); }

  // `dataset` is the entry being filled when inside datasets[i], null elsewhere.
  void walk_section(const YAML::Node& map, const std::string& pattern, const std::string& path,
                    DatasetConfig* dataset) {
    std::set<std::string> seen;
    for (const auto& entry : map) {
      // Copies: the iterator's value is a temporary proxy, so references into it would dangle.
      YAML::Node key_node = entry.first;
      YAML::Node value = entry.second;
      if (!key_node.IsScalar()) fail_input(fmt::format("{}: a key must be a plain name", where(key_node)));
      const std::string& name = key_node.Scalar();
      // Messages start with the key: a NUL in it cut them to nothing ("error: "), other control characters
      // garble the terminal. No schema key has one, so refuse it before echoing it.
      if (std::any_of(name.begin(), name.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; }))
        fail_input(fmt::format("{}: a key must be a plain name", where(key_node)));
      std::string child_path = join_key(path, name);
      if (!seen.insert(name).second) {
        fail_input(fmt::format("{} at {}: duplicate key", child_path, where(key_node)));
      }
      walk_entry(key_node, value, join_key(pattern, name), child_path, dataset);
    }
  }

  void walk_entry(const YAML::Node& key_node, const YAML::Node& value, const std::string& pattern,
                  const std::string& path, DatasetConfig* dataset) {
    switch (key_kind(pattern)) {
      case KeyKind::unknown:
        fail_unknown(key_node, pattern, path);
      case KeyKind::ignored:
        warn(fmt::format("{}: ignored: {} has no effect in this client", where(key_node), path));
        return;
      case KeyKind::section:
        if (value.IsNull()) return;
        expect_shape(value, YAML::NodeType::Map, path, "a mapping");
        walk_section(value, pattern, path, dataset);
        return;
      case KeyKind::dataset_list:
        walk_datasets(value, path);
        return;
      case KeyKind::list:
        walk_list(value, path);
        return;
      case KeyKind::value:
        set_value(value, pattern, path, dataset);
        return;
    }
  }

  [[noreturn]] void fail_unknown(const YAML::Node& key_node, const std::string& pattern,
                                 const std::string& path) {
    size_t dot = pattern.rfind('.');
    std::string section = dot == std::string::npos ? "" : pattern.substr(0, dot);
    std::string name = dot == std::string::npos ? pattern : pattern.substr(dot + 1);
    std::vector<std::string_view> siblings = child_names(section);
    std::string suggestion = nearest(name, siblings);
    if (!suggestion.empty()) {
      fail_input(fmt::format("{} at {}: unknown key; did you mean '{}'?", path, where(key_node), suggestion));
    }
    fail_input(fmt::format("{} at {}: unknown key (valid here: {})", path, where(key_node),
                           fmt::join(siblings, ", ")));
  }

  void expect_shape(const YAML::Node& value, YAML::NodeType::value type, const std::string& path,
                    std::string_view expected) {
    if (value.Type() == type) return;
    std::string got = value.IsScalar() ? fmt::format("'{}'", value.Scalar()) : std::string(node_shape(value));
    fail_input(fmt::format("{} at {}: expected {}, got {}", path, where(value), expected, got));
  }

  std::string scalar_text(const YAML::Node& value, const std::string& path) {
    expect_shape(value, YAML::NodeType::Scalar, path, "a single value");
    return interpolate_env(value.Scalar(), fmt::format("{} at {}", path, where(value)));
  }

  void set_value(const YAML::Node& value, const std::string& pattern, const std::string& path,
                 DatasetConfig* dataset) {
    if (value.IsNull()) return;
    std::string text = scalar_text(value, path);
    if (dataset == nullptr) {
      set_field(config_, pattern, text, where(value));
      return;
    }
    std::string relative = pattern.substr(std::string_view("datasets[].").size());
    set_dataset_field(*dataset, relative, text, fmt::format("{} at {}", path, where(value)));
    config_.origins[path] = where(value);
  }

  void walk_list(const YAML::Node& value, const std::string& path) {
    if (value.IsNull()) return;
    if (value.IsScalar()) {  // a single item written without brackets
      set_field(config_, path, scalar_text(value, path), where(value));
      return;
    }
    expect_shape(value, YAML::NodeType::Sequence, path, "a list");
    for (size_t i = 0; i < value.size(); ++i) {
      set_field(config_, path, scalar_text(value[i], fmt::format("{}[{}]", path, i)), where(value[i]));
    }
  }

  void walk_datasets(const YAML::Node& value, const std::string& path) {
    if (value.IsNull()) return;
    expect_shape(value, YAML::NodeType::Sequence, path, "a list");
    for (size_t i = 0; i < value.size(); ++i) {
      std::string entry_path = fmt::format("{}[{}]", path, i);
      expect_shape(value[i], YAML::NodeType::Map, entry_path, "a mapping with path, parser, ...");
      config_.datasets.emplace_back();
      config_.origins[entry_path] = where(value[i]);
      walk_section(value[i], "datasets[]", entry_path, &config_.datasets.back());
    }
  }

  void warn(std::string message) {
    if (warnings_ != nullptr) {
      warnings_->push_back(std::move(message));
    } else {
      std::cerr << "warning: " << message << '\n';
    }
  }

  std::string source_;
  std::vector<std::string>* warnings_;
  BenchmarkConfig config_;
};

}  // namespace

BenchmarkConfig load_config_text(std::string_view yaml, const std::string& source_name,
                                 std::vector<std::string>* warnings) {
  return Loader(source_name, warnings).load(yaml);
}

BenchmarkConfig load_config_file(const std::string& path, std::vector<std::string>* warnings) {
  if (std::filesystem::is_directory(path))
    fail_input(fmt::format("cannot read config file '{}': it is a directory", path));
  std::ifstream in(path, std::ios::binary);
  if (!in) fail_input(fmt::format("cannot read config file '{}': {}", path, std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) fail_input(fmt::format("cannot read config file '{}': {}", path, std::strerror(errno)));
  return load_config_text(text.str(), path, warnings);
}

}  // namespace ie::config
