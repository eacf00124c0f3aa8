#include "metrics/early_stopping.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

namespace ie::metrics {
namespace {

std::vector<double> one_to(size_t n) {
  std::vector<double> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<double>(i + 1);
  return v;
}

// P(X <= t), X ~ Binomial(n, q), by direct summation: the oracle for small n.
double binomial_cdf(uint64_t n, uint64_t t, double q) {
  long double sum = 0;
  for (uint64_t k = 0; k <= t; ++k) {
    const long double log_term = std::lgamma(n + 1.0L) - std::lgamma(k + 1.0L) - std::lgamma(n - k + 1.0L) +
                                 k * std::log(static_cast<long double>(q)) +
                                 (n - k) * std::log1p(-static_cast<long double>(q));
    sum += std::exp(log_term);
  }
  return static_cast<double>(sum);
}

TEST(EarlyStopping, TailOddsMatchTheBinomialSum) {
  for (uint64_t h : {1u, 5u, 40u, 300u}) {
    for (uint64_t t : {0u, 1u, 3u, 20u}) {
      for (double p : {0.5, 0.9, 0.99}) {
        EXPECT_NEAR(binomial_tail_odds(h, t, p), binomial_cdf(h + t, t, 1 - p), 1e-10)
            << "h " << h << " t " << t << " p " << p;
      }
    }
  }
}

TEST(EarlyStopping, MinimumSampleCountsMatchLoadGen) {
  EXPECT_EQ(early_stopping_estimate({}, 50).min_values, 11u);
  EXPECT_EQ(early_stopping_estimate({}, 90).min_values, 64u);
  EXPECT_EQ(early_stopping_estimate({}, 95).min_values, 130u);
  EXPECT_EQ(early_stopping_estimate({}, 99).min_values, 662u);
  EXPECT_EQ(early_stopping_estimate({}, 99.9).min_values, 6636u);
}

TEST(EarlyStopping, TooFewValuesGiveNoEstimate) {
  const auto e = early_stopping_estimate(one_to(63), 90);
  EXPECT_FALSE(e.sufficient);
  EXPECT_TRUE(early_stopping_estimate(one_to(64), 90).sufficient);
}

// Expected discard counts computed independently with exact binomial sums (Python, math.comb).
TEST(EarlyStopping, EstimateIsTheTthLargestValue) {
  struct Case {
    size_t n;
    double percentile;
    uint64_t discarded;
  };
  for (const Case& c : {Case{100, 90, 3}, Case{1000, 90, 78}, Case{1000, 99, 2}, Case{500, 50, 223},
                        Case{11, 50, 1}, Case{64, 90, 1}}) {
    const auto values = one_to(c.n);
    const auto e = early_stopping_estimate(values, c.percentile);
    ASSERT_TRUE(e.sufficient);
    EXPECT_EQ(e.discarded, c.discarded) << c.n << " p" << c.percentile;
    EXPECT_EQ(e.value, values[c.n - c.discarded]);
  }
}

TEST(EarlyStopping, EstimateIsNeverBelowTheEmpiricalPercentile) {
  const auto values = one_to(20'000);
  for (double p : {50.0, 90.0, 95.0, 99.0, 99.9}) {
    const auto e = early_stopping_estimate(values, p);
    ASSERT_TRUE(e.sufficient);
    EXPECT_GE(e.value, std::ceil(p / 100 * values.size())) << p;
  }
}

}  // namespace
}  // namespace ie::metrics
