#include "report/snapshot.h"

#include <string>

#include "report/result_summary.h"
#include "report/series_json.h"

namespace ie::report {
namespace {

using Json = nlohmann::ordered_json;

Json counters_json(const metrics::RunMetrics& m) {
  Json failed_by_outcome = Json::object();
  for (int i = 1; i < metrics::kOutcomeCount; ++i) {  // [0] is ok
    failed_by_outcome[std::string(metrics::outcome_name(static_cast<metrics::Outcome>(i)))] =
        m.failed_by_outcome[i];
  }
  Json out = Json::object();
  out["issued"] = m.issued;
  out["succeeded"] = m.succeeded;
  out["failed"] = m.failed;
  out["failed_by_outcome"] = std::move(failed_by_outcome);
  out["perf_start_ns"] = m.perf_start_ns;
  out["end_ns"] = m.end_ns;
  out["tracked_duration_ns"] = m.tracked_duration_ns;
  out["total_duration_ns"] = m.total_duration_ns;
  out["osl_from_server_usage"] = m.osl_from_server_usage;
  out["osl_from_content_chunks"] = m.osl_from_content_chunks;
  return out;
}

Json series_block(const metrics::RunMetrics& m) {
  Json out = Json::object();
  out["latency_ns"] = series_json(m.latency_ns, SeriesShape::with_count);
  out["latency_from_schedule_ns"] = series_json(m.latency_from_schedule_ns, SeriesShape::with_count);
  out["schedule_lag_ns"] = series_json(m.schedule_lag_ns, SeriesShape::with_count);
  out["ttft_ns"] = series_json(m.ttft_ns, SeriesShape::with_count);
  out["ttft_from_schedule_ns"] = series_json(m.ttft_from_schedule_ns, SeriesShape::with_count);
  out["tpot_ns"] = series_json(m.tpot_ns, SeriesShape::with_count);
  out["output_tokens"] = series_json(m.output_tokens, SeriesShape::with_count);
  out["input_tokens"] = series_json(m.input_tokens, SeriesShape::with_count);
  return out;
}

}  // namespace

Json final_snapshot_json(const metrics::RunMetrics& m, const RunInfo& info) {
  Json finish_reasons = Json::object();
  for (int i = 0; i < metrics::kFinishReasonCount; ++i) {
    finish_reasons[std::string(metrics::finish_reason_name(static_cast<metrics::FinishReason>(i)))] =
        m.finish_reason_counts[i];
  }
  Json out = Json::object();
  out["state"] = run_state_name(info.state);
  out["complete"] = info.state == RunState::complete;
  out["interrupted_reason"] =
      info.interrupted_reason.empty() ? Json(nullptr) : Json(scrub_secrets(info.interrupted_reason, info));
  out["streaming"] = m.streaming;
  out["counters"] = counters_json(m);
  out["qps"] = optional_json(m.qps);
  out["tps"] = optional_json(m.tps);
  out["issue_rate"] = optional_json(m.issue_rate);
  out["token_count_source"] = metrics::token_count_source_name(m.token_count_source);
  out["finish_reason_counts"] = std::move(finish_reasons);
  out["series"] = series_block(m);
  out["itl"] = itl_json(m.itl);
  out["errors"] = errors_json(m, info);
  return out;
}

}  // namespace ie::report
