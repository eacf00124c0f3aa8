// The machine's own timer floor: how late a bare absolute sleep wakes up (100 us period, timer slack 1 ns),
// with nothing else of ours running. Compare bench/schedule_lateness.sh against this, not against zero.
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
  return 0;
}
