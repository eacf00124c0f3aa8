#pragma once
// Test helper: a synthetic traced run. Requests are described by their stage durations (in the order of
// trace::stage_specs), so every expected number is known exactly.

#include <cstdint>
#include <vector>

#include "../trace/record_builder.h"
#include "dashboard/model.h"

namespace ie::dashboard::testing {

using trace::Event;
using trace::Record;

constexpr int64_t kMs = 1'000'000;
constexpr int64_t kT0 = 1'000 * kMs;  // monotonic time is never 0

class SyntheticRun {
 public:
  explicit SyntheticRun(uint32_t sample_one_in = 1) : fold(sample_one_in) {}

  // One request. `stages_ns` has 9 entries (offline) or 10 (streaming); the request is streaming when it
  // has 10. Returns the COMPLETE timestamp.
  int64_t request(uint64_t id, int64_t issued_ns, const std::vector<int64_t>& stages_ns, uint16_t worker = 0,
                  int64_t sse_parse_ns = 0) {
    const bool streaming = stages_ns.size() == 10;
    static constexpr Event kOffline[] = {
        Event::worker_received, Event::encoded, Event::conn_acquired, Event::written, Event::response_headers,
        Event::response_bytes,  Event::queued,  Event::main_received, Event::complete};
    static constexpr Event kStreaming[] = {
        Event::worker_received,  Event::encoded,        Event::conn_acquired, Event::written,
        Event::response_headers, Event::response_bytes, Event::response_done, Event::queued,
        Event::main_received,    Event::complete};
    add(Event::issued, worker, issued_ns, id);
    int64_t t = issued_ns;
    for (size_t i = 0; i < stages_ns.size(); ++i) {
      t += stages_ns[i];
      const Event e = streaming ? kStreaming[i] : kOffline[i];
      const bool collector = e == Event::main_received || e == Event::complete;
      if (e == Event::queued && streaming) add(Event::sse_parse, worker, t, id, sse_parse_ns);
      add(e, collector ? trace::kCollectorProducer : worker, t, id);
      if (e == Event::response_bytes && streaming) add(Event::recv_first, worker, t, id);
    }
    return t;
  }
  void perf_start(int64_t ts_ns) { add(Event::perf_start, trace::kEngineProducer, ts_ns); }
  void perf_end(int64_t ts_ns) { add(Event::perf_end, trace::kEngineProducer, ts_ns); }
  void loop_lag(uint16_t worker, int64_t ts_ns, int64_t lag_ns) {
    add(Event::loop_lag, worker, ts_ns, 0, static_cast<uint64_t>(lag_ns));
  }
  void add(Event e, uint16_t producer, int64_t ts_ns, uint64_t id = 0, uint64_t payload = 0) {
    pass_.push_back(builder_.make(e, producer, ts_ns, id, payload));
  }
  void skip(uint16_t producer, uint32_t lost) { builder_.skip(producer, lost); }
  // Feeds the records added so far as one pass.
  void flush() {
    fold.feed_pass(pass_);
    pass_.clear();
  }

  DashboardFold fold;

 private:
  trace::testing::RecordBuilder builder_;
  std::vector<Record> pass_;
};

// Offline stage durations (ms): schedule lag, encode, connection wait, write, server to headers, headers to
// response, hand-off, pickup, fold.
inline std::vector<int64_t> offline_ms(std::vector<int64_t> ms) {
  for (int64_t& v : ms) v *= kMs;
  return ms;
}

}  // namespace ie::dashboard::testing
