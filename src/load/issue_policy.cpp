#include "load/issue_policy.h"

#include <algorithm>

namespace ie::load {
namespace {

uint32_t share_of(uint32_t total, uint32_t index, uint32_t count) {
  return total / count + (index < total % count ? 1 : 0);
}

}  // namespace

IssuePolicy::IssuePolicy(const PhasePlan& plan, uint32_t worker_index, uint32_t worker_count,
                         uint32_t capacity)
    : plan_(plan),
      worker_index_(worker_index),
      worker_count_(worker_count),
      limit_(capacity),
      arrivals_(plan.target_qps > 0 ? plan.target_qps : 1.0, plan.seed) {
  if (plan.pattern == Pattern::concurrency) {
    limit_ = std::min(capacity, share_of(plan.concurrency, worker_index, worker_count));
  }
  if (plan.pattern == Pattern::poisson) {
    // Skip the arrivals that belong to the workers before this one.
    for (uint32_t i = 0; i < worker_index_; ++i) arrivals_.next_offset_ns();
    arrival_sequence_ = worker_index_;
    pending_offset_ns_ = arrivals_.next_offset_ns();
  }
  if (limit_ == 0) exhausted_ = true;
}

bool IssuePolicy::next_due(int64_t now_ns, uint32_t in_flight, Issue* out) {
  if (exhausted_) return false;
  if (plan_.issue_deadline_ns != 0 && now_ns >= plan_.issue_deadline_ns) {
    exhausted_ = true;
    return false;
  }
  if (in_flight >= limit_) return false;
  return plan_.pattern == Pattern::poisson ? next_arrival(now_ns, out) : claim_shared(now_ns, out);
}

bool IssuePolicy::claim_shared(int64_t now_ns, Issue* out) {
  uint64_t sequence = plan_.next_sequence.fetch_add(1, std::memory_order_relaxed);
  if (plan_.total_requests != 0 && sequence >= plan_.total_requests) {
    exhausted_ = true;
    return false;
  }
  out->sequence = sequence;
  out->scheduled_ns = now_ns;  // closed loop: the request is meant to go now
  return true;
}

bool IssuePolicy::next_arrival(int64_t now_ns, Issue* out) {
  int64_t due_ns = plan_.start_ns + pending_offset_ns_;
  if (plan_.issue_deadline_ns != 0 && due_ns >= plan_.issue_deadline_ns) {
    exhausted_ = true;
    return false;
  }
  if (plan_.total_requests != 0 && arrival_sequence_ >= plan_.total_requests) {
    exhausted_ = true;
    return false;
  }
  if (due_ns > now_ns) return false;
  out->sequence = arrival_sequence_;
  out->scheduled_ns = due_ns;
  for (uint32_t i = 1; i < worker_count_; ++i) arrivals_.next_offset_ns();
  arrival_sequence_ += worker_count_;
  pending_offset_ns_ = arrivals_.next_offset_ns();
  return true;
}

int64_t IssuePolicy::next_wakeup_ns() const {
  if (exhausted_ || plan_.pattern != Pattern::poisson) return kNever;
  return plan_.start_ns + pending_offset_ns_;
}

}  // namespace ie::load
