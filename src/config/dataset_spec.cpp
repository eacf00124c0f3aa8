#include "config/dataset_spec.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <set>
#include <string>

#include "common/error.h"
#include "config/schema.h"
#include "config/suggest.h"

namespace ie::config {
namespace {

constexpr std::array<std::string_view, 5> kKeys = {"parser.prompt", "parser.system", "samples", "format",
                                                   "name"};

[[noreturn]] void reject(std::string_view spec, std::string_view problem) {
  fail_input(fmt::format("--dataset '{}': {}", spec, problem));
}

void apply_option(DatasetConfig& dataset, std::string_view spec, std::string_view option,
                  std::set<std::string_view>& seen) {
  size_t equals = option.find('=');
  if (equals == std::string_view::npos) {
    size_t colon = option.find(':');
    if (colon != std::string_view::npos) {
      reject(spec, fmt::format("'{}' uses ':'; write {}={} (options are key=value)", option,
                               option.substr(0, colon), option.substr(colon + 1)));
    }
    reject(spec, fmt::format("'{}' is not a key=value option", option));
  }
  std::string_view key = option.substr(0, equals);
  std::string_view value = option.substr(equals + 1);
  if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end()) {
    std::string suggestion = nearest(key, kKeys);
    std::string hint = suggestion.empty() ? "" : fmt::format("did you mean '{}'? ", suggestion);
    reject(spec, fmt::format("unknown key '{}' ({}valid keys: {})", key, hint, fmt::join(kKeys, ", ")));
  }
  if (!seen.insert(key).second) reject(spec, fmt::format("key '{}' is given twice", key));
  set_dataset_field(dataset, key, value, fmt::format("--dataset '{}': {}", spec, key));
}

}  // namespace

DatasetConfig parse_dataset_spec(std::string_view spec) {
  std::string_view rest = spec;
  if (rest.starts_with("acc:")) reject(spec, "accuracy datasets are not supported yet (only performance)");
  if (rest.starts_with("perf:")) rest.remove_prefix(5);
  size_t comma = rest.find(',');
  DatasetConfig dataset;
  dataset.path = std::string(rest.substr(0, comma));
  if (dataset.path.empty()) reject(spec, "the dataset path is empty");
  std::set<std::string_view> seen;
  while (comma != std::string_view::npos) {
    rest.remove_prefix(comma + 1);
    comma = rest.find(',');
    apply_option(dataset, spec, rest.substr(0, comma), seen);
  }
  return dataset;
}

}  // namespace ie::config
