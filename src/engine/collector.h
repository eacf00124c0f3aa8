#pragma once
// The collector thread: drains every worker's record ring into the run aggregate, so workers never wait on
// metrics work. Counters the progress display needs are mirrored in atomics.

#include <atomic>
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

#include "engine/spsc_ring.h"
#include "metrics/request_record.h"
#include "metrics/run_aggregate.h"

namespace ie::engine {

class Collector {
 public:
  using RecordSink = std::function<void(const metrics::RequestRecord&)>;  // e.g. the requests.jsonl writer

  Collector(std::vector<SpscRing<metrics::RequestRecord>*> rings, metrics::RunAggregate& aggregate,
            RecordSink extra_sink);
  ~Collector();

  void start();
  // Stops the thread after one last full drain. Call after every worker has finished.
  void stop();

  uint64_t succeeded() const { return succeeded_.load(std::memory_order_relaxed); }
  uint64_t failed() const { return failed_.load(std::memory_order_relaxed); }
  uint64_t warmup_finished() const { return warmup_finished_.load(std::memory_order_relaxed); }

 private:
  size_t drain_all();
  void loop();

  std::vector<SpscRing<metrics::RequestRecord>*> rings_;
  metrics::RunAggregate& aggregate_;
  RecordSink extra_sink_;
  std::thread thread_;
  std::atomic<bool> running_{false};
  std::atomic<uint64_t> succeeded_{0};
  std::atomic<uint64_t> failed_{0};
  std::atomic<uint64_t> warmup_finished_{0};
};

}  // namespace ie::engine
