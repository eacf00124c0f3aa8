#include "trace/recorder.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "common/spsc_ring.h"
#include "trace/trace_file.h"

namespace ie::trace {
namespace {

namespace fs = std::filesystem;
using Passes = std::vector<std::vector<Record>>;

bool is_drops(const Record& r) {
  return r.event == static_cast<uint16_t>(Event::trace_drops);
}

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

class RecorderTest : public ::testing::Test {
 protected:
  RecorderOptions options(size_t ring_capacity = 1 << 10) const {
    RecorderOptions o;
    o.ring_capacity = ring_capacity;
    return o;
  }
  std::string path(const std::string& name) const { return dir_.path() + "/" + name; }

  LiveDir dir_{::testing::TempDir()};
};

TEST_F(RecorderTest, PassDrainsNonWorkersFirstByDescendingIdThenWorkersByAscendingId) {
  Recorder recorder(options());
  Passes passes;
  recorder.add_listener([&](std::span<const Record> pass) { passes.emplace_back(pass.begin(), pass.end()); });
  std::map<uint16_t, Emitter> emitters;
  for (uint16_t id :
       {uint16_t{7}, kCollectorProducer, uint16_t{0}, kEngineProducer, kTraceProducer, uint16_t{3}})
    emitters[id] = recorder.add_producer(id);
  // Emitted before start(): the first pass holds all of them, two per producer.
  for (auto& [id, emitter] : emitters) {
    emitter.emit(Event::loop_lag, 0, 10, id);
    emitter.emit(Event::loop_lag, 1, 20, id);
  }
  recorder.start();
  recorder.finish(false);
  ASSERT_EQ(passes.size(), 1u);
  std::vector<uint16_t> order;
  for (const Record& r : passes[0]) order.push_back(r.producer);
  EXPECT_EQ(order,
            (std::vector<uint16_t>{kEngineProducer, kEngineProducer, kCollectorProducer, kCollectorProducer,
                                   kTraceProducer, kTraceProducer, 0, 0, 3, 3, 7, 7}));
  for (size_t i = 0; i < passes[0].size(); i += 2) {
    EXPECT_EQ(passes[0][i].seq, 0u);
    EXPECT_EQ(passes[0][i + 1].seq, 1u);
  }
}

// The guarantee lifecycle assembly relies on: when a pass contains a request's COMPLETE (emitted by the
// collector after the worker handed the request over), the same pass has delivered all its worker events.
TEST_F(RecorderTest, EveryEventOfACompletedRequestIsDeliveredByTheEndOfItsCompletePass) {
  constexpr uint64_t kRequests = 20'000;
  constexpr int kWorkerEvents = 5;
  Recorder recorder(options(1 << 17));  // holds every record: nothing can be dropped
  Emitter worker = recorder.add_producer(0);
  Emitter collector = recorder.add_producer(kCollectorProducer);
  std::unordered_map<uint64_t, int> seen;
  uint64_t completes = 0, violations = 0;
  recorder.add_listener([&](std::span<const Record> pass) {
    std::vector<uint64_t> completed;
    for (const Record& r : pass) {
      if (r.event == static_cast<uint16_t>(Event::complete))
        completed.push_back(r.id);
      else
        ++seen[r.id];
    }
    for (uint64_t id : completed) violations += seen[id] != kWorkerEvents;
    completes += completed.size();
  });
  recorder.start();

  SpscRing<uint64_t> handoff(256);
  std::thread collector_thread([&] {
    for (uint64_t done = 0; done < kRequests;) {
      size_t n =
          handoff.drain([&](uint64_t id) { collector.emit(Event::complete, id, static_cast<int64_t>(id)); });
      if (n == 0) std::this_thread::yield();
      done += n;
    }
  });
  std::thread worker_thread([&] {
    const Event events[kWorkerEvents] = {Event::issued, Event::worker_received, Event::written,
                                         Event::response_bytes, Event::queued};
    for (uint64_t id = 0; id < kRequests; ++id) {
      for (Event e : events) worker.emit(e, id, static_cast<int64_t>(id));
      while (!handoff.try_push(id)) std::this_thread::yield();
    }
  });
  worker_thread.join();
  collector_thread.join();
  recorder.finish(false);
  EXPECT_EQ(completes, kRequests);
  EXPECT_EQ(violations, 0u);
  for (const ProducerTotals& p : recorder.stats().producers) EXPECT_EQ(p.dropped, 0u);
}

TEST_F(RecorderTest, ConcurrentProducerRecordsArriveExactlyOnceInSeqOrder) {
  constexpr uint64_t kRecords = 200'000;
  Recorder recorder(options(1 << 18));  // larger than kRecords: nothing may be dropped
  Emitter emitter = recorder.add_producer(4);
  uint64_t next = 0, out_of_order = 0;
  recorder.add_listener([&](std::span<const Record> pass) {
    for (const Record& r : pass) {
      out_of_order += r.seq != next || r.id != next || r.payload != ~next || r.producer != 4;
      ++next;
    }
  });
  recorder.start();
  std::thread producer([&] {
    for (uint64_t i = 0; i < kRecords; ++i) emitter.emit(Event::written, i, static_cast<int64_t>(i), ~i);
  });
  producer.join();
  recorder.finish(false);
  EXPECT_EQ(next, kRecords);
  EXPECT_EQ(out_of_order, 0u);
  RecorderStats stats = recorder.stats();
  ASSERT_EQ(stats.producers.size(), 1u);
  EXPECT_EQ(stats.producers[0], (ProducerTotals{4, kRecords, kRecords, 0}));
  EXPECT_EQ(stats.records_written, kRecords);
}

TEST_F(RecorderTest, ConcurrentProducersOverflowingSmallRingsAccountForEveryRecord) {
  constexpr uint64_t kRecords = 300'000;
  Recorder recorder(options(1 << 6));  // small: the producers outrun a 1 ms drain and must drop
  Emitter emitters[2] = {recorder.add_producer(0), recorder.add_producer(1)};
  struct Seen {
    uint64_t records = 0;
    uint64_t seq_gaps = 0;
    int64_t last_seq = -1;
    uint64_t reported_drops = 0;
    uint64_t errors = 0;
  };
  Seen seen[2];
  recorder.add_listener([&](std::span<const Record> pass) {
    for (const Record& r : pass) {
      Seen& s = seen[r.producer];
      if (is_drops(r)) {  // cumulative, and it only grows
        s.errors += r.payload <= s.reported_drops;
        s.reported_drops = r.payload;
        continue;
      }
      s.errors += static_cast<int64_t>(r.seq) <= s.last_seq || r.id != r.seq;
      s.seq_gaps += static_cast<uint64_t>(static_cast<int64_t>(r.seq) - s.last_seq - 1);
      s.last_seq = r.seq;
      ++s.records;
    }
  });
  recorder.start();
  std::vector<std::thread> producers;
  for (auto& emitter : emitters)
    producers.emplace_back([&emitter] {
      for (uint64_t i = 0; i < kRecords; ++i) emitter.emit(Event::loop_busy, i, static_cast<int64_t>(i), 1);
    });
  for (auto& t : producers) t.join();
  recorder.finish(false);
  RecorderStats stats = recorder.stats();
  ASSERT_EQ(stats.producers.size(), 2u);
  for (uint16_t p = 0; p < 2; ++p) {
    SCOPED_TRACE(p);
    const ProducerTotals& totals = stats.producers[p];
    EXPECT_EQ(seen[p].errors, 0u);
    EXPECT_EQ(totals.emitted, kRecords);
    EXPECT_EQ(totals.written, seen[p].records);
    EXPECT_EQ(totals.written + totals.dropped, kRecords);
    // Drops after the last kept record leave no gap before it: the trailing ones are kRecords - 1 - last.
    uint64_t trailing = kRecords - 1 - static_cast<uint64_t>(seen[p].last_seq);
    EXPECT_EQ(seen[p].seq_gaps + trailing, totals.dropped);
    EXPECT_EQ(seen[p].reported_drops, totals.dropped);
  }
}

TEST_F(RecorderTest, OverflowAddsOneTraceDropsRecordAfterTheProducerOnlyWhenItsDropsGrew) {
  Recorder recorder(options(4));
  Emitter worker = recorder.add_producer(0);
  Emitter collector = recorder.add_producer(kCollectorProducer);
  std::promise<void> first_pass;
  Passes passes;
  recorder.add_listener([&](std::span<const Record> pass) {
    passes.emplace_back(pass.begin(), pass.end());
    if (passes.size() == 1) first_pass.set_value();
  });
  for (uint64_t i = 0; i < 10; ++i) worker.emit(Event::written, i, 100);
  collector.emit(Event::complete, 1, 200);
  recorder.start();
  first_pass.get_future().wait();  // wait for the event, not for time
  for (uint64_t i = 10; i < 13; ++i) worker.emit(Event::written, i, 300);
  recorder.finish(false);

  ASSERT_EQ(passes.size(), 2u);
  ASSERT_EQ(passes[0].size(), 6u);  // collector's record, the 4 the ring held, TRACE_DROPS
  EXPECT_EQ(passes[0][0].producer, kCollectorProducer);
  for (uint32_t i = 1; i <= 4; ++i) EXPECT_EQ(passes[0][i].seq, i - 1);
  const Record& drops = passes[0][5];
  EXPECT_TRUE(is_drops(drops));
  EXPECT_EQ(drops.producer, 0);
  EXPECT_EQ(drops.payload, 6u);
  EXPECT_EQ(drops.id, 0u);
  EXPECT_GT(drops.ts_ns, 0);
  ASSERT_EQ(passes[1].size(), 3u);  // no new drops: no TRACE_DROPS
  EXPECT_EQ(passes[1][0].seq, 10u);
  for (const Record& r : passes[1]) EXPECT_FALSE(is_drops(r));
  EXPECT_EQ(recorder.stats().producers[0], (ProducerTotals{0, 13, 7, 6}));
}

TEST(RecorderDescribe, NamesEveryProducerThatLostRecordsAndOnlyThose) {
  RecorderStats stats;
  stats.records_written = 2'716'491;
  stats.bytes_written = 9'512'000;
  stats.producers = {ProducerTotals{0, 100, 100, 0}, ProducerTotals{1, 80, 70, 10},
                     ProducerTotals{kCollectorProducer, 50, 45, 5}};
  stats.longest_drain_gap = DrainGap{212'400'000, 4'200'000, 250'000'000, 3'100'000, 180'900'000, 2};
  EXPECT_EQ(describe(stats),
            "2716491 records (15 lost: 10 from worker 1, 5 from collector), 9.5 MB; rings drained at least "
            "every 212 ms (draining thread: in its pass 4 ms; in the 250 ms to the next pass: on a CPU 3 ms, "
            "waiting for one 180 ms, 2 major page faults)");
  stats.longest_drain_gap.pass_ns = -1;
  stats.longest_drain_gap.accounted_ns = -1;
  stats.producers[1].dropped = 0;
  stats.producers[2].dropped = 0;
  // Still worth explaining without a loss: a gap of 50 ms or more.
  EXPECT_EQ(
      describe(stats),
      "2716491 records (0 lost), 9.5 MB; rings drained at least every 212 ms (draining thread: on a CPU "
      "3 ms, waiting for one 180 ms, 2 major page faults)");
  stats.longest_drain_gap = DrainGap{12'900'000, 100'000, -1, -1, -1, -1};
  EXPECT_EQ(describe(stats), "2716491 records (0 lost), 9.5 MB; rings drained at least every 12 ms");
  // What the kernel did not say is left out; a recorder thread that never ran has no gap to give.
  stats.longest_drain_gap = DrainGap{60'000'000, -1, -1, -1, -1, 4};
  EXPECT_EQ(describe(stats),
            "2716491 records (0 lost), 9.5 MB; rings drained at least every 60 ms (draining thread: 4 major "
            "page faults)");
  // A vCPU paused by the host: off the CPU yet neither blocked nor runnable, but the machine lost CPU time.
  stats.longest_drain_gap = DrainGap{189'000'000, 184'000'000, 190'000'000, 0, 0, 0, 180'000'000};
  EXPECT_EQ(describe(stats),
            "2716491 records (0 lost), 9.5 MB; rings drained at least every 189 ms (draining thread: in its "
            "pass 184 ms; in the 190 ms to the next pass: on a CPU 0 ms, waiting for one 0 ms, 0 major page "
            "faults, the host took 180 ms of this machine's CPUs)");
  stats.longest_drain_gap = DrainGap{};
  EXPECT_EQ(describe(stats), "2716491 records (0 lost), 9.5 MB");
}

TEST_F(RecorderTest, TheDrainingThreadAccountsForItsLongestGap) {
  RecorderOptions o = options();
  o.explain_gaps_from = std::chrono::nanoseconds(0);  // every new longest gap, not only one of 50 ms or more
  Recorder recorder(o);
  Emitter emitter = recorder.add_producer(0);
  emitter.emit(Event::loop_lag, 0, 10, 0);
  std::promise<void> drained_on_thread;
  bool first = true;
  recorder.add_listener([&](std::span<const Record>) {
    if (std::exchange(first, false)) drained_on_thread.set_value();
  });
  recorder.start();
  drained_on_thread.get_future().wait();  // a pass ran on the recorder thread, after measuring its gap
  recorder.finish(false);
  const DrainGap gap = recorder.stats().longest_drain_gap;
  EXPECT_GT(gap.gap_ns, 0);
  // Linux gives all three for the calling thread: /proc/thread-self/schedstat and RUSAGE_THREAD.
  EXPECT_GE(gap.accounted_ns, gap.gap_ns);  // the gap and the passes before it since the last reading
  EXPECT_GE(gap.on_cpu_ns, 0);
  EXPECT_LE(gap.on_cpu_ns, gap.accounted_ns + 10 * kNsPerMs);  // a thread's own time, not the process's
  EXPECT_GE(gap.waiting_for_cpu_ns, 0);
  EXPECT_GE(gap.major_faults, 0);
  EXPECT_GE(gap.steal_ns, 0);  // /proc/stat's steal column
  EXPECT_GE(gap.pass_ns, 0);
  EXPECT_LE(gap.pass_ns, gap.gap_ns);
}

TEST_F(RecorderTest, AProducerGivenItsOwnCapacityHoldsABurstTheDefaultWouldDrop) {
  Recorder recorder(options(4));
  Emitter worker = recorder.add_producer(0);                          // the options' 4
  Emitter collector = recorder.add_producer(kCollectorProducer, 16);  // its own 16
  for (uint64_t i = 0; i < 10; ++i) {
    worker.emit(Event::written, i, 100);
    collector.emit(Event::complete, i, 200);
  }
  recorder.finish(false);
  const std::vector<ProducerTotals> totals = recorder.stats().producers;
  ASSERT_EQ(totals.size(), 2u);
  EXPECT_EQ(totals[0], (ProducerTotals{0, 10, 4, 6}));
  EXPECT_EQ(totals[1], (ProducerTotals{kCollectorProducer, 10, 10, 0}));
  Recorder fresh(options(4));
  EXPECT_THROW(fresh.add_producer(1, 12), std::logic_error);  // not a power of two
}

TEST_F(RecorderTest, FileReadsBackAsExactlyThePassesListenersSaw) {
  RecorderOptions o = options(1 << 8);
  o.file_path = path("run.trace");
  o.sample_one_in = 4;
  o.metadata_json = R"({"mode":"online"})";
  Recorder recorder(o);
  Passes passes;
  recorder.add_listener([&](std::span<const Record> pass) { passes.emplace_back(pass.begin(), pass.end()); });
  Emitter engine = recorder.add_producer(kEngineProducer);
  Emitter workers[2] = {recorder.add_producer(0), recorder.add_producer(1)};
  engine.emit(Event::perf_start, 0, 1);
  recorder.start();
  EXPECT_TRUE(fs::exists(path("run.trace.partial")));
  std::vector<std::thread> threads;
  for (uint16_t w = 0; w < 2; ++w)
    threads.emplace_back([&, w] {
      for (uint64_t i = 0; i < 50'000; ++i)
        workers[w].emit(static_cast<Event>(1 + i % 9), i / 9, static_cast<int64_t>(1'000 * i + w),
                        i % 3 ? 0 : i);
    });
  for (auto& t : threads) t.join();
  engine.emit(Event::perf_end, 0, 2);
  recorder.finish(false);
  RecorderStats stats = recorder.stats();
  EXPECT_EQ(stats.file_error, "");
  EXPECT_FALSE(fs::exists(path("run.trace.partial")));
  EXPECT_EQ(stats.bytes_written, fs::file_size(path("run.trace")));

  TraceReader reader(path("run.trace"));
  EXPECT_EQ(reader.header().sample_one_in, 4u);
  EXPECT_EQ(reader.header().metadata_json, o.metadata_json);
  EXPECT_EQ(reader.header().clock_id, 1u);
  EXPECT_GT(reader.header().anchor_realtime_ns, 0);
  std::vector<Record> pass;
  size_t index = 0;
  uint64_t records = 0, drop_records = 0;
  for (; reader.next_pass(pass); ++index) {
    ASSERT_LT(index, passes.size());
    ASSERT_EQ(pass.size(), passes[index].size());
    EXPECT_EQ(std::memcmp(pass.data(), passes[index].data(), pass.size() * sizeof(Record)), 0) << index;
    records += pass.size();
    for (const Record& r : pass) drop_records += is_drops(r);
  }
  EXPECT_EQ(index, passes.size());
  EXPECT_TRUE(reader.warnings().empty());
  ASSERT_NE(reader.footer(), nullptr);
  EXPECT_FALSE(reader.footer()->interrupted);
  EXPECT_EQ(reader.footer()->passes, stats.passes);
  EXPECT_EQ(reader.footer()->producers, stats.producers);
  EXPECT_GE(reader.footer()->end_monotonic_ns, reader.header().anchor_monotonic_ns);
  uint64_t written = 0;
  for (const ProducerTotals& p : stats.producers) written += p.written;
  EXPECT_EQ(records, written + drop_records);
  EXPECT_EQ(records, stats.records_written);
}

TEST_F(RecorderTest, WithoutListenersRecordsAreEncodedStraightFromTheRingsAndAllReadBack) {
  // No listener: the recorder encodes from the rings without gathering a pass (run_pass's direct path).
  // Small rings wrap (two runs per drain) and overflow: every record that was kept must read back as
  // emitted, in order, and every lost one must be accounted for.
  RecorderOptions o = options(1 << 6);
  o.file_path = path("direct.trace");
  Recorder recorder(o);
  Emitter engine = recorder.add_producer(kEngineProducer);
  Emitter workers[2] = {recorder.add_producer(0), recorder.add_producer(1)};
  engine.emit(Event::perf_start, 0, 1);
  auto expected = [](uint16_t w, uint64_t i) {
    return Record{static_cast<int64_t>(1'000 * i + w), i / 9, i % 3 ? 0 : i,
                  static_cast<uint16_t>(1 + i % 9),    w,     static_cast<uint32_t>(i)};
  };
  constexpr uint64_t kEach = 30'000;
  recorder.start();
  std::vector<std::thread> threads;
  for (uint16_t w = 0; w < 2; ++w)
    threads.emplace_back([&, w] {
      for (uint64_t i = 0; i < kEach; ++i) {
        const Record r = expected(w, i);
        workers[w].emit(static_cast<Event>(r.event), r.id, r.ts_ns, r.payload);
      }
    });
  for (auto& t : threads) t.join();
  engine.emit(Event::perf_end, 0, 2);
  recorder.finish(false);
  RecorderStats stats = recorder.stats();
  ASSERT_EQ(stats.file_error, "");

  TraceReader reader(path("direct.trace"));
  std::vector<Record> pass;
  std::map<uint16_t, uint64_t> kept;
  std::map<uint16_t, int64_t> last_seq;
  uint64_t records = 0, engine_records = 0;
  while (reader.next_pass(pass)) {
    records += pass.size();
    for (const Record& r : pass) {
      if (is_drops(r)) continue;
      if (r.producer == kEngineProducer) {
        ++engine_records;
        continue;
      }
      ASSERT_LT(r.producer, 2);
      ASSERT_GT(static_cast<int64_t>(r.seq), last_seq.try_emplace(r.producer, -1).first->second);
      last_seq[r.producer] = r.seq;
      const Record want = expected(r.producer, r.seq);
      ASSERT_EQ(std::memcmp(&r, &want, sizeof(Record)), 0) << "producer " << r.producer << " seq " << r.seq;
      ++kept[r.producer];
    }
  }
  EXPECT_TRUE(reader.warnings().empty());
  ASSERT_NE(reader.footer(), nullptr);
  EXPECT_EQ(engine_records, 2u);
  EXPECT_EQ(records, stats.records_written);
  for (const ProducerTotals& p : stats.producers) {
    if (p.producer >= 2) continue;
    EXPECT_EQ(p.emitted, kEach);
    EXPECT_EQ(kept[p.producer], p.written);
    EXPECT_EQ(p.written + p.dropped, kEach);
  }
}

TEST_F(RecorderTest, DestructorWithoutFinishKeepsTheFileWithAnInterruptedFooter) {
  {
    RecorderOptions o = options();
    o.file_path = path("crashed.trace");
    Recorder recorder(o);
    Emitter worker = recorder.add_producer(0);
    recorder.start();
    for (uint64_t i = 0; i < 100; ++i) worker.emit(Event::issued, i, static_cast<int64_t>(i));
    // An exception unwinding here would destroy the recorder just like this scope's end does.
  }
  EXPECT_FALSE(fs::exists(path("crashed.trace.partial")));
  TraceReader reader(path("crashed.trace"));
  std::vector<Record> pass;
  uint64_t records = 0;
  while (reader.next_pass(pass)) records += pass.size();
  EXPECT_EQ(records, 100u);
  ASSERT_NE(reader.footer(), nullptr);
  EXPECT_TRUE(reader.footer()->interrupted);
  EXPECT_EQ(reader.footer()->producers, (std::vector<ProducerTotals>{{0, 100, 100, 0}}));
}

TEST_F(RecorderTest, FinishInterruptedMarksTheFooter) {
  RecorderOptions o = options();
  o.file_path = path("sigint.trace");
  Recorder recorder(o);
  recorder.add_producer(0).emit(Event::issued, 1, 1);
  recorder.finish(true);  // without start(): the final pass still runs
  TraceReader reader(path("sigint.trace"));
  std::vector<Record> pass;
  ASSERT_TRUE(reader.next_pass(pass));
  EXPECT_EQ(pass.size(), 1u);
  EXPECT_FALSE(reader.next_pass(pass));
  ASSERT_NE(reader.footer(), nullptr);
  EXPECT_TRUE(reader.footer()->interrupted);
}

TEST_F(RecorderTest, StatusJsonInThePrivateLiveDirIsRemovedWithTheRecorder) {
  std::string live;
  {
    RecorderOptions o = options();
    o.file_path = path("status.trace");
    Recorder recorder(o);
    live = recorder.live_dir_path();
    ASSERT_FALSE(live.empty());
    EXPECT_EQ((fs::status(live).permissions() & fs::perms::all), fs::perms::owner_all);
    Emitter worker = recorder.add_producer(2);
    recorder.start();
    nlohmann::json running = read_json(live + "/status.json");
    EXPECT_EQ(running["pid"], ::getpid());
    EXPECT_EQ(running["state"], "running");
    EXPECT_EQ(running["trace_file"], path("status.trace"));
    ASSERT_EQ(running["producers"].size(), 1u);
    EXPECT_EQ(running["producers"][0]["producer"], 2);

    for (uint64_t i = 0; i < 5; ++i) worker.emit(Event::issued, i, 1);
    recorder.finish(false);
    nlohmann::json finished = read_json(live + "/status.json");
    EXPECT_EQ(finished["state"], "finished");
    EXPECT_EQ(finished["records_written"], 5);
    EXPECT_EQ(finished["producers"][0]["written"], 5);
    EXPECT_EQ(finished["producers"][0]["dropped"], 0);
  }
  EXPECT_FALSE(fs::exists(live));
}

TEST_F(RecorderTest, WithoutAFilePathOnlyListenersGetTheRecords) {
  Recorder recorder(options());
  uint64_t records = 0;
  recorder.add_listener([&](std::span<const Record> pass) { records += pass.size(); });
  recorder.add_producer(0).emit(Event::issued, 1, 1);
  recorder.start();
  recorder.finish(false);
  EXPECT_EQ(records, 1u);
  EXPECT_EQ(recorder.stats().bytes_written, 0u);
  EXPECT_EQ(recorder.stats().file_error, "");
}

TEST_F(RecorderTest, BadOptionsAreInputErrors) {
  for (size_t capacity : {size_t{0}, size_t{1}, size_t{1000}}) {
    try {
      Recorder recorder(options(capacity));
      FAIL() << capacity;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ExitCode::invalid_input);
      EXPECT_NE(std::string(e.what()).find(std::to_string(capacity)), std::string::npos) << e.what();
    }
  }
  RecorderOptions o = options();
  o.sample_one_in = 0;
  EXPECT_THROW(Recorder{o}, Error);
  o = options();
  o.explain_gaps_from = std::chrono::nanoseconds(-1);
  EXPECT_THROW(Recorder{o}, Error);
  for (double slope : {-0.4, std::nan(""), HUGE_VAL}) {
    RecorderOptions bad_tsc = options();
    bad_tsc.tsc_ns_per_tick = slope;
    EXPECT_THROW(Recorder{bad_tsc}, Error) << slope;
  }
}

TEST_F(RecorderTest, TheTscCalibrationIsInTheFileHeader) {
  RecorderOptions o = options();
  o.file_path = path("t.ietrace");
  o.tsc_ns_per_tick = 0.40892766;
  Recorder recorder(o);
  EXPECT_EQ(recorder.tsc_ns_per_tick(), 0.40892766);
  recorder.finish(false);
  EXPECT_EQ(TraceReader(path("t.ietrace")).header().tsc_ns_per_tick, 0.40892766);
}

TEST_F(RecorderTest, UncreatableTraceFileIsASetupErrorNamingThePath) {
  RecorderOptions o = options();
  o.file_path = path("missing-dir/run.trace");
  try {
    Recorder recorder(o);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::setup);
    EXPECT_NE(std::string(e.what()).find(path("missing-dir/run.trace.partial")), std::string::npos)
        << e.what();
  }
}

TEST_F(RecorderTest, MisuseOfTheSetupOrderIsALogicError) {
  Recorder recorder(options());
  recorder.add_producer(1);
  EXPECT_THROW(recorder.add_producer(1), std::logic_error);
  recorder.start();
  EXPECT_THROW(recorder.add_producer(2), std::logic_error);
  EXPECT_THROW(recorder.add_listener([](std::span<const Record>) {}), std::logic_error);
  EXPECT_THROW(recorder.start(), std::logic_error);
  recorder.finish(false);
  recorder.finish(false);  // idempotent
}

}  // namespace
}  // namespace ie::trace
