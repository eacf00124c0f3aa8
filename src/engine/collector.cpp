#include "engine/collector.h"

#include <pthread.h>
#include <sched.h>

#include <chrono>

#include "common/clock.h"
#include "common/single_writer.h"
#include "common/thread_name.h"

namespace ie::engine {

Collector::Collector(std::vector<SpscRing<metrics::RequestRecord>*> rings, metrics::RunAggregate& aggregate,
                     RecordSink extra_sink)
    : rings_(std::move(rings)), aggregate_(aggregate), extra_sink_(std::move(extra_sink)) {}

Collector::~Collector() {
  stop();
}

void Collector::start() {
  running_.store(true);
  thread_ = std::thread([this] { loop(); });
}

void Collector::stop() {
  if (!thread_.joinable()) return;
  running_.store(false);
  thread_.join();
  drain_all();  // records pushed after the thread's last pass
  publish_live_latencies();
}

metrics::LiveLatencies Collector::live_latencies() const {
  std::lock_guard lock(live_mutex_);
  return live_;
}

// Summarising reads every histogram bucket (~100 µs), so it runs on this thread at a display's pace, not per
// record, and readers only copy the result.
void Collector::publish_live_latencies() {
  metrics::LiveLatencies latest = aggregate_.live_latencies();
  std::lock_guard lock(live_mutex_);
  live_ = latest;
}

size_t Collector::drain_all() {
  size_t total = 0;
  for (auto* ring : rings_) {
    // MAIN_RECEIVED is stamped inside the drain, after it acquired the ring's tail, never before: a record
    // pushed between an earlier reading and that acquire was "picked up" before it was pushed (this thread is
    // SCHED_IDLE, so the gap can be a preemption long: seen 43-391 µs, before even the stream's last byte),
    // and its lifecycle was left out of the trace table as out of order.
    int64_t picked_ns = 0;
    folded_traced_.clear();
    total += ring->drain([this, &picked_ns](const metrics::RequestRecord& record) {
      const uint64_t id = trace::request_id(record.sequence, record.warmup);
      const bool traced = trace_.enabled() && trace::sampled(id, trace_one_in_);
      if (traced && picked_ns == 0) [[unlikely]]
        picked_ns = now_ns();  // one reading per drain: its records left together
      if (record.warmup) {
        single_writer_add(warmup_finished_, 1);
      } else {
        aggregate_.add(record);
        if (extra_sink_) extra_sink_(record, perf_start_ns_.load(std::memory_order_acquire));
        single_writer_add(record.outcome == metrics::Outcome::ok ? succeeded_ : failed_, 1);
      }
      if (traced) [[unlikely]]
        folded_traced_.push_back({id, static_cast<uint64_t>(record.outcome)});
    });
    // MAIN_RECEIVED and COMPLETE: one reading once the drain's records are all folded (true of each of them),
    // not one per record, and one BUNDLE per request with MAIN_RECEIVED leading by the time the fold took.
    if (!folded_traced_.empty()) [[unlikely]]
      trace_collected(picked_ns, now_ns());
  }
  return total;
}

void Collector::trace_collected(int64_t picked_ns, int64_t folded_ns) {
  using trace::Event;
  const int64_t lead = folded_ns - picked_ns;
  for (const auto& [id, outcome] : folded_traced_) {
    if (lead >= 0 && lead <= int64_t{UINT32_MAX} && outcome <= 0xFF) {
      trace_.emit(
          Event::bundle, id, folded_ns,
          trace::bundle_payload(trace::event_bit(Event::main_received) | trace::event_bit(Event::complete),
                                static_cast<uint32_t>(lead), static_cast<uint8_t>(outcome)));
    } else {  // beyond what a bundle holds
      trace_.emit(Event::main_received, id, picked_ns);
      trace_.emit(Event::complete, id, folded_ns, outcome);
    }
  }
}

void Collector::loop() {
  name_this_thread("ie-collector");
  // Metrics folding must never delay a send: on a shared core the scheduler would let this thread finish its
  // slice before a worker that just woke up for a due Poisson arrival. SCHED_IDLE needs no privilege.
  sched_param idle{};
  pthread_setschedparam(pthread_self(), SCHED_IDLE, &idle);
  int64_t next_publish_ns = now_ns() + kLivePublishNs;
  while (running_.load(std::memory_order_relaxed)) {
    // Idle passes sleep 1 ms: a worker ring of 64k records covers far more than that at any rate we reach.
    if (drain_all() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (const int64_t now = now_ns(); now >= next_publish_ns) {
      publish_live_latencies();
      next_publish_ns = now + kLivePublishNs;
    }
  }
}

}  // namespace ie::engine
