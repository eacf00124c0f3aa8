#include "config/schema.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>

#include "common/error.h"
#include "config/duration.h"
#include "config/enum_names.h"

namespace ie::config {
namespace {

// Each converter returns "" on success or the problem, worded to follow "<label>: ".
using Apply = std::string (*)(BenchmarkConfig&, std::string_view text);
using ApplyDataset = std::string (*)(DatasetConfig&, std::string_view text);

struct Field {
  std::string_view key;
  std::string_view flag;
  KeyKind kind;
  Apply apply;
};

struct DatasetField {
  std::string_view key;  // relative to the entry
  ApplyDataset apply;
};

std::string got(std::string_view expected, std::string_view text) {
  return fmt::format("expected {}, got '{}'", expected, text);
}

std::string into(std::string_view text, std::string& out) {
  out = std::string(text);
  return {};
}

std::string into(std::string_view text, bool& out) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower == "true" || lower == "yes" || lower == "on") {
    out = true;
  } else if (lower == "false" || lower == "no" || lower == "off") {
    out = false;
  } else {
    return got("true or false", text);
  }
  return {};
}

std::string into(std::string_view text, double& out) {
  const char* end = text.data() + text.size();
  auto [ptr, error] = std::from_chars(text.data(), end, out);
  if (text.empty() || error != std::errc() || ptr != end) return got("a number", text);
  return {};
}

template <typename Int>
std::string into_integer(std::string_view text, Int& out) {
  const char* end = text.data() + text.size();
  auto [ptr, error] = std::from_chars(text.data(), end, out);
  if (!text.empty() && error == std::errc() && ptr == end) return {};
  if (std::is_unsigned_v<Int> && text.starts_with('-')) return got("a non-negative integer", text);
  if (error == std::errc::result_out_of_range) {
    return got(fmt::format("an integer in [{}, {}]", std::numeric_limits<Int>::min(),
                           std::numeric_limits<Int>::max()),
               text);
  }
  return got(std::is_unsigned_v<Int> ? "a non-negative integer" : "an integer", text);
}

std::string into(std::string_view text, int32_t& out) {
  return into_integer(text, out);
}
std::string into(std::string_view text, uint32_t& out) {
  return into_integer(text, out);
}
std::string into(std::string_view text, int64_t& out) {
  return into_integer(text, out);
}
std::string into(std::string_view text, uint64_t& out) {
  return into_integer(text, out);
}

template <typename T>
std::string into(std::string_view text, std::optional<T>& out) {
  T value{};
  std::string problem = into(text, value);
  if (problem.empty()) out = value;
  return problem;
}

// "-5s" parses as nothing; say why rather than only show the examples.
std::string negative_duration(std::string_view text) {
  return fmt::format("a duration cannot be negative, got '{}'", text);
}

std::string duration_into(std::string_view text, uint64_t& out_ms) {
  if (text.starts_with('-')) return negative_duration(text);
  std::optional<uint64_t> ms = try_parse_duration_ms(text);
  if (!ms) return got("a duration (examples: 30000, 30s, 5m)", text);
  out_ms = *ms;
  return {};
}

std::string seconds_into(std::string_view text, uint64_t& out_ms) {
  if (text.starts_with('-')) return negative_duration(text);
  std::optional<uint64_t> ms = try_parse_seconds_as_ms(text);
  if (!ms) return got("a number of seconds (examples: 4, 0.5, 500ms)", text);
  out_ms = *ms;
  return {};
}

std::string unsupported(std::string_view what, std::string_view text, std::string_view supported) {
  return fmt::format("{} '{}' is not supported yet (supported: {})", what, text, supported);
}

std::string test_type_into(std::string_view text, TestType& out) {
  if (auto type = parse_test_type(text)) {
    out = *type;
    return {};
  }
  if (text == "eval" || text == "submission") return unsupported("type", text, "offline, online");
  return got("offline or online", text);
}

std::string load_pattern_into(std::string_view text, LoadPatternType& out) {
  if (auto type = parse_load_pattern_type(text)) {
    out = *type;
    return {};
  }
  if (text == "agentic_inference" || text == "burst" || text == "step") {
    return unsupported("load pattern", text, "max_throughput, poisson, concurrency");
  }
  return got("max_throughput, poisson or concurrency", text);
}

std::string api_type_into(std::string_view text, ApiType& out) {
  if (auto type = parse_api_type(text)) {
    out = *type;
    return {};
  }
  if (text == "sglang" || text == "videogen")
    return unsupported("api type", text, "openai, openai_completions");
  return got("openai or openai_completions", text);
}

