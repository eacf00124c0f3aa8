#include "metrics/hdr_histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <tuple>
#include <vector>

namespace ie::metrics {
namespace {

std::vector<int64_t> lognormal_values(size_t n, uint64_t seed, double mu = std::log(2e6),
                                      double sigma = 1.5) {
  std::mt19937_64 rng(seed);
  std::lognormal_distribution<double> dist(mu, sigma);
  std::vector<int64_t> values(n);
  for (auto& v : values) v = std::max<int64_t>(1, static_cast<int64_t>(dist(rng)));
  return values;
}

// The exact value at rank ceil(p/100 * n), the definition value_at_percentile() approximates.
int64_t exact_percentile(const std::vector<int64_t>& sorted, double p) {
  const auto rank = std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(p * sorted.size() / 100.0)));
  return sorted[std::min<size_t>(rank, sorted.size()) - 1];
}

using Bucket = std::tuple<int64_t, int64_t, uint64_t>;
std::vector<Bucket> buckets_of(const HdrHistogram& h) {
  std::vector<Bucket> out;
  h.for_each_bucket([&](int64_t lo, int64_t hi, uint64_t count) { out.emplace_back(lo, hi, count); });
  return out;
}

class HdrAccuracy : public ::testing::TestWithParam<int> {};

TEST_P(HdrAccuracy, PercentilesOfLognormalDataAreWithinTheRelativeError) {
  const int digits = GetParam();
  const double max_relative_error = std::pow(10.0, -digits);
  HdrHistogram h(kTimeHistogramHighestNs, digits);
  auto values = lognormal_values(200'000, 7 + digits);
  for (int64_t v : values) h.record(v);
  std::sort(values.begin(), values.end());

  for (double p : {0.0, 1.0, 5.0, 10.0, 25.0, 50.0, 75.0, 90.0, 95.0, 99.0, 99.9, 99.99, 100.0}) {
    const int64_t exact = exact_percentile(values, p);
    const int64_t approx = h.value_at_percentile(p);
    EXPECT_LE(std::abs(static_cast<double>(approx - exact)), exact * max_relative_error)
        << "p" << p << " exact " << exact << " approx " << approx;
    EXPECT_EQ(h.lowest_equivalent(approx), h.lowest_equivalent(exact)) << "p" << p;
  }
  EXPECT_EQ(h.min(), values.front());
  EXPECT_EQ(h.max(), values.back());
  EXPECT_EQ(h.count(), values.size());
}

INSTANTIATE_TEST_SUITE_P(Digits, HdrAccuracy, ::testing::Values(1, 2, 3, 4, 5));

TEST(HdrHistogram, EveryBucketIsNarrowerThanTheRelativePrecision) {
  for (int digits = 1; digits <= 5; ++digits) {
    const HdrHistogram h(kTimeHistogramHighestNs, digits);
    const double precision = std::pow(10.0, -digits);
    std::mt19937_64 rng(digits);
    std::uniform_real_distribution<double> log_value(0,
                                                     std::log(static_cast<double>(kTimeHistogramHighestNs)));
    for (int i = 0; i < 20'000; ++i) {
      const auto v = static_cast<int64_t>(std::exp(log_value(rng)));
      const int64_t lo = h.lowest_equivalent(v);
      const int64_t hi = h.highest_equivalent(v);
      ASSERT_LE(lo, v);
      ASSERT_GE(hi, v);
      const int64_t width = hi - lo + 1;
      ASSERT_TRUE(width == 1 || width <= lo * precision) << "digits " << digits << " v " << v;
    }
  }
}

TEST(HdrHistogram, SmallValuesAreRecordedExactly) {
  HdrHistogram h(1'000'000, 3);
  for (int64_t v = 1; v <= 2000; ++v) h.record(v);
  EXPECT_EQ(h.value_at_percentile(50), 1000);
  EXPECT_EQ(h.value_at_percentile(0.05), 1);
  EXPECT_EQ(h.value_at_percentile(100), 2000);
  EXPECT_EQ(h.lowest_equivalent(1234), 1234);
  EXPECT_EQ(h.highest_equivalent(1234), 1234);
}

TEST(HdrHistogram, MergeOfTwoEqualsRecordingAllInOne) {
  const auto values = lognormal_values(50'000, 11);
  HdrHistogram all;
  HdrHistogram first;
  HdrHistogram second;
  for (size_t i = 0; i < values.size(); ++i) {
    all.record(values[i]);
    (i % 3 == 0 ? first : second).record(values[i]);
  }
  first.merge(second);
  EXPECT_EQ(buckets_of(first), buckets_of(all));
  EXPECT_EQ(first.count(), all.count());
  EXPECT_EQ(first.min(), all.min());
  EXPECT_EQ(first.max(), all.max());
  EXPECT_DOUBLE_EQ(first.mean(), all.mean());
  for (double p : {50.0, 90.0, 99.0, 99.9})
    EXPECT_EQ(first.value_at_percentile(p), all.value_at_percentile(p));
}

TEST(HdrHistogram, MergeIntoEmptyAndOfEmptyKeepsTheOtherSide) {
  HdrHistogram empty;
  HdrHistogram some;
  some.record(42);
  some.record(7);
  empty.merge(some);
  EXPECT_EQ(empty.count(), 2u);
  EXPECT_EQ(empty.min(), 7);
  EXPECT_EQ(empty.max(), 42);
  some.merge(HdrHistogram{});
  EXPECT_EQ(some.count(), 2u);
  EXPECT_EQ(some.min(), 7);
}

TEST(HdrHistogram, MergeOfDifferentLayoutsThrows) {
  HdrHistogram a(kTimeHistogramHighestNs, 3);
  EXPECT_THROW(a.merge(HdrHistogram(kTimeHistogramHighestNs, 2)), std::invalid_argument);
  EXPECT_THROW(a.merge(HdrHistogram(kTokenHistogramHighest, 3)), std::invalid_argument);
}

TEST(HdrHistogram, ValuesOutsideTheRangeAreClampedAndCounted) {
  HdrHistogram h(1'000'000, 3);
  h.record(0);
  h.record(-5);
  h.record(1);
  h.record(1'000'000);
  h.record(1'000'001);
  h.record(INT64_MAX);
  EXPECT_EQ(h.count(), 6u);
  EXPECT_EQ(h.clamped_low_count(), 2u);
  EXPECT_EQ(h.clamped_high_count(), 2u);
  EXPECT_EQ(h.min(), 1);
  EXPECT_EQ(h.max(), 1'000'000);
  EXPECT_EQ(h.value_at_percentile(50), 1);
  EXPECT_EQ(h.value_at_percentile(100), 1'000'000);
  EXPECT_LE(h.value_at_percentile(99), 1'000'000);
}

TEST(HdrHistogram, EmptyHistogramReadsAsZero) {
  const HdrHistogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.max(), 0);
  EXPECT_EQ(h.mean(), 0.0);
  EXPECT_EQ(h.value_at_percentile(50), 0);
  EXPECT_TRUE(buckets_of(h).empty());
}

TEST(HdrHistogram, RecordNEqualsRecordingNTimes) {
  HdrHistogram once;
  HdrHistogram repeated;
  once.record_n(123'456, 5);
  once.record_n(9, 2);
  for (int i = 0; i < 5; ++i) repeated.record(123'456);
  for (int i = 0; i < 2; ++i) repeated.record(9);
  EXPECT_EQ(buckets_of(once), buckets_of(repeated));
  EXPECT_DOUBLE_EQ(once.mean(), repeated.mean());
  EXPECT_DOUBLE_EQ(once.mean(), (5 * 123'456.0 + 18) / 7);
}

TEST(HdrHistogram, ResetEmptiesButKeepsTheLayout) {
  HdrHistogram h(kTokenHistogramHighest, 2);
  h.record(5);
  h.record(0);
  h.reset();
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.clamped_low_count(), 0u);
  EXPECT_TRUE(buckets_of(h).empty());
  h.record(77);
  EXPECT_EQ(h.min(), 77);
  EXPECT_TRUE(h.has_same_layout(HdrHistogram(kTokenHistogramHighest, 2)));
}

TEST(HdrHistogram, BucketsAreAscendingDisjointAndHoldTheirValues) {
  HdrHistogram h;
  const auto values = lognormal_values(10'000, 3);
  for (int64_t v : values) h.record(v);
  const auto buckets = buckets_of(h);
  uint64_t total = 0;
  int64_t previous_high = 0;
  for (const auto& [lo, hi, count] : buckets) {
    EXPECT_GT(lo, previous_high);
    EXPECT_LE(lo, hi);
    previous_high = hi;
    total += count;
  }
  EXPECT_EQ(total, values.size());
  for (int64_t v : values) {
    const bool held = std::any_of(buckets.begin(), buckets.end(), [&](const Bucket& b) {
      return std::get<0>(b) <= v && v <= std::get<1>(b);
    });
    ASSERT_TRUE(held) << v;
  }
}

TEST(HdrHistogram, HighestValueItselfIsRecordable) {
  HdrHistogram h(kTimeHistogramHighestNs, 3);
  h.record(kTimeHistogramHighestNs);
  EXPECT_EQ(h.clamped_high_count(), 0u);
  EXPECT_EQ(h.value_at_percentile(50), kTimeHistogramHighestNs);
}

TEST(HdrHistogram, InvalidLayoutIsRejected) {
  EXPECT_THROW(HdrHistogram(1, 3), std::invalid_argument);
  EXPECT_THROW(HdrHistogram(1000, 0), std::invalid_argument);
  EXPECT_THROW(HdrHistogram(1000, 6), std::invalid_argument);
}

}  // namespace
}  // namespace ie::metrics
