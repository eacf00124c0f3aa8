#include "metrics/series.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

namespace ie::metrics {
namespace {

uint64_t total_count(const SeriesSummary& s) {
  uint64_t n = 0;
  for (const auto& b : s.histogram) n += b.count;
  return n;
}

TEST(Series, EmptySeriesGivesAnEmptySummary) {
  const SeriesSummary s = summarize(std::vector<int64_t>{}, EarlyStopping::on);
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.count, 0u);
  EXPECT_TRUE(s.histogram.empty());
  EXPECT_TRUE(s.early_stopping.empty());
  EXPECT_TRUE(s.integral);
}

TEST(Series, OneToTenMatchesHandComputedNumbers) {
  const SeriesSummary s = summarize(std::vector<int64_t>{7, 3, 10, 1, 2, 9, 4, 8, 6, 5});
  EXPECT_EQ(s.count, 10u);
  EXPECT_EQ(s.total, 55);
  EXPECT_EQ(s.min, 1);
  EXPECT_EQ(s.max, 10);
  EXPECT_DOUBLE_EQ(s.avg, 5.5);
  EXPECT_NEAR(s.std_dev, std::sqrt(82.5 / 9), 1e-12);  // sum of squared deviations = 82.5
  // numpy "lower": element floor(q * 9) of 1..10.
  const std::vector<double> expected = {9, 9, 9, 9, 9, 8, 7, 5, 3, 1, 1, 1};
  for (size_t i = 0; i < kPercentileCount; ++i) {
    EXPECT_EQ(s.percentiles[i], expected[i]) << kPercentileKeys[i];
  }
  EXPECT_EQ(s.median, 5);
  EXPECT_EQ(s.percentile(50), s.median);
}

TEST(Series, LowerPercentileIndexFollowsNumpy) {
  EXPECT_EQ(lower_percentile_index(1, 99.9), 0u);
  EXPECT_EQ(lower_percentile_index(4, 50), 1u);         // 1.5 -> 1
  EXPECT_EQ(lower_percentile_index(1000, 99.9), 998u);  // 998.001
  EXPECT_EQ(lower_percentile_index(1001, 99.9), 999u);  // 0.999 * 1000 rounds up to 999.0000000000001
  EXPECT_EQ(lower_percentile_index(101, 97), 97u);
  EXPECT_EQ(lower_percentile_index(5, 100), 4u);
}

TEST(Series, SingleValueHasZeroStdDevAndOneBucket) {
  const SeriesSummary s = summarize(std::vector<int64_t>{42});
  EXPECT_EQ(s.count, 1u);
  EXPECT_EQ(s.std_dev, 0.0);
  EXPECT_EQ(s.median, 42);
  for (double p : s.percentiles) EXPECT_EQ(p, 42);
  ASSERT_EQ(s.histogram.size(), 1u);
  EXPECT_EQ(s.histogram[0].lowest, 42);
  EXPECT_EQ(s.histogram[0].highest, 42);
  EXPECT_EQ(s.histogram[0].count, 1u);
}

TEST(Series, NonPositiveMinimumGivesOneBucket) {
  const SeriesSummary s = summarize(std::vector<int64_t>{0, 5, 10});
  ASSERT_EQ(s.histogram.size(), 1u);
  EXPECT_EQ(s.histogram[0].lowest, 0);
  EXPECT_EQ(s.histogram[0].highest, 10);
  EXPECT_EQ(s.histogram[0].count, 3u);
}

TEST(Series, HistogramHasThirtyLogSpacedBucketsCoveringEveryValue) {
  const SeriesSummary s = summarize(std::vector<int64_t>{1, 1000, 31, 500, 2, 999, 17});
  ASSERT_EQ(s.histogram.size(), kHistogramBuckets);
  EXPECT_EQ(s.histogram.front().lowest, 1);
  EXPECT_EQ(s.histogram.back().highest, 1000);
  for (size_t i = 0; i < kHistogramBuckets; ++i) {
    EXPECT_NEAR(s.histogram[i].lowest, std::pow(1000.0, i / 30.0), 1e-9) << i;
    if (i > 0) {
      EXPECT_EQ(s.histogram[i].lowest, s.histogram[i - 1].highest);
    }
  }
  EXPECT_EQ(total_count(s), 7u);
  EXPECT_EQ(s.histogram.front().count, 1u);  // 1 only; 2 = 1000^(3/30) is the start of bucket 3
  EXPECT_EQ(s.histogram[3].count, 1u);
  EXPECT_EQ(s.histogram.back().count, 2u);  // 999 and the closed upper edge 1000
}

TEST(Series, RealSeriesIsNotIntegral) {
  const SeriesSummary s = summarize(std::vector<double>{1.5, 2.5});
  EXPECT_FALSE(s.integral);
  EXPECT_DOUBLE_EQ(s.total, 4.0);
  EXPECT_DOUBLE_EQ(s.avg, 2.0);
  EXPECT_DOUBLE_EQ(s.std_dev, std::sqrt(0.5));
  EXPECT_EQ(s.median, 1.5);
  EXPECT_EQ(s.percentile(99.9), 1.5);
  EXPECT_EQ(total_count(s), 2u);
}

TEST(Series, StdDevIsStableForLargeValuesWithSmallSpread) {
  // 1e12 +- 1: the one-pass sum-of-squares formula loses every digit here.
  const SeriesSummary s = summarize(std::vector<int64_t>{1'000'000'000'001, 999'999'999'999});
  EXPECT_NEAR(s.std_dev, std::sqrt(2.0), 1e-9);
}

TEST(Series, PercentileKeysArePythonFloatStrings) {
  EXPECT_EQ(kPercentileKeys[0], "99.9");
  EXPECT_EQ(kPercentileKeys[1], "99.0");
  EXPECT_EQ(kPercentileKeys[7], "50.0");
  EXPECT_EQ(kPercentileKeys[11], "1.0");
  EXPECT_THROW((void)SeriesSummary{}.percentile(42), std::invalid_argument);
}

TEST(Series, EarlyStoppingIsComputedForTheUpperGridWhenAsked) {
  std::vector<int64_t> values(1000);
  for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<int64_t>(i + 1);
  const SeriesSummary s = summarize(values, EarlyStopping::on);
  ASSERT_EQ(s.early_stopping.size(), kEarlyStoppingCount);
  EXPECT_FALSE(s.early_stopping[0].sufficient);  // p99.9 needs 6636 values
  EXPECT_TRUE(s.early_stopping[4].sufficient);   // p90
  EXPECT_EQ(s.early_stopping[4].value, 923);     // discards the 78 largest
  EXPECT_TRUE(summarize(values).early_stopping.empty());
}

}  // namespace
}  // namespace ie::metrics
