#pragma once
// The trace recorder: the one consumer of every producer's TraceRing. A dedicated thread sweeps all rings
// every drain period ("a pass"), hands each pass to the live listeners and appends it to the trace file.
//
// Pass order (consumers rely on it): each pass drains the non-worker producers first, in descending id
// (kEngineProducer, kCollectorProducer, kTraceProducer, ...: every id >= kTraceProducer), then the workers
// in ascending id. The collector emits COMPLETE for a request only after the worker emitted all of that
// request's events (the finished request reaches the collector through a queue), so draining the collector
// before the workers guarantees: by the end of the pass that contains a request's COMPLETE, every event of
// that request has been delivered (some possibly later in the same pass, after the COMPLETE). Within a pass,
// each producer's records are contiguous and in its emit order.
//
// Drops: when a producer's ring was full, its lost records leave a gap in its seq. When a pass sees a
// producer's drop count grown, it appends after that producer's records a TRACE_DROPS record with
// producer = the producer that lost records, payload = its cumulative drops, id = 0, ts = when the recorder
// noticed. The recorder synthesizes it: its seq is 0 and is not part of the producer's sequence, so seq gap
// counting must skip TRACE_DROPS records.
//
// Lifecycle: construct (opens "<file>.partial"), add_producer / add_listener, start, run, then finish() once
// every producer has stopped emitting (its thread joined). finish() runs the last pass, writes the footer,
// fsyncs and renames the file into place. If finish() is never called (an error unwinds), the destructor does
// the same with the footer marked interrupted, so what was recorded is kept.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "trace/emitter.h"
#include "trace/live_dir.h"
#include "trace/record.h"
#include "trace/trace_file.h"
#include "trace/trace_ring.h"

namespace ie::trace {

// A gap this long between passes is worth explaining even when the rings held it: 10x the default period,
// and a tenth of what a worker's ring holds at full speed.
inline constexpr std::chrono::milliseconds kNotableDrainGap{50};

struct RecorderOptions {
  std::string file_path;       // empty: no file (live listeners only)
  uint32_t sample_one_in = 1;  // recorded in the header
  // Records per producer, a power of two. 256 Ki records (8 MiB) hold ~0.5 s of a worker at its full rate
  // here: the longest the draining thread was seen held up was 240 ms. A bigger ring costs memory and a
  // one-off zeroing at setup, not time per record: only the lines between producer and drain are in use.
  size_t ring_capacity = 1 << 18;
  std::string metadata_json;   // free-form run description stored in the header (mode, model, ...)
  double tsc_ns_per_tick = 0;  // the producers' TSC calibration (common/tsc_clock.h), in the header
  // A pass costs a wake-up on a core the client needs, and records that wait longer have left the core's
  // caches by the time they are read: 1 ms costs the most, 2 and 3 ms more than 10, 5 ms the least
  // (docs/PERFORMANCE.md §5). The rings hold far more (ring_capacity).
  std::chrono::microseconds drain_period{5'000};
  // A gap between passes at least this long is explained in the run's log from the draining thread's own
  // accounting (DrainGap). Reading it costs ~8 us (a /proc file), 0.2-0.3 % of the client's throughput if
  // done every pass (docs/PERFORMANCE.md §5), so it is read every kAccountingPasses passes and once more
  // after such a gap.
  std::chrono::nanoseconds explain_gaps_from{kNotableDrainGap};
};

// The draining thread's longest gap between the starts of two passes, and what the thread went through in
// it: a ring must hold that long. Tells a scheduling delay (runnable, waiting for a CPU) from a stall off the
// CPU (a major page fault reading from disk, a lock, a slow system call) and from the host pausing the VM's
// CPU (steal). -1: unknown (no /proc schedstat,
// or a gap shorter than RecorderOptions::explain_gaps_from, which is not accounted).
struct DrainGap {
  int64_t gap_ns = 0;
  // Wall time of the pass that opened the gap: long means blocked inside it (a lock), short with a long gap
  // means the sleep overran its timer (a late wake-up, or the vCPU paused by the host).
  int64_t pass_ns = -1;
  // The accounting below covers this span, which ends where the gap ends: the gap and the few passes before
  // it since the thread last read its accounting (at most kAccountingPasses).
  int64_t accounted_ns = -1;
  int64_t on_cpu_ns = -1;           // the thread ran this long
  int64_t waiting_for_cpu_ns = -1;  // runnable but not running
  int64_t major_faults = -1;        // page faults that had to wait for a read from disk
  // CPU time the hypervisor took from this VM's CPUs (steal), all CPUs together, in 10 ms ticks: a vCPU
  // paused by the host stops the thread without it being blocked or runnable in the guest's eyes.
  int64_t steal_ns = -1;
  bool operator==(const DrainGap&) const = default;
};

// How often (in passes) the draining thread reads its own accounting when no gap needs explaining.
constexpr uint32_t kAccountingPasses = 16;

struct RecorderStats {
  std::vector<ProducerTotals> producers;  // ascending producer id
  uint64_t passes = 0;                    // drain passes run so far
  uint64_t records_written = 0;           // records delivered (TRACE_DROPS included)
  uint64_t bytes_written = 0;             // trace file bytes handed to the kernel
  std::string file_error;                 // empty, or why the trace file could not be written
  DrainGap longest_drain_gap;
};

// One line for the run's log: "2716491 records (0 lost), 9.5 MB; rings drained at least every 12 ms",
// naming each producer that lost records ("(5120 lost: 5120 from worker 0)") and, after a loss or a gap of
// 50 ms or more, what held the draining thread up ("(waiting for a CPU 180 ms, 2 major page faults)").
std::string describe(const RecorderStats& stats);

class Recorder {
 public:
  using Listener = std::function<void(std::span<const Record>)>;

