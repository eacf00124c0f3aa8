#include "stub/variable_timing.h"

#include <algorithm>
#include <cmath>

namespace ie::stub {

namespace {

// A sampled token count is kept within [1, kMaxTokens] (0 only when the mean is 0): the lognormal tail is
// unbounded and one absurd draw should not stall a connection for hours.
constexpr double kMaxTokens = 1 << 20;

int64_t ms_to_ns(double ms) {
  return static_cast<int64_t>(std::llround(ms * 1e6));
}

}  // namespace

LognormalSampler::LognormalSampler(double mean, double spread) : mean_(mean) {
  if (spread > 0 && mean > 0) {
    double sigma2 = std::log1p(spread * spread);
    sigma_ = std::sqrt(sigma2);
    mu_ = std::log(mean) - sigma2 / 2;
  }
}

double LognormalSampler::sample(std::mt19937_64& rng) {
  if (sigma_ == 0) return mean_;
  return std::exp(mu_ + sigma_ * normal_(rng));
}

TimingSampler::TimingSampler(const TimingDistribution& d, uint64_t seed)
    : rng_(seed),
      ttft_ms_(d.ttft_ms_mean, d.ttft_spread),
      itl_ms_(d.itl_ms_mean, d.itl_spread),
      tokens_(d.output_tokens_mean, d.output_tokens_spread) {}

ResponseTiming TimingSampler::next() {
  ResponseTiming t;
  t.ttft_ns = ms_to_ns(ttft_ms_.sample(rng_));
  t.itl_ns = ms_to_ns(itl_ms_.sample(rng_));
  double tokens = tokens_.sample(rng_);
  double lowest = tokens > 0 ? 1.0 : 0.0;
  t.output_tokens = static_cast<uint32_t>(std::clamp(std::round(tokens), lowest, kMaxTokens));
  return t;
}

}  // namespace ie::stub
