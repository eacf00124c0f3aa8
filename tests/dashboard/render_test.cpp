#include "dashboard/render.h"

#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include "synthetic_run.h"

namespace ie::dashboard {
namespace {

using testing::kMs;
using testing::kT0;
using testing::offline_ms;
using testing::SyntheticRun;
using trace::StageClass;

// Offline: 20 requests on 4 workers, stage times varying per request; loop lag on every worker and the
// collector; PERF_END, so the frame is DONE and frozen.
Model offline_model() {
  SyntheticRun run;
  run.perf_start(kT0);
  for (uint64_t i = 0; i < 20; ++i) {
    const int64_t v = static_cast<int64_t>(i % 5);
    run.request(i, kT0 + static_cast<int64_t>(i) * 10 * kMs,
                offline_ms({20 + v, 1, 10, 1, 30 + 2 * v, 2, 3, 1, 1}), static_cast<uint16_t>(i % 4));
  }
  for (uint16_t w = 0; w < 4; ++w) {
    for (int64_t k = 1; k <= 5; ++k) run.loop_lag(w, kT0 + k * kMs, k * (w + 1) * 3 * kMs / 2);
  }
  run.loop_lag(trace::kCollectorProducer, kT0, kMs / 4);
  run.perf_end(kT0 + 400 * kMs);
  run.flush();
  return run.fold.snapshot(kT0 + 2'000 * kMs);
}

// Streaming: 10 requests, SSE parsing reported, two records lost, no loop lag yet, tok/s known.
Model streaming_model() {
  SyntheticRun run;
  run.perf_start(kT0);
  for (uint64_t i = 0; i < 10; ++i) {
    const int64_t v = static_cast<int64_t>(i % 3);
    run.request(i, kT0 + static_cast<int64_t>(i) * 5 * kMs,
                offline_ms({1, 1, 2, 1, 5, 20 + v, 80 + 10 * v, 4, 1, 1}), static_cast<uint16_t>(i % 2),
                3 * kMs);
    if (i == 4) run.skip(1, 2);
  }
  run.flush();
  Model m = run.fold.snapshot(kT0 + 200 * kMs);
  m.header.tok_per_s = 5'353'810.0;
  return m;
}

// The expected frames were checked by hand against the inputs: offline stage means 22 / 1 / 10 / 1 / 34 / 2 /
// 3 / 1 / 1 ms of a 75 ms E2E; verdict (1+1+3+1+1) / (34+2) / (22+10) of 75; fleet p99 = median(7.5,
// 15, 22.5, 30) = 18.75 ms. Streaming: 3 ms of SSE parsing per request moves from server to client (11 /
// 125.9 = 8.7 %).
constexpr std::string_view kOfflineFrame =
    R"golden(═════════════════════════════════════════════════════════════════════════════════════════════════════════════════════════════════
  uptime                              0.4s   status                              DONE   req/s                               73.8
  issued                                20   dropped records                        0   tok/s                                  —
  req/s (5 s)                            —   p99 e2e (5 s)                          —   completed                             20
═════════════════════════════════════════════════════════════════════════════════════════════════════════════════════════════════

  REQUEST LIFECYCLE  (ms)  [frozen]
─────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
  stage                                                        N        avg        min        p50        p99        max     %E2E
  [backpressure] issue -> worker received                     20      22.00      20.00      22.00      24.00      24.00    29.3%
  [client] worker received -> encoded                         20       1.00       1.00       1.00       1.00       1.00     1.3%
  [backpressure] encoded -> conn acquired                     20      10.00      10.00      10.00      10.00      10.00    13.3%
  [client] conn acquired -> payload written                   20       1.00       1.00       1.00       1.00       1.00     1.3%
  [server] payload written -> headers recvd                   20      34.00      30.00      34.01      38.00      38.00    45.3%
  [server] headers recvd -> response                          20       2.00       2.00       2.00       2.00       2.00     2.7%
  [client] response -> queued                                 20       3.00       3.00       3.00       3.00       3.00     4.0%
  [client] queued -> collector pickup                         20       1.00       1.00       1.00       1.00       1.00     1.3%
  [client] collector pickup -> complete                       20       1.00       1.00       1.00       1.00       1.00     1.3%
  E2E TOTAL  issue -> complete                                20      75.00      69.00      75.04      81.00      81.00   100.0%

  client work                         9.3%   server work                        48.0%   backpressure [workers busy]        42.7%
  e2e               │▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▓▒▒▓▓▓▓▓▓▓▓▓▓▒███████████████████████████████████████▒▒▒▒▒│             pickup-ipc ─┤
                    ▒ client   ▓ backpressure   █ server                                                               encode ─┤
                                                                                                                  tcp-acquire ─┤
                                                                                                                   sse-decode ─┤
                                                                                                                 final-decode ─┤
                                                                                                                 complete-ipc ─┤
                                                                                                                         fold ─┘
  coverage  20 traced of 20 completed

  EVENT LOOP LAG  (ms)
─────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
  fleet p99 18.75 ms   hot workers (p99 ≥ 5 ms)  4/4
  worker                                                       N        avg        min        p50        p99        max
  collector                                                    1       0.25       0.25       0.25       0.25       0.25
  w3                                                           5      18.00       6.00      18.01      30.00      30.00
  w2                                                           5      13.50       4.50      13.50      22.50      22.50
  w1                                                           5       9.00       3.00       9.00      15.00      15.00
  w0                                                           5       4.50       1.50       4.50       7.50       7.50
)golden";

constexpr std::string_view kStreamingFrame =
    R"golden(═════════════════════════════════════════════════════════════════════════════════════════════════════════════════════════════════
  uptime                              0.2s   status                              LIVE   req/s                               56.2
  issued                                10   dropped records                        2   tok/s                        5,353,810.0
  req/s (5 s)                            —   p99 e2e (5 s)                          —   completed                             10
═════════════════════════════════════════════════════════════════════════════════════════════════════════════════════════════════

