#include "dataset/sample_order.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <vector>

namespace ie::dataset {
namespace {

std::vector<uint32_t> pass_of(const SampleOrder& order, uint32_t size, uint64_t pass) {
  std::vector<uint32_t> out;
  for (uint64_t k = pass * size; k < (pass + 1) * size; ++k) out.push_back(order.at(k));
  return out;
}

bool is_permutation_of_indices(std::vector<uint32_t> pass) {
  std::sort(pass.begin(), pass.end());
  std::vector<uint32_t> identity(pass.size());
  std::iota(identity.begin(), identity.end(), 0u);
  return pass == identity;
}

TEST(SampleOrder, Mt19937_64IsTheStandardsGenerator) {
  // The standard fixes the 10000th output of a default-seeded mt19937_64; our order depends only on it.
  std::mt19937_64 rng;
  rng.discard(9999);
  EXPECT_EQ(rng(), 9981545732273789042ull);
}

TEST(SampleOrder, SameSeedGivesTheSameOrder) {
  SampleOrder a(100, 7, 1000);
  SampleOrder b(100, 7, 1000);
  for (uint64_t k = 0; k < 1000; ++k) ASSERT_EQ(a.at(k), b.at(k)) << k;
}

TEST(SampleOrder, OrderForAFixedSeedIsPinned) {
  // Pinned so that a change of RNG, bounded draw or shuffle direction (all of which would silently change
  // which prompts a seeded run sends) fails here. Regenerate only on purpose. The values were cross-checked
  // against an independent re-implementation (mt19937_64, Lemire bounded draw, Fisher-Yates from the back).
  SampleOrder order(10, 42, 20);
  std::vector<uint32_t> first_two_passes;
  for (uint64_t k = 0; k < 20; ++k) first_two_passes.push_back(order.at(k));
  EXPECT_EQ(first_two_passes,
            (std::vector<uint32_t>{3, 4, 1, 2, 9, 8, 0, 6, 5, 7, 4, 5, 1, 8, 0, 7, 6, 9, 3, 2}));
}

TEST(SampleOrder, DifferentSeedsGiveDifferentOrders) {
  EXPECT_NE(pass_of(SampleOrder(100, 1, 100), 100, 0), pass_of(SampleOrder(100, 2, 100), 100, 0));
}

TEST(SampleOrder, EveryPassIsAPermutation) {
  SampleOrder order(37, 5, 37 * 6);
  for (uint64_t pass = 0; pass < 6; ++pass)
    EXPECT_TRUE(is_permutation_of_indices(pass_of(order, 37, pass))) << pass;
}

TEST(SampleOrder, ConsecutivePassesDiffer) {
  SampleOrder order(50, 9, 50 * 4);
  for (uint64_t pass = 0; pass + 1 < 4; ++pass)
    EXPECT_NE(pass_of(order, 50, pass), pass_of(order, 50, pass + 1));
}

TEST(SampleOrder, FirstPassIsShuffled) {
  std::vector<uint32_t> identity(100);
  std::iota(identity.begin(), identity.end(), 0u);
  EXPECT_NE(pass_of(SampleOrder(100, 3, 100), 100, 0), identity);
}

TEST(SampleOrder, PrecomputesWholePassesCoveringTheRequests) {
  EXPECT_EQ(SampleOrder(10, 1, 1).precomputed(), 10u);
  EXPECT_EQ(SampleOrder(10, 1, 10).precomputed(), 10u);
  EXPECT_EQ(SampleOrder(10, 1, 11).precomputed(), 20u);
}

TEST(SampleOrder, SingleRowDatasetAlwaysGivesRowZero) {
  SampleOrder order(1, 1, 5);
  for (uint64_t k = 0; k < 5; ++k) EXPECT_EQ(order.at(k), 0u);
}

TEST(SampleOrder, UnknownRequestCountUsesTheCapInWholePasses) {
  SampleOrder order(1000, 1, 0);
  EXPECT_LE(order.precomputed(), SampleOrder::kMaxEntries);
  EXPECT_EQ(order.precomputed() % 1000, 0u);
  EXPECT_GT(order.precomputed(), SampleOrder::kMaxEntries - 1000);
}

TEST(SampleOrder, RequestsBeyondTheCapRepeatThePrecomputedPasses) {
  SampleOrder order(1000, 1, SampleOrder::kMaxEntries * 3);
  size_t size = order.precomputed();
  EXPECT_LE(size, SampleOrder::kMaxEntries);
  EXPECT_EQ(size % 1000, 0u);
  for (uint64_t k = 0; k < 3000; ++k) ASSERT_EQ(order.at(size + k), order.at(k));
  // The wrap-around lands on a pass boundary, so the pass that straddles it is still a permutation.
  EXPECT_TRUE(is_permutation_of_indices(pass_of(order, 1000, size / 1000)));
}

TEST(SampleOrder, DatasetLargerThanTheCapStillGetsOnePass) {
  uint32_t size = static_cast<uint32_t>(SampleOrder::kMaxEntries + 5);
  SampleOrder order(size, 1, 0);
  EXPECT_EQ(order.precomputed(), size);
}

}  // namespace
}  // namespace ie::dataset
