#pragma once
// CLOCK_MONOTONIC readings at the price of an rdtsc, for timestamps that only the trace needs.
//
// A vDSO clock_gettime costs ~34 ns here, rdtsc ~13 ns. A reactor already reads the monotonic clock once a
// turn for its own needs; TscClock pairs that reading with the TSC (anchor()) and later readings in the same
// turn extrapolate from it: anchor + ticks * ns_per_tick. The error is the slope's error times the time since
// the anchor (microseconds, at most a blocked wait): with the slope re-measured against the monotonic clock
// over the clock's own lifetime, a few parts per million, so nanoseconds. Without an invariant TSC (or off
// x86-64) every reading is a real clock_gettime.

#include <cstdint>
#include <ctime>

#include "common/clock.h"

#if defined(__x86_64__)
#include <cpuid.h>
#include <x86intrin.h>
#endif

namespace ie {

class TscClock {
 public:
  // Nanoseconds per TSC tick, measured against CLOCK_MONOTONIC across a sleep of `window_ns`; 0 when the
  // CPU does not promise a TSC that ticks at a constant rate in every power state (CPUID invariant TSC).
  static double calibrate(int64_t window_ns);

  // ns_per_tick: from calibrate(); 0 makes every now() a real clock reading.
  explicit TscClock(double ns_per_tick = 0) { set_slope(ns_per_tick); }

  // A CLOCK_MONOTONIC reading the caller just took: later now() calls extrapolate from it. Every
  // kRefitAfterNs the slope is refitted over the whole time since the first anchor, which also follows
  // NTP's frequency corrections.
  void anchor(int64_t monotonic_ns) {
    if (ns_per_tick_q32_ == 0) return;
    const uint64_t tsc = read_tsc();
    if (first_ns_ == 0) {
      first_ns_ = monotonic_ns;
      first_tsc_ = tsc;
      refit_at_ns_ = monotonic_ns + kRefitAfterNs;
    } else if (monotonic_ns >= refit_at_ns_ && tsc > first_tsc_) {
      set_slope(static_cast<double>(monotonic_ns - first_ns_) / static_cast<double>(tsc - first_tsc_));
      refit_at_ns_ = monotonic_ns + kRefitAfterNs;
    }
    anchor_ns_ = monotonic_ns;
    anchor_tsc_ = tsc;
  }

  // Now on CLOCK_MONOTONIC's scale, never earlier than the last anchor.
  int64_t now() const {
    if (anchor_ns_ == 0) return now_ns();
    const uint64_t ticks = read_tsc() - anchor_tsc_;
    // A TSC read may run a few cycles ahead of the anchor's (it is not serialising): never step back.
    if (static_cast<int64_t>(ticks) < 0) return anchor_ns_;
    // Fixed point, 32 fractional bits: a multiply and a shift, where a double would take three conversions.
    return anchor_ns_ +
           static_cast<int64_t>((static_cast<unsigned __int128>(ticks) * ns_per_tick_q32_) >> 32);
  }

  double ns_per_tick() const { return static_cast<double>(ns_per_tick_q32_) / 4294967296.0; }

 private:
  static constexpr int64_t kRefitAfterNs = 100 * kNsPerMs;

  void set_slope(double ns_per_tick) {
    ns_per_tick_q32_ = ns_per_tick > 0 ? static_cast<uint64_t>(ns_per_tick * 4294967296.0 + 0.5) : 0;
  }

  static uint64_t read_tsc() {
#if defined(__x86_64__)
    return __rdtsc();
#else
    return 0;  // unreachable: calibrate() gives 0 here, so anchor() never stores a TSC
#endif
  }

  uint64_t ns_per_tick_q32_ = 0;  // ns per tick times 2^32: far finer than the slope is known
  int64_t first_ns_ = 0;
  uint64_t first_tsc_ = 0;
  int64_t refit_at_ns_ = 0;
  int64_t anchor_ns_ = 0;
  uint64_t anchor_tsc_ = 0;
};

inline double TscClock::calibrate(int64_t window_ns) {
#if defined(__x86_64__)
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid(0x80000007, &eax, &ebx, &ecx, &edx) == 0 || (edx & (1u << 8)) == 0) return 0;
  // The TSC between two clock readings, the tightest of a few pairs: a preemption between two reads would
  // otherwise skew one end by microseconds.
  struct Pair {
    int64_t ns;
    uint64_t tsc;
  };
  auto pair = [] {
    Pair best{0, 0};
    int64_t tightest = INT64_MAX;
    for (int i = 0; i < 5; ++i) {
      const int64_t before = now_ns();
      const uint64_t tsc = read_tsc();
      const int64_t after = now_ns();
      if (after - before < tightest) {
        tightest = after - before;
        best = Pair{before + (after - before) / 2, tsc};
      }
    }
    return best;
  };
  const Pair start = pair();
  const timespec window = to_timespec(window_ns);
  ::clock_nanosleep(CLOCK_MONOTONIC, 0, &window, nullptr);
  const Pair end = pair();
  if (end.tsc <= start.tsc || end.ns <= start.ns) return 0;
  return static_cast<double>(end.ns - start.ns) / static_cast<double>(end.tsc - start.tsc);
#else
  (void)window_ns;
  return 0;
#endif
}

}  // namespace ie
