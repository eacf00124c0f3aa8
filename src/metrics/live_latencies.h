#pragma once
// Latency so far, for live displays (the -vvv dashboard's LOADGEN rows) while the run goes on. The report's
// numbers come from RunAggregate::finish(), exact over the raw values; these come from 3-significant-digit
// histograms fed alongside, so reading them costs O(buckets), not a sort of every value.

#include <cstdint>

#include "metrics/hdr_histogram.h"

namespace ie::metrics {

// The headline numbers of one distribution. Times in ns; n == 0 means nothing recorded yet.
struct DistSummary {
  uint64_t n = 0;
  double avg_ns = 0;
  int64_t min_ns = 0;
  int64_t p50_ns = 0;
  int64_t p99_ns = 0;
  int64_t max_ns = 0;
};
DistSummary summarize(const HdrHistogram& histogram);

// The successes' E2E latency, TTFT and TPOT, with RunAggregate's definitions (see run_aggregate.h).
struct LiveLatencies {
  DistSummary ttft;
  DistSummary tpot;
  DistSummary e2e;
};

}  // namespace ie::metrics
