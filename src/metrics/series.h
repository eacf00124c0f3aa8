#pragma once
// The exact summary of one metric series, computed once at the end of a run from the raw values: the numbers
// the Python tool puts in result_summary.json (count, total, min, max, median, avg, std_dev, a fixed
// percentile grid and a 30-bucket log-spaced histogram).
//
// Design: values are summarised as doubles, with a flag saying whether the series is integral (ns, tokens).
// Renderers print total / min / max of an integral series as integers, as Python does; percentiles, median,
// avg and std_dev stay floats (Python emits them as floats too). Integers are exact in a double up to 2^53,
// i.e. ~104 days of summed nanoseconds; beyond that only `total` would round.
//
// Percentiles use numpy's "lower" method: the element at index floor(q * (n - 1)) of the sorted values, with
// q = p / 100 computed first (numpy's order of operations, so grid points land on the same index).

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "metrics/early_stopping.h"

namespace ie::metrics {

constexpr size_t kPercentileCount = 12;
constexpr std::array<double, kPercentileCount> kPercentileGrid = {99.9, 99, 97, 95, 90, 80,
                                                                  75,   50, 25, 10, 5,  1};
// Python's str(float) of each grid point, the keys of the "percentiles" objects.
constexpr std::array<std::string_view, kPercentileCount> kPercentileKeys = {
    "99.9", "99.0", "97.0", "95.0", "90.0", "80.0", "75.0", "50.0", "25.0", "10.0", "5.0", "1.0"};
constexpr size_t kHistogramBuckets = 30;
// Early-stopping estimates cover the grid points >= 50, i.e. the first kEarlyStoppingCount grid entries.
constexpr size_t kEarlyStoppingCount = 8;
enum class EarlyStopping { off, on };

struct HistogramBucket {
  double lowest = 0;   // inclusive
  double highest = 0;  // exclusive, except for the last bucket, which includes the series maximum
  uint64_t count = 0;
};

struct SeriesSummary {
  bool integral = false;  // values were integers: render total/min/max as integers
  uint64_t count = 0;     // 0 = empty series: every other field is zero / empty
  double total = 0;
  double min = 0;
  double max = 0;
  double median = 0;  // == percentiles[index of 50]
  double avg = 0;
  double std_dev = 0;                                  // sample standard deviation (n - 1); 0 when count < 2
  std::array<double, kPercentileCount> percentiles{};  // aligned with kPercentileGrid
  std::vector<HistogramBucket> histogram;  // 30 log-spaced buckets, or 1 when min <= 0 or min == max
  // Empty unless requested; else kEarlyStoppingCount estimates aligned with the start of kPercentileGrid.
  std::vector<EarlyStoppingEstimate> early_stopping;

  bool empty() const { return count == 0; }
  double percentile(double p) const;  // one grid point; throws std::invalid_argument off the grid
};

// Summaries of integer series (ns, tokens) and of real series (TPOT in ns/token). The real overload sorts its
// argument in place; the integer one radix-sorts a copy. An empty series gives an
// empty summary (count 0, no histogram, no estimates).
SeriesSummary summarize(const std::vector<int64_t>& values,
                        EarlyStopping early_stopping = EarlyStopping::off);
SeriesSummary summarize(std::vector<double> values, EarlyStopping early_stopping = EarlyStopping::off);

// numpy "lower" percentile index into n sorted values (n > 0).
size_t lower_percentile_index(size_t n, double percentile);

}  // namespace ie::metrics
