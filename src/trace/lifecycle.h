#pragma once
// Lifecycle assembly: turns passes of trace records (record.h) into one Lifecycle per request, and folds the
// records that are not about a request (loop health, losses, perf window) into a TraceHealth. Cold side: it
// runs on a recorder listener or over a trace file, never on a worker.
//
// Pass contract (from the recorder): within a pass each producer's records are in emit order, and by the end
// of the pass that holds a request's COMPLETE every record of that request has been delivered. So a lifecycle
// is finalized at the end of the pass in which its COMPLETE arrived.
//
// Perf window (seed semantics, spec §8). PERF_START resets the loop statistics and tells the consumer to
// reset; PERF_END freezes them. Both are applied by timestamp, not by arrival position, because the engine's
// ring is drained first in a pass: records later in the same pass may predate the marker. A loop record
// counts when PERF_START <= ts <= PERF_END (an absent marker leaves that side open); a lifecycle counts
// (Lifecycle::counted) when it is not warmup and its latest timestamp lies in that window. Warmup is told
// apart by its id bit, not by time. Loss counters are whole-run cumulative gauges and are never reset.
//
// Orphans (a lifecycle whose COMPLETE never arrives, e.g. it was dropped) are evicted and delivered with
// Ending::orphaned: once the worker handed the request off (QUEUED or MAIN_RECEIVED present) and
// handoff_timeout_ns of trace time passed without COMPLETE; after max_idle_ns of trace time without any new
// record; passes_after_end passes after PERF_END (draining is over, nothing can still complete); and, as a
// memory bound, the oldest quarter whenever more than max_open lifecycles are open.

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "metrics/hdr_histogram.h"
#include "trace/record.h"

namespace ie::trace {

// --- distributions -------------------------------------------------------------------------------------

// A distribution of non-negative durations: exact count, sum, min, max and mean, and an HdrHistogram (ns,
// 3 digits, 1 h) for percentiles. Zeros are common (events sharing a timestamp) and the histogram's floor is
// 1, so zeros are counted apart and percentiles are ranked over both. Negative inputs are floored to 0.
class DurationStats {
 public:
  DurationStats();

  void record(int64_t value_ns);
  void reset();
  // Adds other's values (both keep the same histogram layout).
  void merge(const DurationStats& other);

  uint64_t count() const { return count_; }
  int64_t min_ns() const { return count_ == 0 ? 0 : min_ns_; }
  int64_t max_ns() const { return max_ns_; }
  double mean_ns() const;
  // Exact sum; 128 bits because ns sums of long runs can pass 2^63.
  __int128 sum_ns() const { return sum_ns_; }
  // The value at or below which `percentile` percent lie (rank ceil(p/100 * count), HdrHistogram rules:
  // the highest value equivalent to that rank's bucket, kept within [min, max]). 0 when empty.
  int64_t percentile_ns(double percentile) const;

 private:
  metrics::HdrHistogram positive_;  // values >= 1
  uint64_t count_ = 0;
  uint64_t zero_count_ = 0;
  int64_t min_ns_ = 0;
  int64_t max_ns_ = 0;
  __int128 sum_ns_ = 0;
};

// --- one request ---------------------------------------------------------------------------------------

enum class LifecycleMode : uint8_t {
  detect,     // streaming when RECV_FIRST, RESPONSE_DONE or SSE_PARSE is present
  offline,    // every request is non-streaming
  streaming,  // every request is streaming (a failed one then lacks its stream events: incomplete)
};

enum class Ending : uint8_t {
  completed,      // COMPLETE arrived
  orphaned,       // evicted without COMPLETE (see the header comment)
  end_of_stream,  // still open when finish() was called
};

constexpr size_t kEventSlots = kMaxEventId + 1;

struct Lifecycle {
  uint64_t id = 0;      // request id, kWarmupIdBit included
  int32_t worker = -1;  // producer of its worker-side records; -1 when none arrived
  bool warmup = false;
  bool streaming = false;
  bool complete = false;  // COMPLETE arrived and every event its mode expects is present
  bool counted = false;   // not warmup and inside the perf window: statistics fold it
  Ending ending = Ending::completed;
  uint64_t outcome = 0;                      // COMPLETE payload: 0 = ok, else a failure kind
  int64_t sse_parse_ns = 0;                  // SSE_PARSE payload: client CPU spent decoding the stream
  std::array<int64_t, kEventSlots> ts_ns{};  // indexed by event id; 0 = missing (monotonic time is never 0)

  uint64_t sequence() const { return id & ~kWarmupIdBit; }
  bool ok() const { return outcome == 0; }
  bool has(Event event) const { return ts_ns[static_cast<size_t>(event)] != 0; }
  int64_t at(Event event) const { return ts_ns[static_cast<size_t>(event)]; }
};

// Bit masks over event ids (event_bit, record.h): what a finished lifecycle must hold to be complete.
constexpr uint32_t kOfflineExpected = event_bit(Event::issued) | event_bit(Event::worker_received) |
                                      event_bit(Event::encoded) | event_bit(Event::conn_acquired) |
                                      event_bit(Event::written) | event_bit(Event::response_headers) |
                                      event_bit(Event::response_bytes) | event_bit(Event::queued) |
                                      event_bit(Event::main_received) | event_bit(Event::complete);
// RECV_FIRST is not required: a stream may carry no token at all.
constexpr uint32_t kStreamingExpected =
    kOfflineExpected | event_bit(Event::response_done) | event_bit(Event::sse_parse);

// --- producer health -----------------------------------------------------------------------------------

// One worker's reactor health inside the perf window.
struct LoopStats {
  DurationStats lag_ns;       // LOOP_LAG payloads
  DurationStats dispatch_ns;  // LOOP_DISPATCH payloads
  int64_t busy_ns = 0;        // sum of LOOP_BUSY payloads
  uint64_t iterations = 0;    // LOOP_BUSY records
  uint64_t events = 0;        // sum of LOOP_BUSY ids (events handled)

