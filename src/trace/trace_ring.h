#pragma once
// One producer thread's trace ring: an SpscRing of Records plus the producer's sequence counter and its count
// of records lost to a full ring. The producer (a worker, the collector, the engine) pushes; the recorder
// thread drains. Header-only and included by the worker: it must stay free of heavy includes.

#include <atomic>
#include <cstdint>
#include <span>

#include "common/single_writer.h"
#include "common/spsc_ring.h"
#include "trace/record.h"

namespace ie::trace {

class TraceRing {
 public:
  // capacity_pow2: records the ring holds, a power of two.
  explicit TraceRing(size_t capacity_pow2) : ring_(capacity_pow2) {}
  TraceRing(const TraceRing&) = delete;
  TraceRing& operator=(const TraceRing&) = delete;

  // Producer side. Stamps `seq` with the next sequence number and pushes it; a full ring drops it and
  // counts the drop. The sequence advances either way, so the consumer sees the exact gap.
  void push(const Record& event) {
    Record record = event;
    record.seq = next_seq_++;
    if (!ring_.try_push(record)) [[unlikely]]
      count_drop();
  }

  // Consumer side. Calls visit(const Record&) for every record pushed so far, oldest first; returns how many.
  template <typename Visit>
  size_t drain(Visit&& visit) {
    return ring_.drain(visit);
  }

  // Consumer side. Calls visit(std::span<const Record>) with the records pushed so far as at most two runs,
  // oldest first; returns how many. The spans are valid only inside visit.
  template <typename Visit>
  size_t drain_runs(Visit&& visit) {
    return ring_.drain_runs(
        [&](const Record* records, size_t count) { visit(std::span<const Record>(records, count)); });
  }

  // Any thread. Records lost so far; may lag the producer by a few drops (it is a gauge, read once a pass).
  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  [[gnu::noinline, gnu::cold]] void count_drop() {
    // Only the producer writes dropped_, so load + store is exact and avoids a locked read-modify-write.
    // Relaxed is enough: the consumer reads it as a monotonic gauge and orders nothing else by it.
    single_writer_add(dropped_, 1);
  }

  SpscRing<Record> ring_;
  // Producer-owned line: next_seq_ changes on every push, dropped_ on every drop; the consumer reads only
  // dropped_, once a pass, so the line rarely moves.
  alignas(64) uint32_t next_seq_ = 0;
  std::atomic<uint64_t> dropped_{0};
};

}  // namespace ie::trace
