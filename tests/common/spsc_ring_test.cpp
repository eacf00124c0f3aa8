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
