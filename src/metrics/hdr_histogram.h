#pragma once
// A fixed-layout histogram of positive integers with bounded relative error: HdrHistogram's log-bucketed
// sub-bucket layout (our own implementation; Debian ships no library). Each worker records into its own
// instance (hot path: a few ns, no allocation, no branches besides the index math); the collector merges.
//
// Layout. With d significant digits, each power-of-two range [2^k, 2^(k+1)) is split into 2^(m-1) equal
// sub-buckets, where 2^(m-1) >= 10^d, so a bucket is never wider than 10^-d of its lowest value. Values below
// 2^m get one slot each. A value maps to slot (shift << (m-1)) + (value >> shift), where shift = max(0,
// top_bit(value) - (m-1)); the slots of successive ranges are contiguous, so the counts are one flat array.
//
// Range. Values are integers in [1, highest_value]; anything outside is clamped to the nearest bound and
// counted (clamped_low_count / clamped_high_count), so a clamp is visible in the report instead of silent.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace ie::metrics {

constexpr int64_t kTimeHistogramHighestNs = 3'600'000'000'000;  // 1 h: longer gaps are clamped and counted
constexpr int64_t kTokenHistogramHighest = 10'000'000;
constexpr int kDefaultSignificantDigits = 3;

class HdrHistogram {
 public:
  // Tracks [1, highest_value] with relative error <= 10^-significant_digits. Allocates the counts once.
  // Throws std::invalid_argument when highest_value < 2 or significant_digits is outside 1..5.
  explicit HdrHistogram(int64_t highest_value = kTimeHistogramHighestNs,
                        int significant_digits = kDefaultSignificantDigits);

  // --- recording (hot path) ---
  void record(int64_t value) { record_n(value, 1); }
  void record_n(int64_t value, uint64_t count);

  // --- combining (cold path) ---
  // Adds other's counts. Throws std::invalid_argument unless both have the same highest value and digits.
  void merge(const HdrHistogram& other);
  void reset();  // back to empty, layout kept, no allocation
  bool has_same_layout(const HdrHistogram& other) const;

  // --- reading ---
  uint64_t count() const { return total_count_; }
  // Smallest / largest recorded (clamped) value, exact; 0 when empty.
  int64_t min() const { return total_count_ == 0 ? 0 : min_; }
  int64_t max() const { return max_; }
  double mean() const;  // exact mean of the recorded (clamped) values; 0 when empty
  // The value at or below which `percentile` percent of the recorded values lie (rank ceil(p/100 * count)),
  // reported as the highest value equivalent to that rank's value, kept within [min(), max()]. 0 if empty.
  int64_t value_at_percentile(double percentile) const;
  uint64_t clamped_low_count() const { return clamped_low_; }
  uint64_t clamped_high_count() const { return clamped_high_; }
  int64_t highest_value() const { return highest_value_; }
  int significant_digits() const { return significant_digits_; }

  // The bounds of the bucket that `value` (clamped to the range) falls in: every value in it is "equivalent".
  int64_t lowest_equivalent(int64_t value) const { return lowest_at(index_of(clamp(value))); }
  int64_t highest_equivalent(int64_t value) const { return highest_at(index_of(clamp(value))); }

  // Calls visit(int64_t lowest, int64_t highest, uint64_t count) for every non-empty bucket, ascending.
  template <class Visit>
  void for_each_bucket(Visit&& visit) const {
    for (size_t i = 0; i < counts_.size(); ++i) {
      if (counts_[i] != 0) visit(lowest_at(i), highest_at(i), counts_[i]);
    }
  }

 private:
  int64_t clamp(int64_t value) const { return std::clamp<int64_t>(value, 1, highest_value_); }
  // The bucket-index math; `value` must already be in [1, highest_value_].
  size_t index_of(int64_t value) const {
    const auto bits = static_cast<uint64_t>(value);
    const int top_bit = 63 - __builtin_clzll(bits | linear_mask_);  // >= half_bits_ thanks to the mask
    const int shift = top_bit - half_bits_;
    return (static_cast<size_t>(shift) << half_bits_) + static_cast<size_t>(bits >> shift);
  }
  int64_t lowest_at(size_t index) const;
  int64_t highest_at(size_t index) const;

  int64_t highest_value_;
  int significant_digits_;
  int half_bits_;         // m - 1: log2 of the sub-buckets per power-of-two range
  uint64_t linear_mask_;  // 2^m - 1: values below 2^m are stored one per slot
  std::vector<uint64_t> counts_;
  uint64_t total_count_ = 0;
  int64_t min_ = std::numeric_limits<int64_t>::max();
  int64_t max_ = 0;
  double sum_ = 0;  // for mean(); a double because ns sums overflow int64 after ~10^9 hour-long values
  uint64_t clamped_low_ = 0;
  uint64_t clamped_high_ = 0;
};

// Branch-free apart from the clamps, which compile to conditional moves: this runs once per received token.
inline void HdrHistogram::record_n(int64_t value, uint64_t count) {
  clamped_low_ += count * static_cast<uint64_t>(value < 1);
  clamped_high_ += count * static_cast<uint64_t>(value > highest_value_);
  const int64_t v = clamp(value);
  counts_[index_of(v)] += count;
  total_count_ += count;
  min_ = std::min(min_, v);
  max_ = std::max(max_, v);
  sum_ += static_cast<double>(v) * static_cast<double>(count);
}

}  // namespace ie::metrics
