#pragma once
// Bounded single-producer / single-consumer ring for trivially copyable items: a worker pushes
// finished-request records, the collector pops them. Producer and consumer indices live on separate cache
// lines, and each side caches the other's index so the shared line is touched only when the ring looks full
// or empty.

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>

namespace ie {

// How far ahead both sides of a ring fetch: about 1 KiB of items. The ring's cache lines are cold by the time
// either side reaches them (the producer comes round again after a full lap, the consumer reads what was
// written milliseconds ago), and the misses showed in profiles (docs/PERFORMANCE.md, section 5).
template <typename T>
inline constexpr size_t kPrefetchItems = std::max<size_t>(1, 1024 / sizeof(T));

// For a consumer reading a run of items: call for each item i of the run. The trace encoder spent 40 % of
// its samples on the first load of each record before this; with it, half the draining thread's CPU.
template <typename T>
inline void prefetch_ahead(const T* items, size_t i, size_t count) {
  if (i + kPrefetchItems<T> < count) __builtin_prefetch(items + i + kPrefetchItems<T>);
}

template <typename T>
class SpscRing {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  explicit SpscRing(size_t capacity_pow2) : mask_(capacity_pow2 - 1), items_(new T[capacity_pow2]) {}

  // Producer side. False when full (the caller decides whether to retry).
  bool try_push(const T& item) {
    uint64_t tail = tail_.load(std::memory_order_relaxed);
    if (tail - cached_head_ > mask_) {
      // Acquire pairs with the consumer's release in pop: the slot we are about to reuse has been read.
      cached_head_ = head_.load(std::memory_order_acquire);
      if (tail - cached_head_ > mask_) return false;
    }
    // Own the line of a slot ahead before it is written: a store that misses holds up the next locked
    // instruction (the traced worker's user time fell by ~60-190 ns per request with this).
    __builtin_prefetch(&items_[(tail + kPrefetchItems<T>)&mask_], 1);
    items_[tail & mask_] = item;
    // Release publishes the item's bytes before the new tail becomes visible to the consumer.
    tail_.store(tail + 1, std::memory_order_release);
    return true;
  }

  // Consumer side. Calls visit(const T* items, size_t count) for the available items as at most two
  // contiguous runs (the second when they wrap around the end of the storage), oldest first; returns how
  // many. The runs may be read only inside visit: the slots are released when it returns.
  template <typename Visit>
  size_t drain_runs(Visit&& visit) {
    uint64_t head = head_.load(std::memory_order_relaxed);
    // Acquire pairs with the producer's release: the items up to tail are fully written.
    uint64_t tail = tail_.load(std::memory_order_acquire);
    const size_t n = static_cast<size_t>(tail - head);
    if (n == 0) return 0;
    const size_t start = static_cast<size_t>(head & mask_);
    const size_t first = std::min(n, static_cast<size_t>(mask_ + 1) - start);
    visit(&items_[start], first);
    if (first < n) visit(&items_[0], n - first);
    // Release tells the producer these slots may be overwritten only after we are done reading them.
    head_.store(tail, std::memory_order_release);
    return n;
  }

  // Consumer side. Calls visit(const T&) for every available item, oldest first; returns how many.
  template <typename Visit>
  size_t drain(Visit&& visit) {
    return drain_runs([&](const T* items, size_t count) {
      for (size_t i = 0; i < count; ++i) {
        prefetch_ahead(items, i, count);
        visit(items[i]);
      }
    });
  }

 private:
  const uint64_t mask_;
  std::unique_ptr<T[]> items_;
  alignas(64) std::atomic<uint64_t> tail_{0};  // written by the producer
  uint64_t cached_head_ = 0;                   // producer's last view of head_
  alignas(64) std::atomic<uint64_t> head_{0};  // written by the consumer
};

}  // namespace ie
