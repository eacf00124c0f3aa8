#include "report/report_text.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <string_view>

#include "config/enum_names.h"
#include "report/text_format.h"

namespace ie::report {
namespace {

using Out = std::back_insert_iterator<std::string>;
constexpr int kBarWidth = 40;

enum class Unit { ms, tokens };

std::string value_text(double value, Unit unit, bool whole) {
  if (unit == Unit::ms) return format_ms(value) + " ms";
  return whole ? fmt::format("{:.0f} tokens", value) : fmt::format("{:.2f} tokens", value);
}

std::string bound_text(double value, Unit unit) {
  return unit == Unit::ms ? format_ms(value) : fmt::format("{:.2f}", value);
}

void render_header(Out out, const RunInfo& info) {
  fmt::format_to(out, "==================== inference-endpoint report ====================\n");
  fmt::format_to(out, "State: {}\n", run_state_name(info.state));
  if (info.state == RunState::interrupted) {
    fmt::format_to(
        out, "WARNING: the run was interrupted{}; the numbers below cover what finished.\n",
        info.interrupted_reason.empty() ? "" : " (" + scrub_secrets(info.interrupted_reason, info) + ")");
  } else if (info.state == RunState::failed) {
    fmt::format_to(out, "WARNING: the run failed; the numbers below cover what finished.\n");
  }
  fmt::format_to(out, "Version: {} (git {})\n", info.version, info.git_sha);
  if (!info.started_wall_time.empty()) fmt::format_to(out, "Started: {}\n", info.started_wall_time);
  const config::BenchmarkConfig* cfg = info.config;
  if (cfg == nullptr) return;
  const auto& lp = cfg->load_pattern;
  fmt::format_to(out, "Run config:\n  load_pattern: type={}", config::to_string(lp.type));
  if (lp.type == config::LoadPatternType::poisson) fmt::format_to(out, ", target_qps={}", lp.target_qps);
  if (lp.type == config::LoadPatternType::concurrency) {
    fmt::format_to(out, ", target_concurrency={}", lp.target_concurrency);
  }
  fmt::format_to(out, "\n  warmup: enabled={}", cfg->warmup.enabled);
  if (cfg->warmup.n_requests) fmt::format_to(out, ", n_requests={}", *cfg->warmup.n_requests);
  fmt::format_to(out, "\n  scheduler_random_seed={}, dataloader_random_seed={}\n",
                 cfg->runtime.scheduler_random_seed, cfg->runtime.dataloader_random_seed);
  fmt::format_to(out, "  api_type={}, model={}, streaming={}, workers={}, connections={}\n",
                 config::to_string(cfg->endpoint_config.api_type), cfg->model_params.name,
                 cfg->model_params.streaming, info.workers, info.max_connections);
}

void render_summary(Out out, const metrics::RunMetrics& m, const RunInfo& info) {
  fmt::format_to(out, "\n----------------------------- Summary -----------------------------\n");
  fmt::format_to(out, "Issued:          {}\n", m.issued);
  fmt::format_to(out, "Succeeded:       {}\n", m.succeeded);
  fmt::format_to(out, "Failed:          {}\n", m.failed);
  fmt::format_to(out, "Duration:        {} (tracked window {})\n", format_seconds(info.duration_ns),
                 format_seconds(m.tracked_duration_ns));
  fmt::format_to(out, "QPS:             {}\n", format_rate(m.qps));
  fmt::format_to(out, "Output tokens/s: {} (token counts: {})\n", format_rate(m.tps),
                 metrics::token_count_source_name(m.token_count_source));
  fmt::format_to(out, "Issue rate:      {} req/s\n", format_rate(m.issue_rate));
  fmt::format_to(out, "Finish reasons: ");
  for (int i = 1; i < metrics::kFinishReasonCount; ++i) {  // skip `none`
    fmt::format_to(out, " {}={}", metrics::finish_reason_name(static_cast<metrics::FinishReason>(i)),
                   m.finish_reason_counts[i]);
  }
  fmt::format_to(out, "\n");
  if (m.errors.empty()) return;
  fmt::format_to(out, "Errors by kind:\n");
  for (const auto& [kind, stats] : m.errors) {
    fmt::format_to(out, "  {:<20} {:>10}", kind, stats.count);
    if (!stats.sample.empty()) fmt::format_to(out, "  e.g. {}", scrub_secrets(stats.sample, info));
    fmt::format_to(out, "\n");
  }
}

void render_histogram(Out out, const metrics::SeriesSummary& s, Unit unit) {
  std::vector<std::string> labels;
  size_t label_width = 0;
  uint64_t max_count = 1;
  for (size_t i = 0; i < s.histogram.size(); ++i) {
    const auto& b = s.histogram[i];
    const bool last = i + 1 == s.histogram.size();
    labels.push_back(
        fmt::format("[{}, {}{}", bound_text(b.lowest, unit), bound_text(b.highest, unit), last ? "]" : ")"));
    label_width = std::max(label_width, labels.back().size());
    max_count = std::max(max_count, b.count);
  }
  fmt::format_to(out, "  Histogram{}:\n", unit == Unit::ms ? " (ms)" : " (tokens)");
  for (size_t i = 0; i < s.histogram.size(); ++i) {
    const auto bar = static_cast<size_t>(s.histogram[i].count * kBarWidth / max_count);
    fmt::format_to(out, "    {:>{}} |{:<{}} {}\n", labels[i], label_width, std::string(bar, '#'), kBarWidth,
                   s.histogram[i].count);
  }
}

void render_series(Out out, std::string_view title, const metrics::SeriesSummary& s, Unit unit) {
  fmt::format_to(out, "\n{}:\n", title);
  if (s.empty()) {
    fmt::format_to(out, "  no data\n");
    return;
  }
  const bool whole = s.integral;
  fmt::format_to(out, "  Count:    {}\n", s.count);
  fmt::format_to(out, "  Min:      {}\n", value_text(s.min, unit, whole));
  fmt::format_to(out, "  Max:      {}\n", value_text(s.max, unit, whole));
  fmt::format_to(out, "  Median:   {}\n", value_text(s.median, unit, whole));
  fmt::format_to(out, "  Avg.:     {}\n", value_text(s.avg, unit, false));
  fmt::format_to(out, "  Std Dev.: {}\n", value_text(s.std_dev, unit, false));
  fmt::format_to(
      out, "  Percentiles:{}\n",
      s.early_stopping.empty() ? "" : "  (in parentheses: early-stopping upper bound at 99% confidence)");
  for (size_t i = 0; i < metrics::kPercentileCount; ++i) {
    fmt::format_to(out, "    {:>5}: {}", metrics::kPercentileKeys[i],
                   value_text(s.percentiles[i], unit, whole));
    if (i < s.early_stopping.size()) {
      const auto& e = s.early_stopping[i];
      if (e.sufficient) {
        fmt::format_to(out, "  ({})", value_text(e.value, unit, whole));
      } else {
        fmt::format_to(out, "  (needs {} values)", e.min_values);
      }
    }
    fmt::format_to(out, "\n");
  }
  render_histogram(out, s, unit);
}

void render_itl(Out out, const metrics::ItlSummary& itl) {
  fmt::format_to(out, "\nInter-token latency (ITL, from a 3-digit HDR histogram):\n");
  if (itl.count == 0) {
    fmt::format_to(out, "  no data\n");
    return;
  }
  fmt::format_to(out, "  Count:  {}\n", itl.count);
  fmt::format_to(out, "  Min:    {} ms\n", format_ms(static_cast<double>(itl.min_ns)));
  fmt::format_to(out, "  Avg.:   {} ms\n", format_ms(itl.mean_ns));
  fmt::format_to(out, "  p50:    {} ms\n", format_ms(static_cast<double>(itl.p50_ns)));
  fmt::format_to(out, "  p90:    {} ms\n", format_ms(static_cast<double>(itl.p90_ns)));
  fmt::format_to(out, "  p99:    {} ms\n", format_ms(static_cast<double>(itl.p99_ns)));
  fmt::format_to(out, "  p99.9:  {} ms\n", format_ms(static_cast<double>(itl.p999_ns)));
  fmt::format_to(out, "  Max:    {} ms\n", format_ms(static_cast<double>(itl.max_ns)));
  if (itl.clamped > 0) fmt::format_to(out, "  ({} gaps were outside the histogram range)\n", itl.clamped);
}

}  // namespace

std::string render_report_text(const metrics::RunMetrics& m, const RunInfo& info) {
  std::string text;
  Out out(text);
  render_header(out, info);
  render_summary(out, m, info);
  fmt::format_to(out, "\n------------------------ Latency Breakdowns ------------------------\n");
  if (m.streaming) {
    render_series(out, "TTFT", m.ttft_ns, Unit::ms);
    render_series(out, "TPOT (ms per token after the first)", m.tpot_ns, Unit::ms);
    render_itl(out, m.itl);
  }
  render_series(out, "Latency", m.latency_ns, Unit::ms);
  render_series(out, "Latency from schedule (from the intended send time)", m.latency_from_schedule_ns,
                Unit::ms);
  if (m.streaming) render_series(out, "TTFT from schedule", m.ttft_from_schedule_ns, Unit::ms);
  render_series(out, "Schedule lag (issue time - intended send time)", m.schedule_lag_ns, Unit::ms);
  render_series(out, "Output sequence lengths", m.output_tokens, Unit::tokens);
  render_series(out, "Input sequence lengths", m.input_tokens, Unit::tokens);
  fmt::format_to(out, "\n-------------------------- End of Report --------------------------\n");
  return text;
}

}  // namespace ie::report
