#include "config/validate.h"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>

#include "common/error.h"
#include "config/enum_names.h"
#include "config/redact.h"
#include "config/schema.h"
#include "net/url.h"

namespace ie::config {
namespace {

constexpr std::string_view kTargetQps = "settings.load_pattern.target_qps";
constexpr std::string_view kLoadPattern = "settings.load_pattern.type";

std::string origin_suffix(const BenchmarkConfig& config, std::string_view key) {
  auto it = config.origins.find(std::string(key));
  if (it == config.origins.end() || it->second.empty()) return {};
  return fmt::format(" (from {})", it->second);
}

// "--workers / settings.client.num_workers must be ..., got 0 (from run.yaml:7)".
[[noreturn]] void reject(const BenchmarkConfig& config, std::string_view key, std::string_view rule) {
  fail_input(fmt::format("{} {}{}", describe_key(key), rule, origin_suffix(config, key)));
}

void check_datasets(BenchmarkConfig& config) {
  if (config.datasets.empty()) reject(config, "datasets", "is required: give one performance dataset");
  if (config.datasets.size() > 1) {
    reject(config, "datasets",
           fmt::format("must hold exactly one performance dataset, got {}", config.datasets.size()));
  }
  DatasetConfig& dataset = config.datasets.front();
  if (dataset.path.empty()) reject(config, "datasets[0].path", "is required");
  if (dataset.samples && *dataset.samples == 0) reject(config, "datasets[0].samples", "must be > 0, got 0");
  if (dataset.name.empty()) dataset.name = std::filesystem::path(dataset.path).stem().string();
}

void check_endpoints(const BenchmarkConfig& config) {
  const std::vector<std::string>& endpoints = config.endpoint_config.endpoints;
  if (endpoints.empty()) reject(config, "endpoint_config.endpoints", "needs at least one URL");
  for (size_t i = 0; i < endpoints.size(); ++i) {
    std::string key = fmt::format("endpoint_config.endpoints[{}]", i);
    try {
      net::parse_url(endpoints[i]);
    } catch (const Error& error) {
      // The parser quotes the URL as typed; never repeat a password it may carry.
      std::string reason = error.what();
      std::string redacted = redact_url(endpoints[i]);
      for (size_t at = reason.find(endpoints[i]); !endpoints[i].empty() && at != std::string::npos;
           at = reason.find(endpoints[i], at + redacted.size())) {
        reason.replace(at, endpoints[i].size(), redacted);
      }
      reject(config, key, fmt::format("is not a usable endpoint URL: {}", reason));
    }
  }
}

void check_model(const BenchmarkConfig& config) {
  if (config.model_params.name.empty()) reject(config, "model_params.name", "is required");
  if (config.model_params.max_output_tokens == 0)
    reject(config, "model_params.max_new_tokens", "must be > 0, got 0");
}

// The -1 = auto convention shared by workers and max_connections.
void check_auto_or_positive(const BenchmarkConfig& config, std::string_view key, int32_t value) {
  if (value == -1 || value > 0) return;
  reject(config, key, fmt::format("must be -1 (auto) or > 0, got {}", value));
}

void check_client(const BenchmarkConfig& config) {
  check_auto_or_positive(config, "settings.client.num_workers", config.client.workers);
  check_auto_or_positive(config, "settings.client.max_connections", config.client.max_connections);
  if (config.client.max_concurrent_connects == 0) {
    reject(config, "settings.client.max_concurrent_warmup_connects", "must be > 0, got 0");
  }
}

void check_runtime(const BenchmarkConfig& config) {
  const RuntimeSettings& runtime = config.runtime;
  if (runtime.n_samples && *runtime.n_samples == 0) {
    reject(config, "settings.runtime.n_samples_to_issue", "must be > 0, got 0");
  }
  if (runtime.duration_ms > 0 && runtime.max_duration_ms > 0 &&
      runtime.max_duration_ms < runtime.duration_ms) {
    reject(config, "settings.runtime.max_duration_ms",
           fmt::format("must be >= {} ({} ms), got {} ms", describe_key("settings.runtime.min_duration_ms"),
                       runtime.duration_ms, runtime.max_duration_ms));
  }
  if (config.warmup.n_requests && *config.warmup.n_requests == 0) {
    reject(config, "settings.warmup.n_requests", "must be > 0 when set, got 0");
  }
}

void check_load_pattern(const BenchmarkConfig& config) {
  const LoadPattern& pattern = config.load_pattern;
  if (config.type == TestType::offline && pattern.type != LoadPatternType::max_throughput) {
    reject(config, kLoadPattern,
           fmt::format("must be max_throughput for an offline benchmark, got {}", to_string(pattern.type)));
  }
  if (config.type == TestType::online && pattern.type == LoadPatternType::max_throughput) {
    reject(config, kLoadPattern,
           "must be poisson or concurrency for an online benchmark, got max_throughput");
  }
  if (pattern.type == LoadPatternType::poisson) {
    if (!(pattern.target_qps > 0))
      reject(config, kTargetQps, fmt::format("must be > 0, got {}", pattern.target_qps));
    if (!std::isfinite(pattern.target_qps)) {
      reject(config, kTargetQps, fmt::format("must be finite, got {}", pattern.target_qps));
    }
  }
  if (pattern.type == LoadPatternType::concurrency && pattern.target_concurrency == 0) {
    reject(config, "settings.load_pattern.target_concurrency",
           "must be > 0 for the concurrency pattern, got 0");
  }
}

void resolve_defaults(BenchmarkConfig& config) {
  if (config.name.empty()) config.name = fmt::format("{}_benchmark", to_string(config.type));
  ModelParams& model = config.model_params;
  if (model.streaming_mode == StreamingMode::automatic) {
    model.streaming_mode = config.type == TestType::online ? StreamingMode::on : StreamingMode::off;
  }
  model.streaming = model.streaming_mode == StreamingMode::on;
}

}  // namespace

void resolve_and_validate(BenchmarkConfig& config) {
  // Order: what is missing first (as the Python tool reports required flags first), then ranges, then rules
  // that relate several values.
  check_model(config);
  check_datasets(config);
  check_endpoints(config);
  check_client(config);
  check_runtime(config);
  check_load_pattern(config);
  resolve_defaults(config);
}

}  // namespace ie::config