std::string streaming_into(std::string_view text, StreamingMode& out) {
  if (auto mode = parse_streaming_mode(text)) {
    out = *mode;
    return {};
  }
  return got("auto, on or off", text);
}

// clang-format off
constexpr std::array kFields = {
  Field{"name", "", KeyKind::value, [](BenchmarkConfig& c, std::string_view t) { return into(t, c.name); }},
  // The Python schema version; one layout exists, so any value is accepted.
  Field{"version", "", KeyKind::value, [](BenchmarkConfig&, std::string_view) { return std::string(); }},
  Field{"type", "", KeyKind::value,
        [](BenchmarkConfig& c, std::string_view t) { return test_type_into(t, c.type); }},
  Field{"model_params.name", "--model", KeyKind::value,
        [](BenchmarkConfig& c, std::string_view t) { return into(t, c.model_params.name); }},
  Field{"model_params.max_new_tokens", "--max-output-tokens", KeyKind::value,
        [](BenchmarkConfig& c, std::string_view t) { return into(t, c.model_params.max_output_tokens); }},
  Field{"model_params.streaming", "--streaming", KeyKind::value,
        [](BenchmarkConfig& c, std::string_view t) { return streaming_into(t, c.model_params.streaming_mode); }},
  Field{"model_params.temperature", "--temperature", KeyKind::value,
        [](BenchmarkConfig& c, std::string_view t) { return into(t, c.model_params.temperature); }},
  Field{"model_params.top_p", "--model-params.top-p", KeyKind::value,
        [](BenchmarkConfig& c, std::string_view t) { return into(t, c.model_params.top_p); }},
  Field{"model_params.top_k", "--model-params.top-k", KeyKind::value,
        [](BenchmarkConfig& c, std::string_view t) { return into(t, c.model_params.top_k); }},
  Field{"model_params.seed", "--seed", KeyKind::value,
        [](BenchmarkConfig& c, std::string_view t) { return into(t, c.model_params.seed); }},
  Field{"settings.runtime.min_duration_ms", "--duration", KeyKind::value,
        [](BenchmarkConfig& c, std::string_view t) { return duration_into(t, c.runtime.duration_ms); }},
  Field{"settings.runtime.max_duration_ms", "--runtime.max-duration-ms", KeyKind::value,
        [](BenchmarkConfig& c, std::string_view t) { return duration_into(t, c.runtime.max_duration_ms); }},
  Field{"settings.runtime.n_samples_to_issue", "--num-samples", KeyKind::value,
        [](BenchmarkConfig& c, std::string_view t) { return into(t, c.runtime.n_samples); }},
  Field{"settings.runtime.scheduler_random_seed", "--runtime.scheduler-random-seed", KeyKind::value,
        [](BenchmarkConfig& c, std::string_view t) { return into(t, c.runtime.scheduler_random_seed); }},
  Field{"settings.runtime.dataloader_random_seed", "--runtime.dataloader-random-seed", KeyKind::value,
        [](BenchmarkConfig& c, std::string_view t) { return into(t, c.runtime.dataloader_random_seed); }},
  Field{"settings.load_pattern.type", "--load-pattern", KeyKind::value,
        [](BenchmarkConfig& c, std::string_view t) { return load_pattern_into(t, c.load_pattern.type); }},
  Field{"settings.load_pattern.target_qps", "--target-qps", KeyKind::value,
        [](BenchmarkConfig& c, std::string_view t) { return into(t, c.load_pattern.target_qps); }},
  Field{"settings.load_pattern.target_concurrency", "--concurrency", KeyKind::value,
        [](BenchmarkConfig& c, std::string_view t) { return into(t, c.load_pattern.target_concurrency); }},
  Field{"settings.client.num_workers", "--workers", KeyKind::value,
        [](BenchmarkConfig& c, std::string_view t) { return into(t, c.client.workers); }},
  Field{"settings.client.max_connections", "--max-connections", KeyKind::value,
        [](BenchmarkConfig& c, std::string_view t) { return into(t, c.client.max_connections); }},
  Field{"settings.client.max_concurrent_warmup_connects", "--max-concurrent-warmup-connects", KeyKind::value,
        [](BenchmarkConfig& c, std::string_view t) { return into(t, c.client.max_concurrent_connects); }},
  Field{"settings.client.max_idle_time", "--max-idle-time", KeyKind::value,
        [](BenchmarkConfig& c, std::string_view t) { return seconds_into(t, c.client.max_idle_time_ms); }},
  Field{"settings.client.request_timeout", "--request-timeout", KeyKind::value,
        [](BenchmarkConfig& c, std::string_view t) { return seconds_into(t, c.client.request_timeout_ms); }},
  Field{"settings.client.stall_timeout", "--stall-timeout", KeyKind::value,
        [](BenchmarkConfig& c, std::string_view t) { return seconds_into(t, c.client.stall_timeout_ms); }},
  Field{"settings.warmup.enabled", "--warmup", KeyKind::value,
        [](BenchmarkConfig& c, std::string_view t) { return into(t, c.warmup.enabled); }},
  Field{"settings.warmup.n_requests", "--warmup-requests", KeyKind::value,
        [](BenchmarkConfig& c, std::string_view t) { return into(t, c.warmup.n_requests); }},
  Field{"settings.drain.performance_timeout_s", "--performance-drain-timeout", KeyKind::value,
        [](BenchmarkConfig& c, std::string_view t) { return seconds_into(t, c.runtime.drain_timeout_ms); }},
  Field{"endpoint_config.endpoints", "--endpoints", KeyKind::list,
        [](BenchmarkConfig& c, std::string_view t) {
          c.endpoint_config.endpoints.emplace_back(t);
          return std::string();
        }},
  Field{"endpoint_config.api_key", "--api-key", KeyKind::value,
        [](BenchmarkConfig& c, std::string_view t) { return into(t, c.endpoint_config.api_key); }},
  Field{"endpoint_config.api_type", "--api-type", KeyKind::value,
        [](BenchmarkConfig& c, std::string_view t) { return api_type_into(t, c.endpoint_config.api_type); }},
  Field{"report_dir", "--report-dir", KeyKind::value,
        [](BenchmarkConfig& c, std::string_view t) { return into(t, c.output.report_dir); }},
};

