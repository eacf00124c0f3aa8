#pragma once
// The collector thread: drains every worker's record ring into the run aggregate, so workers never wait on
// metrics work. Counters the progress display needs are mirrored in atomics.

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "common/spsc_ring.h"
#include "metrics/request_record.h"
#include "metrics/run_aggregate.h"
#include "trace/emitter.h"

namespace ie::engine {

class Collector {
 public:
  // Every non-warmup record, with the performance phase start (e.g. the requests.jsonl writer).
  using RecordSink = std::function<void(const metrics::RequestRecord&, int64_t perf_start_ns)>;

  Collector(std::vector<SpscRing<metrics::RequestRecord>*> rings, metrics::RunAggregate& aggregate,
            RecordSink extra_sink);
  ~Collector();

  // Before start(): emit MAIN_RECEIVED and COMPLETE for the traced requests (trace::sampled).
  void enable_trace(trace::Emitter emitter, uint32_t sample_one_in) {
    trace_ = emitter;
    trace_one_in_ = sample_one_in;
    folded_traced_.reserve(4096);  // a drain rarely holds more: no allocation on the usual path
  }

  void start();
  // Stops the thread after one last full drain. Call after every worker has finished.
  void stop();

  // Release pairs with the acquire in drain_all(): set before the first performance-phase record exists.
  void set_perf_start(int64_t ns) { perf_start_ns_.store(ns, std::memory_order_release); }

  uint64_t succeeded() const { return succeeded_.load(std::memory_order_relaxed); }
  uint64_t failed() const { return failed_.load(std::memory_order_relaxed); }
  uint64_t warmup_finished() const { return warmup_finished_.load(std::memory_order_relaxed); }
  // The successes' latencies as of the collector's last publication (every kLivePublishNs while running,
  // and at stop()). Any thread.
  metrics::LiveLatencies live_latencies() const;

 private:
  size_t drain_all();
  // Emits the trace records of the requests the last drain folded (folded_traced_).
  void trace_collected(int64_t picked_ns, int64_t folded_ns);
  void loop();
  void publish_live_latencies();

  static constexpr int64_t kLivePublishNs = 200'000'000;  // a live display redraws every 300 ms at most

  std::vector<SpscRing<metrics::RequestRecord>*> rings_;
  metrics::RunAggregate& aggregate_;
  RecordSink extra_sink_;
  std::thread thread_;
  std::atomic<bool> running_{false};
  std::atomic<int64_t> perf_start_ns_{0};
  std::atomic<uint64_t> succeeded_{0};
  std::atomic<uint64_t> failed_{0};
  std::atomic<uint64_t> warmup_finished_{0};
  mutable std::mutex live_mutex_;
  metrics::LiveLatencies live_;  // guarded by live_mutex_
  trace::Emitter trace_;
  uint32_t trace_one_in_ = 1;
  // Traced requests folded in the current drain (id, outcome), for their COMPLETE events.
  std::vector<std::pair<uint64_t, uint64_t>> folded_traced_;
};

}  // namespace ie::engine
