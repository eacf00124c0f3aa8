#pragma once
// Runs a benchmark: builds the frozen plan (resolved endpoints, prebuilt request bytes, sample order), starts
// one worker thread per core and the collector, drives the phases (optional warmup, then performance),
// handles SIGINT / SIGTERM and the deadlines, and returns the folded metrics. Writes nothing to disk.

#include <cstdint>
#include <functional>
#include <string>

#include "config/benchmark_config.h"
#include "dataset/dataset.h"
#include "metrics/request_record.h"
#include "metrics/run_aggregate.h"

namespace ie::trace {
class Recorder;
}

namespace ie::engine {

struct ProgressTick {
  bool warmup = false;
  uint64_t succeeded = 0;
  uint64_t failed = 0;
  uint64_t expected_total = 0;  // 0 = unknown (timed run)
  int64_t elapsed_ns = 0;
  int64_t planned_ns = 0;  // timed runs: the issue window; else 0
  uint32_t in_flight = 0;
  uint32_t open_connections = 0;
  uint32_t connecting = 0;  // of the in-flight requests, those whose connection is still being set up
  bool draining = false;
  bool interrupted = false;  // a first SIGINT/SIGTERM was taken: issuing stopped, in-flight requests drain
  bool final = false;        // the last tick of the phase
  metrics::LiveLatencies latencies;  // performance phase: the successes' latencies so far (live, approximate)
};

struct EngineHooks {
  std::function<void(const std::string&)> log;        // setup messages (already sentences)
  std::function<void(const ProgressTick&)> progress;  // called ~10 times a second from the engine thread
  // Every non-warmup record and the performance phase start, on the collector thread.
  std::function<void(const metrics::RequestRecord&, int64_t perf_start_ns)> on_record;
  // -vvv: every worker, the collector and the engine emit trace events into this recorder (not yet started;
  // the engine starts it, the caller finishes it). 1 in trace_sample_one_in requests is traced.
  trace::Recorder* trace_recorder = nullptr;
  uint32_t trace_sample_one_in = 1;
};

struct EngineResult {
  metrics::RunMetrics metrics;
  int interrupt_signal = 0;  // SIGINT / SIGTERM that stopped the run, 0 = it ran to its end
  std::string stop_reason;   // why the run stopped early or abandoned requests, e.g. "interrupted by SIGINT"
  uint32_t workers = 0;
  uint32_t max_connections = 0;
  int64_t perf_start_ns = 0;
  int64_t end_ns = 0;
};

// Throws ie::Error for setup failures (unresolvable or unreachable endpoint, impossible connection budget).
EngineResult run_engine(const config::BenchmarkConfig& config, const dataset::Dataset& dataset,
                        const EngineHooks& hooks);

// Blocks SIGINT and SIGTERM in the calling thread (and the threads it starts later) so the engine can take
// them with sigtimedwait. Call once, early in main, before any thread starts.
void block_termination_signals();
// Waits up to timeout_ns for SIGINT or SIGTERM (blocked as above) and takes it: the signal number, or 0 when
// the time ran out. A zero timeout polls.
int wait_termination_signal(int64_t timeout_ns);

}  // namespace ie::engine
