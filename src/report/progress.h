#pragma once
// The live progress line. A pure formatter: the lead samples RunAggregate's O(1) counters into a
// ProgressSnapshot and prints the result ("\r" + line on a terminal, one line per period otherwise).

#include <cstdint>
#include <string>

namespace ie::report {

struct ProgressSnapshot {
  bool warmup = false;     // which phase the counters describe
  bool draining = false;   // issuing has stopped; waiting for the in-flight requests ("drain")
  int64_t elapsed_ns = 0;  // since the phase started
  uint64_t issued = 0;
  uint64_t completed = 0;           // finished requests, successful or not
  uint64_t errors = 0;              // failed requests
  double recent_rate_per_s = 0;     // completions per second over the last few seconds
  uint64_t total_requests = 0;      // how many the phase will issue; 0 = unknown
  int64_t planned_duration_ns = 0;  // timed phase length; 0 = not timed (ETA then comes from total_requests)
};

constexpr size_t kProgressLineWidth = 79;  // tty lines are padded to this, so "\r" overwrites leftovers

// tty: one fixed-width line without newline, for "\r" rewriting. Not tty: a key=value log line with newline.
// ETA: the planned duration's remainder when timed, else (total - completed) / recent rate, else unknown.
std::string format_progress(const ProgressSnapshot& snapshot, bool tty);

}  // namespace ie::report