  void reset();
};

struct ProducerHealth {
  uint64_t records = 0;           // delivered records produced by it (TRACE_DROPS about it not included)
  uint64_t lost_seq_gap = 0;      // exact: sum of gaps in its seq (seq starts at 0), whole run
  uint64_t seq_regressions = 0;   // records older than the expected seq (duplicates / reordering)
  uint64_t drops_reported = 0;    // largest cumulative TRACE_DROPS payload about it
  std::optional<LoopStats> loop;  // present once it sent a loop record

  // Best count of records it lost: a gap shows losses between delivered records, TRACE_DROPS also those
  // after the last delivered one.
  uint64_t lost() const { return lost_seq_gap > drops_reported ? lost_seq_gap : drops_reported; }

  // Assembler bookkeeping for the gap count.
  bool seq_started = false;
  uint32_t next_seq = 0;
};

struct TraceHealth {
  std::map<uint16_t, ProducerHealth> producers;  // by producer id: workers first, then the named ones
  std::optional<int64_t> perf_start_ns;
  std::optional<int64_t> perf_end_ns;
  int64_t first_ts_ns = 0;  // over every record; 0 before the first
  int64_t last_ts_ns = 0;
  uint64_t records = 0;
  uint64_t passes = 0;
  uint64_t records_after_end = 0;  // non-marker events stamped after PERF_END (not folded)
  uint64_t lifecycles_completed = 0;
  uint64_t lifecycles_orphaned = 0;
  uint64_t lifecycles_unfinished = 0;  // still open at finish()
  uint64_t duplicate_events = 0;       // a second record of one event for one request (first one kept)
  uint64_t unknown_events = 0;         // event ids this build does not know

  // The denominator for busy %: PERF_START (or the first record) to PERF_END (or the last record).
  int64_t perf_window_ns() const;
};

// The name of a producer in tables and exports: "worker 3", "collector", "engine", "trace".
std::string producer_name(uint16_t producer);
constexpr bool is_worker(uint16_t producer) {
  return producer < kTraceProducer;
}

// --- assembly ------------------------------------------------------------------------------------------

// Receives what the assembler finishes. Called on the thread that feeds the assembler; must not call back
// into the assembler.
class LifecycleConsumer {
 public:
  virtual ~LifecycleConsumer() = default;
  // Every finished lifecycle: completed, orphaned or unfinished, warmup included (see Lifecycle::counted).
  virtual void on_lifecycle(const Lifecycle& lifecycle) = 0;
  // PERF_START arrived: drop everything folded so far.
  virtual void on_perf_start(int64_t /*ts_ns*/) {}
};

struct AssemblerOptions {
  LifecycleMode mode = LifecycleMode::detect;
  int64_t handoff_timeout_ns = 5'000'000'000;  // handed off, no COMPLETE after this much trace time: orphan
  int64_t max_idle_ns = 600'000'000'000;       // no record for this long (trace time): orphan
  uint32_t passes_after_end = 2;               // passes after the PERF_END pass before all open are orphans
  size_t max_open = size_t{1} << 20;           // open lifecycles beyond this: the oldest quarter is evicted
};

class LifecycleAssembler {
 public:
  // `consumer` must outlive the assembler.
  explicit LifecycleAssembler(LifecycleConsumer& consumer, AssemblerOptions options = {});

  // Folds one pass, then finalizes the lifecycles completed in it and evicts orphans.
  void feed_pass(std::span<const Record> pass);
  // End of stream: every lifecycle still open is delivered as Ending::end_of_stream. Idempotent.
  void finish();

  const TraceHealth& health() const { return health_; }
  size_t open_count() const { return open_.size(); }

 private:
  struct Open {
    Lifecycle lifecycle;
    int64_t last_ts_ns = 0;
  };
  using OpenMap = std::unordered_map<uint64_t, Open>;

  void ingest(const Record& record);
  void ingest_event(ProducerHealth& from,
                    const Record& record);  // one event (of a bundle, or a plain record)
  void note_ts(int64_t ts_ns);
  void account_seq(ProducerHealth& producer, uint32_t seq);
  void start_perf_window(int64_t ts_ns);
  void fold_loop(ProducerHealth& producer, const Record& record);
  void add_event(const Record& record);
  bool in_window(int64_t ts_ns) const;
  OpenMap::iterator deliver(OpenMap::iterator it, Ending ending);
  void classify(Lifecycle& lifecycle) const;
  void evict_orphans();
  void evict_oldest();
  ProducerHealth& producer(uint16_t id);

  LifecycleConsumer& consumer_;
  AssemblerOptions options_;
  TraceHealth health_;
  OpenMap open_;
  std::vector<uint64_t> completed_in_pass_;
  std::optional<uint64_t> perf_end_pass_;
  int64_t next_sweep_ts_ns_ = 0;
  bool finished_ = false;
  uint16_t cached_producer_id_ = 0;
  ProducerHealth* cached_producer_ = nullptr;
  // The lifecycle the last event went to: a bundle's events, and most of a request's records in one pass,
  // follow one another. Map nodes stay put on rehash; deliver() clears it before erasing.
  uint64_t cached_open_id_ = 0;
  Open* cached_open_ = nullptr;
};

}  // namespace ie::trace
