#pragma once
// Which dataset row the k-th request of a phase uses: a seeded shuffle without replacement that reshuffles at
// every pass over the dataset, so every row is used once per pass. The order is computed up front so workers
// can look it up concurrently without sharing mutable state.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ie::dataset {

class SampleOrder {
 public:
  // dataset_size > 0. Precomputes passes until `requests` entries exist, capped at kMaxEntries; beyond the
  // cap the precomputed passes repeat (documented in docs/ARCHITECTURE.md). requests == 0 means "unknown"
  // (timed runs): the cap is used, but at least one pass.
  SampleOrder(uint32_t dataset_size, uint64_t seed, uint64_t requests);

  uint32_t at(uint64_t k) const { return order_[k % order_.size()]; }
  size_t precomputed() const { return order_.size(); }

  // 1 Mi entries (4 MiB): a timed run precomputes this many before its first request (~10 ms here).
  static constexpr uint64_t kMaxEntries = uint64_t{1} << 20;

 private:
  std::vector<uint32_t> order_;
};

}  // namespace ie::dataset
