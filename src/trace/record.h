#pragma once
// The trace vocabulary: what a lifecycle event is, and the fixed-size record every producer writes. Ids 1–14
// keep the seed's numbering and meaning; ids from 15 on are ours and are only ever appended (they go into
// files). Where each event is emitted is documented in docs/TRACE.md.

#include <cstdint>
#include <string_view>

namespace ie::trace {

enum class Event : uint16_t {
  // Request lifecycle (id = request id). Timestamps are CLOCK_MONOTONIC ns of the moment itself.
  issued = 1,            // the load pattern released the request (Poisson: its scheduled time)
  worker_received = 2,   // the worker took it; payload = schedule lag ns (received - issued)
  conn_acquired = 3,     // a connection is ready to carry it (idle one taken, or new one connected)
  written = 4,           // the whole request is in the kernel's send buffer (writev returned)
  response_headers = 5,  // arrival of the bytes that completed the response headers
  response_bytes = 6,    // streaming: arrival of the first SSE event; otherwise of the whole body
  recv_first = 7,        // arrival of the first content or reasoning token
  main_received = 8,     // the collector thread picked the finished request up from the worker's queue
  complete = 9,          // the collector folded it into the metrics; payload = metrics::Outcome
  // Reactor health (id = 0 unless stated).
  loop_lag = 10,     // a timed wake-up ran late; payload = lateness ns
  trace_drops = 11,  // written by the trace collector; producer = who lost records, payload = cumulative lost
  // Run bracketing (producer = kEngineProducer).
  perf_start = 12,  // warmup is over: consumers reset everything they folded so far
  // Request lifecycle, continued.
  response_done = 13,  // streaming only: arrival of the last byte of the stream
  perf_end = 14,       // issuing and draining are over: consumers freeze
  // Ours, appended.
  encoded = 15,        // the request's bytes are chosen (bodies are prebuilt, so this is the same instant)
  queued = 16,         // the worker handed the finished request to the collector's queue
  sse_parse = 17,      // streaming, at completion: payload = ns spent decoding this request's SSE + JSON
  loop_busy = 18,      // one reactor iteration: payload = ns from epoll return to the next wait, id = events
  loop_dispatch = 19,  // one reactor iteration: payload = largest epoll-return-to-handler delay ns
  bundle = 20,         // several lifecycle events of request `id` in one record: see "Bundles" below
};
constexpr uint16_t kMaxEventId = 20;

// Name as written in docs, exports and tables ("ISSUED", "LOOP_LAG", ...); "UNKNOWN" for unlisted ids.
std::string_view event_name(Event event);

// Producer ids: workers are 0..N-1; threads that are not workers use ids from the top of the range.
constexpr uint16_t kEngineProducer = 0xFFFF;     // phases, PERF_START / PERF_END
constexpr uint16_t kCollectorProducer = 0xFFFE;  // MAIN_RECEIVED / COMPLETE
constexpr uint16_t kTraceProducer = 0xFFFD;      // the trace collector itself (TRACE_DROPS)

// One event. 32 bytes, naturally aligned, little-endian in files. seq counts every record the producer tried
// to emit, kept or dropped, so a gap in seq says exactly how many were lost and where.
struct alignas(32) Record {
  int64_t ts_ns = 0;     // CLOCK_MONOTONIC
  uint64_t id = 0;       // request id for lifecycle events, else as documented per event
  uint64_t payload = 0;  // per event, see above
  uint16_t event = 0;    // an Event value (raw, so unknown ids from newer files survive a round trip)
  uint16_t producer = 0;
  uint32_t seq = 0;  // per producer; wraps at 2^32
};
static_assert(sizeof(Record) == 32);

// Bundles. Events of one request that happen together cost one record instead of several: a worker taking a
// request (ISSUED, WORKER_RECEIVED, ENCODED and, on a kept-alive connection, CONN_ACQUIRED), a read that
// brings several stages at once (RESPONSE_HEADERS + RESPONSE_BYTES + RECV_FIRST + RESPONSE_DONE), the
// collector picking up and folding a request (MAIN_RECEIVED, COMPLETE). A BUNDLE record's payload:
//   bits 0-23   the set of events (bit n = event id n)
//   bits 24-31  COMPLETE's payload (the outcome) when COMPLETE is in the set
//   bits 32-63  lead: the set's lowest event happened this many ns before ts; the others happened at ts
// WORKER_RECEIVED's payload (the schedule lag) is the lead, since ISSUED is always in its bundle; a worker's
// lone WRITTEN leads the bundle of the response's first read (EventBundler::add). Readers
// see bundles only through for_each_event(), which hands out the events one by one, as if each had had its
// own record (same id, producer and seq).
constexpr uint32_t kBundleEventBits = 24;
constexpr uint32_t event_bit(Event event) {
  return uint32_t{1} << static_cast<uint16_t>(event);
}
constexpr uint64_t bundle_payload(uint32_t events, uint32_t lead_ns = 0, uint8_t complete_payload = 0) {
  return uint64_t{events} | (uint64_t{complete_payload} << kBundleEventBits) | (uint64_t{lead_ns} << 32);
}

// Calls visit(const Record&) once for every event `record` stands for: the record itself, or each event of a
// bundle in ascending id order.
template <typename Visit>
void for_each_event(const Record& record, Visit&& visit) {
  if (record.event != static_cast<uint16_t>(Event::bundle)) {
    visit(record);
    return;
  }
  uint32_t events = static_cast<uint32_t>(record.payload) & ((uint32_t{1} << kBundleEventBits) - 1);
  const auto lead_ns = static_cast<int64_t>(record.payload >> 32);
  Record one = record;
  for (bool lowest = true; events != 0; events &= events - 1, lowest = false) {
    one.event = static_cast<uint16_t>(__builtin_ctz(events));
    one.ts_ns = lowest ? record.ts_ns - lead_ns : record.ts_ns;
    switch (static_cast<Event>(one.event)) {
      case Event::worker_received:
        one.payload = static_cast<uint64_t>(lead_ns);
        break;
      case Event::complete:
        one.payload = (record.payload >> kBundleEventBits) & 0xFF;
        break;
      default:
        one.payload = 0;
        break;
    }
    visit(one);
  }
}

// Request ids are unique across the whole run: warmup requests have the top bit set.
constexpr uint64_t kWarmupIdBit = uint64_t{1} << 63;
constexpr uint64_t request_id(uint64_t sequence, bool warmup) {
  return warmup ? (sequence | kWarmupIdBit) : sequence;
}

// Sampling is decided once per request from its id, so every hop agrees without passing a flag around:
// 1 in every `one_in` requests is traced (1 = all). The multiplier spreads consecutive sequences.
constexpr bool sampled(uint64_t id, uint32_t one_in) {
  return one_in <= 1 || ((id * 0x9E3779B97F4A7C15ull) >> 32) % one_in == 0;
}

}  // namespace ie::trace
