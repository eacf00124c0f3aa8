#include "metrics/radix_sort.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <random>

namespace ie::metrics {
namespace {

// Radix-sorts a copy and checks it against std::sort.
void expect_sorted_like_std_sort(std::vector<int64_t> values) {
  std::vector<int64_t> expected = values;
  std::sort(expected.begin(), expected.end());
  radix_sort(values);
  EXPECT_EQ(values, expected);
}

std::vector<int64_t> random_values(size_t n, int64_t low, int64_t high, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int64_t> draw(low, high);
  std::vector<int64_t> values(n);
  for (int64_t& v : values) v = draw(rng);
  return values;
}

TEST(RadixSort, EmptyAndTinyInputs) {
  expect_sorted_like_std_sort({});
  expect_sorted_like_std_sort({7});
  expect_sorted_like_std_sort({3, -1, 2});
}

TEST(RadixSort, LatencyLikeValuesOnBothSidesOfTheSmallInputCutoff) {
  for (size_t n : {1023u, 1024u, 1025u, 100'000u}) {
    expect_sorted_like_std_sort(random_values(n, 50'000, 3'000'000'000, n));
  }
}

TEST(RadixSort, NegativeAndExtremeValuesOrderAsSignedIntegers) {
  std::vector<int64_t> values = random_values(5000, -1'000'000, 1'000'000, 1);
  for (int64_t extreme :
       {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(), int64_t{-1}, int64_t{0}})
    values.push_back(extreme);
  expect_sorted_like_std_sort(values);
  expect_sorted_like_std_sort(
      random_values(5000, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(), 2));
}

TEST(RadixSort, ManyDuplicatesAndAllEqualValues) {
  expect_sorted_like_std_sort(random_values(20'000, 1, 4, 3));  // token counts: few distinct values
  expect_sorted_like_std_sort(std::vector<int64_t>(4096, 42));
}

TEST(RadixSort, RangesJustBelowAndAboveTheCountingLimit) {
  expect_sorted_like_std_sort(random_values(5000, -1000, -1000 + 65535, 4));  // counted
  expect_sorted_like_std_sort(random_values(5000, 7, 7 + 65536, 5));          // radix, 17 bits
  expect_sorted_like_std_sort(random_values(5000, 0, (int64_t{1} << 23) - 1, 6));
}

TEST(RadixSort, ValuesDifferingOnlyInHighDigitsStillSort) {
  // Low digits all equal (skipped), order decided by the top digit alone.
  std::vector<int64_t> values;
  for (int64_t i = 2000; i-- > 0;) values.push_back((i % 7) << 60 | 0x5555);
  expect_sorted_like_std_sort(values);
}

}  // namespace
}  // namespace ie::metrics