  REQUEST LIFECYCLE  (ms)
─────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
  stage                                                        N        avg        min        p50        p99        max     %E2E
  [backpressure] issue -> worker received                     10       1.00       1.00       1.00       1.00       1.00     0.8%
  [client] worker received -> encoded                         10       1.00       1.00       1.00       1.00       1.00     0.8%
  [backpressure] encoded -> conn acquired                     10       2.00       2.00       2.00       2.00       2.00     1.6%
  [client] conn acquired -> payload written                   10       1.00       1.00       1.00       1.00       1.00     0.8%
  [server] payload written -> headers recvd                   10       5.00       5.00       5.00       5.00       5.00     4.0%
  [server] headers recvd -> 1st chunk                         10      20.90      20.00      21.00      22.00      22.00    16.6%
  [server] 1st chunk -> last chunk                            10      89.00      80.00      90.05     100.00     100.00    70.7%
  [client] last chunk -> queued                               10       4.00       4.00       4.00       4.00       4.00     3.2%
  [client] queued -> collector pickup                         10       1.00       1.00       1.00       1.00       1.00     0.8%
  [client] collector pickup -> complete                       10       1.00       1.00       1.00       1.00       1.00     0.8%
  E2E TOTAL  issue -> complete                                10     125.90     116.00     127.01     138.00     138.00   100.0%

  client work                         8.7%   server work                        88.9%   backpressure [workers busy]         2.4%
  e2e               │▓▓▓█████████████████████████████████████████████████████████████████████████▒▒▒▒│             pickup-ipc ─┤
                    ▒ client   ▓ backpressure   █ server                                                               encode ─┤
                                                                                                                  tcp-acquire ─┤
                                                                                                                   sse-decode ─┤
                                                                                                                 final-decode ─┤
                                                                                                                 complete-ipc ─┤
                                                                                                                         fold ─┘
  coverage  10 traced of 10 completed

