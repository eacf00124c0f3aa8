#include "dataset/sample_order.h"

#include <algorithm>
#include <cassert>
#include <numeric>
#include <random>

namespace ie::dataset {
namespace {

// A uniform draw from [0, bound) with Lemire's multiply-and-reject method. std::uniform_int_distribution is
// not specified exactly by the standard, so libstdc++ and libc++ would give different orders for one seed;
// mt19937_64 itself is fully specified.
uint64_t draw_below(std::mt19937_64& rng, uint64_t bound) {
  unsigned __int128 product = static_cast<unsigned __int128>(rng()) * bound;
  uint64_t low = static_cast<uint64_t>(product);
  if (low < bound) {
    uint64_t threshold = (0 - bound) % bound;  // 2^64 mod bound: the biased low range to reject
    while (low < threshold) {
      product = static_cast<unsigned __int128>(rng()) * bound;
      low = static_cast<uint64_t>(product);
    }
  }
  return static_cast<uint64_t>(product >> 64);
}

// Fisher-Yates, from the back: every permutation of `pass` is equally likely.
void shuffle(uint32_t* pass, uint32_t size, std::mt19937_64& rng) {
  for (uint32_t i = size - 1; i > 0; --i) {
    uint64_t j = draw_below(rng, uint64_t{i} + 1);
    std::swap(pass[i], pass[j]);
  }
}

// Whole passes only, so that the wrap-around in at() still walks complete permutations.
uint64_t pass_count(uint32_t dataset_size, uint64_t requests) {
  uint64_t wanted = requests == 0 ? SampleOrder::kMaxEntries : requests;
  uint64_t passes = (wanted + dataset_size - 1) / dataset_size;
  if (passes * dataset_size > SampleOrder::kMaxEntries) {
    passes = std::max<uint64_t>(1, SampleOrder::kMaxEntries / dataset_size);
  }
  return passes;
}

}  // namespace

SampleOrder::SampleOrder(uint32_t dataset_size, uint64_t seed, uint64_t requests) {
  assert(dataset_size > 0 && "SampleOrder: dataset_size must be > 0");
  uint64_t passes = pass_count(dataset_size, requests);
  order_.resize(passes * dataset_size);
  std::mt19937_64 rng(seed);
  std::iota(order_.begin(), order_.begin() + dataset_size, 0u);
  shuffle(order_.data(), dataset_size, rng);
  for (uint64_t p = 1; p < passes; ++p) {
    // Each pass reshuffles the previous one; the generator state carries on, so passes differ.
    uint32_t* pass = order_.data() + p * dataset_size;
    std::copy_n(pass - dataset_size, dataset_size, pass);
    shuffle(pass, dataset_size, rng);
  }
}

}  // namespace ie::dataset
