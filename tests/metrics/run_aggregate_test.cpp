#include "metrics/run_aggregate.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>

namespace ie::metrics {
namespace {

constexpr int64_t kStartNs = 1'000'000'000;
constexpr int64_t kMs = 1'000'000;
constexpr int64_t kNsPerSecond = 1'000'000'000;

// A successful non-streamed request issued at start + issue_ms and answered latency_ms later.
RequestRecord ok_record(int64_t issue_ms, int64_t latency_ms) {
  RequestRecord r;
  r.outcome = Outcome::ok;
  r.http_status = 200;
  r.finish_reason = FinishReason::stop;
  r.scheduled_ns = kStartNs + issue_ms * kMs;
  r.issued_ns = r.scheduled_ns;
  r.completed_ns = r.issued_ns + latency_ms * kMs;
  return r;
}

RequestRecord failed_record(Outcome outcome, uint16_t status, int64_t issue_ms, int64_t latency_ms) {
  RequestRecord r = ok_record(issue_ms, latency_ms);
  r.outcome = outcome;
  r.http_status = status;
  r.finish_reason = FinishReason::none;
  return r;
}

// Streamed success: first token after ttft_ms, then the rest until latency_ms.
RequestRecord streamed_record(int64_t issue_ms, int64_t ttft_ms, int64_t latency_ms, int32_t tokens) {
  RequestRecord r = ok_record(issue_ms, latency_ms);
  r.streamed = true;
  r.first_token_ns = r.issued_ns + ttft_ms * kMs;
  r.completion_tokens = tokens;
  r.content_chunks = 3;
  return r;
}

TEST(RunAggregate, WarmupRecordsAreIgnoredEntirely) {
  RunAggregate agg(true);
  agg.set_perf_start(kStartNs);
  RequestRecord warm = streamed_record(0, 5, 10, 4);
  warm.warmup = true;
  agg.add(warm);
  RequestRecord warm_failed = failed_record(Outcome::timeout, 0, 0, 10);
  warm_failed.warmup = true;
  agg.add(warm_failed);
  EXPECT_EQ(agg.issued(), 0u);
  const RunMetrics m = agg.finish(kStartNs + 100 * kMs);
  EXPECT_EQ(m.issued, 0u);
  EXPECT_EQ(m.failed, 0u);
  EXPECT_TRUE(m.latency_ns.empty());
  EXPECT_TRUE(m.ttft_ns.empty());
  EXPECT_TRUE(m.schedule_lag_ns.empty());
  EXPECT_TRUE(m.errors.empty());
  EXPECT_FALSE(m.qps.has_value());
}

TEST(RunAggregate, FailedRequestsStayOutOfLatencyAndQps) {
  RunAggregate agg(false);
  agg.set_perf_start(kStartNs);
  agg.add(ok_record(0, 100));
  agg.add(ok_record(100, 200));
  agg.add(ok_record(500, 1500));                          // last success completes at start + 2 s
  agg.add(failed_record(Outcome::timeout, 0, 10, 5000));  // completes after the last success
  agg.add(failed_record(Outcome::http_status, 503, 20, 1));
  agg.add(failed_record(Outcome::http_status, 503, 30, 1));
  EXPECT_EQ(agg.issued(), 6u);
  EXPECT_EQ(agg.succeeded(), 3u);
  EXPECT_EQ(agg.failed(), 3u);

  const RunMetrics m = agg.finish(kStartNs + 6000 * kMs);
  EXPECT_EQ(m.latency_ns.count, 3u);
  EXPECT_EQ(m.latency_ns.max, 1500 * kMs);
  EXPECT_EQ(m.tracked_duration_ns, 2000 * kMs);
  EXPECT_EQ(m.total_duration_ns, 6000 * kMs);
  ASSERT_TRUE(m.qps.has_value());
  EXPECT_DOUBLE_EQ(*m.qps, 1.5);
  EXPECT_EQ(m.schedule_lag_ns.count, 6u);  // lag describes the client: every sent request
  EXPECT_EQ(m.failed_by_outcome[static_cast<size_t>(Outcome::timeout)], 1u);
  EXPECT_EQ(m.failed_by_outcome[static_cast<size_t>(Outcome::http_status)], 2u);
  ASSERT_EQ(m.errors.size(), 2u);
  EXPECT_EQ(m.errors.at("timeout").count, 1u);
  EXPECT_EQ(m.errors.at("http_503").count, 2u);
}

TEST(RunAggregate, ScheduleDerivedSeriesUseTheIntendedSendTime) {
  RunAggregate agg(true);
  agg.set_perf_start(kStartNs);
  RequestRecord r = streamed_record(0, 20, 100, 5);
  r.scheduled_ns = r.issued_ns - 30 * kMs;  // waited 30 ms for a connection
  agg.add(r);
  const RunMetrics m = agg.finish(kStartNs + kNsPerSecond);
  EXPECT_EQ(m.schedule_lag_ns.min, 30 * kMs);
  EXPECT_EQ(m.latency_ns.min, 100 * kMs);
  EXPECT_EQ(m.latency_from_schedule_ns.min, 130 * kMs);
  EXPECT_EQ(m.ttft_ns.min, 20 * kMs);
  EXPECT_EQ(m.ttft_from_schedule_ns.min, 50 * kMs);
}

TEST(RunAggregate, TpotSpreadsTheTimeAfterTheFirstTokenOverTheRemainingTokens) {
  RunAggregate agg(true);
  agg.add(streamed_record(0, 10, 110, 11));  // 100 ms over 10 tokens
  agg.add(streamed_record(0, 10, 110, 1));   // a single token has no TPOT
  const RunMetrics m = agg.finish(kStartNs + kNsPerSecond);
  ASSERT_EQ(m.tpot_ns.count, 1u);
  EXPECT_FALSE(m.tpot_ns.integral);
  EXPECT_DOUBLE_EQ(m.tpot_ns.min, 10.0 * kMs);
  EXPECT_EQ(m.ttft_ns.count, 2u);
  EXPECT_EQ(m.output_tokens.total, 12);
}

TEST(RunAggregate, NonStreamingRunHasNoTtftOrTpot) {
  RunAggregate agg(false);
  agg.add(streamed_record(0, 10, 110, 11));
  const RunMetrics m = agg.finish(kStartNs + kNsPerSecond);
  EXPECT_TRUE(m.ttft_ns.empty());
  EXPECT_TRUE(m.tpot_ns.empty());
  EXPECT_EQ(m.output_tokens.count, 1u);
}

TEST(RunAggregate, OutputTokensComeFromUsageElseFromChunks) {
  RunAggregate agg(true);
  agg.set_perf_start(kStartNs);
  agg.add(streamed_record(0, 10, 1000, 7));  // usage says 7
  RequestRecord chunks_only = streamed_record(0, 10, 1000, -1);
  chunks_only.content_chunks = 4;
  agg.add(chunks_only);
  RequestRecord unknown = ok_record(0, 1000);  // not streamed, no usage: no OSL at all
  agg.add(unknown);
  const RunMetrics m = agg.finish(kStartNs + 2 * kNsPerSecond);
  EXPECT_EQ(m.output_tokens.count, 2u);
  EXPECT_EQ(m.output_tokens.total, 11);
  EXPECT_EQ(m.osl_from_server_usage, 1u);
  EXPECT_EQ(m.osl_from_content_chunks, 1u);
  EXPECT_EQ(m.token_count_source, TokenCountSource::mixed);
  ASSERT_TRUE(m.tps.has_value());
  EXPECT_DOUBLE_EQ(*m.tps, 11.0);  // window is exactly 1 s
}

TEST(RunAggregate, WithoutTokenCountsTpsIsEmptyAndSourceUnknown) {
  RunAggregate agg(false);
  agg.set_perf_start(kStartNs);
  agg.add(ok_record(0, 10));
  const RunMetrics m = agg.finish(kStartNs + kNsPerSecond);
  EXPECT_EQ(m.token_count_source, TokenCountSource::unknown);
  EXPECT_FALSE(m.tps.has_value());
  EXPECT_TRUE(m.qps.has_value());
}

TEST(RunAggregate, InputTokensAreTheServerPromptTokens) {
  RunAggregate agg(false);
  RequestRecord r = ok_record(0, 10);
  r.prompt_tokens = 128;
  agg.add(r);
  agg.add(ok_record(0, 10));  // unknown prompt size
  const RunMetrics m = agg.finish(kStartNs + kNsPerSecond);
  EXPECT_EQ(m.input_tokens.count, 1u);
  EXPECT_EQ(m.input_tokens.min, 128);
}

TEST(RunAggregate, IssueRateIsTheAchievedSendRate) {
  RunAggregate agg(false);
  agg.add(ok_record(0, 10));
  agg.add(ok_record(1000, 10));
  agg.add(failed_record(Outcome::connection_closed, 0, 2000, 10));
  const RunMetrics m = agg.finish(kStartNs + 3 * kNsPerSecond);
  ASSERT_TRUE(m.issue_rate.has_value());
  EXPECT_DOUBLE_EQ(*m.issue_rate, 1.0);
}

TEST(RunAggregate, WindowStartsAtTheFirstIssueWhenPerfStartWasNeverSet) {
  RunAggregate agg(false);
  agg.add(ok_record(500, 500));
  const RunMetrics m = agg.finish(kStartNs + 2 * kNsPerSecond);
  EXPECT_EQ(m.perf_start_ns, kStartNs + 500 * kMs);
  EXPECT_EQ(m.tracked_duration_ns, 500 * kMs);
  EXPECT_DOUBLE_EQ(*m.qps, 2.0);
}

TEST(RunAggregate, FinishReasonsAreCountedOverSuccessesOnly) {
  RunAggregate agg(false);
  RequestRecord length = ok_record(0, 1);
  length.finish_reason = FinishReason::length;
  agg.add(length);
  agg.add(ok_record(0, 1));
  RequestRecord failed = failed_record(Outcome::bad_response, 200, 0, 1);
  failed.finish_reason = FinishReason::stop;
  agg.add(failed);
  const RunMetrics m = agg.finish(kStartNs + kNsPerSecond);
  EXPECT_EQ(m.finish_reason_counts[static_cast<size_t>(FinishReason::stop)], 1u);
  EXPECT_EQ(m.finish_reason_counts[static_cast<size_t>(FinishReason::length)], 1u);
  EXPECT_EQ(m.errors.at("bad_response").count, 1u);
}

TEST(RunAggregate, NoteErrorKeepsTheFirstMessagePerKind) {
  RunAggregate agg(false);
  agg.add(failed_record(Outcome::http_status, 429, 0, 1));
  agg.note_error(Outcome::http_status, 429, "rate limited: first");
  agg.note_error(Outcome::http_status, 429, "rate limited: second");
  agg.note_error(Outcome::timeout, 0, "stalled 30 s");
  const RunMetrics m = agg.finish(kStartNs + kNsPerSecond);
  EXPECT_EQ(m.errors.at("http_429").sample, "rate limited: first");
  EXPECT_EQ(m.errors.at("http_429").count, 1u);
  EXPECT_EQ(m.errors.at("timeout").sample, "stalled 30 s");
  EXPECT_EQ(m.errors.at("timeout").count, 0u);  // noted but never added: add() does the counting
}

TEST(RunAggregate, ErrorKindNamesHttpStatuses) {
  EXPECT_EQ(error_kind(Outcome::http_status, 503), "http_503");
  EXPECT_EQ(error_kind(Outcome::http_status, 0), "http_status");
  EXPECT_EQ(error_kind(Outcome::timeout, 200), "timeout");
}

TEST(RunAggregate, MergedInterTokenGapsAreSummarised) {
  RunAggregate agg(true);
  HdrHistogram worker_a;
  HdrHistogram worker_b;
  for (int i = 1; i <= 50; ++i) worker_a.record(i * 1000);
  for (int i = 51; i <= 100; ++i) worker_b.record(i * 1000);
  agg.merge_itl(worker_a);
  agg.merge_itl(worker_b);
  EXPECT_THROW(agg.merge_itl(HdrHistogram(kTokenHistogramHighest)), std::invalid_argument);
  const RunMetrics m = agg.finish(kStartNs);
  EXPECT_EQ(m.itl.count, 100u);
  EXPECT_EQ(m.itl.min_ns, 1000);
  EXPECT_EQ(m.itl.max_ns, 100'000);
  EXPECT_NEAR(m.itl.p50_ns, 50'000, 50);
  EXPECT_NEAR(m.itl.p99_ns, 99'000, 99);
  EXPECT_DOUBLE_EQ(m.itl.mean_ns, 50'500);
}

TEST(RunAggregate, FinishCanBeCalledTwiceWithTheSameResult) {
  RunAggregate agg(false);
  agg.add(ok_record(0, 30));
  agg.add(ok_record(0, 10));
  const RunMetrics first = agg.finish(kStartNs + kNsPerSecond);
  const RunMetrics second = agg.finish(kStartNs + kNsPerSecond);
  EXPECT_EQ(first.latency_ns.median, second.latency_ns.median);
  EXPECT_EQ(first.latency_ns.count, 2u);
  EXPECT_EQ(second.latency_ns.count, 2u);
}

}  // namespace
}  // namespace ie::metrics

namespace ie::metrics {
namespace {

TEST(RunAggregateLive, LiveLatenciesAgreeWithTheExactSummaryAndSkipFailures) {
  RunAggregate a(/*streaming=*/true);
  a.set_perf_start(kStartNs);
  EXPECT_EQ(a.live_latencies().e2e.n, 0u);
  for (int i = 0; i < 200; ++i) a.add(streamed_record(i, 10 + i % 7, 100 + i, 11));
  a.add(failed_record(Outcome::http_status, 500, 5, 90'000));  // would dominate max if it were counted
  const LiveLatencies live = a.live_latencies();
  const RunMetrics exact = a.finish(kStartNs + 1'000 * kMs);
  EXPECT_EQ(live.e2e.n, 200u);
  EXPECT_EQ(live.e2e.min_ns, static_cast<int64_t>(exact.latency_ns.min));
  EXPECT_EQ(live.e2e.max_ns, static_cast<int64_t>(exact.latency_ns.max));
  EXPECT_NEAR(live.e2e.avg_ns, exact.latency_ns.avg, 1e-9 * exact.latency_ns.avg);
  EXPECT_NEAR(static_cast<double>(live.e2e.p99_ns), exact.latency_ns.percentile(99.0),
              5e-3 * exact.latency_ns.percentile(99.0));
  EXPECT_EQ(live.ttft.n, 200u);
  EXPECT_EQ(live.ttft.max_ns, 16 * kMs);
  EXPECT_EQ(live.tpot.n, 200u);
  EXPECT_NEAR(static_cast<double>(live.tpot.p50_ns), exact.tpot_ns.percentile(50.0),
              1e-2 * exact.tpot_ns.percentile(50.0));
}

TEST(RunAggregateLive, NonStreamingRunsHaveNoLiveTtftOrTpot) {
  RunAggregate a(/*streaming=*/false);
  a.add(ok_record(0, 20));
  const LiveLatencies live = a.live_latencies();
  EXPECT_EQ(live.e2e.n, 1u);
  EXPECT_EQ(live.ttft.n, 0u);
  EXPECT_EQ(live.tpot.n, 0u);
}

}  // namespace
}  // namespace ie::metrics