constexpr std::array kDatasetFields = {
  DatasetField{"name", [](DatasetConfig& d, std::string_view t) { return into(t, d.name); }},
  DatasetField{"path", [](DatasetConfig& d, std::string_view t) { return into(t, d.path); }},
  DatasetField{"samples", [](DatasetConfig& d, std::string_view t) { return into(t, d.samples); }},
  DatasetField{"parser.prompt", [](DatasetConfig& d, std::string_view t) { return into(t, d.prompt_column); }},
  DatasetField{"parser.system", [](DatasetConfig& d, std::string_view t) { return into(t, d.system_column); }},
  DatasetField{"type", [](DatasetConfig&, std::string_view t) {
    if (t == "performance") return std::string();
    if (t == "accuracy") return std::string("accuracy datasets are not supported yet (only performance)");
    return got("performance", t);
  }},
  DatasetField{"format", [](DatasetConfig&, std::string_view t) {
    if (t == ".jsonl" || t == "jsonl") return std::string();
    return unsupported("format", t, ".jsonl");
  }},
};

// Keys of the Python schema that change nothing in this client. Sections listed here are ignored whole.
constexpr std::string_view kIgnoredKeys[] = {
  "timeout", "verbose", "enable_cpu_affinity", "submission_ref", "benchmark_mode", "audit",
  "model_params.tokenizer_name", "model_params.repetition_penalty", "model_params.presence_penalty",
  "model_params.frequency_penalty", "model_params.chat_template_kwargs", "model_params.min_new_tokens",
  "model_params.skip_special_tokens", "model_params.osl_distribution",
  "settings.profiling", "settings.early_stopping", "settings.service_ready_timeout_s",
  "settings.load_pattern.use_legacy_loadgen_qps_metrics",
  "settings.client.transport", "settings.client.worker_gc_mode", "settings.client.warmup_connections",
  "settings.client.auto_warmup_budget_fraction", "settings.client.min_required_connections",
  "settings.client.stream_all_chunks", "settings.client.worker_initialization_timeout",
  "settings.client.worker_graceful_shutdown_wait", "settings.client.worker_force_kill_timeout",
  "settings.client.log_level", "settings.client.insecure",
  "settings.warmup.salt", "settings.warmup.drain", "settings.warmup.warmup_random_seed",
  "settings.drain.warmup_timeout_s", "settings.drain.accuracy_timeout_s",
  "settings.drain.metrics_drain_timeout_s", "settings.drain.metrics_tokenizer_workers",
  "datasets[].eval_method", "datasets[].generate_params", "datasets[].accuracy_config",
  "datasets[].agentic_inference",
};
// clang-format on

constexpr std::string_view kDatasetPrefix = "datasets[].";

