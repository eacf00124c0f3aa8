#pragma once
// Stages of a request and the table folded from them (`trace stats`).
//
// Partition. A complete lifecycle is cut into consecutive stages, each ending at a real event and beginning
// where the previous one ended (the first at ISSUED), so the stage durations sum exactly to E2E
// (ISSUED -> COMPLETE) for every request:
//
//   stage                    ends at            class         what the time is
//   schedule lag             WORKER_RECEIVED    backpressure  released by the load pattern, worker not free
//   encode                   ENCODED            client        choosing the request bytes
//   connection wait          CONN_ACQUIRED      backpressure  waiting for / opening a connection
//   write                    WRITTEN            client        writev into the kernel
//   server to headers        RESPONSE_HEADERS   server        first byte of work on the server side
//   headers to first chunk   RESPONSE_BYTES     server        (offline: "headers to response", whole body)
//   first to last chunk      RESPONSE_DONE      server        streaming only: generation
//   hand-off                 QUEUED             client        final decode, push to the collector queue
//   collector pickup         MAIN_RECEIVED      client        waiting in the queue
//   fold                     COMPLETE           client        folding into the metrics
//
// Classes. client + server + backpressure = E2E exactly. SSE_PARSE reports client CPU spent decoding the
// stream, which happens while the server-looking stream rows (RESPONSE_HEADERS -> RESPONSE_DONE) run. So the
// class totals move carved = min(SSE_PARSE payload, RESPONSE_DONE - RESPONSE_HEADERS) from server to client;
// the cap keeps the server share non-negative and the identity exact (StageTable counts capped requests).
// The stage rows themselves stay as measured; "sse parse (client cpu)" is a separate row outside the
// partition, as is TTFT (ISSUED -> RECV_FIRST).
//
// Table. Only counted lifecycles (lifecycle.h) that completed ok with every expected event and
// non-decreasing stage boundaries are folded; every row is over that same population, so a stage's %E2E is
// its mean over the mean E2E of the same requests and the partition rows' %E2E add up to 100. Coverage says
// how many counted lifecycles were seen and why the others were left out.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "trace/lifecycle.h"

namespace ie::trace {

// --- stages --------------------------------------------------------------------------------------------

enum class StageClass : uint8_t { client, server, backpressure };
constexpr size_t kStageClassCount = 3;
std::string_view stage_class_name(StageClass cls);

enum class StageRow : uint8_t {
  schedule_lag,
  encode,
  connection_wait,
  write,
  server_headers,
  response_start,  // headers -> first chunk (streaming) / -> response (offline)
  stream,          // streaming only
  hand_off,
  pickup,
  fold,
};
constexpr size_t kStageRowCount = 10;

struct StageSpec {
  StageRow row;
  Event begin;
  Event end;
  StageClass cls;
  std::string_view key;    // stable, for JSON
  std::string_view label;  // for tables and exports
};

// The stages of one mode in timeline order (10 streaming, 9 offline).
std::span<const StageSpec> stage_specs(bool streaming);

struct Stage {
  const StageSpec* spec = nullptr;
  int64_t begin_ns = 0;
  int64_t end_ns = 0;
  int64_t duration_ns() const { return end_ns - begin_ns; }
};

struct StagePartition {
  bool valid = false;  // the lifecycle was complete; nothing below is meaningful otherwise
  bool streaming = false;
  bool monotonic = false;  // no stage is negative (boundaries in time order)
  size_t stage_count = 0;
  std::array<Stage, kStageRowCount> stages{};
  int64_t e2e_ns = 0;
  int64_t sse_parse_ns = 0;         // the SSE_PARSE payload as reported
  int64_t sse_parse_carved_ns = 0;  // the part moved from server to client (see the header comment)
  std::array<int64_t, kStageClassCount> class_ns{};  // by StageClass; sums to e2e_ns exactly
  std::optional<int64_t> ttft_ns;                    // ISSUED -> RECV_FIRST when a token arrived

  std::span<const Stage> view() const { return {stages.data(), stage_count}; }
};

// Cuts a lifecycle into its stages; valid only when lifecycle.complete.
StagePartition partition(const Lifecycle& lifecycle);

// --- table ---------------------------------------------------------------------------------------------

struct Coverage {
  uint64_t seen = 0;          // counted lifecycles delivered
  uint64_t folded = 0;        // complete, ok, in order: in the table
  uint64_t failed = 0;        // COMPLETE with a failure outcome
  uint64_t incomplete = 0;    // ok but missing events (lost records)
  uint64_t orphaned = 0;      // no COMPLETE (evicted or unfinished at the end)
  uint64_t out_of_order = 0;  // complete but a boundary precedes the previous one
};

struct Verdict {
  bool valid = false;                                // at least one folded request with a non-zero E2E
  std::array<double, kStageClassCount> share_pct{};  // by StageClass; sums to 100 when valid
  uint64_t sse_parse_capped = 0;                     // requests whose SSE_PARSE exceeded its stream window
};

// One line of the table: a partition row, E2E, or a row outside the partition.
struct TableRow {
  std::string_view key;
  std::string_view label;
  std::optional<StageClass> cls;
  std::optional<Event> begin;  // absent for the SSE parse row, which is a payload, not an interval
  std::optional<Event> end;
  bool in_partition = false;
  const DurationStats* stats = nullptr;
  double pct_of_e2e = 0;  // row mean / E2E mean over the same requests
};

struct StageTableOptions {
  uint32_t sample_one_in = 1;  // the trace's sampling rate: totals are scaled by it, distributions are not
};

class StageTable final : public LifecycleConsumer {
 public:
  explicit StageTable(StageTableOptions options = {});

  // Folds a counted lifecycle (others are ignored) and updates the coverage.
  void on_lifecycle(const Lifecycle& lifecycle) override;
  // Back to empty (PERF_START).
  void on_perf_start(int64_t ts_ns) override;

  // The rows in display order for the layout the data calls for: streaming when any folded request
  // streamed. Pointers stay valid for the table's lifetime.
  std::vector<TableRow> rows() const;
  bool streaming() const;
  const Coverage& coverage() const { return coverage_; }
  Verdict verdict() const;
  uint32_t sample_one_in() const { return options_.sample_one_in; }

 private:
  struct Row {
    DurationStats stats;
    __int128 e2e_sum_ns = 0;  // E2E of the same requests, for %E2E
  };
  void fold(const StagePartition& partition);
  static TableRow make_row(const Row& row, std::string_view key, std::string_view label,
                           std::optional<StageClass> cls, std::optional<Event> begin,
                           std::optional<Event> end, bool in_partition);

  StageTableOptions options_;
  std::array<Row, kStageRowCount> stages_;
  Row e2e_;
  Row sse_parse_;
  Row ttft_;
  std::array<__int128, kStageClassCount> class_sum_ns_{};
  Coverage coverage_;
  uint64_t sse_parse_capped_ = 0;
};

// --- output --------------------------------------------------------------------------------------------

// Plain text (no colour): the lifecycle table (ms, 3 decimals, aligned columns), coverage, verdict, the
// per-producer loop and loss table, and a trace summary line. Ends with a newline.
std::string render_stage_table(const StageTable& table, const TraceHealth& health);

// The same numbers in ns (integers) for `trace stats --json`.
nlohmann::json to_json(const StageTable& table, const TraceHealth& health);

}  // namespace ie::trace
