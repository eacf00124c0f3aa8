#include "load/arrivals.h"

#include <cmath>

namespace ie::load {

PoissonArrivals::PoissonArrivals(double target_qps, uint64_t seed)
    : rng_(seed), mean_gap_ns_(1e9 / target_qps) {}

int64_t PoissonArrivals::next_offset_ns() {
  // Uniform in (0, 1] from the top 53 bits, computed by hand so the schedule is identical across standard
  // libraries (std::exponential_distribution is implementation-defined).
  double uniform = (static_cast<double>(rng_() >> 11) + 1.0) * 0x1.0p-53;
  offset_ns_ += -std::log(uniform) * mean_gap_ns_;
  // At least 1 ns apart, so sequence order and time order agree.
  int64_t offset = static_cast<int64_t>(offset_ns_);
  last_offset_ns_ = offset > last_offset_ns_ ? offset : last_offset_ns_ + 1;
  return last_offset_ns_;
}

}  // namespace ie::load
