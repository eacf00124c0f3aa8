#pragma once
// `trace export --format chrome`: Chrome trace-event JSON (opens in ui.perfetto.dev and chrome://tracing),
// written while passes arrive. Memory is bounded by one pass plus the open lifecycles; the JSON is written
// as text (fmt), never built as a document.
//
// Shape:
//   {"traceEvents":[ ... ],"otherData":{ strings: anchors, sampling, run metadata }}
//   No displayTimeUnit: some Perfetto versions misread it as the unit of "ts". otherData comes last because
//   the timestamp base is known only after the first pass.
// - Processes per producer kind ("M" events): pid 1 "workers" (threads "worker N", tid N+1), pid 2
//   "collector", pid 3 "engine", pid 4 "trace recorder".
// - Requests: one nestable async track per request (ph "b"/"e", cat "request", or "warmup" for warmup ids;
//   id = request id in hex; name "request <sequence>") under the workers process, with one child slice per
//   stage in timeline order (stage_table.h) and an instant "first token" at RECV_FIRST. A lifecycle that is
//   not complete shows the stages whose two boundaries arrived, in order.
// - Counters ("C") per worker: "<worker> loop lag" (us, one sample per LOOP_LAG), "<worker> busy" (% of each
//   counter window; a LOOP_BUSY record covers [ts - payload, ts)), "<worker> in flight"
//   (+1 at WORKER_RECEIVED, -1 at QUEUED); per producer "<producer> records dropped" (lost records, from seq
//   gaps and TRACE_DROPS, sampled at the end of each pass). Counters are written only when they change.
// - PERF_START / PERF_END as global instant events.
// - Timestamps: microseconds with 3 decimals (ns precision), relative to the anchor, or without one to the
//   earliest record of the first pass. "ts" is the first key of every event (Perfetto scans for it first).

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "trace/record.h"

namespace ie::trace {

struct ChromeExportInfo {
  int64_t anchor_monotonic_ns = 0;  // 0: relative to the earliest record of the first pass
  int64_t anchor_realtime_ns = 0;   // wall-clock time of the anchor; exported so readers can show wall time
  uint32_t sample_one_in = 1;
  double tsc_ns_per_tick = 0;              // the header's TSC calibration; exported when not 0
  std::string metadata_json;               // the run description; exported as an (escaped) string
  int64_t counter_window_ns = 10'000'000;  // busy % is averaged over windows this long
};

class ChromeTraceWriter {
 public:
  // Writes the opening of the document. `out` must outlive the writer.
  ChromeTraceWriter(std::ostream& out, ChromeExportInfo info);
  // Calls finish() if it was not called, so an interrupted export is still valid JSON.
  ~ChromeTraceWriter();
  ChromeTraceWriter(const ChromeTraceWriter&) = delete;
  ChromeTraceWriter& operator=(const ChromeTraceWriter&) = delete;

  // Writes the events of one pass (lifecycles that finished in it, counters, markers) and flushes them.
  void feed_pass(std::span<const Record> pass);
  // Writes what is still open (unfinished lifecycles, the last counter windows) and closes the document.
  // Idempotent.
  void finish();
  uint64_t events_written() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Fills `pass` with the next pass's records; false at the end (TraceReader::next_pass has this shape).
using PassSource = std::function<bool(std::vector<Record>& pass)>;

// The whole export in one call: every pass of `next_pass`, then finish().
void write_chrome_trace(std::ostream& out, const ChromeExportInfo& info, const PassSource& next_pass);

}  // namespace ie::trace