// Every key pattern with its kind, datasets' keys included, for structure queries.
std::vector<std::pair<std::string, KeyKind>> all_patterns() {
  std::vector<std::pair<std::string, KeyKind>> patterns;
  for (const Field& field : kFields) patterns.emplace_back(field.key, field.kind);
  patterns.emplace_back("datasets", KeyKind::dataset_list);
  for (const DatasetField& field : kDatasetFields) {
    patterns.emplace_back(std::string(kDatasetPrefix) + std::string(field.key), KeyKind::value);
  }
  patterns.emplace_back("datasets[].generation_config_override", KeyKind::ignored);
  for (std::string_view key : kIgnoredKeys) patterns.emplace_back(key, KeyKind::ignored);
  return patterns;
}

const std::vector<std::pair<std::string, KeyKind>>& patterns() {
  static const std::vector<std::pair<std::string, KeyKind>> table = all_patterns();
  return table;
}

const Field* find_field(std::string_view key) {
  for (const Field& field : kFields) {
    if (field.key == key) return &field;
  }
  return nullptr;
}

// "endpoint_config.endpoints[2]" -> "endpoint_config.endpoints"; "datasets[0].path" -> "datasets[].path".
std::string strip_indices(std::string_view key) {
  std::string out;
  for (size_t i = 0; i < key.size(); ++i) {
    out.push_back(key[i]);
    if (key[i] == '[') {
      while (i + 1 < key.size() && key[i + 1] != ']') ++i;
    }
  }
  if (out.ends_with("[]") && !out.starts_with("datasets[]")) out.resize(out.size() - 2);
  return out;
}

}  // namespace

KeyKind key_kind(std::string_view pattern) {
  for (const auto& [key, kind] : patterns()) {
    if (key == pattern) return kind;
    // Anything below an ignored section is ignored with it.
    if (kind == KeyKind::ignored && pattern.starts_with(key) && pattern.size() > key.size() &&
        pattern[key.size()] == '.') {
      return KeyKind::ignored;
    }
  }
  for (const auto& [key, kind] : patterns()) {
    if (key.size() > pattern.size() && std::string_view(key).starts_with(pattern) &&
        key[pattern.size()] == '.') {
      return KeyKind::section;
    }
  }
  return KeyKind::unknown;
}

std::vector<std::string_view> child_names(std::string_view section) {
  std::vector<std::string_view> names;
  size_t skip = section.empty() ? 0 : section.size() + 1;
  for (const auto& [key, kind] : patterns()) {
    std::string_view view = key;
    if (!section.empty() &&
        !(view.starts_with(section) && view.size() > section.size() && view[section.size()] == '.')) {
      continue;
    }
    std::string_view rest = view.substr(skip);
    std::string_view child = rest.substr(0, std::min(rest.find('.'), rest.find('[')));
    if (std::find(names.begin(), names.end(), child) == names.end()) names.push_back(child);
  }
  return names;
}

void set_field(BenchmarkConfig& config, std::string_view key, std::string_view text, std::string_view where) {
  const Field* field = find_field(key);
  if (field == nullptr) fail_input(fmt::format("{}: unknown setting", value_label(key, where)));
  std::string problem = field->apply(config, text);
  if (!problem.empty()) fail_input(fmt::format("{}: {}", value_label(key, where), problem));
  if (field->kind == KeyKind::list) {
    // endpoint_config.endpoints is the only list key; each item keeps its own origin.
    config.origins.try_emplace(std::string(key), where);
    config.origins[fmt::format("{}[{}]", key, config.endpoint_config.endpoints.size() - 1)] =
        std::string(where);
  } else {
    config.origins[std::string(key)] = std::string(where);
  }
}

void set_dataset_field(DatasetConfig& dataset, std::string_view key, std::string_view text,
                       std::string_view label) {
  for (const DatasetField& field : kDatasetFields) {
    if (field.key != key) continue;
    std::string problem = field.apply(dataset, text);
    if (!problem.empty()) fail_input(fmt::format("{}: {}", label, problem));
    return;
  }
  fail_input(fmt::format("{}: unknown dataset setting '{}'", label, key));
}

std::string_view flag_for_key(std::string_view key) {
  std::string pattern = strip_indices(key);
  if (pattern.starts_with("datasets")) return "--dataset";
  const Field* field = find_field(pattern);
  return field == nullptr ? std::string_view() : field->flag;
}

std::string describe_key(std::string_view key) {
  std::string_view flag = flag_for_key(key);
  if (flag.empty()) return std::string(key);
  return fmt::format("{} / {}", flag, key);
}

std::string value_label(std::string_view key, std::string_view where) {
  if (where.starts_with("--")) return std::string(where);
  if (where.empty()) return std::string(key);
  return fmt::format("{} at {}", key, where);
}

}  // namespace ie::config
