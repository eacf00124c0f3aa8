#include "trace/lifecycle.h"

#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "record_builder.h"

namespace ie::trace {
namespace {

constexpr int64_t kT0 = 1'000'000'000'000;  // monotonic ns: never 0, far from the epoch
constexpr uint16_t kWorker = 3;

// Whole requests as their producers emit them.
class Records : public testing::RecordBuilder {
 public:
  // One request in pass order: the collector's records first, then the worker's, all in one pass.
  std::vector<Record> request(uint64_t id, int64_t t, bool streaming, uint64_t outcome = 0) {
    std::vector<Record> out;
    const int64_t done = streaming ? t + 1'153'500 : t + 60'900;
    out.push_back(make(Event::main_received, kCollectorProducer, done + 10'500, id));
    out.push_back(make(Event::complete, kCollectorProducer, done + 11'500, id, outcome));
    out.push_back(make(Event::issued, kWorker, t, id));
    out.push_back(make(Event::worker_received, kWorker, t + 1'000, id, 1'000));
    out.push_back(make(Event::encoded, kWorker, t + 1'000, id));
    out.push_back(make(Event::conn_acquired, kWorker, t + 3'000, id));
    out.push_back(make(Event::written, kWorker, t + 3'500, id));
    out.push_back(make(Event::response_headers, kWorker, t + 103'500, id));
    out.push_back(make(Event::response_bytes, kWorker, t + (streaming ? 153'500 : 60'900), id));
    if (streaming) {
      out.push_back(make(Event::recv_first, kWorker, t + 153'500, id));
      out.push_back(make(Event::response_done, kWorker, done, id));
      out.push_back(make(Event::sse_parse, kWorker, done + 500, id, 20'000));
    }
    out.push_back(make(Event::queued, kWorker, done + 500, id));
    return out;
  }
};

struct Collected final : LifecycleConsumer {
  void on_lifecycle(const Lifecycle& lifecycle) override { lifecycles.push_back(lifecycle); }
  void on_perf_start(int64_t ts_ns) override { perf_starts.push_back(ts_ns); }
  std::vector<Lifecycle> lifecycles;
  std::vector<int64_t> perf_starts;
};

std::vector<Record> without(std::vector<Record> records, Event event) {
  std::erase_if(records, [&](const Record& r) { return r.event == static_cast<uint16_t>(event); });
  return records;
}

TEST(LifecycleAssembler, StreamingRequestIsCompleteWithEveryTimestampItsOutcomeAndSseParse) {
  Records rec;
  Collected got;
  LifecycleAssembler assembler(got);
  assembler.feed_pass(rec.request(7, kT0, true));

  ASSERT_EQ(got.lifecycles.size(), 1u);
  const Lifecycle& lc = got.lifecycles[0];
  EXPECT_EQ(lc.id, 7u);
  EXPECT_EQ(lc.worker, kWorker);
  EXPECT_TRUE(lc.streaming);
  EXPECT_TRUE(lc.complete);
  EXPECT_TRUE(lc.counted);
  EXPECT_FALSE(lc.warmup);
  EXPECT_EQ(lc.ending, Ending::completed);
  EXPECT_EQ(lc.outcome, 0u);
  EXPECT_EQ(lc.sse_parse_ns, 20'000);
  EXPECT_EQ(lc.at(Event::issued), kT0);
  EXPECT_EQ(lc.at(Event::conn_acquired), kT0 + 3'000);
  EXPECT_EQ(lc.at(Event::recv_first), kT0 + 153'500);
  EXPECT_EQ(lc.at(Event::complete), kT0 + 1'165'000);
  EXPECT_EQ(assembler.open_count(), 0u);
  EXPECT_EQ(assembler.health().lifecycles_completed, 1u);
}

TEST(LifecycleAssembler, OfflineRequestIsCompleteWithoutStreamEvents) {
  Records rec;
  Collected got;
  LifecycleAssembler assembler(got);
  assembler.feed_pass(rec.request(8, kT0, false));
  ASSERT_EQ(got.lifecycles.size(), 1u);
  EXPECT_FALSE(got.lifecycles[0].streaming);
  EXPECT_TRUE(got.lifecycles[0].complete);
}

// The same request as the engine emits it with bundles: ISSUED leads WORKER_RECEIVED's bundle by the
// schedule lag, MAIN_RECEIVED leads COMPLETE's by the fold time, other payload-free events share a record
// with the one before them when they happened at the same instant.
std::vector<Record> bundled(const std::vector<Record>& plain) {
  auto is = [](const Record& r, Event e) { return r.event == static_cast<uint16_t>(e); };
  std::vector<Record> out;
  for (const Record& r : plain) {
    Record* prev = out.empty() || out.back().producer != r.producer ? nullptr : &out.back();
    if (prev && is(*prev, Event::issued) && is(r, Event::worker_received)) {
      *prev = r;
      prev->event = static_cast<uint16_t>(Event::bundle);
      prev->payload = bundle_payload(event_bit(Event::issued) | event_bit(Event::worker_received),
                                     static_cast<uint32_t>(r.payload));
    } else if (prev && is(*prev, Event::main_received) && is(r, Event::complete)) {
      const auto lead = static_cast<uint32_t>(r.ts_ns - prev->ts_ns);
      *prev = r;
      prev->event = static_cast<uint16_t>(Event::bundle);
      prev->payload = bundle_payload(event_bit(Event::main_received) | event_bit(Event::complete), lead,
                                     static_cast<uint8_t>(r.payload));
    } else if (prev && r.payload == 0 && prev->ts_ns == r.ts_ns &&
               (is(*prev, Event::bundle) || prev->payload == 0)) {
      if (!is(*prev, Event::bundle)) {
        prev->payload = bundle_payload(uint32_t{1} << prev->event);
        prev->event = static_cast<uint16_t>(Event::bundle);
      }
      prev->payload |= uint32_t{1} << r.event;
    } else {
      out.push_back(r);
    }
  }
  testing::RecordBuilder renumber;
  for (Record& r : out) r.seq = renumber.make(Event::issued, r.producer, 0).seq;
  return out;
}

TEST(LifecycleAssembler, BundledRecordsAssembleToTheSameLifecycleAsOneRecordPerEvent) {
  for (bool streaming : {false, true}) {
    SCOPED_TRACE(streaming);
    Records rec;
    std::vector<Record> plain = rec.request(9, kT0, streaming);
    // The lifecycle's events at shared instants, as a worker stamps them from one reactor reading.
    for (Record& r : plain) {
      if (r.event == static_cast<uint16_t>(Event::conn_acquired)) r.ts_ns = kT0 + 1'000;
      if (r.event == static_cast<uint16_t>(Event::response_bytes)) r.ts_ns = kT0 + 103'500;
    }
    std::vector<Record> packed = bundled(plain);
    ASSERT_LE(packed.size(), plain.size() - 4);
    Collected from_plain, from_packed;
    LifecycleAssembler a(from_plain), b(from_packed);
    a.feed_pass(plain);
    b.feed_pass(packed);
    ASSERT_EQ(from_plain.lifecycles.size(), 1u);
    ASSERT_EQ(from_packed.lifecycles.size(), 1u);
    const Lifecycle& x = from_plain.lifecycles[0];
    const Lifecycle& y = from_packed.lifecycles[0];
    EXPECT_EQ(x.ts_ns, y.ts_ns);
    EXPECT_TRUE(y.complete);
    EXPECT_EQ(x.streaming, y.streaming);
    EXPECT_EQ(x.sse_parse_ns, y.sse_parse_ns);
    EXPECT_EQ(b.health().producers.at(kWorker).lost_seq_gap, 0u);
    EXPECT_EQ(b.health().duplicate_events, 0u);
  }
}

TEST(LifecycleAssembler, AMissingMiddleEventMakesTheLifecycleIncompleteButItIsStillDelivered) {
  for (const Event missing : {Event::issued, Event::encoded, Event::written, Event::queued,
                              Event::main_received, Event::response_done, Event::sse_parse}) {
    Records rec;
    Collected got;
    LifecycleAssembler assembler(got);
    assembler.feed_pass(without(rec.request(9, kT0, true), missing));
    ASSERT_EQ(got.lifecycles.size(), 1u) << event_name(missing);
    EXPECT_FALSE(got.lifecycles[0].complete) << event_name(missing);
    EXPECT_EQ(got.lifecycles[0].ending, Ending::completed);
  }
}

TEST(LifecycleAssembler, ATokenlessStreamIsStillComplete) {
  Records rec;
  Collected got;
  LifecycleAssembler assembler(got);
  assembler.feed_pass(without(rec.request(9, kT0, true), Event::recv_first));
  ASSERT_EQ(got.lifecycles.size(), 1u);
  EXPECT_TRUE(got.lifecycles[0].streaming);
  EXPECT_TRUE(got.lifecycles[0].complete);
}

TEST(LifecycleAssembler, StreamingModeHintMakesAnOfflineLookingLifecycleIncomplete) {
  Records rec;
  Collected got;
  LifecycleAssembler assembler(got, {.mode = LifecycleMode::streaming});
  assembler.feed_pass(rec.request(9, kT0, false));
  ASSERT_EQ(got.lifecycles.size(), 1u);
  EXPECT_TRUE(got.lifecycles[0].streaming);
  EXPECT_FALSE(got.lifecycles[0].complete);
}

TEST(LifecycleAssembler, WorkerRecordsAfterCompleteInTheSamePassAreIncluded) {
  Records rec;
  Collected got;
  LifecycleAssembler assembler(got);
  // request() already puts COMPLETE first; this pins that ordering down explicitly.
  const std::vector<Record> pass = rec.request(10, kT0, true);
  ASSERT_EQ(pass[1].event, static_cast<uint16_t>(Event::complete));
  assembler.feed_pass(pass);
  ASSERT_EQ(got.lifecycles.size(), 1u);
  EXPECT_TRUE(got.lifecycles[0].complete);
}

TEST(LifecycleAssembler, ALifecycleIsDeliveredOnlyAtTheEndOfThePassHoldingItsComplete) {
  Records rec;
  Collected got;
  LifecycleAssembler assembler(got);
  const std::vector<Record> all = rec.request(11, kT0, false);
  const std::vector<Record> worker_part(all.begin() + 2, all.end());
  const std::vector<Record> collector_part(all.begin(), all.begin() + 2);
  assembler.feed_pass(worker_part);
  EXPECT_TRUE(got.lifecycles.empty());
  EXPECT_EQ(assembler.open_count(), 1u);
  assembler.feed_pass(collector_part);
  ASSERT_EQ(got.lifecycles.size(), 1u);
  EXPECT_TRUE(got.lifecycles[0].complete);
}

TEST(LifecycleAssembler, WarmupLifecyclesAreDeliveredButNeverCounted) {
  Records rec;
  Collected got;
  LifecycleAssembler assembler(got);
  assembler.feed_pass(rec.request(request_id(5, true), kT0, true));
  ASSERT_EQ(got.lifecycles.size(), 1u);
  EXPECT_TRUE(got.lifecycles[0].warmup);
  EXPECT_TRUE(got.lifecycles[0].complete);
  EXPECT_FALSE(got.lifecycles[0].counted);
  EXPECT_EQ(got.lifecycles[0].sequence(), 5u);
}

TEST(LifecycleAssembler, DuplicateEventKeepsTheFirstTimestampAndIsCounted) {
  Records rec;
  Collected got;
  LifecycleAssembler assembler(got);
  std::vector<Record> pass = rec.request(12, kT0, false);
  pass.push_back(rec.make(Event::written, kWorker, kT0 + 9'999, 12));
  assembler.feed_pass(pass);
  ASSERT_EQ(got.lifecycles.size(), 1u);
  EXPECT_EQ(got.lifecycles[0].at(Event::written), kT0 + 3'500);
  EXPECT_EQ(assembler.health().duplicate_events, 1u);
}

// --- perf window ---

TEST(LifecycleAssembler, PerfStartResetsLoopStatsAndTellsTheConsumer) {
  Records rec;
  Collected got;
  LifecycleAssembler assembler(got);
  assembler.feed_pass({{rec.make(Event::loop_lag, kWorker, kT0, 0, 900'000),
                        rec.make(Event::loop_busy, kWorker, kT0 + 1, 4, 50'000),
                        rec.make(Event::loop_dispatch, kWorker, kT0 + 2, 0, 70'000)}});
  ASSERT_TRUE(assembler.health().producers.at(kWorker).loop);
  EXPECT_EQ(assembler.health().producers.at(kWorker).loop->lag_ns.count(), 1u);

  // The engine ring is drained first, so the worker's older records follow PERF_START in the same pass.
  assembler.feed_pass({{rec.make(Event::perf_start, kEngineProducer, kT0 + 1'000),
                        rec.make(Event::loop_lag, kWorker, kT0 + 500, 0, 800'000),
                        rec.make(Event::loop_lag, kWorker, kT0 + 2'000, 0, 7'000),
                        rec.make(Event::loop_busy, kWorker, kT0 + 2'001, 2, 300)}});
  ASSERT_EQ(got.perf_starts.size(), 1u);
  EXPECT_EQ(got.perf_starts[0], kT0 + 1'000);
  const LoopStats& loop = *assembler.health().producers.at(kWorker).loop;
  EXPECT_EQ(loop.lag_ns.count(), 1u);
  EXPECT_EQ(loop.lag_ns.max_ns(), 7'000);
  EXPECT_EQ(loop.busy_ns, 300);
  EXPECT_EQ(loop.iterations, 1u);
  EXPECT_EQ(loop.events, 2u);
  EXPECT_EQ(loop.dispatch_ns.count(), 0u);
}

TEST(LifecycleAssembler, PerfEndFreezesLoopStatsAndLaterRecordsCountAsAfterEnd) {
  Records rec;
  Collected got;
  LifecycleAssembler assembler(got);
  assembler.feed_pass({{rec.make(Event::perf_start, kEngineProducer, kT0),
                        rec.make(Event::loop_lag, kWorker, kT0 + 10, 0, 1'000)}});
  assembler.feed_pass({{rec.make(Event::perf_end, kEngineProducer, kT0 + 100),
                        rec.make(Event::loop_lag, kWorker, kT0 + 90, 0, 2'000),   // before the end: folded
                        rec.make(Event::loop_lag, kWorker, kT0 + 110, 0, 3'000),  // after: not
                        rec.make(Event::loop_busy, kWorker, kT0 + 120, 1, 3'000)}});
  const TraceHealth& health = assembler.health();
  const LoopStats& loop = *health.producers.at(kWorker).loop;
  EXPECT_EQ(loop.lag_ns.count(), 2u);
  EXPECT_EQ(loop.lag_ns.max_ns(), 2'000);
  EXPECT_EQ(loop.busy_ns, 0);
  EXPECT_EQ(health.records_after_end, 2u);
  EXPECT_EQ(health.perf_window_ns(), 100);
}

TEST(LifecycleAssembler, ALifecycleFinishingAfterPerfEndIsNotCounted) {
  Records rec;
  Collected got;
  LifecycleAssembler assembler(got);
  std::vector<Record> pass = {rec.make(Event::perf_start, kEngineProducer, kT0 - 1),
                              rec.make(Event::perf_end, kEngineProducer, kT0 + 100'000)};
  for (const Record& r : rec.request(1, kT0, false)) pass.push_back(r);
  assembler.feed_pass(pass);
  ASSERT_EQ(got.lifecycles.size(), 1u);
  EXPECT_TRUE(got.lifecycles[0].complete);
  EXPECT_FALSE(got.lifecycles[0].counted);
}

TEST(LifecycleAssembler, ALifecycleInsideThePerfWindowIsCounted) {
  Records rec;
  Collected got;
  LifecycleAssembler assembler(got);
  std::vector<Record> pass = {rec.make(Event::perf_start, kEngineProducer, kT0 - 1),
                              rec.make(Event::perf_end, kEngineProducer, kT0 + 10'000'000)};
  for (const Record& r : rec.request(1, kT0, false)) pass.push_back(r);
  assembler.feed_pass(pass);
  ASSERT_EQ(got.lifecycles.size(), 1u);
  EXPECT_TRUE(got.lifecycles[0].counted);
}

// --- losses ---

TEST(LifecycleAssembler, SeqGapsCountExactlyTheLostRecordsPerProducer) {
  Collected got;
  LifecycleAssembler assembler(got);
  auto rec = [](uint16_t producer, uint32_t seq) {
    Record r;
    r.ts_ns = kT0 + seq;
    r.event = static_cast<uint16_t>(Event::loop_lag);
    r.producer = producer;
    r.seq = seq;
    return r;
  };
  // Worker 0: 0 1 [2 3 4 lost] 5 6. Worker 1 starts at 2: 0 and 1 were lost. Worker 2 wraps: 2^32-2, 2^32-1,
  // [0 lost] 1.
  assembler.feed_pass({{rec(0, 0), rec(0, 1), rec(1, 2), rec(2, 0xFFFF'FFFEu), rec(2, 0xFFFF'FFFFu)}});
  assembler.feed_pass({{rec(0, 5), rec(0, 6), rec(1, 3), rec(2, 1)}});
  const auto& producers = assembler.health().producers;
  EXPECT_EQ(producers.at(0).lost_seq_gap, 3u);
  EXPECT_EQ(producers.at(0).records, 4u);
  EXPECT_EQ(producers.at(1).lost_seq_gap, 2u);
  // 0xFFFFFFFE as a first seq means that many records before it were lost; the wrap itself loses only seq 0.
  EXPECT_EQ(producers.at(2).lost_seq_gap, 0xFFFF'FFFEull + 1);
}

TEST(LifecycleAssembler, TraceDropsIsAttributedToTheDroppingProducerAndDoesNotDisturbItsSeq) {
  Records rec;
  Collected got;
  LifecycleAssembler assembler(got);
  std::vector<Record> pass = {rec.make(Event::loop_lag, kWorker, kT0)};
  rec.skip(kWorker, 4);
  pass.push_back(rec.make(Event::loop_lag, kWorker, kT0 + 1));
  Record drops;  // written by the recorder: its seq is unrelated to the worker's sequence
  drops.ts_ns = kT0 + 2;
  drops.event = static_cast<uint16_t>(Event::trace_drops);
  drops.producer = kWorker;
  drops.payload = 4;
  drops.seq = 77;
  pass.push_back(drops);
  pass.push_back(rec.make(Event::loop_lag, kWorker, kT0 + 3));
  assembler.feed_pass(pass);
  const ProducerHealth& p = assembler.health().producers.at(kWorker);
  EXPECT_EQ(p.lost_seq_gap, 4u);
  EXPECT_EQ(p.drops_reported, 4u);
  EXPECT_EQ(p.lost(), 4u);
  EXPECT_EQ(p.records, 3u);
  EXPECT_EQ(p.seq_regressions, 0u);

  // Losses after the last delivered record show only in TRACE_DROPS, which is cumulative: keep the max.
  Record later = drops;
  later.payload = 9;
  Record stale = drops;
  stale.payload = 6;
  assembler.feed_pass({{later, stale}});
  EXPECT_EQ(assembler.health().producers.at(kWorker).lost(), 9u);
}

TEST(LifecycleAssembler, ASeqBehindTheExpectedOneIsARegressionNotALoss) {
  Collected got;
  LifecycleAssembler assembler(got);
  Record r;
  r.event = static_cast<uint16_t>(Event::loop_lag);
  r.producer = 0;
  std::vector<Record> pass;
  for (const uint32_t seq : {0u, 1u, 2u, 1u, 3u}) {
    r.seq = seq;
    r.ts_ns = kT0 + seq;
    pass.push_back(r);
  }
  assembler.feed_pass(pass);
  EXPECT_EQ(assembler.health().producers.at(0).lost_seq_gap, 0u);
  EXPECT_EQ(assembler.health().producers.at(0).seq_regressions, 1u);
}

// --- orphans and memory ---

TEST(LifecycleAssembler, AHandedOffRequestWhoseCompleteWasLostIsOrphanedAfterTheHandoffTimeout) {
  Records rec;
  Collected got;
  LifecycleAssembler assembler(got, {.handoff_timeout_ns = 1'000'000, .max_idle_ns = 600'000'000'000});
  const std::vector<Record> all = rec.request(20, kT0, false);
  assembler.feed_pass(std::vector<Record>(all.begin() + 2, all.end()));  // worker part only, QUEUED included
  const int64_t queued_ns = all.back().ts_ns;
  assembler.feed_pass({{rec.make(Event::loop_lag, kWorker, queued_ns + 900'000)}});
  EXPECT_TRUE(got.lifecycles.empty());
  assembler.feed_pass({{rec.make(Event::loop_lag, kWorker, queued_ns + 2'000'000)}});
  ASSERT_EQ(got.lifecycles.size(), 1u);
  EXPECT_EQ(got.lifecycles[0].ending, Ending::orphaned);
  EXPECT_FALSE(got.lifecycles[0].complete);
  EXPECT_EQ(assembler.open_count(), 0u);
  EXPECT_EQ(assembler.health().lifecycles_orphaned, 1u);
}

TEST(LifecycleAssembler, AStreamStillRunningIsNotEvictedBeforeMaxIdle) {
  Records rec;
  Collected got;
  LifecycleAssembler assembler(got, {.handoff_timeout_ns = 1'000'000, .max_idle_ns = 60'000'000'000});
  const int64_t t = kT0;
  assembler.feed_pass(
      {{rec.make(Event::issued, kWorker, t, 30), rec.make(Event::recv_first, kWorker, t + 10, 30)}});
  // 30 s of trace time pass without a record of this request (a long generation).
  for (int s = 1; s <= 30; ++s) {
    assembler.feed_pass({{rec.make(Event::loop_lag, kWorker, t + s * 1'000'000'000LL)}});
  }
  EXPECT_TRUE(got.lifecycles.empty());
  EXPECT_EQ(assembler.open_count(), 1u);
  assembler.feed_pass({{rec.make(Event::loop_lag, kWorker, t + 61'000'000'000LL)}});
  ASSERT_EQ(got.lifecycles.size(), 1u);
  EXPECT_EQ(got.lifecycles[0].ending, Ending::orphaned);
}

TEST(LifecycleAssembler, OpenLifecyclesStayBoundedWhenCompletesNeverArrive) {
  Records rec;
  Collected got;
  constexpr size_t kCap = 100;
  LifecycleAssembler assembler(got, {.max_open = kCap});
  uint64_t fed = 0;
  for (int pass = 0; pass < 200; ++pass) {
    std::vector<Record> records;
    for (int i = 0; i < 50; ++i, ++fed) {
      records.push_back(rec.make(Event::issued, kWorker, kT0 + static_cast<int64_t>(fed), fed + 1));
    }
    assembler.feed_pass(records);
    ASSERT_LE(assembler.open_count(), kCap) << "pass " << pass;
  }
  EXPECT_EQ(got.lifecycles.size() + assembler.open_count(), fed);
  EXPECT_EQ(assembler.health().lifecycles_orphaned, got.lifecycles.size());
  // The oldest go first: the survivors are the most recent requests.
  for (const Lifecycle& lc : got.lifecycles) EXPECT_LE(lc.id, fed - assembler.open_count());
}

TEST(LifecycleAssembler, EverythingStillOpenIsOrphanedAFewPassesAfterPerfEnd) {
  Records rec;
  Collected got;
  LifecycleAssembler assembler(got, {.passes_after_end = 2});
  assembler.feed_pass(
      {{rec.make(Event::perf_end, kEngineProducer, kT0 + 5), rec.make(Event::issued, kWorker, kT0, 1)}});
  assembler.feed_pass({});  // first pass after the PERF_END pass
  EXPECT_EQ(assembler.open_count(), 1u);
  assembler.feed_pass({});  // second: its end orphans what is left
  EXPECT_EQ(assembler.open_count(), 0u);
  ASSERT_EQ(got.lifecycles.size(), 1u);
  EXPECT_EQ(got.lifecycles[0].ending, Ending::orphaned);
}

TEST(LifecycleAssembler, FinishDeliversWhatIsStillOpenOnceAsUnfinished) {
  Records rec;
  Collected got;
  LifecycleAssembler assembler(got);
  assembler.feed_pass({{rec.make(Event::issued, kWorker, kT0, 1), rec.make(Event::issued, kWorker, kT0, 2)}});
  assembler.finish();
  assembler.finish();
  ASSERT_EQ(got.lifecycles.size(), 2u);
  for (const Lifecycle& lc : got.lifecycles) {
    EXPECT_EQ(lc.ending, Ending::end_of_stream);
    EXPECT_FALSE(lc.complete);
  }
  EXPECT_EQ(assembler.health().lifecycles_unfinished, 2u);
}

// --- DurationStats ---

TEST(DurationStats, ZerosAreKeptAndRankedWithThePositiveValues) {
  DurationStats s;
  for (const int64_t v : {0, 0, 0, 10, 20}) s.record(v);
  EXPECT_EQ(s.count(), 5u);
  EXPECT_EQ(s.min_ns(), 0);
  EXPECT_EQ(s.max_ns(), 20);
  EXPECT_DOUBLE_EQ(s.mean_ns(), 6.0);
  EXPECT_EQ(s.percentile_ns(50), 0);   // rank 3 is the last zero
  EXPECT_EQ(s.percentile_ns(70), 10);  // rank 4
  EXPECT_EQ(s.percentile_ns(99), 20);
  s.record(-5);  // floored
  EXPECT_EQ(s.count(), 6u);
  EXPECT_EQ(s.min_ns(), 0);
  s.reset();
  EXPECT_EQ(s.count(), 0u);
  EXPECT_EQ(s.percentile_ns(50), 0);
}

TEST(DurationStats, PercentilesStayWithinThreeSignificantDigitsAndTheExactRange) {
  DurationStats s;
  for (int64_t v = 1; v <= 100'000; ++v) s.record(v * 1'000);
  EXPECT_EQ(s.min_ns(), 1'000);
  EXPECT_EQ(s.max_ns(), 100'000'000);
  EXPECT_NEAR(static_cast<double>(s.percentile_ns(50)), 50'000'000.0, 50'000'000.0 * 1e-3);
  EXPECT_NEAR(static_cast<double>(s.percentile_ns(99)), 99'000'000.0, 99'000'000.0 * 1e-3);
  EXPECT_DOUBLE_EQ(s.mean_ns(), 50'000'500.0);
}

}  // namespace
}  // namespace ie::trace
