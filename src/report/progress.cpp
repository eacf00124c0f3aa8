#include "report/progress.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "report/text_format.h"

namespace ie::report {
namespace {

std::optional<int64_t> eta_ns(const ProgressSnapshot& s) {
  if (s.planned_duration_ns > 0) return std::max<int64_t>(0, s.planned_duration_ns - s.elapsed_ns);
  if (s.total_requests > 0 && s.recent_rate_per_s > 0) {
    const uint64_t left = s.total_requests > s.completed ? s.total_requests - s.completed : 0;
    return static_cast<int64_t>(static_cast<double>(left) / s.recent_rate_per_s * 1e9);
  }
  return std::nullopt;
}

}  // namespace

std::string format_progress(const ProgressSnapshot& s, bool tty) {
  const std::optional<int64_t> eta = eta_ns(s);
  const char* phase = s.warmup ? "warmup" : (s.draining ? "drain" : "perf");
  if (!tty) {
    return fmt::format("progress phase={} elapsed={} issued={} completed={} errors={} rate={:.1f}/s eta={}\n",
                       phase, format_clock(s.elapsed_ns), s.issued, s.completed, s.errors,
                       s.recent_rate_per_s, eta ? format_clock(*eta) : "unknown");
  }
  // Widths sized for an 80-column terminal; counts past 8 digits widen the line rather than lose digits.
  std::string line = fmt::format("{:<6} {} issued {:>8} done {:>8} err {:>5} {:>7.0f}/s ETA {}", phase,
                                 format_clock(s.elapsed_ns), s.issued, s.completed, s.errors,
                                 s.recent_rate_per_s, eta ? format_clock(*eta) : "--:--:--");
  if (line.size() < kProgressLineWidth) line.resize(kProgressLineWidth, ' ');
  return line;
}

}  // namespace ie::report
