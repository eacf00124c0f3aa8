#include "metrics/run_aggregate.h"

#include <cmath>
#include <utility>

namespace ie::metrics {
namespace {

double per_second(double count, int64_t window_ns) {
  return count * 1e9 / static_cast<double>(window_ns);
}

TokenCountSource token_source(uint64_t from_usage, uint64_t from_chunks) {
  if (from_usage > 0 && from_chunks > 0) return TokenCountSource::mixed;
  if (from_usage > 0) return TokenCountSource::server_usage;
  if (from_chunks > 0) return TokenCountSource::content_chunks;
  return TokenCountSource::unknown;
}

ItlSummary summarize_itl(const HdrHistogram& h) {
  ItlSummary s;
  s.count = h.count();
  if (s.count == 0) return s;
  s.mean_ns = h.mean();
  s.min_ns = h.min();
  s.p50_ns = h.value_at_percentile(50);
  s.p90_ns = h.value_at_percentile(90);
  s.p99_ns = h.value_at_percentile(99);
  s.p999_ns = h.value_at_percentile(99.9);
  s.max_ns = h.max();
  s.clamped = h.clamped_low_count() + h.clamped_high_count();
  return s;
}

}  // namespace

std::string error_kind(Outcome outcome, uint16_t http_status) {
  if (outcome == Outcome::http_status && http_status != 0) return "http_" + std::to_string(http_status);
  return std::string(outcome_name(outcome));
}

RunAggregate::RunAggregate(bool streaming) : streaming_(streaming) {}

void RunAggregate::set_perf_start(int64_t ns) {
  perf_start_ns_ = ns;
}

void RunAggregate::add(const RequestRecord& r) {
  if (r.warmup) return;
  ++issued_;
  if (r.issued_ns > 0) {
    ++sent_;
    first_issue_ns_ = std::min(first_issue_ns_, r.issued_ns);
    last_issue_ns_ = std::max(last_issue_ns_, r.issued_ns);
    const int64_t scheduled_ns = r.scheduled_ns > 0 ? r.scheduled_ns : r.issued_ns;
    schedule_lag_ns_.push_back(r.issued_ns - scheduled_ns);
  }
  if (r.outcome == Outcome::ok) {
    add_success(r);
  } else {
    add_failure(r);
  }
}

void RunAggregate::add_success(const RequestRecord& r) {
  ++succeeded_;
  last_success_ns_ = std::max(last_success_ns_, r.completed_ns);
  ++finish_reason_counts_[static_cast<size_t>(r.finish_reason)];
  const int64_t scheduled_ns = r.scheduled_ns > 0 ? r.scheduled_ns : r.issued_ns;
  latency_ns_.push_back(r.completed_ns - r.issued_ns);
  live_e2e_.record(latency_ns_.back());
  latency_from_schedule_ns_.push_back(r.completed_ns - scheduled_ns);

  int64_t osl = -1;
  if (r.completion_tokens >= 0) {
    osl = r.completion_tokens;
    ++osl_from_server_usage_;
  } else if (r.streamed) {
    osl = r.content_chunks;
    ++osl_from_content_chunks_;
  }
  if (osl >= 0) output_tokens_.push_back(osl);
  if (r.prompt_tokens >= 0) input_tokens_.push_back(r.prompt_tokens);

  if (!streaming_ || !r.streamed || r.first_token_ns <= 0) return;
  ttft_ns_.push_back(r.first_token_ns - r.issued_ns);
  live_ttft_.record(ttft_ns_.back());
  ttft_from_schedule_ns_.push_back(r.first_token_ns - scheduled_ns);
  if (osl > 1) {
    tpot_ns_.push_back(static_cast<double>(r.completed_ns - r.first_token_ns) / static_cast<double>(osl - 1));
    live_tpot_.record(std::llround(tpot_ns_.back()));
  }
}

LiveLatencies RunAggregate::live_latencies() const {
  return {.ttft = summarize(live_ttft_), .tpot = summarize(live_tpot_), .e2e = summarize(live_e2e_)};
}

void RunAggregate::add_failure(const RequestRecord& r) {
  ++failed_;
  ++failed_by_outcome_[static_cast<size_t>(r.outcome)];
  const std::string kind = error_kind(r.outcome, r.http_status);
  auto it = errors_.find(kind);
  if (it == errors_.end()) it = errors_.emplace(kind, ErrorStats{}).first;
  ++it->second.count;
}

void RunAggregate::note_error(Outcome outcome, uint16_t http_status, std::string_view message) {
  auto [it, inserted] = errors_.try_emplace(error_kind(outcome, http_status));
  if (it->second.sample.empty()) it->second.sample.assign(message);
}

void RunAggregate::merge_itl(const HdrHistogram& histogram) {
  if (!itl_) {
    itl_.emplace(histogram);
  } else {
    itl_->merge(histogram);
  }
}

RunMetrics RunAggregate::finish(int64_t end_ns) const {
  RunMetrics m;
  m.streaming = streaming_;
  m.issued = issued_;
  m.succeeded = succeeded_;
  m.failed = failed_;
  m.failed_by_outcome = failed_by_outcome_;
  m.errors.insert(errors_.begin(), errors_.end());
  m.finish_reason_counts = finish_reason_counts_;

  m.perf_start_ns = perf_start_ns_ > 0 ? perf_start_ns_ : (sent_ > 0 ? first_issue_ns_ : end_ns);
  m.end_ns = end_ns;
  m.total_duration_ns = end_ns - m.perf_start_ns;
  m.tracked_duration_ns = succeeded_ > 0 ? last_success_ns_ - m.perf_start_ns : 0;

  m.latency_ns = summarize(latency_ns_, EarlyStopping::on);
  m.latency_from_schedule_ns = summarize(latency_from_schedule_ns_);
  m.schedule_lag_ns = summarize(schedule_lag_ns_);
  m.ttft_ns = summarize(ttft_ns_, EarlyStopping::on);
  m.ttft_from_schedule_ns = summarize(ttft_from_schedule_ns_);
  m.tpot_ns = summarize(tpot_ns_, EarlyStopping::on);
  m.output_tokens = summarize(output_tokens_);
  m.input_tokens = summarize(input_tokens_);
  m.osl_from_server_usage = osl_from_server_usage_;
  m.osl_from_content_chunks = osl_from_content_chunks_;
  m.token_count_source = token_source(osl_from_server_usage_, osl_from_content_chunks_);

  if (m.tracked_duration_ns > 0) {
    m.qps = per_second(static_cast<double>(succeeded_), m.tracked_duration_ns);
    if (!m.output_tokens.empty()) m.tps = per_second(m.output_tokens.total, m.tracked_duration_ns);
  }
  if (sent_ >= 2 && last_issue_ns_ > first_issue_ns_) {
    m.issue_rate = per_second(static_cast<double>(sent_ - 1), last_issue_ns_ - first_issue_ns_);
  }
  if (itl_) m.itl = summarize_itl(*itl_);
  return m;
}

}  // namespace ie::metrics
