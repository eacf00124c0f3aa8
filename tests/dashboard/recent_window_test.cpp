#include "dashboard/recent_window.h"

#include <gtest/gtest.h>

#include "dashboard/render.h"
#include "synthetic_run.h"

namespace ie::dashboard {
namespace {

using testing::kMs;
using testing::kT0;
using testing::offline_ms;
using testing::SyntheticRun;

constexpr int64_t kS = 1'000 * kMs;

TEST(RecentWindow, NothingBeforeTheFirstWholeSecond) {
  RecentWindow w;
  w.reset(kT0);
  w.add(kT0 + 100 * kMs, 5 * kMs);
  EXPECT_FALSE(w.snapshot(kT0 + 999 * kMs, 1).valid);
  EXPECT_TRUE(w.snapshot(kT0 + kS, 1).valid);
}

TEST(RecentWindow, RateAndP99CoverOnlyTheWholeSecondsOfTheWindow) {
  RecentWindow w;
  w.reset(kT0);
  // Second 0: 10 completions of 1 ms; second 1: 20 of 2 ms; second 2: 30 of 3 ms; second 3 is still filling.
  for (int64_t s = 0; s < 4; ++s) {
    for (int64_t i = 0; i < 10 * (s + 1); ++i) w.add(kT0 + s * kS + i * kMs, (s + 1) * kMs);
  }
  const Recent r = w.snapshot(kT0 + 3 * kS + 500 * kMs, 1);
  ASSERT_TRUE(r.valid);
  EXPECT_EQ(r.window_s, 3);
  EXPECT_DOUBLE_EQ(r.req_per_s, 60.0 / 3.0) << "second 3 (40 completions) is not whole yet";
  EXPECT_NEAR(static_cast<double>(r.p99_e2e_ns), 3.0 * kMs, 0.01 * 3 * kMs);
  EXPECT_EQ(r.req_per_s_by_second, (std::vector<double>{10, 20, 30}));
  ASSERT_EQ(r.p99_e2e_by_second_ns.size(), 3u);
  EXPECT_NEAR(static_cast<double>(r.p99_e2e_by_second_ns[0]), 1.0 * kMs, 0.01 * kMs);
}

TEST(RecentWindow, LongRunsKeepFiveSecondsForTheRateAndTenForTheSparkline) {
  RecentWindow w;
  w.reset(kT0);
  for (int64_t s = 0; s < 20; ++s) {
    for (int64_t i = 0; i <= s; ++i) w.add(kT0 + s * kS + i * kMs, kMs);  // s + 1 completions in second s
  }
  const Recent r = w.snapshot(kT0 + 20 * kS, 1);
  EXPECT_EQ(r.window_s, 5);
  EXPECT_DOUBLE_EQ(r.req_per_s, (16.0 + 17 + 18 + 19 + 20) / 5.0);
  ASSERT_EQ(r.req_per_s_by_second.size(), kSparkSeconds);
  EXPECT_EQ(r.req_per_s_by_second.front(), 11.0);
  EXPECT_EQ(r.req_per_s_by_second.back(), 20.0);
}

TEST(RecentWindow, ALateCompletionStillLandsInItsSecondAndQuietSecondsReadZero) {
  RecentWindow w;
  w.reset(kT0);
  w.add(kT0 + 100 * kMs, kMs);
  w.add(kT0 + 2 * kS + 100 * kMs, kMs);
  w.add(kT0 + 200 * kMs, 50 * kMs);  // folded late: its second (0) is long over
  const Recent r = w.snapshot(kT0 + 3 * kS, 1);
  EXPECT_EQ(r.req_per_s_by_second, (std::vector<double>{2, 0, 1}));
  EXPECT_EQ(r.p99_e2e_by_second_ns[1], 0) << "nothing completed in second 1";
  EXPECT_NEAR(static_cast<double>(r.p99_e2e_by_second_ns[0]), 50.0 * kMs, 0.01 * 50 * kMs);
}

TEST(RecentWindow, SamplingScalesTheRateNotTheLatency) {
  RecentWindow w;
  w.reset(kT0);
  for (int i = 0; i < 4; ++i) w.add(kT0 + i * kMs, 7 * kMs);
  const Recent r = w.snapshot(kT0 + kS, 10);
  EXPECT_DOUBLE_EQ(r.req_per_s, 40.0);
  EXPECT_EQ(r.req_per_s_by_second, (std::vector<double>{40}));
  EXPECT_NEAR(static_cast<double>(r.p99_e2e_ns), 7.0 * kMs, 0.01 * 7 * kMs);
}

TEST(RecentWindow, ResetForgetsEverythingAndMovesTheOrigin) {
  RecentWindow w;
  w.reset(kT0);
  w.add(kT0 + 100 * kMs, kMs);
  w.reset(kT0 + 5 * kS);
  w.add(kT0 + 4 * kS, kMs);  // before the new origin: ignored
  const Recent r = w.snapshot(kT0 + 6 * kS, 1);
  EXPECT_EQ(r.window_s, 1);
  EXPECT_EQ(r.req_per_s, 0.0);
  EXPECT_EQ(r.p99_e2e_ns, 0);
}

TEST(Sparkline, ScalesToTheLargestValueAndLeavesZerosBlank) {
  EXPECT_EQ(sparkline({}), "");
  EXPECT_EQ(sparkline({0, 0}), "  ");
  EXPECT_EQ(sparkline({1, 2, 4, 8}), "▁▂▄█");
  EXPECT_EQ(sparkline({5, 0, 5}), "█ █");
  EXPECT_EQ(sparkline({0.001, 100}), "▁█") << "any positive value shows at least the lowest glyph";
}

TEST(DashboardRecent, FoldFeedsTheWindowFromCompletionsAndPerfStartResetsIt) {
  SyntheticRun run;
  // Warmup-era request before PERF_START: not counted.
  run.request(100, kT0 - 500 * kMs, offline_ms({1, 1, 1, 1, 5, 1, 1, 1, 1}));
  run.flush();
  run.perf_start(kT0);
  run.flush();
  // 4 s of traffic: second s has 5 * (s + 1) requests of 13 ms E2E.
  uint64_t id = 0;
  for (int64_t s = 0; s < 4; ++s) {
    for (int64_t i = 0; i < 5 * (s + 1); ++i) {
      run.request(id++, kT0 + s * kS + i * 10 * kMs, offline_ms({1, 1, 1, 1, 5, 1, 1, 1, 1}));
    }
    run.flush();
  }
  const Model m = run.fold.snapshot(kT0 + 4 * kS + 10 * kMs);
  ASSERT_TRUE(m.recent.valid);
  EXPECT_EQ(m.recent.window_s, 4);
  EXPECT_DOUBLE_EQ(m.recent.req_per_s, 50.0 / 4.0);
  EXPECT_EQ(m.recent.req_per_s_by_second, (std::vector<double>{5, 10, 15, 20}));
  EXPECT_NEAR(static_cast<double>(m.recent.p99_e2e_ns), 13.0 * kMs, 0.01 * 13 * kMs);

  const std::string frame = render(m, {});
  EXPECT_NE(
      frame.find("  req/s (4 s)                    ▂▄▆█ 12.5   p99 e2e (4 s)              ████ 13.00 ms   "
                 "completed                             50\n"),
      std::string::npos)
      << frame;
}

TEST(DashboardRecent, FrozenRunEndsTheWindowAtPerfEnd) {
  SyntheticRun run;
  run.perf_start(kT0);
  for (uint64_t i = 0; i < 30; ++i) {
    run.request(i, kT0 + static_cast<int64_t>(i) * 100 * kMs, offline_ms({1, 1, 1, 1, 5, 1, 1, 1, 1}));
  }
  run.perf_end(kT0 + 3 * kS + 50 * kMs);
  run.flush();
  const Model m = run.fold.snapshot(kT0 + 60 * kS);  // long after the end: still the run's last seconds
  EXPECT_EQ(m.recent.window_s, 3);
  EXPECT_EQ(m.recent.req_per_s_by_second, (std::vector<double>{10, 10, 10}));
}

}  // namespace
}  // namespace ie::dashboard
