#pragma once
// variable mode's per-request timing: TTFT, the gap between tokens (ITL) and the output token count, each
// drawn from its own lognormal distribution given as a mean and a coefficient of variation ("spread":
// standard deviation / mean). Spread 0 yields exactly the mean, so tests can rely on fixed values.
//
// The ITL is drawn once per request and spaces all of that request's tokens evenly.

#include <cstdint>
#include <random>

namespace ie::stub {

// Lognormal with the given mean and coefficient of variation: sigma^2 = ln(1 + cv^2), mu = ln(mean) -
// sigma^2/2.
class LognormalSampler {
 public:
  LognormalSampler(double mean, double spread);
  double sample(std::mt19937_64& rng);

 private:
  double mean_;
  double mu_ = 0;
  double sigma_ = 0;
  std::normal_distribution<double> normal_;
};

struct TimingDistribution {
  double ttft_ms_mean = 0;
  double ttft_spread = 0;
  double itl_ms_mean = 0;
  double itl_spread = 0;
  double output_tokens_mean = 0;
  double output_tokens_spread = 0;
};

struct ResponseTiming {
  int64_t ttft_ns = 0;
  int64_t itl_ns = 0;
  uint32_t output_tokens = 0;
};

// One per worker thread: deterministic for a given seed and request order.
class TimingSampler {
 public:
  TimingSampler(const TimingDistribution& d, uint64_t seed);
  ResponseTiming next();

 private:
  std::mt19937_64 rng_;
  LognormalSampler ttft_ms_;
  LognormalSampler itl_ms_;
  LognormalSampler tokens_;
};

}  // namespace ie::stub
