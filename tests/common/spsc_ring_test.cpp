#include "common/spsc_ring.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace ie {
namespace {

TEST(SpscRing, RefusesPushWhenFullAndAcceptsAfterDrain) {
  SpscRing<int> ring(4);
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(ring.try_push(i));
  EXPECT_FALSE(ring.try_push(99));
  std::vector<int> out;
  EXPECT_EQ(ring.drain([&](int v) { out.push_back(v); }), 4u);
  EXPECT_EQ(out, (std::vector<int>{0, 1, 2, 3}));
  EXPECT_TRUE(ring.try_push(4));
}

TEST(SpscRing, WrapsAroundManyTimesInOrder) {
  SpscRing<uint64_t> ring(8);
  uint64_t next_expected = 0;
  for (uint64_t i = 0; i < 1000; ++i) {
    ASSERT_TRUE(ring.try_push(i));
    if (i % 5 == 4) ring.drain([&](uint64_t v) { EXPECT_EQ(v, next_expected++); });
  }
  ring.drain([&](uint64_t v) { EXPECT_EQ(v, next_expected++); });
  EXPECT_EQ(next_expected, 1000u);
}

TEST(SpscRing, DrainRunsHandsOutWrappedItemsAsTwoRunsInOrderAndFreesTheirSlots) {
  SpscRing<int> ring(8);
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(ring.try_push(i));
  ring.drain([](int) {});  // head at 6: the next 5 items wrap
  for (int i = 6; i < 11; ++i) ASSERT_TRUE(ring.try_push(i));
  std::vector<std::vector<int>> runs;
  size_t n =
      ring.drain_runs([&](const int* items, size_t count) { runs.emplace_back(items, items + count); });
  EXPECT_EQ(n, 5u);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0], (std::vector<int>{6, 7}));
  EXPECT_EQ(runs[1], (std::vector<int>{8, 9, 10}));
  for (int i = 0; i < 8; ++i) EXPECT_TRUE(ring.try_push(100 + i)) << i;  // all 8 slots free again
  EXPECT_FALSE(ring.try_push(0));
  std::vector<int> again;
  EXPECT_EQ(ring.drain_runs(
                [&](const int* items, size_t count) { again.insert(again.end(), items, items + count); }),
            8u);
  EXPECT_EQ(again, (std::vector<int>{100, 101, 102, 103, 104, 105, 106, 107}));
  EXPECT_EQ(ring.drain_runs([](const int*, size_t) { ADD_FAILURE() << "nothing to drain"; }), 0u);
}

TEST(SpscRing, ConcurrentProducerAndConsumerLoseNothing) {
  SpscRing<uint64_t> ring(64);
  constexpr uint64_t kItems = 200000;
  std::thread producer([&] {
    for (uint64_t i = 0; i < kItems; ++i) {
      while (!ring.try_push(i)) std::this_thread::yield();
    }
  });
  uint64_t expected = 0;
  while (expected < kItems) {
    ring.drain([&](uint64_t v) {
      ASSERT_EQ(v, expected);
      ++expected;
    });
  }
  producer.join();
  EXPECT_EQ(expected, kItems);
}

}  // namespace
}  // namespace ie