  EVENT LOOP LAG  (ms)
─────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
  (no LOOP_LAG events yet)
)golden";

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

int columns(std::string_view text) {
  int n = 0;
  for (char c : text) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

std::string strip_sgr(const std::string& text) {
  return std::regex_replace(text, std::regex("\x1b\\[[0-9;]*m"), "");
}

// The bar's cells: what lies between the two │ of the "e2e" line.
std::string bar_cells(const std::string& frame) {
  for (const std::string& line : lines_of(frame)) {
    if (line.rfind("  e2e ", 0) != 0) continue;
    const size_t open = line.find("│");
    const size_t close = line.find("│", open + 1);
    return line.substr(open + std::string_view("│").size(), close - open - std::string_view("│").size());
  }
  return "";
}

TEST(Render, OfflineFrameMatchesGolden) {
  EXPECT_EQ(render(offline_model(), {}), kOfflineFrame);
}

TEST(Render, StreamingFrameMatchesGolden) {
  EXPECT_EQ(render(streaming_model(), {}), kStreamingFrame);
}

TEST(Render, RulesSpanTheWidthAndNoOtherLinePassesColumn128) {
  for (const Model& m : {offline_model(), streaming_model(), Model{}}) {
    for (const std::string& line : lines_of(render(m, {}))) {
      const bool rule = line.rfind("═", 0) == 0 || line.rfind("─", 0) == 0;
      if (rule) {
        EXPECT_EQ(columns(line), 129) << line;
      } else {
        EXPECT_LE(columns(line), 128) << line;
      }
    }
  }
  RenderOptions wide{false, 150};
  EXPECT_EQ(columns(lines_of(render(Model{}, wide)).front()), 150);
}

// Regression: a CI frame said "617 traced of 618 completed" and nothing more; finding out why took a trace
// file. The line now names the reasons (only those that occurred, so a clean frame is unchanged).
TEST(Render, CoverageLineSaysWhyCompletedRequestsWereNotTraced) {
  Model m = offline_model();
  m.header.completed = 24;
  m.coverage.out_of_order = 1;
  m.coverage.incomplete = 2;
  m.coverage.failed = 1;
  m.coverage.orphaned = 3;
  const std::string frame = render(m, {});
  EXPECT_NE(frame.find("  coverage  20 traced of 24 completed (1 failed, 2 missing events, 1 out of order, "
                       "3 without COMPLETE)\n"),
            std::string::npos)
      << frame;
  EXPECT_NE(render(offline_model(), {}).find("  coverage  20 traced of 20 completed\n"), std::string::npos);
}

TEST(Render, TreeLeavesEndAtTheBackpressureValueColumn) {
  const std::vector<std::string> lines = lines_of(render(offline_model(), {}));
  size_t verdict = 0;
  while (verdict < lines.size() && lines[verdict].find("backpressure [workers busy]") == std::string::npos) {
    ++verdict;
  }
  ASSERT_LT(verdict, lines.size());
  EXPECT_EQ(columns(lines[verdict]), 128);  // the value's last column
  int leaves = 0;
  for (const std::string& line : lines) {
    if (line.find(" ─┤") == std::string::npos && line.find(" ─┘") == std::string::npos) continue;
    ++leaves;
    EXPECT_EQ(columns(line), 128) << line;
  }
  EXPECT_EQ(leaves, static_cast<int>(kLeafCount));
}

TEST(Render, BarIsExactly80CellsWhateverTheShares) {
  using C = StageClass;
  const std::vector<std::vector<Share>> cases = {
      {{C::backpressure, 20}, {C::server, 30}, {C::client, 20}},
      {{C::backpressure, 50}, {C::server, 50}, {C::client, 30}},
      {{C::client, 0.2}, {C::server, 99.6}, {C::client, 0.2}},
      {{C::backpressure, 45.7}, {C::client, 1.5}, {C::server, 45.2}, {C::server, 3.0}, {C::client, 4.5}},
  };
  for (const auto& shares : cases) {
    Model m;
    m.has_requests = true;
    m.bar = bar_segments(shares);
    EXPECT_EQ(columns(bar_cells(render(m, {}))), kBarCells);
  }
  std::string empty;
  for (int i = 0; i < kBarCells; ++i) empty += "░";
  EXPECT_EQ(bar_cells(render(Model{}, {})), empty);
}

TEST(Render, EmptyStateShowsHints) {
  const std::string frame = render(Model{}, {});
  EXPECT_NE(frame.find("(no request fully traced yet"), std::string::npos);
  EXPECT_NE(frame.find("(no LOOP_LAG events yet)"), std::string::npos);
  EXPECT_EQ(frame.find("E2E TOTAL"), std::string::npos);
  EXPECT_NE(frame.find("client work                            —"), std::string::npos);
}

TEST(Render, LoadgenPanelOnlyWhenFedWithLatenciesSoFarAndFinal) {
  EXPECT_EQ(render(Model{}, {}).find("LOADGEN"), std::string::npos) << "no client numbers, no panel";

  Model m;
  m.loadgen = Loadgen{};
  m.loadgen->issued = 1'500;
  m.loadgen->completed = 1'200;
  m.loadgen->errors = 3;
  m.loadgen->duration_ns = 2'000 * kMs;
  std::string live = render(m, {});
  EXPECT_NE(live.find("  LOADGEN\n"), std::string::npos) << live;
  EXPECT_NE(
      live.find("  issued                             1,500   completed                          1,200   "
                "errors                                 3\n"),
      std::string::npos)
      << live;
  EXPECT_NE(
      live.find("  issued/s                           750.0   completed/s                        600.0   "
                "tok/s                                  —\n"),
      std::string::npos)
      << live;
  EXPECT_NE(live.find("  ttft" + std::string(46, ' ') + "           —  (none yet)\n"), std::string::npos)
      << live;
  m.loadgen->e2e = DistRow{1'000, 140.0 * kMs, 90 * kMs, 130 * kMs, 290 * kMs, 300 * kMs};
  live = render(m, {});
  EXPECT_NE(live.find("latency (ms, successes so far)"), std::string::npos) << live;
  EXPECT_NE(live.find("  e2e" + std::string(47, ' ') +
                      "       1,000     140.00      90.00     130.00     290.00     300.00\n"),
            std::string::npos)
      << live;

  EXPECT_EQ(live.find("stopping"), std::string::npos);
  m.loadgen->stopping = true;
  EXPECT_NE(
      render(m, {}).find("  stopping: no new requests, waiting for the in-flight ones (Ctrl-C again abandons "
                         "them)\n"),
      std::string::npos);

  m.loadgen->final = true;
  m.loadgen->output_tokens = 24'000;
  m.loadgen->e2e = DistRow{1'200, 150.0 * kMs, 100 * kMs, 140 * kMs, 300 * kMs, 310 * kMs};
  std::string final_frame = render(m, {});
  EXPECT_NE(final_frame.find("  LOADGEN  (final)\n"), std::string::npos) << final_frame;
  EXPECT_NE(final_frame.find("tok/s                           12,000.0\n"), std::string::npos) << final_frame;
  EXPECT_NE(final_frame.find("  e2e" + std::string(47, ' ') +
                             "       1,200     150.00     100.00     140.00     "
                             "300.00     310.00\n"),
            std::string::npos)
      << final_frame;
  EXPECT_NE(final_frame.find("(no first-token timings)"), std::string::npos) << final_frame;
  EXPECT_LT(final_frame.find("LOADGEN"), final_frame.find("EVENT LOOP LAG")) << "the spec's panel order";
}

TEST(Render, FleetLineShowsThePoolsConnectionGaugesWhenKnown) {
  Model m;
  m.loop.has_data = true;
  m.loop.total_workers = 2;
  EXPECT_EQ(render(m, {}).find("tcp conns"), std::string::npos);
  m.loadgen = Loadgen{};
  m.loadgen->connections = ConnectionCounts{.open = 1'024, .busy = 1'000, .connecting = 24};
  EXPECT_NE(render(m, {}).find(
                "hot workers (p99 ≥ 5 ms)  0/2   tcp conns  1,024  busy 1,000 (connecting 24)  idle 24\n"),
            std::string::npos)
      << render(m, {});
}

TEST(Render, LoopOverflowNoteCountsTheWorkersNotShown) {
  Model m;
  m.loop.has_data = true;
  m.loop.total_workers = 18;
  for (uint16_t w = 0; w < kTopWorkers; ++w) m.loop.workers.push_back({w, {}, Heat::none, Heat::none});
  m.loop.workers_not_shown = 2;
  const std::string frame = render(m, {});
  EXPECT_NE(frame.find("  … 2 worker(s) with lower max lag not shown\n"), std::string::npos);
  EXPECT_NE(frame.find("  w15 "), std::string::npos);
  EXPECT_EQ(frame.find("  w16 "), std::string::npos);
}

TEST(Render, ColorFrameIsThePlainFrameWithSgrOnly) {
  for (const Model& m : {offline_model(), streaming_model(), Model{}}) {
    const std::string colored = render(m, {true});
    EXPECT_NE(colored.find("\x1b[38;5;"), std::string::npos);
    EXPECT_EQ(colored.find("\x1b[1m"), std::string::npos);  // nothing bold
    EXPECT_EQ(strip_sgr(colored), render(m, {}));
  }
}

TEST(Render, HeatColoursThePercentCellsAndTheBackpressureGlyphIsNeverRed) {
  const std::string colored = render(streaming_model(), {true});
  // headers -> 1st chunk is 16.6 % (warn, orange3 172); 1st -> last chunk 70.7 % (critical, red3 160).
  EXPECT_NE(colored.find("\x1b[38;5;172m    16.6%"), std::string::npos);
  EXPECT_NE(colored.find("\x1b[38;5;160m    70.7%"), std::string::npos);
  EXPECT_NE(colored.find("\x1b[38;5;172m▓"), std::string::npos);
  EXPECT_EQ(colored.find("\x1b[38;5;160m▓"), std::string::npos);
}

TEST(Render, StatusChips) {
  const std::pair<Status, std::string_view> chips[] = {{Status::live, "LIVE"},
                                                       {Status::tail, "TAIL"},
                                                       {Status::backpressure, "BACKPRESSURE"},
                                                       {Status::tail_backpressure, "TAIL + BACKPRESSURE"},
                                                       {Status::done, "DONE"}};
  for (const auto& [status, text] : chips) {
    Model m;
    m.header.status = status;
    const std::string first_row = lines_of(render(m, {}))[1];
    EXPECT_NE(first_row.find(std::string(text) + "   req/s"), std::string::npos) << first_row;
  }
}

}  // namespace
}  // namespace ie::dashboard

namespace ie::dashboard {
namespace {

TEST(FitToScreen, CutsLinesAtTheColumnKeepingColourSequencesWholeAndClosed) {
  const std::string frame = "abcdef\n\x1b[38;5;6m│▓▓▓▓\x1b[39m tail\nxy\n";
  EXPECT_EQ(fit_to_screen(frame, 0, 0), frame) << "no limits: unchanged";
  EXPECT_EQ(fit_to_screen(frame, 3, 0), "abc\n\x1b[38;5;6m│▓▓\x1b[39m\nxy\n");
  EXPECT_EQ(fit_to_screen(frame, 6, 0), "abcdef\n\x1b[38;5;6m│▓▓▓▓\x1b[39m \x1b[39m\nxy\n")
      << "a sequence before the cut is kept; the colour is closed at the cut";
}

TEST(FitToScreen, RowsThatDoNotFitAreReplacedByANote) {
  const std::string frame = "1\n2\n3\n4\n5\n";
  EXPECT_EQ(fit_to_screen(frame, 0, 5), frame);
  EXPECT_EQ(fit_to_screen(frame, 0, 3), "1\n2\n  … 3 more lines: enlarge the terminal\n");
  EXPECT_EQ(fit_to_screen(frame, 8, 3), "1\n2\n  … 3 mo\n");
}

TEST(FitToScreen, ARealFrameCutToEightyColumnsHasNoLineWiderThanEighty) {
  Model m;
  m.loadgen = Loadgen{};
  for (const bool color : {false, true}) {
    const std::string fitted = fit_to_screen(render(m, {.color = color}), 80, 24);
    const std::vector<std::string> lines = lines_of(fitted);
    EXPECT_LE(lines.size(), 24u);
    for (const std::string& line : lines) EXPECT_LE(columns(strip_sgr(line)), 80) << line;
  }
}

}  // namespace
}  // namespace ie::dashboard
