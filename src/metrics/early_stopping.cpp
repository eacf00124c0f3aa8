#include "metrics/early_stopping.h"

#include <cmath>

namespace ie::metrics {
namespace {

// Continued fraction of the regularized incomplete beta function (DLMF 8.17.22), evaluated with the modified
// Lentz method. Converges in O(sqrt(max(a, b))) steps when x < (a + 1) / (a + b + 2); the cap is generous
// because p50 of a million values means a, b ~ 5e5.
double beta_continued_fraction(double a, double b, double x) {
  constexpr double kTiny = 1e-300;
  constexpr double kEpsilon = 1e-15;
  constexpr int kMaxSteps = 20'000;
  const auto guard = [](double v) { return std::fabs(v) < kTiny ? kTiny : v; };
  double c = 1.0;
  double d = 1.0 / guard(1.0 - (a + b) * x / (a + 1.0));
  double f = d;
  for (int m = 1; m <= kMaxSteps; ++m) {
    const double two_m = 2.0 * m;
    const double even = m * (b - m) * x / ((a + two_m - 1.0) * (a + two_m));
    d = 1.0 / guard(1.0 + even * d);
    c = guard(1.0 + even / c);
    f *= d * c;
    const double odd = -(a + m) * (a + b + m) * x / ((a + two_m) * (a + two_m + 1.0));
    d = 1.0 / guard(1.0 + odd * d);
    c = guard(1.0 + odd / c);
    const double step = d * c;
    f *= step;
    if (std::fabs(step - 1.0) < kEpsilon) break;
  }
  return f;
}

// I_x(a, b), using the symmetry I_x(a, b) = 1 - I_{1-x}(b, a) to stay on the fast-converging side.
double regularized_incomplete_beta(double a, double b, double x) {
  if (x <= 0.0) return 0.0;
  if (x >= 1.0) return 1.0;
  const double log_front =
      std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x);
  if (x < (a + 1.0) / (a + b + 2.0)) return std::exp(log_front) * beta_continued_fraction(a, b, x) / a;
  return 1.0 - std::exp(log_front) * beta_continued_fraction(b, a, 1.0 - x) / b;
}

// Smallest number of passing values that, next to t failing ones, makes the run unlikely enough. The odds
// fall as n_passing grows, so: double until it passes, then bisect.
uint64_t min_passing(uint64_t t, double p_pass, double confidence) {
  const double target = 1.0 - confidence;
  uint64_t lo = 1;
  uint64_t hi = 2;
  while (binomial_tail_odds(hi, t, p_pass) > target) hi *= 2;
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    if (binomial_tail_odds(mid, t, p_pass) <= target) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return lo;
}

// Largest t >= 1 with min_passing(t) + t <= n (callers checked t = 1 fits). min_passing(t) + t grows with t.
uint64_t discard_count(uint64_t n, double p_pass, double confidence) {
  const auto fits = [&](uint64_t t) { return min_passing(t, p_pass, confidence) + t <= n; };
  uint64_t lo = 1;  // fits
  uint64_t hi = 2;
  while (fits(hi)) {
    lo = hi;
    hi *= 2;
  }
  while (hi - lo > 1) {  // invariant: fits(lo), !fits(hi)
    const uint64_t mid = lo + (hi - lo) / 2;
    if (fits(mid)) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return lo;
}

}  // namespace

double binomial_tail_odds(uint64_t n_passing, uint64_t t, double p_pass) {
  // P(at most t failures in n_passing + t trials) == P(at least n_passing passes) == I_p(n_passing, t + 1).
  return regularized_incomplete_beta(static_cast<double>(n_passing), static_cast<double>(t) + 1.0, p_pass);
}

EarlyStoppingEstimate early_stopping_estimate(const std::vector<double>& sorted, double percentile,
                                              double confidence, double tolerance) {
  const double p_pass = percentile / 100.0 - tolerance;
  EarlyStoppingEstimate e;
  e.min_values = min_passing(1, p_pass, confidence) + 1;
  const uint64_t n = sorted.size();
  if (n < e.min_values) return e;
  e.sufficient = true;
  e.discarded = discard_count(n, p_pass, confidence);
  e.value = sorted[n - e.discarded];
  return e;
}

}  // namespace ie::metrics
