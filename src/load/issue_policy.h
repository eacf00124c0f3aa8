#pragma once
// Decides, for one worker, which request of a phase goes out next and when. One value per load pattern kind,
// one decision function: the worker loop is the same for offline, Poisson and concurrency runs. Time is
// passed in, so the policy is tested with a fake clock.

#include <atomic>
#include <cstdint>
#include <limits>

#include "load/arrivals.h"

namespace ie::load {

enum class Pattern { max_throughput, poisson, concurrency };

// What every worker of a phase shares. Frozen except the claim counter.
struct PhasePlan {
  Pattern pattern = Pattern::max_throughput;
  uint64_t total_requests = 0;  // 0 = unbounded (the phase is timed)
  int64_t start_ns = 0;
  int64_t issue_deadline_ns = 0;  // stop issuing at this time; 0 = none
  double target_qps = 0;
  uint32_t concurrency = 0;  // whole-run target; each worker keeps its share in flight
  uint64_t seed = 42;
  // Next sequence number to hand out (offline and concurrency). Relaxed fetch_add is enough: the number is
  // the only thing shared, and each value goes to exactly one worker.
  mutable std::atomic<uint64_t> next_sequence{0};
};

struct Issue {
  uint64_t sequence = 0;
  int64_t scheduled_ns = 0;
};

constexpr int64_t kNever = std::numeric_limits<int64_t>::max();

class IssuePolicy {
 public:
  // capacity: how many requests this worker may have in flight (its connection budget).
  IssuePolicy(const PhasePlan& plan, uint32_t worker_index, uint32_t worker_count, uint32_t capacity);

  // The next request due at now_ns with `in_flight` outstanding, or false when none is due yet.
  bool next_due(int64_t now_ns, uint32_t in_flight, Issue* out);

  // When a request will next become due without any completion happening (kNever when completions drive it).
  int64_t next_wakeup_ns() const;

  // Nothing more will be issued in this phase.
  bool exhausted() const { return exhausted_; }

  // Exhausted once the issue deadline has passed, even while every slot is busy and next_due() is not asked:
  // the drain (and its timeout) starts at the deadline, not at the first completion after it.
  void expire(int64_t now_ns) {
    if (plan_.issue_deadline_ns != 0 && now_ns >= plan_.issue_deadline_ns) exhausted_ = true;
  }

  // Stop issuing now (interrupt). Requests already issued are unaffected.
  void stop() { exhausted_ = true; }

  // This worker's share of the target concurrency (for tests and reports).
  uint32_t limit() const { return limit_; }

 private:
  bool claim_shared(int64_t now_ns, Issue* out);
  bool next_arrival(int64_t now_ns, Issue* out);

  const PhasePlan& plan_;
  uint32_t worker_index_;
  uint32_t worker_count_;
  uint32_t limit_;  // max in flight for this worker
  bool exhausted_ = false;
  // Poisson: this worker owns arrivals k with k % worker_count == worker_index of one global sequence.
  PoissonArrivals arrivals_;
  uint64_t arrival_sequence_ = 0;  // global index of the arrival in pending_offset_ns_
  int64_t pending_offset_ns_ = -1;
};

}  // namespace ie::load
