// Producer-side cost of a trace event (Emitter::emit) and consumer-side cost of encoding it to the file.
// Run: trace_emit_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
//   BM_EmitDisabled             tracing off: the one branch every emit site pays
//   BM_EmitIntoDrainedRing      tracing on, a Recorder thread draining every 1 ms (the real arrangement);
//                               arg = log2 ring capacity. The loop emits far faster than any worker does,
//                               so a small ring overflows: "drop_rate" says how many emits took the full
//                               path.
//   BM_EmitIntoRingThatNeverFills  tracing on, the ring drained between batches outside the timed region
//   BM_EncodePass               the recorder thread's encoding + write cost per record, and bytes per record
//   BM_ClockMonotonic / BM_TscClockNow  a real CLOCK_MONOTONIC reading (vDSO) against a TSC extrapolation
//                               from an anchor (common/tsc_clock.h), as the worker takes trace-only readings

#include <benchmark/benchmark.h>

#include <atomic>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/tsc_clock.h"
#include "trace/emitter.h"
#include "trace/live_dir.h"
#include "trace/recorder.h"
#include "trace/trace_file.h"
#include "trace/trace_ring.h"

namespace ie::trace {
namespace {

// The emitter escapes and memory is clobbered every iteration, so the compiler can neither hoist the
// enabled check out of the loop nor drop the stores: each iteration is one real emit site.
void BM_EmitDisabled(benchmark::State& state) {
  Emitter emitter;
  benchmark::DoNotOptimize(emitter);
  uint64_t i = 0;
  for (auto _ : state) {
    benchmark::ClobberMemory();
    emitter.emit(Event::written, i, static_cast<int64_t>(i));
    ++i;
  }
}
BENCHMARK(BM_EmitDisabled);

// The realistic arrangement: a Recorder thread on the other core drains the ring every 1 ms, so the slots a
// producer writes were last read by another core. The producer emits a batch that fits the ring, then (not
// timed) waits for the recorder to take it: nothing is dropped, and the ring wraps every other batch.
void BM_EmitDrainedByRecorder(benchmark::State& state) {
  constexpr int64_t kBatch = int64_t{1} << 15;
  RecorderOptions options;
  options.ring_capacity = size_t{1} << 16;
  Recorder recorder(options);
  Emitter emitter = recorder.add_producer(0);
  std::atomic<uint64_t> delivered{0};
  // Release pairs with the benchmark thread's acquire: once it sees the count, those slots are consumed.
  recorder.add_listener([&](std::span<const Record> pass) {
    delivered.store(delivered.load(std::memory_order_relaxed) + pass.size(), std::memory_order_release);
  });
  benchmark::DoNotOptimize(emitter);
  recorder.start();
  uint64_t i = 0;
  while (state.KeepRunningBatch(kBatch)) {
    for (int64_t n = 0; n < kBatch; ++n) {
      benchmark::ClobberMemory();
      emitter.emit(Event::written, i, static_cast<int64_t>(i), i);
      ++i;
    }
    state.PauseTiming();
    while (delivered.load(std::memory_order_acquire) < i) std::this_thread::yield();
    state.ResumeTiming();
  }
  recorder.finish(false);
  if (recorder.stats().producers[0].dropped != 0) state.SkipWithError("records were dropped");
}
BENCHMARK(BM_EmitDrainedByRecorder)->UseRealTime();

// Overload: the loop emits far faster than the recorder's 1 ms drain can take (no real worker does), so the
// ring overflows; "drop_rate" is the share of emits that took the drop path.
void BM_EmitOverloadingRecorder(benchmark::State& state) {
  RecorderOptions options;
  options.ring_capacity = size_t{1} << 16;
  Recorder recorder(options);
  Emitter emitter = recorder.add_producer(0);
  benchmark::DoNotOptimize(emitter);
  recorder.start();
  uint64_t i = 0;
  for (auto _ : state) {
    benchmark::ClobberMemory();
    emitter.emit(Event::written, i, static_cast<int64_t>(i), i);
    ++i;
  }
  recorder.finish(false);
  RecorderStats stats = recorder.stats();
  state.counters["drop_rate"] =
      static_cast<double>(stats.producers[0].dropped) / static_cast<double>(stats.producers[0].emitted);
}
BENCHMARK(BM_EmitOverloadingRecorder)->UseRealTime();

void BM_EmitIntoRingThatNeverFills(benchmark::State& state) {
  constexpr int64_t kBatch = 1024;
  TraceRing ring(kBatch);
  Emitter emitter(&ring, 0);
  benchmark::DoNotOptimize(emitter);
  uint64_t i = 0;
  uint64_t drained = 0;
  while (state.KeepRunningBatch(kBatch)) {
    for (int64_t n = 0; n < kBatch; ++n) {
      benchmark::ClobberMemory();
      emitter.emit(Event::written, i, static_cast<int64_t>(i), i);
      ++i;
    }
    state.PauseTiming();
    drained += ring.drain([](const Record& r) { benchmark::DoNotOptimize(r); });
    state.ResumeTiming();
  }
  if (ring.dropped() != 0) state.SkipWithError("the ring filled up");
  benchmark::DoNotOptimize(drained);
}
BENCHMARK(BM_EmitIntoRingThatNeverFills);

void BM_ClockMonotonic(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(now_ns());
}
BENCHMARK(BM_ClockMonotonic);

// Re-anchored every 64 readings, about as often as a busy reactor turn takes several trace-only readings.
void BM_TscClockNow(benchmark::State& state) {
  const double ns_per_tick = TscClock::calibrate(5'000'000);
  if (ns_per_tick == 0) {
    state.SkipWithError("no invariant TSC");
    return;
  }
  TscClock clock(ns_per_tick);
  uint64_t n = 0;
  for (auto _ : state) {
    if ((n++ & 63) == 0) clock.anchor(now_ns());
    benchmark::DoNotOptimize(clock.now());
  }
}
BENCHMARK(BM_TscClockNow);

// One ~1 ms pass of a busy streaming run: two workers with 64 requests each in flight, the collector's two
// events per request first (the recorder's drain order), ~1,500 records in all.
std::vector<Record> typical_pass(uint64_t pass) {
  std::vector<Record> records;
  uint32_t seq[3] = {static_cast<uint32_t>(pass * 230), static_cast<uint32_t>(pass * 635),
                     static_cast<uint32_t>(pass * 635)};
  int64_t base_ns = static_cast<int64_t>(pass) * 1'000'000;
  for (uint64_t r = 0; r < 115; ++r) {
    uint64_t id = pass * 115 + r;
    records.push_back(
        {base_ns + int64_t(r) * 8'700, id, 0, uint16_t(Event::main_received), kCollectorProducer, seq[2]++});
    records.push_back(
        {base_ns + int64_t(r) * 8'700 + 900, id, 0, uint16_t(Event::complete), kCollectorProducer, seq[2]++});
  }
  const Event lifecycle[] = {Event::issued,         Event::worker_received, Event::encoded,
                             Event::conn_acquired,  Event::written,         Event::response_headers,
                             Event::response_bytes, Event::recv_first,      Event::response_done,
                             Event::sse_parse,      Event::queued};
  for (uint16_t worker = 0; worker < 2; ++worker) {
    int64_t ts = base_ns + worker;
    for (int n = 0; n < 635; ++n) {
      ts += 1'570;
      uint64_t id = pass * 115 + static_cast<uint64_t>((n * 37) % 64) + worker * 64;
      Event event = lifecycle[n % 11];
      uint64_t payload = event == Event::worker_received || event == Event::sse_parse ? 4'000 + n : 0;
      records.push_back({ts, id, payload, uint16_t(event), worker, seq[worker]++});
    }
  }
  return records;
}

void BM_EncodePass(benchmark::State& state) {
  LiveDir dir;  // scratch space, removed afterwards
  TraceWriter writer(dir.path() + "/bench.trace", TraceHeader{});
  std::vector<std::vector<Record>> passes;
  for (uint64_t p = 0; p < 64; ++p) passes.push_back(typical_pass(p));
  uint64_t header_bytes = writer.bytes_written();
  uint64_t pass = 0;
  for (auto _ : state) {
    if (!writer.append_pass(pass, passes[pass % passes.size()])) state.SkipWithError(writer.error().c_str());
    ++pass;
  }
  double records = static_cast<double>(writer.records_written());
  state.SetItemsProcessed(static_cast<int64_t>(writer.records_written()));
  state.counters["bytes_per_record"] = static_cast<double>(writer.bytes_written() - header_bytes) / records;
  state.counters["ns_per_record"] =
      benchmark::Counter(records, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_EncodePass)->UseRealTime();

}  // namespace
}  // namespace ie::trace
