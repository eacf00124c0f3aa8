#include "metrics/series.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "metrics/radix_sort.h"

namespace ie::metrics {
namespace {

// 30 log-spaced buckets over [min, max] with edges min * (max/min)^(i/30); a log scale needs min > 0 and a
// non-degenerate range, otherwise the whole series is one bucket. Buckets are [lo, hi) except the last, which
// is closed, so every value lands in exactly one bucket (numpy.histogram's convention).
std::vector<HistogramBucket> log_histogram(const std::vector<double>& sorted) {
  const double lo = sorted.front();
  const double hi = sorted.back();
  if (!(lo > 0) || lo == hi) return {HistogramBucket{lo, hi, sorted.size()}};

  std::array<double, kHistogramBuckets + 1> edges;
  const double ratio = hi / lo;
  for (size_t i = 0; i <= kHistogramBuckets; ++i) {
    edges[i] = lo * std::pow(ratio, static_cast<double>(i) / static_cast<double>(kHistogramBuckets));
  }
  edges.front() = lo;  // pow() rounding must not leave the extremes outside their buckets
  edges.back() = hi;

  std::vector<HistogramBucket> buckets(kHistogramBuckets);
  for (size_t i = 0; i < kHistogramBuckets; ++i) buckets[i] = {edges[i], edges[i + 1], 0};
  size_t b = 0;
  for (double v : sorted) {
    while (b + 1 < kHistogramBuckets && v >= edges[b + 1]) ++b;
    ++buckets[b].count;
  }
  return buckets;
}

// Two passes over the values (mean, then squared deviations) in long double: the one-pass sum-of-squares
// formula cancels catastrophically for ns-scale latencies with small spread.
double sample_std_dev(const std::vector<double>& values, long double mean) {
  if (values.size() < 2) return 0.0;
  long double squares = 0;
  for (double v : values) {
    const long double d = static_cast<long double>(v) - mean;
    squares += d * d;
  }
  return static_cast<double>(std::sqrt(squares / static_cast<long double>(values.size() - 1)));
}

// `values` ascending.
SeriesSummary summarize_sorted(std::vector<double>& values, bool integral, long double total,
                               EarlyStopping early_stopping) {
  SeriesSummary s;
  s.integral = integral;
  if (values.empty()) return s;
  const size_t n = values.size();
  s.count = n;
  s.total = static_cast<double>(total);
  s.min = values.front();
  s.max = values.back();
  const long double mean = total / static_cast<long double>(n);
  s.avg = static_cast<double>(mean);
  s.std_dev = sample_std_dev(values, mean);
  for (size_t i = 0; i < kPercentileCount; ++i) {
    s.percentiles[i] = values[lower_percentile_index(n, kPercentileGrid[i])];
  }
  s.median = values[lower_percentile_index(n, 50.0)];
  s.histogram = log_histogram(values);
  if (early_stopping == EarlyStopping::on) {
    for (size_t i = 0; i < kEarlyStoppingCount; ++i) {
      s.early_stopping.push_back(early_stopping_estimate(values, kPercentileGrid[i]));
    }
  }
  return s;
}

}  // namespace

size_t lower_percentile_index(size_t n, double percentile) {
  const double q = percentile / 100.0;
  const auto index = static_cast<size_t>(std::floor(q * static_cast<double>(n - 1)));
  return std::min(index, n - 1);
}

double SeriesSummary::percentile(double p) const {
  for (size_t i = 0; i < kPercentileCount; ++i) {
    if (kPercentileGrid[i] == p) return percentiles[i];
  }
  throw std::invalid_argument("SeriesSummary::percentile: " + std::to_string(p) + " is not on the grid");
}

SeriesSummary summarize(const std::vector<int64_t>& values, EarlyStopping early_stopping) {
  std::vector<int64_t> sorted = values;
  radix_sort(sorted);
  // Summed in integers, exactly: __int128 cannot overflow for any realistic number of int64 values.
  __int128 total = 0;
  for (int64_t v : sorted) total += v;
  std::vector<double> as_double(sorted.begin(), sorted.end());
  sorted = {};  // the doubles are all we need from here on
  return summarize_sorted(as_double, true, static_cast<long double>(total), early_stopping);
}

SeriesSummary summarize(std::vector<double> values, EarlyStopping early_stopping) {
  long double total = 0;
  for (double v : values) total += v;
  std::sort(values.begin(), values.end());
  return summarize_sorted(values, false, total, early_stopping);
}

}  // namespace ie::metrics
