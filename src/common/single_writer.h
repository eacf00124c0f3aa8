#pragma once
// Counters and gauges that one thread writes and others only read. A relaxed load plus store keeps them exact
// without a locked read-modify-write, whose full barrier stalls on every store before it (on the worker, the
// record just pushed to the collector: ~5 % of its user time as two `lock` instructions per request).

#include <atomic>

namespace ie {

template <typename T, typename Delta>
inline void single_writer_add(std::atomic<T>& value, Delta delta) {
  value.store(static_cast<T>(value.load(std::memory_order_relaxed) + delta), std::memory_order_relaxed);
}

}  // namespace ie
