#include "metrics/live_latencies.h"

namespace ie::metrics {

DistSummary summarize(const HdrHistogram& h) {
  DistSummary s;
  s.n = h.count();
  if (s.n == 0) return s;
  s.avg_ns = h.mean();
  s.min_ns = h.min();
  s.p50_ns = h.value_at_percentile(50);
  s.p99_ns = h.value_at_percentile(99);
  s.max_ns = h.max();
  return s;
}

}  // namespace ie::metrics
