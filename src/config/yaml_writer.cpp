#include "config/yaml_writer.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "config/enum_names.h"
#include "config/redact.h"

namespace ie::config {
namespace {

// The loader interpolates every string value, so a literal "$" must be doubled to survive the round trip.
std::string escape_dollars(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '$') out.push_back('$');
    out.push_back(c);
  }
  return out;
}

// Shortest text that reads back to the same double.
std::string number(double value) {
  return fmt::format("{}", value);
}

std::string seconds(uint64_t ms) {
  return number(static_cast<double>(ms) / 1000.0);
}

void emit_string(YAML::Emitter& out, std::string_view key, std::string_view value) {
  out << YAML::Key << std::string(key) << YAML::Value << escape_dollars(value);
}

void emit_model_params(YAML::Emitter& out, const ModelParams& model) {
  out << YAML::Key << "model_params" << YAML::Value << YAML::BeginMap;
  emit_string(out, "name", model.name);
  out << YAML::Key << "max_new_tokens" << YAML::Value << model.max_output_tokens;
  out << YAML::Key << "streaming" << YAML::Value << std::string(to_string(model.streaming_mode));
  if (model.temperature) out << YAML::Key << "temperature" << YAML::Value << number(*model.temperature);
  if (model.top_p) out << YAML::Key << "top_p" << YAML::Value << number(*model.top_p);
  if (model.top_k) out << YAML::Key << "top_k" << YAML::Value << *model.top_k;
  if (model.seed) out << YAML::Key << "seed" << YAML::Value << *model.seed;
  out << YAML::EndMap;
}

void emit_datasets(YAML::Emitter& out, const std::vector<DatasetConfig>& datasets) {
  out << YAML::Key << "datasets" << YAML::Value << YAML::BeginSeq;
  for (const DatasetConfig& dataset : datasets) {
    out << YAML::BeginMap;
    if (!dataset.name.empty()) emit_string(out, "name", dataset.name);
    out << YAML::Key << "type" << YAML::Value << "performance";
    emit_string(out, "path", dataset.path);
    if (dataset.samples) out << YAML::Key << "samples" << YAML::Value << *dataset.samples;
    if (!dataset.prompt_column.empty() || !dataset.system_column.empty()) {
      out << YAML::Key << "parser" << YAML::Value << YAML::BeginMap;
      if (!dataset.prompt_column.empty()) emit_string(out, "prompt", dataset.prompt_column);
      if (!dataset.system_column.empty()) emit_string(out, "system", dataset.system_column);
      out << YAML::EndMap;
    }
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
}

void emit_settings(YAML::Emitter& out, const BenchmarkConfig& config) {
  out << YAML::Key << "settings" << YAML::Value << YAML::BeginMap;

  const RuntimeSettings& runtime = config.runtime;
  out << YAML::Key << "runtime" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "min_duration_ms" << YAML::Value << runtime.duration_ms;
  out << YAML::Key << "max_duration_ms" << YAML::Value << runtime.max_duration_ms;
  if (runtime.n_samples) out << YAML::Key << "n_samples_to_issue" << YAML::Value << *runtime.n_samples;
  out << YAML::Key << "scheduler_random_seed" << YAML::Value << runtime.scheduler_random_seed;
  out << YAML::Key << "dataloader_random_seed" << YAML::Value << runtime.dataloader_random_seed;
  out << YAML::EndMap;

  const LoadPattern& pattern = config.load_pattern;
  out << YAML::Key << "load_pattern" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "type" << YAML::Value << std::string(to_string(pattern.type));
  if (pattern.target_qps != 0) out << YAML::Key << "target_qps" << YAML::Value << number(pattern.target_qps);
  if (pattern.target_concurrency != 0) {
    out << YAML::Key << "target_concurrency" << YAML::Value << pattern.target_concurrency;
  }
  out << YAML::EndMap;

  const ClientSettings& client = config.client;
  out << YAML::Key << "client" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "num_workers" << YAML::Value << client.workers;
  out << YAML::Key << "max_connections" << YAML::Value << client.max_connections;
  out << YAML::Key << "max_concurrent_warmup_connects" << YAML::Value << client.max_concurrent_connects;
  out << YAML::Key << "max_idle_time" << YAML::Value << seconds(client.max_idle_time_ms);
  out << YAML::Key << "request_timeout" << YAML::Value << seconds(client.request_timeout_ms);
  out << YAML::Key << "stall_timeout" << YAML::Value << seconds(client.stall_timeout_ms);
  out << YAML::EndMap;

  out << YAML::Key << "warmup" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "enabled" << YAML::Value << config.warmup.enabled;
  if (config.warmup.n_requests) out << YAML::Key << "n_requests" << YAML::Value << *config.warmup.n_requests;
  out << YAML::EndMap;

  out << YAML::Key << "drain" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "performance_timeout_s" << YAML::Value << seconds(runtime.drain_timeout_ms);
  out << YAML::EndMap;

  out << YAML::EndMap;
}

void emit_endpoint_config(YAML::Emitter& out, const EndpointConfig& endpoint) {
  out << YAML::Key << "endpoint_config" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "endpoints" << YAML::Value << YAML::BeginSeq;
  for (const std::string& url : endpoint.endpoints) out << escape_dollars(redact_url(url));
  out << YAML::EndSeq;
  if (!endpoint.api_key.empty()) out << YAML::Key << "api_key" << YAML::Value << std::string(kRedacted);
  out << YAML::Key << "api_type" << YAML::Value << std::string(to_string(endpoint.api_type));
  out << YAML::EndMap;
}

}  // namespace

std::string to_yaml(const BenchmarkConfig& config) {
  YAML::Emitter out;
  out << YAML::Comment("inference-endpoint benchmark config (secrets redacted)");
  out << YAML::BeginMap;
  emit_string(out, "name", config.name);
  out << YAML::Key << "version" << YAML::Value << "1.0";
  out << YAML::Key << "type" << YAML::Value << std::string(to_string(config.type));
  emit_model_params(out, config.model_params);
  emit_datasets(out, config.datasets);
  emit_settings(out, config);
  emit_endpoint_config(out, config.endpoint_config);
  if (!config.output.report_dir.empty()) emit_string(out, "report_dir", config.output.report_dir);
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace ie::config
