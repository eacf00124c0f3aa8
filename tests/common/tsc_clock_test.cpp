#include "common/tsc_clock.h"

#include <gtest/gtest.h>

#include <cmath>

namespace ie {
namespace {

// 0 where the CPU has no invariant TSC: the tests that need one skip.
double calibrated() {
  return TscClock::calibrate(5 * kNsPerMs);
}

TEST(TscClock, WithoutCalibrationEveryReadingIsTheMonotonicClock) {
  TscClock clock;                          // 0 ns per tick: no TSC
  clock.anchor(now_ns() - 5 * kNsPerSec);  // ignored: nothing to extrapolate with
  const int64_t before = now_ns();
  const int64_t reading = clock.now();
  const int64_t after = now_ns();
  EXPECT_LE(before, reading);
  EXPECT_LE(reading, after);
}

TEST(TscClock, CalibrationAgreesWithItselfOverALongerWindow) {
  const double quick = calibrated();
  if (quick == 0) GTEST_SKIP() << "no invariant TSC on this CPU";
  const double longer = TscClock::calibrate(50 * kNsPerMs);
  // Both are ~1/GHz; each end of a window is pinned to within ~100 ns, so 5 ms is good to ~0.01 %.
  EXPECT_GT(quick, 0.05);  // under 20 GHz
  EXPECT_LT(quick, 10.0);  // over 100 MHz
  EXPECT_NEAR(quick / longer, 1.0, 0.001);
}

TEST(TscClock, AnchoredReadingsLieBetweenTheRealReadingsAroundThem) {
  const double ns_per_tick = calibrated();
  if (ns_per_tick == 0) GTEST_SKIP() << "no invariant TSC on this CPU";
  TscClock clock(ns_per_tick);
  const int64_t anchor = now_ns();
  clock.anchor(anchor);
  for (int i = 0; i < 1000; ++i) {
    const int64_t before = now_ns();
    const int64_t reading = clock.now();
    const int64_t after = now_ns();
    // Extrapolated over microseconds with a slope good to ~10 ppm: off by well under a microsecond. The
    // TSC is read a few ns after the anchor's clock reading, so a reading may trail `before` by that much.
    ASSERT_GE(reading, anchor);
    ASSERT_GE(reading, before - 1'000) << "reading " << i;
    ASSERT_LE(reading, after + 1'000) << "reading " << i;
  }
}

TEST(TscClock, AWrongSlopeIsRefittedFromTheAnchorsWithinATenthOfASecond) {
  const double ns_per_tick = calibrated();
  if (ns_per_tick == 0) GTEST_SKIP() << "no invariant TSC on this CPU";
  TscClock clock(ns_per_tick * 2);  // twice the truth: extrapolations run at double speed
  clock.anchor(now_ns());
  // Let 120 ms of monotonic time pass (the refit needs a 100 ms baseline), anchoring as a reactor would.
  const int64_t start = now_ns();
  int64_t now = start;
  while (now - start < 120 * kNsPerMs) {
    now = now_ns();
    clock.anchor(now);
  }
  EXPECT_NEAR(clock.ns_per_tick() / ns_per_tick, 1.0, 0.001);
  // With the old slope a reading 1 ms after the anchor would be 1 ms ahead; now it is where it belongs.
  clock.anchor(now_ns());
  const int64_t later = now_ns() + kNsPerMs;
  while (now_ns() < later) {
  }
  const int64_t before = now_ns();
  const int64_t reading = clock.now();
  const int64_t after = now_ns();
  EXPECT_GE(reading, before - 1'000);
  EXPECT_LE(reading, after + 1'000);
}

}  // namespace
}  // namespace ie
