#include "trace/trace_ring.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "trace/emitter.h"

namespace ie::trace {
namespace {

std::vector<Record> drain_all(TraceRing& ring) {
  std::vector<Record> out;
  ring.drain([&](const Record& r) { out.push_back(r); });
  return out;
}

TEST(Emitter, DefaultConstructedIsDisabledAndEmitsNothing) {
  Emitter emitter;
  EXPECT_FALSE(emitter.enabled());
  emitter.emit(Event::issued, 1, 100, 7);  // must be a harmless no-op
}

TEST(Emitter, FillsEveryFieldAndNumbersRecordsFromZero) {
  TraceRing ring(8);
  Emitter emitter(&ring, 42);
  ASSERT_TRUE(emitter.enabled());
  emitter.emit(Event::written, 0xABCDEF, -5, 99);
  emitter.emit(Event::loop_lag, 0, 123456789);
  std::vector<Record> got = drain_all(ring);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].event, static_cast<uint16_t>(Event::written));
  EXPECT_EQ(got[0].id, 0xABCDEFu);
  EXPECT_EQ(got[0].ts_ns, -5);
  EXPECT_EQ(got[0].payload, 99u);
  EXPECT_EQ(got[0].producer, 42);
  EXPECT_EQ(got[0].seq, 0u);
  EXPECT_EQ(got[1].event, static_cast<uint16_t>(Event::loop_lag));
  EXPECT_EQ(got[1].payload, 0u);
  EXPECT_EQ(got[1].seq, 1u);
}

TEST(TraceRing, WrapsAroundManyTimesTheCapacityInOrder) {
  TraceRing ring(8);
  Emitter emitter(&ring, 3);
  uint32_t expected_seq = 0;
  for (uint64_t i = 0; i < 10'000; ++i) {
    emitter.emit(Event::response_bytes, i, static_cast<int64_t>(i * 10), i * 3);
    if (i % 7 == 6) {
      for (const Record& r : drain_all(ring)) {
        ASSERT_EQ(r.seq, expected_seq);
        ASSERT_EQ(r.id, expected_seq);
        ASSERT_EQ(r.payload, uint64_t{expected_seq} * 3);
        ++expected_seq;
      }
    }
  }
  for (const Record& r : drain_all(ring)) ASSERT_EQ(r.seq, expected_seq++);
  EXPECT_EQ(expected_seq, 10'000u);
  EXPECT_EQ(ring.dropped(), 0u);
}

TEST(TraceRing, FullRingCountsExactDropsAndLeavesTheMatchingSeqGap) {
  TraceRing ring(4);
  Emitter emitter(&ring, 1);
  for (int i = 0; i < 10; ++i) emitter.emit(Event::written, static_cast<uint64_t>(i), i);
  EXPECT_EQ(ring.dropped(), 6u);
  std::vector<Record> first = drain_all(ring);
  ASSERT_EQ(first.size(), 4u);
  for (uint32_t i = 0; i < 4; ++i) EXPECT_EQ(first[i].seq, i);

  // The dropped records used seq 4..9: the next kept record shows a gap of exactly the drop count.
  emitter.emit(Event::written, 10, 10);
  emitter.emit(Event::written, 11, 11);
  std::vector<Record> second = drain_all(ring);
  ASSERT_EQ(second.size(), 2u);
  EXPECT_EQ(second[0].seq, 10u);
  EXPECT_EQ(second[0].id, 10u);
  EXPECT_EQ(second[0].seq - first.back().seq - 1, ring.dropped());
  EXPECT_EQ(second[1].seq, 11u);
}

TEST(TraceRing, ConcurrentProducerAndConsumerDeliverEveryRecordOnceInSeqOrder) {
  // The producer never lets the ring fill (it waits on the consumer's progress), so nothing may be lost and
  // the ring wraps many times while both sides run: under TSan this checks the publication of each slot.
  constexpr size_t kCapacity = 64;
  constexpr uint64_t kRecords = 200'000;
  TraceRing ring(kCapacity);
  std::atomic<uint64_t> consumed{0};
  std::thread producer([&] {
    Emitter emitter(&ring, 5);
    for (uint64_t i = 0; i < kRecords; ++i) {
      while (i - consumed.load(std::memory_order_acquire) >= kCapacity) std::this_thread::yield();
      emitter.emit(Event::conn_acquired, i, static_cast<int64_t>(i), ~i);
    }
  });
  uint64_t next = 0;
  while (next < kRecords) {
    size_t n = ring.drain([&](const Record& r) {
      ASSERT_EQ(r.seq, static_cast<uint32_t>(next));
      ASSERT_EQ(r.id, next);
      ASSERT_EQ(r.payload, ~next);
      ASSERT_EQ(r.producer, 5);
      ++next;
    });
    consumed.store(next, std::memory_order_release);
    if (n == 0) std::this_thread::yield();
  }
  producer.join();
  EXPECT_EQ(next, kRecords);
  EXPECT_EQ(ring.dropped(), 0u);
  EXPECT_TRUE(drain_all(ring).empty());
}

}  // namespace
}  // namespace ie::trace
