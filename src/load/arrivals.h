#pragma once
// Intended send times of an open-loop (Poisson) load: exponential gaps with mean 1/qps drawn from a seeded
// generator, accumulated from the phase start so the schedule never drifts with the client's own delays.

#include <cstdint>
#include <random>

namespace ie::load {

class PoissonArrivals {
 public:
  PoissonArrivals(double target_qps, uint64_t seed);

  // Offset of the next arrival from the phase start, in ns; strictly increasing.
  int64_t next_offset_ns();

 private:
  std::mt19937_64 rng_;
  double mean_gap_ns_;
  double offset_ns_ = 0;
  int64_t last_offset_ns_ = 0;
};

}  // namespace ie::load
