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

// One request's events, collected so that those sharing an instant leave as one BUNDLE record (record.h)
// instead of one record each: the worker's lifecycle events are mostly stamped with the same reactor
// timestamp (taking a request; a read that completes several stages). Held per connection; the owner must
// flush() before the request is handed on (after that, events of the next request may start()).
class EventBundler {
 public:
  // A new request: `events` happened at ts_ns, except the lowest of them, lead_ns earlier (record.h).
  void start(const Emitter& out, uint64_t id, uint32_t events, int64_t ts_ns, uint32_t lead_ns) {
    flush(out);
    id_ = id;
    events_ = events;
    ts_ns_ = ts_ns;
    lead_ns_ = lead_ns;
  }
  // A payload-free event of the current request: joins the pending set if it happened at the same instant.
  // A lone pending event without a lead that precedes the new one in id order becomes the lead of the new
  // instant's set instead of leaving as its own record (WRITTEN leads the response's first read: one record
  // a request fewer). Otherwise the pending set leaves first.
  void add(const Emitter& out, Event event, int64_t ts_ns) {
    const uint32_t bit = event_bit(event);
    const uint32_t lowest = events_ & (0u - events_);
    // A set with a lead takes only events above its lowest one, which the lead belongs to.
    const bool may_join = events_ != 0 && (bit > lowest || lead_ns_ == 0);
    if (may_join && ts_ns == ts_ns_) {
      events_ |= bit;
      return;
    }
    if (may_join && events_ == lowest && bit > lowest && lead_ns_ == 0 && ts_ns > ts_ns_ &&
        ts_ns - ts_ns_ <= int64_t{UINT32_MAX}) {
      lead_ns_ = static_cast<uint32_t>(ts_ns - ts_ns_);
      ts_ns_ = ts_ns;
      events_ |= bit;
      return;
    }
    flush(out);
    events_ = bit;
    ts_ns_ = ts_ns;
    lead_ns_ = 0;
  }
  // Emits the pending set: a lone event as its own plain record, several as one BUNDLE.
  void flush(const Emitter& out) {
    if (events_ == 0) return;
    if ((events_ & (events_ - 1)) == 0 && lead_ns_ == 0)
      out.emit(static_cast<Event>(__builtin_ctz(events_)), id_, ts_ns_);
    else
      out.emit(Event::bundle, id_, ts_ns_, bundle_payload(events_, lead_ns_));
    events_ = 0;
  }
  uint64_t id() const { return id_; }

 private:
  uint64_t id_ = 0;
  int64_t ts_ns_ = 0;
  uint32_t events_ = 0;
  uint32_t lead_ns_ = 0;
};

}  // namespace ie::trace
