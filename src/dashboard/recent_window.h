#pragma once
// The dashboard's short rolling window: completions bucketed by whole second since the run's start, so a
// frame can show req/s and p99 E2E over the last few seconds, and a per-second sparkline of each, beside
// the cumulative numbers. Pure like the rest of the fold: time comes from the records.
//
// Only whole seconds count (the second `now` is in is still filling), so the numbers do not wobble with
// the frame's phase. A completion may be folded after its second has ended (the recorder passes every
// millisecond; the assembler waits for the whole lifecycle): buckets stay open for kSecondsKept seconds.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "metrics/hdr_histogram.h"

namespace ie::dashboard {

constexpr int64_t kRecentWindowSeconds = 5;
constexpr size_t kSparkSeconds = 10;  // sparkline cells, one per whole second

// What a frame shows of the recent window.
struct Recent {
  bool valid = false;      // at least one whole second has passed since the start
  int64_t window_s = 0;    // whole seconds the window covers: min(elapsed, kRecentWindowSeconds)
  double req_per_s = 0;    // completions in the window per second (scaled by the sampling rate)
  int64_t p99_e2e_ns = 0;  // 0 when nothing completed in the window
  std::vector<double> req_per_s_by_second;    // the last <= kSparkSeconds whole seconds, oldest first
  std::vector<int64_t> p99_e2e_by_second_ns;  // same seconds; 0 when nothing completed in that second
};

class RecentWindow {
 public:
  // Forgets everything and counts seconds from origin_ns (PERF_START, or the first record).
  void reset(int64_t origin_ns);
  int64_t origin_ns() const { return origin_ns_; }
  // One completion at complete_ns; e2e_ns < 0 when its issue time is unknown (counted, no latency).
  void add(int64_t complete_ns, int64_t e2e_ns);
  // The window ending at the last whole second before end_ns; counts multiplied by scale.
  Recent snapshot(int64_t end_ns, uint32_t scale) const;

 private:
  static constexpr size_t kSecondsKept = kSparkSeconds + 2;
  // Two significant digits (±1 %) are plenty for a trend; they keep a bucket at ~36 KB and a merge cheap.
  static constexpr int kDigits = 2;
  struct Second {
    int64_t index = -1;  // whole seconds since the origin; -1 = unused
    uint64_t completed = 0;
    metrics::HdrHistogram e2e_ns{metrics::kTimeHistogramHighestNs, kDigits};
  };
  const Second* find(int64_t index) const;

  int64_t origin_ns_ = 0;
  std::array<Second, kSecondsKept> seconds_;  // second i lives at i % kSecondsKept
};

// Sparkline of values, one glyph each (▁..█ scaled to the largest value; a space for 0 or less).
std::string sparkline(const std::vector<double>& values);

}  // namespace ie::dashboard
