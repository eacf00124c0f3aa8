#pragma once
// A worker's deadlines: a min-heap of (due time, connection slot, connection generation). Entries are never
// removed early; an entry whose connection has moved on (other generation, or another armed due time) is
// simply skipped when it surfaces.

#include <cstdint>
#include <queue>
#include <vector>

namespace ie::stub {

struct TimerEntry {
  int64_t due_ns;
  uint32_t slot;
  uint32_t generation;
  bool operator>(const TimerEntry& o) const { return due_ns > o.due_ns; }
};

class TimerHeap {
 public:
  void push(TimerEntry e) { heap_.push(e); }
  bool empty() const { return heap_.empty(); }
  const TimerEntry& top() const { return heap_.top(); }
  void pop() { heap_.pop(); }

 private:
  std::priority_queue<TimerEntry, std::vector<TimerEntry>, std::greater<TimerEntry>> heap_;
};

}  // namespace ie::stub
