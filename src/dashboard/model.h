#pragma once
// The `-vvv` dashboard's model: everything one frame shows, as plain numbers (render.h turns it into text),
// and DashboardFold, which builds it from passes of trace records. Pure: no clock reads (time comes in as
// arguments), no I/O, no formatting.
//
// Sources. Lifecycles come from trace::LifecycleAssembler (perf window, warmup exclusion by id bit, orphans),
// stage rows, %E2E and the verdict from trace::StageTable (exact per-request partition: the class shares sum
// to 100 %), loop lag and losses from trace::TraceHealth. PERF_START resets everything folded; PERF_END
// freezes the folds (the assembler counts only lifecycles inside the window) and the status becomes DONE.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "dashboard/recent_window.h"
#include "metrics/live_latencies.h"
#include "trace/lifecycle.h"
#include "trace/stage_table.h"

namespace ie::dashboard {

// --- thresholds (spec §5, §7, §9.1) ----------------------------------------------------------------------

constexpr double kHeatWarnPct = 15.0;
constexpr double kHeatCriticalPct = 25.0;
constexpr double kBackpressureChipPct = 20.0;  // backpressure share of mean E2E that lights the chip
constexpr int64_t kHotWorkerP99Ns = 5'000'000;
constexpr int64_t kLagP99WarnNs = 1'000'000;
constexpr int64_t kLagP99CriticalNs = 10'000'000;
constexpr int64_t kLagMaxWarnNs = 10'000'000;
constexpr int64_t kLagMaxCriticalNs = 50'000'000;
constexpr size_t kTopWorkers = 16;
constexpr int kBarCells = 80;
constexpr int64_t kTailMinQuietNs = 600'000'000;  // never call TAIL sooner than this
constexpr int64_t kTailGapFactor = 5;             // ... nor before 5 mean inter-arrival gaps

enum class Heat : uint8_t { none, warn, critical };
// Heat of a share of E2E: >= 25 % critical, >= 15 % warn.
Heat heat_of_pct(double pct);

enum class Status : uint8_t { live, tail, backpressure, tail_backpressure, done };

// --- the model -----------------------------------------------------------------------------------------

// One distribution row: lifecycle stage, E2E total, a worker's loop lag or a LOADGEN latency. Times in ns.
using DistRow = metrics::DistSummary;
DistRow dist_row(const trace::DurationStats& stats);

struct StageLine {
  trace::StageRow row = trace::StageRow::schedule_lag;
  trace::StageClass cls = trace::StageClass::client;
  DistRow dist;
  double pct_e2e = 0;  // mean over mean E2E of the same requests
  Heat heat = Heat::none;
};

struct Header {
  int64_t uptime_ns = 0;  // since PERF_START (else the first record), frozen at PERF_END
  Status status = Status::live;
  double req_per_s = 0;  // completed / (first record or PERF_START .. last COMPLETE)
  uint64_t issued = 0;   // non-warmup ISSUED inside the perf window
  uint64_t completed = 0;
  uint64_t dropped_records = 0;     // every producer's lost records, whole run
  std::optional<double> tok_per_s;  // unknown to the trace; the lead fills it from the client's metrics
};

struct VerdictShares {
  bool valid = false;
  std::array<double, trace::kStageClassCount> pct{};  // by StageClass; sums to 100 when valid
  std::array<Heat, trace::kStageClassCount> heat{};   // server never heats (a high server share is healthy)
};

struct BarSegment {
  trace::StageClass cls = trace::StageClass::client;
  int cells = 0;
};

enum class Leaf : uint8_t { pickup_ipc, encode, tcp_acquire, sse_decode, final_decode, complete_ipc, fold };
constexpr size_t kLeafCount = 7;

// One leaf of the backpressure cause tree, with its own measured interval. Model::tree is indexed by Leaf.
struct TreeLeaf {
  bool measured = false;  // the layout has this interval (sse-decode: streaming only)
  double mean_ns = 0;
  double pct_e2e = 0;
  Heat heat = Heat::none;
};

struct LagLine {
  uint16_t producer = 0;  // worker id, or a named producer (collector, engine)
  DistRow dist;
  Heat p99_heat = Heat::none;  // > 1 ms warn, > 10 ms critical
  Heat max_heat = Heat::none;  // > 10 ms warn, > 50 ms critical
};

struct LoopPanel {
  bool has_data = false;     // any LOOP_LAG inside the window
  int64_t fleet_p99_ns = 0;  // median over workers of each worker's p99
  size_t hot_workers = 0;    // p99 >= 5 ms
  size_t total_workers = 0;
  Heat hot_heat = Heat::none;    // critical when more than half are hot, warn when any
  std::vector<LagLine> named;    // non-worker producers with loop records, first
  std::vector<LagLine> workers;  // top 16 by max lag, descending (ties: lower id first)
  size_t workers_not_shown = 0;
};

// The client's connection pool. Every open connection is busy (carrying a request, which includes one still
// connecting) or idle.
struct ConnectionCounts {
  uint32_t open = 0;
  uint32_t busy = 0;
  uint32_t connecting = 0;  // part of busy
  uint32_t idle() const { return open > busy ? open - busy : 0; }
};

// The client's own counts and latencies (its metrics, not the trace's), fed by the caller: live from the
// engine's progress (latencies from the collector's 3-digit histograms), final from the run's exact metrics.
// Spec §6: authoritative numbers.
struct Loadgen {
  bool final = false;     // from the finished run's metrics
  bool stopping = false;  // interrupted: no new requests, waiting for the in-flight ones
  uint64_t issued = 0;
  uint64_t completed = 0;
  uint64_t errors = 0;
  int64_t duration_ns = 0;                      // the window the rates are over
  std::optional<double> output_tokens;          // total output tokens of the successes, when known
  std::optional<ConnectionCounts> connections;  // the client pool's own gauges (no /proc scan)
  DistRow ttft;                                 // n == 0: not known (yet)
  DistRow tpot;
  DistRow e2e;
};

struct Model {
  Header header;
  Recent recent;                  // req/s and p99 E2E over the last whole seconds, with per-second history
  bool frozen = false;            // PERF_END seen: lifecycle, verdict, bar and tree no longer change
  bool streaming = false;         // layout
  bool has_requests = false;      // at least one request fully traced; otherwise the panels show hints
  std::vector<StageLine> stages;  // partition rows in timeline order; they sum to E2E
  DistRow e2e;
  VerdictShares verdict;
  uint64_t traced = 0;                      // folded into the table: "N traced of header.completed"
  trace::Coverage coverage;                 // why the others were left out (failed, missing events, ...)
  std::vector<BarSegment> bar;              // cells sum to kBarCells when has_requests, else empty
  std::array<TreeLeaf, kLeafCount> tree{};  // by Leaf, in display order
  LoopPanel loop;
  std::optional<Loadgen> loadgen;  // absent until the caller feeds one (render skips the panel)
};

// --- pure helpers (tested alone) -----------------------------------------------------------------------

struct Share {
  trace::StageClass cls;
  double pct;
};
// Cumulative-boundary rounding: segment i ends at round(cum_i / total * cells). Widths always sum to `cells`
// whatever the shares sum to; zero-width segments are dropped. Empty when the total is not positive.
std::vector<BarSegment> bar_segments(std::span<const Share> shares, int cells = kBarCells);

// Median of worker p99s (mean of the two middle ones for an even count); 0 when empty.
int64_t median_ns(std::vector<int64_t> values);

// --- folding -------------------------------------------------------------------------------------------

class DashboardFold final : public trace::LifecycleConsumer {
 public:
  // sample_one_in: the trace's sampling rate (1 in N requests traced); header counts and rates are scaled
  // by it, distributions are not.
  explicit DashboardFold(uint32_t sample_one_in = 1, trace::AssemblerOptions options = {});
  DashboardFold(const DashboardFold&) = delete;
  DashboardFold& operator=(const DashboardFold&) = delete;

