#pragma once
// The handle a producer thread emits trace events through. A default-constructed Emitter is disabled and
// costs one predictable branch per call; an enabled one (from Recorder::add_producer) writes into its own
// thread's TraceRing: no clock read, no syscall, no allocation, no lock. Callers pass the timestamp (the
// reactor already has one) and decide sampling themselves (see sampled() in record.h).

#include <cstdint>

#include "trace/record.h"
#include "trace/trace_ring.h"

namespace ie::trace {

class Emitter {
 public:
  // Disabled: emit() does nothing.
  Emitter() = default;
  // Enabled: emits into `ring` (owned by the Recorder, which outlives the emitter) as `producer`.
  Emitter(TraceRing* ring, uint16_t producer) : ring_(ring), producer_(producer) {}

  bool enabled() const { return ring_ != nullptr; }
  uint16_t producer() const { return producer_; }

  // Records one event at `ts_ns` (CLOCK_MONOTONIC). Only the thread that owns this producer id may call it.
  void emit(Event event, uint64_t id, int64_t ts_ns, uint64_t payload = 0) const {
    if (ring_ == nullptr) [[likely]]
      return;
    ring_->push(Record{ts_ns, id, payload, static_cast<uint16_t>(event), producer_, 0});
  }

 private:
  TraceRing* ring_ = nullptr;
  uint16_t producer_ = 0;
};

}  // namespace ie::trace
