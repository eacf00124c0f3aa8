// variable mode's sampler: exact means at spread 0, seeded determinism, and the configured mean and spread.

#include "stub/variable_timing.h"

#include <gtest/gtest.h>

#include <cmath>

namespace ie::stub {
namespace {

TEST(VariableTiming, ZeroSpreadYieldsExactlyTheMeans) {
  TimingSampler sampler(TimingDistribution{12.5, 0, 3, 0, 7, 0}, 1);
  for (int i = 0; i < 100; ++i) {
    ResponseTiming t = sampler.next();
    EXPECT_EQ(t.ttft_ns, 12'500'000);
    EXPECT_EQ(t.itl_ns, 3'000'000);
    EXPECT_EQ(t.output_tokens, 7u);
  }
}

TEST(VariableTiming, SameSeedSameSequenceOtherSeedOtherSequence) {
  TimingDistribution d{50, 0.5, 10, 0.5, 100, 0.5};
  TimingSampler a(d, 7), b(d, 7), c(d, 8);
  bool differs = false;
  for (int i = 0; i < 50; ++i) {
    ResponseTiming x = a.next(), y = b.next(), z = c.next();
    EXPECT_EQ(x.ttft_ns, y.ttft_ns);
    EXPECT_EQ(x.output_tokens, y.output_tokens);
    differs |= x.ttft_ns != z.ttft_ns;
  }
  EXPECT_TRUE(differs);
}

TEST(VariableTiming, LognormalHasTheConfiguredMeanAndCoefficientOfVariation) {
  LognormalSampler sampler(40, 0.3);
  std::mt19937_64 rng(123);
  constexpr int kSamples = 200000;
  double sum = 0, sum_sq = 0;
  for (int i = 0; i < kSamples; ++i) {
    double v = sampler.sample(rng);
    ASSERT_GT(v, 0);
    sum += v;
    sum_sq += v * v;
  }
  double mean = sum / kSamples;
  double cv = std::sqrt(sum_sq / kSamples - mean * mean) / mean;
  EXPECT_NEAR(mean, 40, 0.4);
  EXPECT_NEAR(cv, 0.3, 0.01);
}

TEST(VariableTiming, TokenCountsStayPositiveAndBounded) {
  TimingSampler sampler(TimingDistribution{1, 0, 1, 0, 1, 3.0}, 5);
  for (int i = 0; i < 10000; ++i) {
    uint32_t n = sampler.next().output_tokens;
    EXPECT_GE(n, 1u);
    EXPECT_LE(n, 1u << 20);
  }
  TimingSampler none(TimingDistribution{1, 0, 1, 0, 0, 0}, 5);
  EXPECT_EQ(none.next().output_tokens, 0u);
}

}  // namespace
}  // namespace ie::stub
