// The machine's own timer floor: how late a bare absolute sleep wakes up (100 us period, timer slack 1 ns),
// with nothing else of ours running. Compare bench/schedule_lateness.sh against this, not against zero.
//
// Then the floor under any sender, sleeping or not: a thread that only reads the clock for as long, and the
// gaps where it did not run (the vCPU taken away, or an interrupt). A send due inside a gap is late by the
// rest of the gap, so the gaps alone bound how early the p99 of sends at random instants can be.
//
//   build/bench/timer_jitter [wakeups]

#include <sys/prctl.h>
#include <time.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

int64_t monotonic_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace

int main(int argc, char** argv) {
  const int wakeups = argc > 1 ? std::atoi(argv[1]) : 50'000;
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  std::vector<int64_t> late_ns;
  late_ns.reserve(wakeups);
  int64_t due = monotonic_ns();
  for (int i = 0; i < wakeups; ++i) {
    due += 100'000;
    timespec ts{static_cast<time_t>(due / 1'000'000'000), static_cast<long>(due % 1'000'000'000)};
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr);
    late_ns.push_back(monotonic_ns() - due);
  }
  std::sort(late_ns.begin(), late_ns.end());
  auto at = [&](double q) { return late_ns[static_cast<size_t>(q * (late_ns.size() - 1))] / 1e3; };
  std::printf("sleep lateness over %d wake-ups (us): p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  max %.1f\n",
              wakeups, at(0.5), at(0.9), at(0.99), at(0.999), late_ns.back() / 1e3);

  constexpr int64_t kGapNs = 5'000;  // a clock read takes ~25 ns: 5 us without one is time not running
  const int64_t spin_ns = int64_t{wakeups} * 100'000;
  std::vector<int64_t> gaps;
  int64_t start = monotonic_ns();
  for (int64_t last = start, now = start; now - start < spin_ns; last = now) {
    now = monotonic_ns();
    if (now - last > kGapNs) gaps.push_back(now - last);
  }
  std::sort(gaps.begin(), gaps.end());
  int64_t lost = 0;
  for (int64_t g : gaps) lost += g;
  // p99 lateness of sends at uniformly random instants: the x where the time spent more than x before a
  // gap's end, sum(max(0, g - x)), is 1 % of the whole.
  int64_t lo = 0;
  int64_t hi = gaps.empty() ? 0 : gaps.back();
  while (lo < hi) {
    int64_t x = lo + (hi - lo) / 2;
    int64_t beyond = 0;
    for (int64_t g : gaps) beyond += std::max<int64_t>(0, g - x);
    if (beyond * 100 <= spin_ns) {
      hi = x;
    } else {
      lo = x + 1;
    }
  }
  auto gap_at = [&](double q) {
    return gaps.empty() ? 0.0 : gaps[static_cast<size_t>(q * (gaps.size() - 1))] / 1e3;
  };
  std::printf(
      "spinning %.1f s: %zu gaps > 5 us (%.0f/s), %.2f %% of the time; gap p50 %.1f  p99 %.1f  max %.1f us; "
      "floor for the p99 lateness of sends at random instants: %.1f us\n",
      spin_ns / 1e9, gaps.size(), gaps.size() / (spin_ns / 1e9), 100.0 * lost / spin_ns, gap_at(0.5),
      gap_at(0.99), gaps.empty() ? 0.0 : gaps.back() / 1e3, lo / 1e3);
  return 0;
}
