#include "trace/stage_table.h"

#include <gtest/gtest.h>

#include <map>
#include <numeric>
#include <random>
#include <vector>

#include <nlohmann/json.hpp>

#include "record_builder.h"

#include "metrics/hdr_histogram.h"

namespace ie::trace {
namespace {

constexpr int64_t kT0 = 1'000'000'000'000;

// The known streaming request: stage durations in timeline order (sum 1,165,000 ns), SSE parse 20 us, first
// token with the first chunk.
const std::vector<int64_t> kStreamingStages = {1'000,  0,         2'000, 500,    100'000,
                                               50'000, 1'000'000, 500,   10'000, 1'000};
// The known offline request (sum 62,500 ns).
const std::vector<int64_t> kOfflineStages = {200, 0, 500, 200, 50'000, 10'000, 1'000, 500, 100};

// A complete, counted lifecycle whose consecutive stages last `durations`.
Lifecycle from_stages(bool streaming, const std::vector<int64_t>& durations, int64_t t = kT0,
                      int64_t sse_parse_ns = 20'000) {
  Lifecycle lc;
  lc.id = 1;
  lc.worker = 0;
  lc.streaming = streaming;
  lc.complete = true;
  lc.counted = true;
  lc.ts_ns[static_cast<size_t>(Event::issued)] = t;
  const auto specs = stage_specs(streaming);
  EXPECT_EQ(specs.size(), durations.size());
  for (size_t i = 0; i < specs.size(); ++i) {
    lc.ts_ns[static_cast<size_t>(specs[i].end)] = lc.at(specs[i].begin) + durations[i];
  }
  if (streaming) {
    lc.ts_ns[static_cast<size_t>(Event::recv_first)] = lc.at(Event::response_bytes);
    lc.ts_ns[static_cast<size_t>(Event::sse_parse)] = lc.at(Event::queued);
    lc.sse_parse_ns = sse_parse_ns;
  }
  return lc;
}

int64_t class_ns(const StagePartition& p, StageClass cls) {
  return p.class_ns[static_cast<size_t>(cls)];
}

double share_sum(const Verdict& v) {
  return std::accumulate(v.share_pct.begin(), v.share_pct.end(), 0.0);
}

// --- partition ---

TEST(StagePartition, KnownStreamingRequestHasExactStagesClassesAndTtft) {
  const StagePartition p = partition(from_stages(true, kStreamingStages));
  ASSERT_TRUE(p.valid);
  EXPECT_TRUE(p.streaming);
  EXPECT_TRUE(p.monotonic);
  ASSERT_EQ(p.stage_count, kStreamingStages.size());
  const std::vector<std::string_view> labels = {"schedule lag",        "encode",
                                                "connection wait",     "write",
                                                "server to headers",   "headers to first chunk",
                                                "first to last chunk", "hand-off",
                                                "collector pickup",    "fold"};
  for (size_t i = 0; i < p.stage_count; ++i) {
    EXPECT_EQ(p.stages[i].duration_ns(), kStreamingStages[i]) << i;
    EXPECT_EQ(p.stages[i].spec->label, labels[i]);
    if (i > 0) {
      EXPECT_EQ(p.stages[i].begin_ns, p.stages[i - 1].end_ns);
    }
  }
  EXPECT_EQ(p.stages[0].begin_ns, kT0);
  EXPECT_EQ(p.e2e_ns, 1'165'000);
  EXPECT_EQ(p.sse_parse_ns, 20'000);
  EXPECT_EQ(p.sse_parse_carved_ns, 20'000);
  EXPECT_EQ(class_ns(p, StageClass::backpressure), 3'000);         // schedule lag + connection wait
  EXPECT_EQ(class_ns(p, StageClass::server), 1'150'000 - 20'000);  // server rows minus the SSE parse
  EXPECT_EQ(class_ns(p, StageClass::client), 0 + 500 + 500 + 10'000 + 1'000 + 20'000);
  ASSERT_TRUE(p.ttft_ns);
  EXPECT_EQ(*p.ttft_ns, 153'500);
}

TEST(StagePartition, KnownOfflineRequestHasNoStreamRowAndExactClasses) {
  Lifecycle lc = from_stages(false, kOfflineStages);
  const StagePartition p = partition(lc);
  ASSERT_TRUE(p.valid);
  EXPECT_FALSE(p.streaming);
  ASSERT_EQ(p.stage_count, 9u);
  for (size_t i = 0; i < p.stage_count; ++i) EXPECT_EQ(p.stages[i].duration_ns(), kOfflineStages[i]) << i;
  EXPECT_EQ(p.stages[5].spec->label, "headers to response");
  EXPECT_EQ(p.stages[6].spec->begin, Event::response_bytes);
  EXPECT_EQ(p.e2e_ns, 62'500);
  EXPECT_EQ(class_ns(p, StageClass::backpressure), 700);
  EXPECT_EQ(class_ns(p, StageClass::server), 60'000);
  EXPECT_EQ(class_ns(p, StageClass::client), 1'800);
  EXPECT_EQ(p.sse_parse_carved_ns, 0);
  EXPECT_FALSE(p.ttft_ns);
}

TEST(StagePartition, AnIncompleteLifecycleHasNoPartition) {
  Lifecycle lc = from_stages(true, kStreamingStages);
  lc.complete = false;
  EXPECT_FALSE(partition(lc).valid);
}

TEST(StagePartition, SseParseCarveIsCappedAtTheStreamWindowSoClassesStillSumToE2e) {
  // Stream window RESPONSE_HEADERS -> RESPONSE_DONE = 50,000 + 1,000,000; the parse claims more.
  const StagePartition p = partition(from_stages(true, kStreamingStages, kT0, 2'000'000));
  EXPECT_EQ(p.sse_parse_ns, 2'000'000);
  EXPECT_EQ(p.sse_parse_carved_ns, 1'050'000);
  EXPECT_EQ(class_ns(p, StageClass::server), 100'000);
  EXPECT_EQ(class_ns(p, StageClass::client) + class_ns(p, StageClass::server) +
                class_ns(p, StageClass::backpressure),
            p.e2e_ns);
}

TEST(StagePartition, StagesAndClassesSumExactlyToE2eForRandomRequests) {
  std::mt19937_64 rng(1234);
  std::uniform_int_distribution<int64_t> gap(0, 50'000'000);
  std::uniform_int_distribution<int> zero(0, 3);
  for (int n = 0; n < 2'000; ++n) {
    const bool streaming = n % 2 == 0;
    std::vector<int64_t> durations(stage_specs(streaming).size());
    for (int64_t& d : durations) d = zero(rng) == 0 ? 0 : gap(rng);  // many shared timestamps
    const StagePartition p = partition(from_stages(streaming, durations, kT0 + n, gap(rng) * 3));
    ASSERT_TRUE(p.valid);
    int64_t stage_sum = 0;
    for (const Stage& s : p.view()) stage_sum += s.duration_ns();
    ASSERT_EQ(stage_sum, p.e2e_ns);
    ASSERT_EQ(std::accumulate(p.class_ns.begin(), p.class_ns.end(), int64_t{0}), p.e2e_ns);
    for (const int64_t c : p.class_ns) ASSERT_GE(c, 0);
  }
}

TEST(StagePartition, BoundariesOutOfTimeOrderAreFlaggedButStillTelescope) {
  Lifecycle lc = from_stages(false, kOfflineStages);
  lc.ts_ns[static_cast<size_t>(Event::written)] =
      lc.at(Event::response_headers) + 1;  // WRITTEN after HEADERS
  const StagePartition p = partition(lc);
  ASSERT_TRUE(p.valid);
  EXPECT_FALSE(p.monotonic);
  int64_t stage_sum = 0;
  for (const Stage& s : p.view()) stage_sum += s.duration_ns();
  EXPECT_EQ(stage_sum, p.e2e_ns);
}

// --- table ---

TEST(StageTable, RowsHoldExactCountsExtremesMeansAndHdrPercentiles) {
  StageTable table;
  for (int k = 1; k <= 3; ++k) {
    std::vector<int64_t> d = kStreamingStages;
    for (int64_t& v : d) v *= k;
    table.on_lifecycle(from_stages(true, d, kT0, 20'000 * k));
  }
  const std::vector<TableRow> rows = table.rows();
  ASSERT_EQ(rows.size(), 13u);  // 10 stages, E2E, sse parse, ttft
  const metrics::HdrHistogram layout;
  for (size_t i = 0; i < 10; ++i) {
    const DurationStats& s = *rows[i].stats;
    EXPECT_EQ(s.count(), 3u);
    EXPECT_EQ(s.min_ns(), kStreamingStages[i]);
    EXPECT_EQ(s.max_ns(), 3 * kStreamingStages[i]);
    EXPECT_DOUBLE_EQ(s.mean_ns(), 2.0 * static_cast<double>(kStreamingStages[i]));
    const int64_t median = 2 * kStreamingStages[i];
    EXPECT_EQ(s.percentile_ns(50), median == 0 ? 0 : layout.highest_equivalent(median)) << i;
    EXPECT_TRUE(rows[i].in_partition);
  }
  EXPECT_EQ(rows[10].key, "e2e");
  EXPECT_EQ(rows[10].stats->max_ns(), 3 * 1'165'000);
  EXPECT_DOUBLE_EQ(rows[10].pct_of_e2e, 100.0);
  EXPECT_EQ(rows[11].key, "sse_parse");
  EXPECT_EQ(rows[11].stats->max_ns(), 60'000);
  EXPECT_EQ(rows[12].key, "ttft");
  EXPECT_EQ(rows[12].stats->min_ns(), 153'500);
  EXPECT_EQ(table.coverage().folded, 3u);
}

TEST(StageTable, PartitionRowsPercentOfE2eAddUpTo100) {
  StageTable table;
  std::mt19937_64 rng(99);
  std::uniform_int_distribution<int64_t> gap(0, 9'000'000);
  for (int n = 0; n < 500; ++n) {
    std::vector<int64_t> d(10);
    for (int64_t& v : d) v = gap(rng);
    table.on_lifecycle(from_stages(true, d));
  }
  double sum = 0;
  for (const TableRow& row : table.rows()) {
    if (row.in_partition) sum += row.pct_of_e2e;
  }
  EXPECT_NEAR(sum, 100.0, 1e-9);
}

TEST(StageTable, LayoutFollowsTheData) {
  StageTable offline;
  offline.on_lifecycle(from_stages(false, kOfflineStages));
  EXPECT_FALSE(offline.streaming());
  std::vector<std::string_view> keys;
  for (const TableRow& row : offline.rows()) keys.push_back(row.key);
  EXPECT_EQ(keys, (std::vector<std::string_view>{"schedule_lag", "encode", "connection_wait", "write",
                                                 "server_to_headers", "headers_to_response", "hand_off",
                                                 "collector_pickup", "fold", "e2e"}));

  StageTable streaming;
  streaming.on_lifecycle(from_stages(true, kStreamingStages));
  EXPECT_TRUE(streaming.streaming());
  keys.clear();
  for (const TableRow& row : streaming.rows()) keys.push_back(row.key);
  EXPECT_EQ(keys, (std::vector<std::string_view>{"schedule_lag", "encode", "connection_wait", "write",
                                                 "server_to_headers", "headers_to_first_chunk",
                                                 "first_to_last_chunk", "hand_off", "collector_pickup",
                                                 "fold", "e2e", "sse_parse", "ttft"}));
}

TEST(StageTable, CoverageSaysWhyCountedLifecyclesWereLeftOut) {
  StageTable table;
  table.on_lifecycle(from_stages(true, kStreamingStages));  // folded

  Lifecycle failed = from_stages(true, kStreamingStages);
  failed.outcome = 2;
  table.on_lifecycle(failed);

  Lifecycle incomplete = from_stages(true, kStreamingStages);
  incomplete.complete = false;
  table.on_lifecycle(incomplete);

  Lifecycle orphan = from_stages(true, kStreamingStages);
  orphan.complete = false;
  orphan.ending = Ending::orphaned;
  table.on_lifecycle(orphan);

  Lifecycle reordered = from_stages(false, kOfflineStages);
  reordered.ts_ns[static_cast<size_t>(Event::encoded)] = reordered.at(Event::worker_received) - 1;
  table.on_lifecycle(reordered);

  Lifecycle warmup = from_stages(true, kStreamingStages);
  warmup.warmup = true;
  warmup.counted = false;
  table.on_lifecycle(warmup);

  const Coverage& c = table.coverage();
  EXPECT_EQ(c.seen, 5u);
  EXPECT_EQ(c.folded, 1u);
  EXPECT_EQ(c.failed, 1u);
  EXPECT_EQ(c.incomplete, 1u);
  EXPECT_EQ(c.orphaned, 1u);
  EXPECT_EQ(c.out_of_order, 1u);
  EXPECT_EQ(table.rows()[0].stats->count(), 1u);
}

TEST(StageTable, PerfStartEmptiesTheTable) {
  StageTable table;
  table.on_lifecycle(from_stages(true, kStreamingStages));
  table.on_perf_start(kT0);
  EXPECT_EQ(table.coverage().seen, 0u);
  EXPECT_EQ(table.rows()[0].stats->count(), 0u);
  EXPECT_FALSE(table.verdict().valid);
  table.on_lifecycle(from_stages(false, kOfflineStages));
  EXPECT_EQ(table.coverage().folded, 1u);
  EXPECT_FALSE(table.streaming());
}

// --- verdict ---

TEST(Verdict, KnownStreamingRequestSharesAreItsClassTotalsOverE2e) {
  StageTable table;
  table.on_lifecycle(from_stages(true, kStreamingStages));
  const Verdict v = table.verdict();
  ASSERT_TRUE(v.valid);
  EXPECT_NEAR(v.share_pct[static_cast<size_t>(StageClass::backpressure)], 100.0 * 3'000 / 1'165'000, 1e-12);
  EXPECT_NEAR(v.share_pct[static_cast<size_t>(StageClass::server)], 100.0 * 1'130'000 / 1'165'000, 1e-12);
  EXPECT_NEAR(v.share_pct[static_cast<size_t>(StageClass::client)], 100.0 * 32'000 / 1'165'000, 1e-12);
  EXPECT_NEAR(share_sum(v), 100.0, 1e-9);
  EXPECT_EQ(v.sse_parse_capped, 0u);
}

TEST(Verdict, SharesSumTo100InOddCases) {
  auto verdict_of = [](const std::vector<std::vector<int64_t>>& requests, bool streaming,
                       int64_t sse_ns = 0) {
    StageTable table;
    for (const auto& d : requests) table.on_lifecycle(from_stages(streaming, d, kT0, sse_ns));
    return table.verdict();
  };
  // Thirds: 1 ns each of backpressure, client and server.
  const Verdict thirds = verdict_of({{1, 0, 0, 1, 1, 0, 0, 0, 0}}, false);
  ASSERT_TRUE(thirds.valid);
  EXPECT_NEAR(share_sum(thirds), 100.0, 1e-9);
  EXPECT_NEAR(thirds.share_pct[0], 100.0 / 3, 1e-12);

  // One class only.
  const Verdict server_only = verdict_of({{0, 0, 0, 0, 7, 0, 0, 0, 0}}, false);
  EXPECT_EQ(server_only.share_pct[static_cast<size_t>(StageClass::server)], 100.0);
  EXPECT_EQ(server_only.share_pct[static_cast<size_t>(StageClass::client)], 0.0);
  EXPECT_NEAR(share_sum(server_only), 100.0, 1e-9);

  // Sums past 2^63 ns (int64 would overflow): 20 requests of ~1.1e18 ns.
  const int64_t huge = 100'000'000'000'000'000;
  const Verdict big =
      verdict_of(std::vector<std::vector<int64_t>>(20, {huge, 1, huge, 3, huge, huge, 7, 8, huge}), false);
  ASSERT_TRUE(big.valid);
  EXPECT_NEAR(share_sum(big), 100.0, 1e-9);
  EXPECT_NEAR(big.share_pct[static_cast<size_t>(StageClass::backpressure)], 40.0, 1e-6);

  // SSE parse larger than the whole stream: all stream time moves to client.
  const Verdict capped = verdict_of({{0, 0, 0, 0, 0, 5, 5, 0, 0, 0}}, true, 1'000);
  EXPECT_NEAR(capped.share_pct[static_cast<size_t>(StageClass::client)], 100.0, 1e-12);
  EXPECT_NEAR(share_sum(capped), 100.0, 1e-9);
  EXPECT_EQ(capped.sse_parse_capped, 1u);

  // Many random requests.
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int64_t> gap(0, 1'000'000'007);
  std::vector<std::vector<int64_t>> random(300, std::vector<int64_t>(10));
  for (auto& d : random) {
    for (int64_t& v : d) v = gap(rng);
  }
  EXPECT_NEAR(share_sum(verdict_of(random, true, 123'456)), 100.0, 1e-9);
}

TEST(Verdict, IsInvalidWithoutFoldedTimeInsteadOfDividingByZero) {
  StageTable empty;
  EXPECT_FALSE(empty.verdict().valid);
  StageTable instant;
  instant.on_lifecycle(from_stages(false, std::vector<int64_t>(9, 0)));
  EXPECT_EQ(instant.coverage().folded, 1u);
  EXPECT_FALSE(instant.verdict().valid);
}

// --- output ---

// Records for the golden run: a streaming request, a failed one, worker 3 loop records, perf markers.
std::vector<Record> golden_pass() {
  testing::RecordBuilder records;
  std::vector<Record> out;
  auto add = [&](Event e, uint16_t producer, int64_t ts, uint64_t id = 0, uint64_t payload = 0) {
    out.push_back(records.make(e, producer, ts, id, payload));
  };
  const int64_t t = kT0;
  add(Event::perf_start, kEngineProducer, t - 1'000);
  add(Event::perf_end, kEngineProducer, t + 1'999'000);  // perf window: 2 ms
  add(Event::main_received, kCollectorProducer, t + 1'164'000, 1);
  add(Event::complete, kCollectorProducer, t + 1'165'000, 1, 0);
  add(Event::main_received, kCollectorProducer, t + 900'000, 2);
  add(Event::complete, kCollectorProducer, t + 901'000, 2, 3);  // failed
  const Lifecycle lc = from_stages(true, kStreamingStages);
  for (const Event e :
       {Event::issued, Event::worker_received, Event::encoded, Event::conn_acquired, Event::written,
        Event::response_headers, Event::response_bytes, Event::recv_first, Event::response_done}) {
    add(e, 3, lc.at(e), 1);
  }
  add(Event::sse_parse, 3, lc.at(Event::queued), 1, 20'000);
  add(Event::queued, 3, lc.at(Event::queued), 1);
  add(Event::issued, 3, t + 10, 2);
  add(Event::loop_lag, 3, t + 100, 0, 1'500'000);
  add(Event::loop_busy, 3, t + 200, 5, 400'000);
  add(Event::loop_lag, 3, t + 300, 0, 2'500'000);
  add(Event::loop_dispatch, 3, t + 400, 0, 30'000);
  add(Event::loop_busy, 3, t + 500, 2, 100'000);
  return out;
}

TEST(RenderStageTable, GoldenTextForASmallFixedRun) {
  StageTable table;
  LifecycleAssembler assembler(table);
  assembler.feed_pass(golden_pass());
  assembler.finish();
  const std::string text = render_stage_table(table, assembler.health());
  // Checked by hand: 500 ns rounds up to 0.001 ms; %E2E of 1,000 / 1,165,000 ns is 0.1 %; the verdict
  // tenths are 32,000 / 1,130,000 / 3,000 of 1,165,000 by largest remainder; busy = 500 us of a 2 ms window.
  const std::string expected = R"(REQUEST LIFECYCLE (ms), streaming
coverage: 1 complete of 2 seen (1 failed)
  stage                   class         N    avg    min    p50    p99    max    %E2E
  schedule lag            backpressure  1  0.001  0.001  0.001  0.001  0.001    0.1%
  encode                  client        1  0.000  0.000  0.000  0.000  0.000    0.0%
  connection wait         backpressure  1  0.002  0.002  0.002  0.002  0.002    0.2%
  write                   client        1  0.001  0.001  0.001  0.001  0.001    0.0%
  server to headers       server        1  0.100  0.100  0.100  0.100  0.100    8.6%
  headers to first chunk  server        1  0.050  0.050  0.050  0.050  0.050    4.3%
  first to last chunk     server        1  1.000  1.000  1.000  1.000  1.000   85.8%
  hand-off                client        1  0.001  0.001  0.001  0.001  0.001    0.0%
  collector pickup        client        1  0.010  0.010  0.010  0.010  0.010    0.9%
  fold                    client        1  0.001  0.001  0.001  0.001  0.001    0.1%
  E2E                                   1  1.165  1.165  1.165  1.165  1.165  100.0%
  sse parse (client cpu)  client        1  0.020  0.020  0.020  0.020  0.020    1.7%
  ttft                                  1  0.154  0.154  0.154  0.154  0.154   13.2%
verdict: client 2.7%, server 97.0%, backpressure 0.3% (sse parse counted as client)

EVENT LOOP (ms), perf window 0.002 s
  producer   records  lost  lag N  lag p50  lag p99  lag max  busy %  dispatch p99  dispatch max
  worker 3        17     0      2    1.500    2.500    2.500   25.0%         0.030         0.030
  collector        4     0      -        -        -        -       -             -             -
  engine           2     0      -        -        -        -       -             -             -

trace: records 23, passes 1, lost 0, after PERF_END 0; lifecycles: completed 2, orphaned 0, unfinished 0
)";
  EXPECT_EQ(text, expected) << text;
}

TEST(RenderStageTable, SaysSoWhenNothingWasFolded) {
  StageTable table;
  LifecycleAssembler assembler(table);
  assembler.finish();
  const std::string text = render_stage_table(table, assembler.health());
  EXPECT_NE(text.find("coverage: 0 complete of 0 seen"), std::string::npos) << text;
  EXPECT_NE(text.find("no complete request in the perf window"), std::string::npos) << text;
}

TEST(RenderStageTable, SampledRunShowsTheScaledEstimate) {
  StageTable table({.sample_one_in = 10});
  table.on_lifecycle(from_stages(false, kOfflineStages));
  TraceHealth health;
  const std::string text = render_stage_table(table, health);
  EXPECT_NE(text.find("sampled 1 in 10, ~10 requests"), std::string::npos) << text;
  EXPECT_EQ(to_json(table, health)["coverage"]["estimated_requests"], 10);
}

TEST(StageTableJson, CarriesTheSameNumbersAsTheTable) {
  StageTable table;
  LifecycleAssembler assembler(table);
  assembler.feed_pass(golden_pass());
  assembler.finish();
  const nlohmann::json j = to_json(table, assembler.health());
  EXPECT_EQ(j["layout"], "streaming");
  EXPECT_EQ(j["coverage"]["seen"], 2);
  EXPECT_EQ(j["coverage"]["complete"], 1);
  EXPECT_EQ(j["coverage"]["failed"], 1);
  ASSERT_EQ(j["stages"].size(), 13u);
  const nlohmann::json& stream = j["stages"][6];
  EXPECT_EQ(stream["key"], "first_to_last_chunk");
  EXPECT_EQ(stream["begin"], "RESPONSE_BYTES");
  EXPECT_EQ(stream["end"], "RESPONSE_DONE");
  EXPECT_EQ(stream["class"], "server");
  EXPECT_EQ(stream["n"], 1);
  EXPECT_EQ(stream["min_ns"], 1'000'000);
  EXPECT_EQ(stream["max_ns"], 1'000'000);
  EXPECT_TRUE(j["stages"][11]["begin"].is_null());
  const nlohmann::json& v = j["verdict"];
  EXPECT_NEAR(
      v["client_pct"].get<double>() + v["server_pct"].get<double>() + v["backpressure_pct"].get<double>(),
      100.0, 1e-9);
  EXPECT_EQ(j["loop"]["perf_window_ns"], 2'000'000);
  const nlohmann::json& worker = j["loop"]["producers"][0];
  EXPECT_EQ(worker["name"], "worker 3");
  EXPECT_EQ(worker["loop_lag"]["n"], 2);
  EXPECT_EQ(worker["loop_lag"]["max_ns"], 2'500'000);
  EXPECT_EQ(worker["busy_ns"], 500'000);
  EXPECT_DOUBLE_EQ(worker["busy_pct"].get<double>(), 25.0);
  EXPECT_EQ(worker["lost"], 0);
}

}  // namespace
}  // namespace ie::trace