  // One recorder pass (see lifecycle.h for the pass contract).
  void feed_pass(std::span<const trace::Record> pass);
  // End of stream: open lifecycles are delivered (and counted as not traced). Idempotent.
  void finish();
  // The frame at `now_ns` (CLOCK_MONOTONIC, the records' clock).
  Model snapshot(int64_t now_ns) const;

  const trace::TraceHealth& health() const { return assembler_.health(); }

  void on_lifecycle(const trace::Lifecycle& lifecycle) override;
  void on_perf_start(int64_t ts_ns) override;

 private:
  void count_issued(std::span<const trace::Record> pass);
  void note_issued(int64_t ts_ns);
  bool is_tail(int64_t now_ns) const;
  Header header(int64_t now_ns, const trace::Verdict& verdict) const;
  int64_t start_ns() const;

  const uint32_t sample_one_in_;
  trace::StageTable table_;
  RecentWindow recent_;
  trace::LifecycleAssembler assembler_;  // after table_: it delivers into *this, which forwards to table_
  uint64_t issued_ = 0;
  uint64_t completed_ = 0;
  int64_t last_issued_ns_ = 0;
  int64_t last_complete_ns_ = 0;
  // Recent arrival rate: ISSUED count and latest ts at two checkpoints, refreshed every kGapWindow arrivals.
  struct Checkpoint {
    uint64_t issued = 0;
    int64_t ts_ns = 0;
  };
  Checkpoint older_;
  Checkpoint newer_;
  std::vector<int64_t> previous_pass_issued_ns_;  // the last pass's counted ISSUED (see on_perf_start)
};

}  // namespace ie::dashboard
