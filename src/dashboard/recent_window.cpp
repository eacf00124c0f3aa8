#include "dashboard/recent_window.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>

namespace ie::dashboard {

namespace {

constexpr int64_t kNsPerSecond = 1'000'000'000;

}  // namespace

void RecentWindow::reset(int64_t origin_ns) {
  origin_ns_ = origin_ns;
  for (Second& s : seconds_) {
    s.index = -1;
    s.completed = 0;
    s.e2e_ns.reset();
  }
}

void RecentWindow::add(int64_t complete_ns, int64_t e2e_ns) {
  if (complete_ns < origin_ns_) return;
  const int64_t index = (complete_ns - origin_ns_) / kNsPerSecond;
  Second& s = seconds_[static_cast<size_t>(index) % kSecondsKept];
  if (s.index > index) return;  // older than anything kept
  if (s.index < index) {
    s.index = index;
    s.completed = 0;
    s.e2e_ns.reset();
  }
  ++s.completed;
  if (e2e_ns >= 0) s.e2e_ns.record(e2e_ns);
}

const RecentWindow::Second* RecentWindow::find(int64_t index) const {
  if (index < 0) return nullptr;
  const Second& s = seconds_[static_cast<size_t>(index) % kSecondsKept];
  return s.index == index ? &s : nullptr;
}

Recent RecentWindow::snapshot(int64_t end_ns, uint32_t scale) const {
  Recent r;
  const int64_t whole = end_ns > origin_ns_ ? (end_ns - origin_ns_) / kNsPerSecond : 0;
  if (whole == 0) return r;
  r.valid = true;
  r.window_s = std::min(whole, kRecentWindowSeconds);

  metrics::HdrHistogram window(metrics::kTimeHistogramHighestNs, kDigits);
  uint64_t completed = 0;
  for (int64_t i = whole - r.window_s; i < whole; ++i) {
    if (const Second* s = find(i)) {
      completed += s->completed;
      window.merge(s->e2e_ns);
    }
  }
  r.req_per_s = static_cast<double>(completed * scale) / static_cast<double>(r.window_s);
  r.p99_e2e_ns = window.value_at_percentile(99);

  for (int64_t i = std::max<int64_t>(0, whole - static_cast<int64_t>(kSparkSeconds)); i < whole; ++i) {
    const Second* s = find(i);
    r.req_per_s_by_second.push_back(s ? static_cast<double>(s->completed * scale) : 0.0);
    r.p99_e2e_by_second_ns.push_back(s ? s->e2e_ns.value_at_percentile(99) : 0);
  }
  return r;
}

std::string sparkline(const std::vector<double>& values) {
  static constexpr std::array<std::string_view, 8> kLevels{"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
  const double top = values.empty() ? 0 : *std::max_element(values.begin(), values.end());
  std::string out;
  for (const double v : values) {
    if (v <= 0 || top <= 0) {
      out += ' ';
      continue;
    }
    const auto level = static_cast<size_t>(std::clamp(std::ceil(v / top * 8.0), 1.0, 8.0)) - 1;
    out += kLevels[level];
  }
  return out;
}

}  // namespace ie::dashboard
