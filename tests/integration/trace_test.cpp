// `benchmark --trace-file` / `-vvv` against the real stub: every completed request has its full event set in
// the file, loss accounting is exact, warmup is marked, sampling keeps whole requests, and the trace
// subcommands read the file back.

#include <gtest/gtest.h>

#include <signal.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "harness.h"
#include "trace/lifecycle.h"
#include "trace/record.h"
#include "trace/trace_file.h"

namespace ie::testing {
namespace {

namespace fs = std::filesystem;
using trace::Event;

// Every record of a trace file, by request id: the set of lifecycle events seen.
struct TraceContents {
  std::map<uint64_t, uint32_t> events_by_request;  // bit per event id
  std::map<uint64_t, uint64_t> outcome_by_request;
  std::map<uint64_t, std::map<Event, int64_t>> ts_by_request;  // when each lifecycle event happened
  std::set<uint16_t> producers;
  uint64_t perf_start = 0;
  uint64_t perf_end = 0;
  uint64_t loop_records = 0;
  uint32_t sample_one_in = 0;
  bool has_footer = false;
  uint64_t footer_dropped = 0;
  uint64_t records = 0;  // in the file
  uint64_t events = 0;   // they stand for (a BUNDLE is several)
  uint64_t bundles = 0;
};

TraceContents read_trace(const fs::path& path) {
  TraceContents contents;
  trace::TraceReader reader(path.string());
  contents.sample_one_in = reader.header().sample_one_in;
  std::vector<trace::Record> pass;
  while (reader.next_pass(pass)) {
    for (const trace::Record& record : pass) {
      ++contents.records;
      if (record.event == static_cast<uint16_t>(Event::bundle)) ++contents.bundles;
      contents.producers.insert(record.producer);
      trace::for_each_event(record, [&](const trace::Record& r) {
        ++contents.events;
        auto event = static_cast<Event>(r.event);
        switch (event) {
          case Event::perf_start:
            ++contents.perf_start;
            break;
          case Event::perf_end:
            ++contents.perf_end;
            break;
          case Event::loop_lag:
          case Event::loop_busy:
          case Event::loop_dispatch:
            ++contents.loop_records;
            break;
          case Event::trace_drops:
            break;
          default:
            contents.events_by_request[r.id] |= trace::event_bit(event);
            contents.ts_by_request[r.id].emplace(event, r.ts_ns);
            if (event == Event::complete) contents.outcome_by_request[r.id] = r.payload;
        }
      });
    }
  }
  EXPECT_TRUE(reader.warnings().empty()) << reader.warnings().front();
  if (const trace::TraceFooter* footer = reader.footer()) {
    contents.has_footer = true;
    for (const auto& producer : footer->producers) contents.footer_dropped += producer.dropped;
  }
  return contents;
}

void expect_every_request_fully_traced(const TraceContents& trace, uint64_t requests, uint32_t expected) {
  EXPECT_TRUE(trace.has_footer);
  EXPECT_EQ(trace.footer_dropped, 0u);
  EXPECT_EQ(trace.perf_start, 1u);
  EXPECT_EQ(trace.perf_end, 1u);
  ASSERT_EQ(trace.events_by_request.size(), requests);
  for (uint64_t id = 0; id < requests; ++id) {
    auto it = trace.events_by_request.find(id);
    ASSERT_NE(it, trace.events_by_request.end()) << "request " << id << " left no event";
    EXPECT_EQ(it->second & expected, expected)
        << "request " << id << " misses events: have 0x" << std::hex << it->second << ", want 0x" << expected;
    EXPECT_EQ(trace.outcome_by_request.at(id), 0u) << "request " << id << " did not succeed";
  }
  // Each request is taken by a worker in one record and collected in another, at least.
  EXPECT_GE(trace.bundles, 2 * requests);
  EXPECT_GT(trace.events, trace.records);
  EXPECT_TRUE(trace.producers.count(trace::kCollectorProducer));
  EXPECT_TRUE(trace.producers.count(trace::kEngineProducer));
  EXPECT_TRUE(trace.producers.count(0)) << "worker 0 emitted nothing";
  // The stages line up in time, whichever clock reading each event reused, took or extrapolated (the
  // worker's TSC readings sit between real ones: docs/TRACE.md "One clock").
  const Event chain[] = {Event::worker_received,  Event::conn_acquired,  Event::written,
                         Event::response_headers, Event::response_bytes, Event::response_done,
                         Event::queued,           Event::main_received,  Event::complete};
  for (const auto& [id, ts] : trace.ts_by_request) {
    int64_t previous = 0;
    Event previous_event = Event::issued;
    for (Event event : chain) {
      auto it = ts.find(event);
      if (it == ts.end()) continue;
      EXPECT_GE(it->second, previous) << "request " << id << ": " << trace::event_name(event) << " before "
                                      << trace::event_name(previous_event);
      previous = it->second;
      previous_event = event;
    }
  }
}

// A `benchmark online` run against a fresh stub, recorded to <dir>/run.ietrace; empty when the run failed.
fs::path record_run(const TempDir& dir, std::vector<std::string> load_flags) {
  StubServer stub({"--output-chars", "30", "--chars-per-event", "10"});
  const fs::path file = dir.path() / "run.ietrace";
  load_flags.insert(load_flags.end(), {"--trace-file", file.string()});
  CommandResult run = run_binary(benchmark_args("online", stub, dir, load_flags));
  EXPECT_EQ(run.exit_code, 0) << run.err;
  return run.exit_code == 0 ? file : fs::path();
}

TEST(Trace, StreamingRunRecordsTheFullLifecycleOfEveryRequest) {
  StubServer stub({"--output-chars", "40", "--chars-per-event", "10"});
  TempDir dir;
  fs::path file = dir.path() / "run.ietrace";
  CommandResult run =
      run_binary(benchmark_args("online", stub, dir,
                                {"--load-pattern", "concurrency", "--concurrency", "16", "--num-samples",
                                 "400", "--workers", "2", "--trace-file", file.string()}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  ASSERT_TRUE(fs::exists(file)) << run.err;
  EXPECT_FALSE(fs::exists(file.string() + ".partial"));
  TraceContents trace = read_trace(file);
  EXPECT_EQ(trace.sample_one_in, 1u);
  expect_every_request_fully_traced(trace, 400,
                                    trace::kStreamingExpected | trace::event_bit(Event::recv_first));
  EXPECT_TRUE(trace.producers.count(1)) << "worker 1 emitted nothing";
  EXPECT_GT(trace.loop_records, 0u) << "workers recorded no loop health";
}

TEST(Trace, VeryVerboseOfflineRunWritesTheTraceIntoTheReportDir) {
  StubServer stub({"--output-chars", "40"});
  TempDir dir;
  CommandResult run = run_binary(benchmark_args("offline", stub, dir, {"--num-samples", "300", "-vvv"}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  fs::path file = dir.path() / "trace.ietrace";
  ASSERT_TRUE(fs::exists(file)) << run.err;
  TraceContents trace = read_trace(file);
  expect_every_request_fully_traced(trace, 300, trace::kOfflineExpected);
  for (const auto& [id, events] : trace.events_by_request) {
    EXPECT_EQ(events & trace::event_bit(Event::response_done), 0u) << "offline responses are not streams";
  }
}

TEST(Trace, WarmupRequestsAreTracedWithTheWarmupBit) {
  StubServer stub({"--output-chars", "20"});
  TempDir dir;
  fs::path file = dir.path() / "run.ietrace";
  CommandResult run = run_binary(benchmark_args(
      "offline", stub, dir,
      {"--num-samples", "50", "--warmup", "--warmup-requests", "20", "--trace-file", file.string()}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  TraceContents trace = read_trace(file);
  uint64_t warmup = 0;
  uint64_t perf = 0;
  for (const auto& [id, events] : trace.events_by_request) {
    if (id & trace::kWarmupIdBit) {
      ++warmup;
    } else {
      ++perf;
    }
    EXPECT_TRUE(events & trace::event_bit(Event::complete)) << "request " << id;
  }
  EXPECT_EQ(warmup, 20u);
  EXPECT_EQ(perf, 50u);
}

TEST(Trace, SamplingKeepsWholeRequestsAndRecordsTheRate) {
  StubServer stub({"--output-chars", "20", "--chars-per-event", "10"});
  TempDir dir;
  fs::path file = dir.path() / "run.ietrace";
  CommandResult run =
      run_binary(benchmark_args("online", stub, dir,
                                {"--load-pattern", "concurrency", "--concurrency", "8", "--num-samples",
                                 "1000", "--trace-sample", "10", "--trace-file", file.string()}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  TraceContents trace = read_trace(file);
  EXPECT_EQ(trace.sample_one_in, 10u);
  uint64_t expected_sampled = 0;
  for (uint64_t id = 0; id < 1000; ++id) expected_sampled += trace::sampled(id, 10) ? 1 : 0;
  ASSERT_EQ(trace.events_by_request.size(), expected_sampled);
  EXPECT_GT(expected_sampled, 50u);
  EXPECT_LT(expected_sampled, 200u);
  for (const auto& [id, events] : trace.events_by_request) {
    EXPECT_TRUE(trace::sampled(id, 10)) << "request " << id << " was not sampled but left events";
    EXPECT_EQ(events & trace::kStreamingExpected, trace::kStreamingExpected) << "request " << id;
  }
}

TEST(Trace, StatsAndChromeExportReadTheRecordedRunBack) {
  TempDir dir;
  const fs::path file =
      record_run(dir, {"--load-pattern", "concurrency", "--concurrency", "4", "--num-samples", "120"});
  ASSERT_FALSE(file.empty());

  CommandResult stats = run_binary({"trace", "stats", file.string(), "--json"});
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  nlohmann::json numbers = nlohmann::json::parse(stats.out);
  EXPECT_EQ(numbers["coverage"]["seen"], 120) << stats.out;
  EXPECT_EQ(numbers["coverage"]["complete"], 120) << stats.out;
  const nlohmann::json& verdict = numbers["verdict"];
  ASSERT_TRUE(verdict["valid"].get<bool>()) << stats.out;
  EXPECT_NEAR(verdict["client_pct"].get<double>() + verdict["server_pct"].get<double>() +
                  verdict["backpressure_pct"].get<double>(),
              100.0, 1e-6)
      << stats.out;

  CommandResult table = run_binary({"trace", "stats", file.string()});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("first to last chunk"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("verdict: client"), std::string::npos) << table.out;

  fs::path exported = dir.path() / "run.json";
  CommandResult exporting =
      run_binary({"trace", "export", file.string(), "--format", "chrome", "-o", exported.string()});
  ASSERT_EQ(exporting.exit_code, 0) << exporting.err;
  nlohmann::json chrome = read_json(exported);
  std::set<std::string> request_tracks;
  for (const auto& event : chrome["traceEvents"]) {
    if (event.value("cat", "") == "request" && event.value("ph", "") == "b" &&
        event.value("name", "").rfind("request ", 0) == 0)
      request_tracks.insert(event["id"].get<std::string>());
  }
  EXPECT_EQ(request_tracks.size(), 120u);
}

TEST(Trace, ViewReplaysTheRunIntoTheFinalDashboardFrame) {
  TempDir dir;
  const fs::path file =
      record_run(dir, {"--load-pattern", "concurrency", "--concurrency", "4", "--num-samples", "90"});
  ASSERT_FALSE(file.empty());
  CommandResult view = run_binary({"trace", "view", file.string(), "--no-color"});
  ASSERT_EQ(view.exit_code, 0) << view.err;
  EXPECT_NE(view.out.find("REQUEST LIFECYCLE"), std::string::npos) << view.out;
  EXPECT_NE(view.out.find("DONE"), std::string::npos) << view.out;
  EXPECT_NE(view.out.find("1st chunk -> last chunk"), std::string::npos) << "streaming layout\n" << view.out;
  EXPECT_NE(view.out.find("coverage  90 traced of 90 completed"), std::string::npos) << view.out;
  EXPECT_NE(view.out.find("EVENT LOOP LAG"), std::string::npos) << view.out;
  EXPECT_EQ(view.out.find("\x1b["), std::string::npos) << "--no-color prints no escape sequences";
  EXPECT_NE(view.out.rfind("trace finished\n"), std::string::npos) << view.out;
}

TEST(Trace, PacedViewEndsOnTheSameFinalFrameAsTheImmediateOne) {
  TempDir dir;
  const fs::path file =
      record_run(dir, {"--load-pattern", "poisson", "--target-qps", "200", "--duration", "1s"});
  ASSERT_FALSE(file.empty());
  CommandResult at_once = run_binary({"trace", "view", file.string(), "--no-color"});
  CommandResult paced = run_binary({"trace", "view", file.string(), "--no-color", "--speed", "20"});
  ASSERT_EQ(at_once.exit_code, 0) << at_once.err;
  ASSERT_EQ(paced.exit_code, 0) << paced.err;
  EXPECT_NE(paced.err.find("at 20x the recorded pace"), std::string::npos) << paced.err;
  const size_t frame_start = paced.out.rfind("  uptime");
  ASSERT_NE(frame_start, std::string::npos) << paced.out;
  EXPECT_EQ(paced.out.substr(frame_start), at_once.out.substr(at_once.out.find("  uptime")))
      << "the replayed fold ends where the immediate one does";

  CommandResult both = run_binary({"trace", "view", file.string(), "--realtime", "--speed", "2"});
  EXPECT_EQ(both.exit_code, 2) << "--realtime and --speed exclude each other";
}

TEST(Trace, CtrlCStopsAPacedReplayWithTheFrameSoFar) {
  TempDir dir;
  const fs::path file =
      record_run(dir, {"--load-pattern", "poisson", "--target-qps", "200", "--duration", "1s"});
  ASSERT_FALSE(file.empty());
  // At 1/1000 of the pace the replay would take ~17 minutes: only the interrupt can end it.
  BackgroundRun replay({"trace", "view", file.string(), "--no-color", "--speed", "0.001"});
  ASSERT_TRUE(replay.wait_for_stderr("Ctrl-C stops"));
  replay.send_signal(SIGINT);
  CommandResult stopped = replay.finish();
  EXPECT_EQ(stopped.exit_code, 130) << stopped.err;
  EXPECT_NE(stopped.err.find("replay interrupted"), std::string::npos) << stopped.err;
  EXPECT_NE(stopped.out.find("REQUEST LIFECYCLE"), std::string::npos) << "the frame as of the interrupt";
  EXPECT_EQ(stopped.out.find("DONE"), std::string::npos) << "PERF_END was never reached\n" << stopped.out;
}

TEST(Trace, CommandsRefuseAFileThatIsNotATrace) {
  TempDir dir;
  fs::path bogus = dir.path() / "not-a-trace.ietrace";
  write_text(bogus, "{\"this is\": \"json\"}\n");
  CommandResult stats = run_binary({"trace", "stats", bogus.string()});
  EXPECT_EQ(stats.exit_code, 2);
  EXPECT_NE(stats.err.find(bogus.string()), std::string::npos) << stats.err;
  CommandResult exporting = run_binary({"trace", "export", bogus.string(), "--format", "perfetto-proto"});
  EXPECT_EQ(exporting.exit_code, 2);
  EXPECT_NE(exporting.err.find("perfetto-proto"), std::string::npos) << exporting.err;
}

TEST(Trace, InterruptedRunStillLeavesAFinishedTraceMarkedInterrupted) {
  // Each request takes 60 s, so the run is certainly in flight when the signal lands.
  StubServer stub({"--mode", "variable", "--ttft-ms", "60000", "--ttft-spread", "0"});
  TempDir dir;
  fs::path file = dir.path() / "run.ietrace";
  BackgroundRun run(benchmark_args("online", stub, dir,
                                   {"--load-pattern", "concurrency", "--concurrency", "3", "--num-samples",
                                    "100", "--trace-file", file.string()}));
  ASSERT_TRUE(run.wait_for_stderr("reachable"));
  ASSERT_TRUE(run.stop_then_abandon(SIGINT));
  CommandResult result = run.finish();
  EXPECT_EQ(result.exit_code, 130) << result.err;
  ASSERT_TRUE(fs::exists(file)) << result.err;
  EXPECT_FALSE(fs::exists(file.string() + ".partial"));
  trace::TraceReader reader(file.string());
  std::vector<trace::Record> pass;
  while (reader.next_pass(pass)) {
  }
  ASSERT_NE(reader.footer(), nullptr);
  EXPECT_TRUE(reader.footer()->interrupted);
}

TEST(Trace, UnwritableTraceFileFailsSetupBeforeAnyRequest) {
  StubServer stub(std::vector<std::string>{});
  TempDir dir;
  CommandResult run = run_binary(benchmark_args(
      "offline", stub, dir, {"--num-samples", "10", "--trace-file", "/nonexistent-dir/x/run.ietrace"}));
  EXPECT_EQ(run.exit_code, 3) << run.err;
  EXPECT_NE(run.err.find("/nonexistent-dir/x/run.ietrace"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace ie::testing