  // Validates the options, creates the live directory and, with a file path, opens "<file_path>.partial" and
  // writes the header. Throws ie::Error(invalid_input) for bad options and ie::Error(setup) naming the path
  // and the OS reason when a file or directory cannot be created.
  explicit Recorder(RecorderOptions options);
  // Without a prior finish(): finish(true), swallowing errors.
  ~Recorder();
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  // Before start(): a ring for `producer` (unique) and the emitter that writes into it. The emitter works at
  // once (records wait in the ring for the first pass) and stays valid until the Recorder is destroyed.
  // `ring_capacity` (a power of two) overrides the options' for a producer that emits in bursts. Throws
  // std::logic_error on misuse.
  Emitter add_producer(uint16_t producer, size_t ring_capacity = 0);
  // Before start(): called with every non-empty pass, in order, on the recorder thread (the last pass: on the
  // thread calling finish()). Must not throw and should return quickly: the rings fill while it runs.
  void add_listener(Listener listener);

  // Starts the recorder thread, which sleeps drain_period between passes, and a status thread, which
  // refreshes status.json in the live directory about once a second.
  void start();
  // Stops the thread, runs the final pass, writes the footer (marked `interrupted` if so), fsyncs and renames
  // "<file_path>.partial" to file_path. Idempotent. Throws ie::Error(execution) if the file could not be
  // written (the .partial file is then left in place).
  void finish(bool interrupted);

  // Any thread, any time. Exact once finish() has returned; a snapshot while running.
  RecorderStats stats() const;
  // The private live directory (holds status.json); removed when the Recorder is destroyed.
  const std::string& live_dir_path() const { return live_dir_.path(); }
  // What the producers extrapolate trace-only timestamps with (RecorderOptions).
  double tsc_ns_per_tick() const { return options_.tsc_ns_per_tick; }
  // Where the file is written until finish() renames it.
  std::string partial_path() const { return options_.file_path + ".partial"; }

 private:
  struct Producer {
    Producer(uint16_t id_, size_t capacity) : id(id_), ring(capacity) {}
    const uint16_t id;
    TraceRing ring;
    std::atomic<uint64_t> written{0};  // records taken off the ring; only the draining thread writes it
    uint64_t dropped_reported = 0;     // drop count in the last TRACE_DROPS record
  };

  void run() noexcept;
  void run_pass();
  void finish_file(bool interrupted);
  void write_status(const char* state) noexcept;
  void refresh_status() noexcept;
  std::vector<ProducerTotals> totals() const;
  void set_file_error(std::string error);

  const RecorderOptions options_;
  LiveDir live_dir_;
  std::unique_ptr<TraceWriter> writer_;               // null without a file, and after finish
  std::vector<std::unique_ptr<Producer>> producers_;  // in drain order
  std::vector<Listener> listeners_;
  std::vector<Record> pass_records_;  // scratch, reused every pass
  std::thread thread_;
  std::atomic<bool> stop_{false};
  bool started_ = false;
  bool finished_ = false;
  // The status thread: rewrites status.json about once a second until told to stop.
  std::thread status_thread_;
  std::mutex status_mutex_;
  std::condition_variable status_cv_;
  bool status_stop_ = false;  // guarded by status_mutex_
  // Written by the draining thread, read by stats() from any thread.
  std::atomic<uint64_t> passes_{0};
  std::atomic<uint64_t> records_written_{0};
  std::atomic<uint64_t> bytes_written_{0};
  mutable std::mutex gap_mutex_;
  DrainGap longest_drain_gap_;  // guarded by gap_mutex_; written when a pass starts after a longer gap
  mutable std::mutex error_mutex_;
  std::string file_error_;  // guarded by error_mutex_
};

}  // namespace ie::trace
