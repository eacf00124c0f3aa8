#include "report/result_summary.h"

#include <string>

#include "config/enum_names.h"
#include "report/series_json.h"

namespace ie::report {
namespace {

using Json = nlohmann::ordered_json;

Json finish_reasons_json(const metrics::RunMetrics& m) {
  using metrics::FinishReason;
  Json out = Json::object();
  for (FinishReason r : {FinishReason::stop, FinishReason::length, FinishReason::tool_calls,
                         FinishReason::content_filter, FinishReason::function_call, FinishReason::other}) {
    out[std::string(metrics::finish_reason_name(r))] = m.finish_reason_counts[static_cast<size_t>(r)];
  }
  return out;
}

Json extended_json(const metrics::RunMetrics& m, const RunInfo& info) {
  const config::BenchmarkConfig* cfg = info.config;
  Json out = Json::object();
  out["latency_from_schedule"] = series_json(m.latency_from_schedule_ns, SeriesShape::with_count);
  out["ttft_from_schedule"] = series_json(m.ttft_from_schedule_ns, SeriesShape::with_count);
  out["schedule_lag"] = series_json(m.schedule_lag_ns, SeriesShape::with_count);
  out["series_counts"] = Json{{"ttft", m.ttft_ns.count},
                              {"tpot", m.tpot_ns.count},
                              {"latency", m.latency_ns.count},
                              {"output_sequence_lengths", m.output_tokens.count},
                              {"input_sequence_lengths", m.input_tokens.count}};
  out["itl"] = itl_json(m.itl);
  out["errors"] = errors_json(m, info);
  out["token_count_source"] = metrics::token_count_source_name(m.token_count_source);
  out["osl_from_server_usage"] = m.osl_from_server_usage;
  out["osl_from_content_chunks"] = m.osl_from_content_chunks;
  out["issue_rate"] = optional_json(m.issue_rate);
  const bool poisson = cfg != nullptr && cfg->load_pattern.type == config::LoadPatternType::poisson;
  out["target_qps"] = poisson ? Json(cfg->load_pattern.target_qps) : Json(nullptr);
  out["workers"] = info.workers;
  out["connections"] = info.max_connections;
  out["streaming"] = m.streaming;
  out["api_type"] = cfg != nullptr ? Json(config::to_string(cfg->endpoint_config.api_type)) : Json(nullptr);
  out["interrupted_reason"] =
      info.interrupted_reason.empty() ? Json(nullptr) : Json(scrub_secrets(info.interrupted_reason, info));
  out["started_at"] = info.started_wall_time;
  out["total_duration_ns"] = info.duration_ns;
  out["tracked_duration_ns"] = m.tracked_duration_ns;
  return out;
}

}  // namespace

Json run_config_json(const RunInfo& info) {
  const config::BenchmarkConfig* cfg = info.config;
  if (cfg == nullptr) return nullptr;
  const auto& lp = cfg->load_pattern;
  Json load_pattern = Json::object();
  load_pattern["type"] = config::to_string(lp.type);
  load_pattern["target_qps"] =
      lp.type == config::LoadPatternType::poisson ? Json(lp.target_qps) : Json(nullptr);
  load_pattern["target_concurrency"] =
      lp.type == config::LoadPatternType::concurrency ? Json(lp.target_concurrency) : Json(nullptr);
  Json warmup = Json::object();
  warmup["enabled"] = cfg->warmup.enabled;
  warmup["n_requests"] = cfg->warmup.n_requests ? Json(*cfg->warmup.n_requests) : Json(nullptr);
  Json out = Json::object();
  out["load_pattern"] = std::move(load_pattern);
  out["warmup"] = std::move(warmup);
  out["scheduler_random_seed"] = cfg->runtime.scheduler_random_seed;
  out["dataloader_random_seed"] = cfg->runtime.dataloader_random_seed;
  return out;
}

Json errors_json(const metrics::RunMetrics& m, const RunInfo& info) {
  Json out = Json::object();
  for (const auto& [kind, stats] : m.errors) {
    out[kind] = Json{{"count", stats.count}, {"sample", scrub_secrets(stats.sample, info)}};
  }
  return out;
}

Json result_summary_json(const metrics::RunMetrics& m, const RunInfo& info) {
  Json out = Json::object();
  out["version"] = info.version;
  out["git_sha"] = info.git_sha;
  out["test_started_at"] = info.started_unix_ns;
  out["n_samples_issued"] = m.issued;
  out["n_samples_completed"] = m.succeeded;
  out["n_samples_failed"] = m.failed;
  out["duration_ns"] = m.tracked_duration_ns > 0 ? Json(m.tracked_duration_ns) : Json(nullptr);
  out["state"] = run_state_name(info.state);
  out["complete"] = info.state == RunState::complete;
  out["ttft"] = series_json(m.ttft_ns, SeriesShape::python);
  out["tpot"] = series_json(m.tpot_ns, SeriesShape::python);
  out["latency"] = series_json(m.latency_ns, SeriesShape::python);
  out["output_sequence_lengths"] = series_json(m.output_tokens, SeriesShape::python);
  out["input_sequence_lengths"] = series_json(m.input_tokens, SeriesShape::python);
  out["legacy_loadgen_window_duration_ns"] =
      nullptr;  // we always use the tracked window (see run_aggregate.h)
  out["qps"] = optional_json(m.qps);
  out["tps"] = optional_json(m.tps);
  out["finish_reason_counts"] = finish_reasons_json(m);
  out["run_config"] = run_config_json(info);
  out["extended"] = extended_json(m, info);
  return out;
}

}  // namespace ie::report
