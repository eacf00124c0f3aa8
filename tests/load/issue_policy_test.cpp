#include "load/issue_policy.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace ie::load {
namespace {

constexpr int64_t kSec = 1'000'000'000;

TEST(IssuePolicy, OfflineIssuesUpToCapacityAndStopsAtTotal) {
  PhasePlan plan;
  plan.pattern = Pattern::max_throughput;
  plan.total_requests = 5;
  IssuePolicy policy(plan, 0, 1, 3);
  Issue issue;
  uint32_t in_flight = 0;
  while (policy.next_due(100, in_flight, &issue)) ++in_flight;
  EXPECT_EQ(in_flight, 3u);  // capacity
  in_flight = 1;             // two completed
  while (policy.next_due(200, in_flight, &issue)) ++in_flight;
  EXPECT_EQ(in_flight, 3u);
  EXPECT_EQ(issue.sequence, 4u);
  EXPECT_EQ(issue.scheduled_ns, 200);  // closed loop: scheduled when sent
  EXPECT_FALSE(policy.next_due(300, 0, &issue));
  EXPECT_TRUE(policy.exhausted());
}

TEST(IssuePolicy, WorkersShareOneSequenceWithoutDuplicates) {
  PhasePlan plan;
  plan.total_requests = 100;
  IssuePolicy a(plan, 0, 2, 1000), b(plan, 1, 2, 1000);
  std::vector<int> seen(100, 0);
  Issue issue;
  for (int turn = 0; turn < 200; ++turn) {
    IssuePolicy& p = turn % 2 ? a : b;
    if (p.next_due(0, 0, &issue)) seen[issue.sequence]++;
  }
  for (int count : seen) EXPECT_EQ(count, 1);
}

TEST(IssuePolicy, ConcurrencyKeepsExactlyTheShareInFlight) {
  PhasePlan plan;
  plan.pattern = Pattern::concurrency;
  plan.concurrency = 7;
  IssuePolicy first(plan, 0, 2, 100), second(plan, 1, 2, 100);
  EXPECT_EQ(first.limit() + second.limit(), 7u);
  Issue issue;
  uint32_t in_flight = 0;
  while (first.next_due(0, in_flight, &issue)) ++in_flight;
  EXPECT_EQ(in_flight, first.limit());
  --in_flight;  // one completes: exactly one more goes out
  EXPECT_TRUE(first.next_due(1, in_flight, &issue));
  EXPECT_FALSE(first.next_due(1, in_flight + 1, &issue));
}

TEST(IssuePolicy, PoissonSendsNothingBeforeItsTime) {
  PhasePlan plan;
  plan.pattern = Pattern::poisson;
  plan.target_qps = 1000;
  plan.start_ns = 5 * kSec;
  IssuePolicy policy(plan, 0, 1, 100);
  Issue issue;
  int64_t due = policy.next_wakeup_ns();
  EXPECT_GT(due, plan.start_ns);
  EXPECT_FALSE(policy.next_due(due - 1, 0, &issue));
  ASSERT_TRUE(policy.next_due(due, 0, &issue));
  EXPECT_EQ(issue.scheduled_ns, due);
  EXPECT_GT(policy.next_wakeup_ns(), due);
}

TEST(IssuePolicy, PoissonLateWorkerCatchesUpWithOriginalScheduleTimes) {
  PhasePlan plan;
  plan.pattern = Pattern::poisson;
  plan.target_qps = 1000;
  IssuePolicy policy(plan, 0, 1, 100000);
  Issue issue;
  std::vector<int64_t> scheduled;
  // Wake up a whole second late: every arrival of that second is due at once, each keeping its own time.
  while (policy.next_due(kSec, 0, &issue)) scheduled.push_back(issue.scheduled_ns);
  ASSERT_GT(scheduled.size(), 900u);
  ASSERT_LT(scheduled.size(), 1100u);
  for (size_t i = 1; i < scheduled.size(); ++i) EXPECT_GT(scheduled[i], scheduled[i - 1]);
}

TEST(IssuePolicy, PoissonRateAndGapsMatchTheTarget) {
  PhasePlan plan;
  plan.pattern = Pattern::poisson;
  plan.target_qps = 10000;
  plan.total_requests = 200000;
  IssuePolicy policy(plan, 0, 1, 1u << 30);
  Issue issue;
  std::vector<double> gaps;
  int64_t previous = 0;
  while (policy.next_due(INT64_MAX / 2, 0, &issue)) {
    gaps.push_back(static_cast<double>(issue.scheduled_ns - previous));
    previous = issue.scheduled_ns;
  }
  ASSERT_EQ(gaps.size(), 200000u);
  double mean = 0, var = 0;
  for (double g : gaps) mean += g;
  mean /= gaps.size();
  for (double g : gaps) var += (g - mean) * (g - mean);
  var /= gaps.size() - 1;
  EXPECT_NEAR(mean, 100'000.0, 1'000.0);          // 1/qps within 1 %
  EXPECT_NEAR(std::sqrt(var) / mean, 1.0, 0.02);  // exponential: coefficient of variation 1
}

TEST(IssuePolicy, PoissonWorkersSplitOneSchedule) {
  PhasePlan plan;
  plan.pattern = Pattern::poisson;
  plan.target_qps = 500;
  plan.total_requests = 1000;
  IssuePolicy single(plan, 0, 1, 1u << 20);
  IssuePolicy w0(plan, 0, 2, 1u << 20), w1(plan, 1, 2, 1u << 20);
  Issue issue;
  std::vector<int64_t> whole(1000), split(1000, -1);
  for (auto& t : whole) {
    ASSERT_TRUE(single.next_due(INT64_MAX / 2, 0, &issue));
    t = issue.scheduled_ns;
  }
  for (IssuePolicy* p : {&w0, &w1}) {
    while (p->next_due(INT64_MAX / 2, 0, &issue)) split[issue.sequence] = issue.scheduled_ns;
  }
  EXPECT_EQ(whole, split);  // same seed, same schedule, whatever the worker count
}

TEST(IssuePolicy, DeadlineEndsIssuing) {
  PhasePlan plan;
  plan.pattern = Pattern::max_throughput;
  plan.start_ns = 0;
  plan.issue_deadline_ns = 10 * kSec;
  IssuePolicy policy(plan, 0, 1, 10);
  Issue issue;
  EXPECT_TRUE(policy.next_due(kSec, 0, &issue));
  EXPECT_FALSE(policy.next_due(10 * kSec, 0, &issue));
  EXPECT_TRUE(policy.exhausted());
}

TEST(IssuePolicy, DeadlineEndsIssuingEvenWhileEverySlotIsBusy) {
  PhasePlan plan;
  plan.pattern = Pattern::concurrency;
  plan.concurrency = 2;
  plan.issue_deadline_ns = 10 * kSec;
  IssuePolicy policy(plan, 0, 1, 2);
  Issue issue;
  uint32_t in_flight = 0;
  while (policy.next_due(0, in_flight, &issue)) ++in_flight;
  policy.expire(9 * kSec);
  EXPECT_FALSE(policy.exhausted()) << "before the deadline";
  policy.expire(10 * kSec);
  EXPECT_TRUE(policy.exhausted()) << "both requests still in flight: the drain starts at the deadline";
}

}  // namespace
}  // namespace ie::load
