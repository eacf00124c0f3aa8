#include "report/console_summary.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <string_view>
#include <vector>

#include "report/text_format.h"

namespace ie::report {
namespace {

using Out = std::back_insert_iterator<std::string>;
constexpr size_t kMaxSampleChars = 100;  // keeps one error per line on a normal terminal

void row(Out out, std::string_view name, double avg, double p50, double p90, double p99, double max) {
  fmt::format_to(out, "  {:<22}{:>12}{:>12}{:>12}{:>12}{:>12}\n", name, format_ms(avg), format_ms(p50),
                 format_ms(p90), format_ms(p99), format_ms(max));
}

void series_row(Out out, std::string_view name, const metrics::SeriesSummary& s) {
  if (s.empty()) {
    fmt::format_to(out, "  {:<22}{:>12}\n", name, "-");
    return;
  }
  row(out, name, s.avg, s.median, s.percentile(90), s.percentile(99), s.max);
}

void itl_row(Out out, const metrics::ItlSummary& itl) {
  if (itl.count == 0) {
    fmt::format_to(out, "  {:<22}{:>12}\n", "ITL", "-");
    return;
  }
  row(out, "ITL", itl.mean_ns, static_cast<double>(itl.p50_ns), static_cast<double>(itl.p90_ns),
      static_cast<double>(itl.p99_ns), static_cast<double>(itl.max_ns));
}

std::string one_line(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  std::replace(text.begin(), text.end(), '\r', ' ');
  if (text.size() > kMaxSampleChars) text = text.substr(0, kMaxSampleChars - 3) + "...";
  return text;
}

void render_errors(Out out, const metrics::RunMetrics& m, const RunInfo& info) {
  if (m.errors.empty()) return;
  // Most frequent kind first: that is the one to look at.
  std::vector<std::pair<std::string, metrics::ErrorStats>> kinds(m.errors.begin(), m.errors.end());
  std::stable_sort(kinds.begin(), kinds.end(),
                   [](const auto& a, const auto& b) { return a.second.count > b.second.count; });
  fmt::format_to(out, "Errors:\n");
  for (const auto& [kind, stats] : kinds) {
    fmt::format_to(out, "  {:<20}{:>10}", kind, stats.count);
    if (!stats.sample.empty()) fmt::format_to(out, "  {}", one_line(scrub_secrets(stats.sample, info)));
    fmt::format_to(out, "\n");
  }
}

}  // namespace

std::string render_console_summary(const metrics::RunMetrics& m, const RunInfo& info) {
  std::string text;
  Out out(text);
  fmt::format_to(out, "---------------------------- Run summary ----------------------------\n");
  fmt::format_to(out, "State:       {}", run_state_name(info.state));
  if (!info.interrupted_reason.empty())
    fmt::format_to(out, " ({})", scrub_secrets(info.interrupted_reason, info));
  fmt::format_to(out, "\n");
  const double failed_pct =
      m.issued > 0 ? 100.0 * static_cast<double>(m.failed) / static_cast<double>(m.issued) : 0;
  fmt::format_to(out, "Requests:    {} issued, {} succeeded, {} failed ({:.2f}%)\n", m.issued, m.succeeded,
                 m.failed, failed_pct);
  fmt::format_to(out, "Duration:    {} (tracked window {})\n", format_seconds(info.duration_ns),
                 format_seconds(m.tracked_duration_ns));
  fmt::format_to(out, "QPS:         {}   (issue rate {} req/s)\n", format_rate(m.qps),
                 format_rate(m.issue_rate));
  fmt::format_to(out, "Output tok/s: {}   (token counts: {})\n", format_rate(m.tps),
                 metrics::token_count_source_name(m.token_count_source));
  fmt::format_to(out, "\n  {:<22}{:>12}{:>12}{:>12}{:>12}{:>12}\n", "ms", "avg", "p50", "p90", "p99", "max");
  if (m.streaming) {
    series_row(out, "TTFT", m.ttft_ns);
    series_row(out, "TPOT", m.tpot_ns);
    itl_row(out, m.itl);
  }
  series_row(out, "E2E latency", m.latency_ns);
  series_row(out, "Latency from schedule", m.latency_from_schedule_ns);
  series_row(out, "Schedule lag", m.schedule_lag_ns);
  fmt::format_to(out, "\n");
  render_errors(out, m, info);
  return text;
}

}  // namespace ie::report
