#include "metrics/hdr_histogram.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace ie::metrics {

HdrHistogram::HdrHistogram(int64_t highest_value, int significant_digits)
    : highest_value_(highest_value), significant_digits_(significant_digits) {
  if (highest_value < 2) {
    throw std::invalid_argument("HdrHistogram: highest_value must be >= 2, got " +
                                std::to_string(highest_value));
  }
  if (significant_digits < 1 || significant_digits > 5) {
    throw std::invalid_argument("HdrHistogram: significant_digits must be in 1..5, got " +
                                std::to_string(significant_digits));
  }
  // Smallest power of two >= 10^digits sub-buckets per range bounds the relative error by 10^-digits.
  int64_t resolution = 1;
  for (int i = 0; i < significant_digits; ++i) resolution *= 10;
  half_bits_ = 0;
  while ((int64_t{1} << half_bits_) < resolution) ++half_bits_;
  linear_mask_ = (uint64_t{1} << (half_bits_ + 1)) - 1;
  counts_.assign(index_of(highest_value) + 1, 0);
}

int64_t HdrHistogram::lowest_at(size_t index) const {
  const int range = static_cast<int>(index >> half_bits_);  // 0 and 1 are both the linear (shift 0) region
  const int shift = range > 0 ? range - 1 : 0;
  const size_t sub = index - (static_cast<size_t>(shift) << half_bits_);
  return static_cast<int64_t>(sub) << shift;
}

int64_t HdrHistogram::highest_at(size_t index) const {
  const int range = static_cast<int>(index >> half_bits_);
  const int shift = range > 0 ? range - 1 : 0;
  return lowest_at(index) + (int64_t{1} << shift) - 1;
}

bool HdrHistogram::has_same_layout(const HdrHistogram& other) const {
  return highest_value_ == other.highest_value_ && significant_digits_ == other.significant_digits_;
}

void HdrHistogram::merge(const HdrHistogram& other) {
  if (!has_same_layout(other)) {
    throw std::invalid_argument("HdrHistogram::merge: layouts differ (highest " +
                                std::to_string(highest_value_) + "/" + std::to_string(significant_digits_) +
                                " digits vs " + std::to_string(other.highest_value_) + "/" +
                                std::to_string(other.significant_digits_) + ")");
  }
  if (other.total_count_ == 0) return;
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  total_count_ += other.total_count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
  clamped_low_ += other.clamped_low_;
  clamped_high_ += other.clamped_high_;
}

void HdrHistogram::reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  total_count_ = 0;
  min_ = std::numeric_limits<int64_t>::max();
  max_ = 0;
  sum_ = 0;
  clamped_low_ = 0;
  clamped_high_ = 0;
}

double HdrHistogram::mean() const {
  return total_count_ == 0 ? 0.0 : sum_ / static_cast<double>(total_count_);
}

int64_t HdrHistogram::value_at_percentile(double percentile) const {
  if (total_count_ == 0) return 0;
  if (!(percentile > 0)) return min_;  // also catches NaN
  if (percentile >= 100) return max_;
  // p * n first, then / 100: keeps grid points like 99.9% of 1000 at exactly rank 999.
  const double exact_rank = percentile * static_cast<double>(total_count_) / 100.0;
  const auto rank = std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(exact_rank)));
  uint64_t seen = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::clamp(highest_at(i), min_, max_);
  }
  return max_;
}

}  // namespace ie::metrics
