#pragma once
// MLPerf LoadGen's "early stopping" percentile estimate: a conservative upper bound on a percentile that
// holds at a given confidence, reported next to the empirical percentiles (the Python tool does it for TTFT,
// TPOT and latency at confidence 0.99, tolerance 0).
//
// With n sorted values and target fraction p, discarding the t largest values is justified when a run of
// h = n - t passing values plus t failing ones would be unlikely (probability <= 1 - confidence) if the true
// rate of values above the estimate were 1 - p + tolerance. The estimate is the t-th largest value for the
// largest such t. Below a minimum n (p50: 11, p90: 64, p99: 662, p99.9: 6636) no claim can be made.

#include <cstdint>
#include <vector>

namespace ie::metrics {

struct EarlyStoppingEstimate {
  bool sufficient = false;  // false: fewer than min_values values, `value` is meaningless
  double value = 0;
  uint64_t min_values = 0;  // how many values any claim at this percentile needs
  uint64_t discarded = 0;   // t: how many of the largest values the bound discards
};

constexpr double kEarlyStoppingConfidence = 0.99;
constexpr double kEarlyStoppingTolerance = 0.0;

// `sorted` ascending; percentile in (0, 100), e.g. 99.0.
EarlyStoppingEstimate early_stopping_estimate(const std::vector<double>& sorted, double percentile,
                                              double confidence = kEarlyStoppingConfidence,
                                              double tolerance = kEarlyStoppingTolerance);

// P(X <= t) for X ~ Binomial(n_passing + t, 1 - p_pass): how likely a run this good is if values pass at rate
// p_pass. Exposed for tests.
double binomial_tail_odds(uint64_t n_passing, uint64_t t, double p_pass);

}  // namespace ie::metrics
