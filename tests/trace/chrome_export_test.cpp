#include "trace/chrome_export.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "record_builder.h"

namespace ie::trace {
namespace {

using nlohmann::json;

constexpr int64_t kT0 = 1'000'000'000'000;
constexpr uint16_t kWorker = 3;

class Records : public testing::RecordBuilder {
 public:
  // The known streaming request of stage_table_test (E2E 1,165,000 ns), in pass order.
  std::vector<Record> streaming_request(uint64_t id, int64_t t) {
    return {make(Event::main_received, kCollectorProducer, t + 1'164'000, id),
            make(Event::complete, kCollectorProducer, t + 1'165'000, id),
            make(Event::issued, kWorker, t, id),
            make(Event::worker_received, kWorker, t + 1'000, id, 1'000),
            make(Event::encoded, kWorker, t + 1'000, id),
            make(Event::conn_acquired, kWorker, t + 3'000, id),
            make(Event::written, kWorker, t + 3'500, id),
            make(Event::response_headers, kWorker, t + 103'500, id),
            make(Event::response_bytes, kWorker, t + 153'500, id),
            make(Event::recv_first, kWorker, t + 153'500, id),
            make(Event::response_done, kWorker, t + 1'153'500, id),
            make(Event::sse_parse, kWorker, t + 1'154'000, id, 20'000),
            make(Event::queued, kWorker, t + 1'154'000, id)};
  }
};

std::string export_passes(const std::vector<std::vector<Record>>& passes, ChromeExportInfo info = {}) {
  std::ostringstream out;
  size_t next = 0;
  write_chrome_trace(out, info, [&](std::vector<Record>& pass) {
    if (next == passes.size()) return false;
    pass = passes[next++];
    return true;
  });
  return out.str();
}

int64_t ts_ns(const json& event) {
  return std::llround(event["ts"].get<double>() * 1000.0);
}

std::vector<json> events_where(const json& doc, const std::function<bool(const json&)>& keep) {
  std::vector<json> out;
  for (const json& e : doc["traceEvents"]) {
    if (keep(e)) out.push_back(e);
  }
  return out;
}

std::vector<std::pair<int64_t, std::string>> counter_samples(const json& doc, std::string_view name) {
  std::vector<std::pair<int64_t, std::string>> out;
  for (const json& e :
       events_where(doc, [&](const json& e) { return e["ph"] == "C" && e["name"] == name; })) {
    out.emplace_back(ts_ns(e), e["args"].begin().value().dump());
  }
  return out;
}

// Every async b has its e, in file order, with matching names and non-decreasing timestamps.
void expect_async_tracks_nest(const json& doc) {
  std::map<std::string, std::vector<std::pair<std::string, int64_t>>> open;
  std::map<std::string, int64_t> last_ts;
  for (const json& e : doc["traceEvents"]) {
    const std::string ph = e["ph"];
    if (ph != "b" && ph != "e" && ph != "n") continue;
    const std::string track = e["cat"].get<std::string>() + "/" + e["id"].get<std::string>();
    const int64_t ts = ts_ns(e);
    if (last_ts.contains(track)) {
      EXPECT_GE(ts, last_ts[track]) << e.dump();
    }
    last_ts[track] = ts;
    if (ph == "b") open[track].emplace_back(e["name"], ts);
    if (ph == "e") {
      ASSERT_FALSE(open[track].empty()) << e.dump();
      EXPECT_EQ(open[track].back().first, e["name"]) << e.dump();
      open[track].pop_back();
    }
  }
  for (const auto& [track, stack] : open) EXPECT_TRUE(stack.empty()) << track;
}

TEST(ChromeExport, DocumentIsValidJsonThatStartsTheWayPerfettoReadsIt) {
  Records rec;
  const std::string text = export_passes({rec.streaming_request(7, kT0)});
  EXPECT_EQ(text.rfind("{\"traceEvents\":[", 0), 0u);
  const json doc = json::parse(text);
  EXPECT_FALSE(doc.contains("displayTimeUnit")) << "some Perfetto versions misread it as the ts unit";
  ASSERT_TRUE(doc["traceEvents"].is_array());
  // "ts" is the first key of every event in the text (nlohmann sorts keys, so check the raw text).
  size_t events = 0;
  for (size_t at = text.find("\n{"); at != std::string::npos; at = text.find("\n{", at + 1)) {
    EXPECT_EQ(text.compare(at + 1, 6, "{\"ts\":"), 0) << text.substr(at + 1, 40);
    ++events;
  }
  EXPECT_EQ(events, doc["traceEvents"].size());
  EXPECT_EQ(doc["otherData"]["clock"], "CLOCK_MONOTONIC");
  EXPECT_EQ(doc["otherData"]["ts_base_monotonic_ns"], std::to_string(kT0));
  EXPECT_FALSE(doc["otherData"].contains("tsc_ns_per_tick")) << "no TSC calibration: nothing to say";
}

TEST(ChromeExport, KnownRequestHasOneAsyncTrackWithExactStageSlicesInOrder) {
  Records rec;
  ChromeExportInfo info;
  info.anchor_monotonic_ns = kT0 - 5'000;
  info.anchor_realtime_ns = 1'700'000'000'000'000'000;
  info.tsc_ns_per_tick = 0.408927661;
  const std::string text = export_passes({rec.streaming_request(7, kT0)}, info);
  const json doc = json::parse(text);
  const std::vector<json> track =
      events_where(doc, [](const json& e) { return e.contains("cat") && e["id"] == "0x7"; });

  // (phase, name, ns since the anchor)
  const std::vector<std::tuple<std::string, std::string, int64_t>> expected = {
      {"b", "request 7", 5'000},
      {"b", "schedule lag", 5'000},
      {"e", "schedule lag", 6'000},
      {"b", "encode", 6'000},
      {"e", "encode", 6'000},
      {"b", "connection wait", 6'000},
      {"e", "connection wait", 8'000},
      {"b", "write", 8'000},
      {"e", "write", 8'500},
      {"b", "server to headers", 8'500},
      {"e", "server to headers", 108'500},
      {"b", "headers to first chunk", 108'500},
      {"e", "headers to first chunk", 158'500},
      {"b", "first to last chunk", 158'500},
      {"n", "first token", 158'500},  // the first token came with the first chunk
      {"e", "first to last chunk", 1'158'500},
      {"b", "hand-off", 1'158'500},
      {"e", "hand-off", 1'159'000},
      {"b", "collector pickup", 1'159'000},
      {"e", "collector pickup", 1'169'000},
      {"b", "fold", 1'169'000},
      {"e", "fold", 1'170'000},
      {"e", "request 7", 1'170'000},
  };
  ASSERT_EQ(track.size(), expected.size()) << doc.dump(1);
  for (size_t i = 0; i < expected.size(); ++i) {
    const auto& [ph, name, ns] = expected[i];
    EXPECT_EQ(track[i]["ph"], ph) << i;
    EXPECT_EQ(track[i]["name"], name) << i;
    EXPECT_EQ(ts_ns(track[i]), ns) << i;
    EXPECT_EQ(track[i]["cat"], "request");
    EXPECT_EQ(track[i]["pid"], 1);
    EXPECT_EQ(track[i]["tid"], kWorker + 1);
  }
  EXPECT_EQ(track[0]["args"]["e2e_ns"], 1'165'000);
  EXPECT_EQ(track[0]["args"]["sse_parse_ns"], 20'000);
  EXPECT_EQ(track[0]["args"]["complete"], true);
  EXPECT_EQ(track[13]["name"], "first to last chunk");
  EXPECT_EQ(track[13]["args"]["class"], "server");
  EXPECT_EQ(track[13]["args"]["dur_ns"], 1'000'000);
  // Microseconds with exactly three decimals: ns precision survives.
  EXPECT_NE(text.find("{\"ts\":1158.500,\"ph\":\"e\""), std::string::npos);
  EXPECT_NE(text.find("{\"ts\":5.000,\"ph\":\"b\""), std::string::npos);
  EXPECT_EQ(doc["otherData"]["anchor_realtime_ns"], "1700000000000000000");
  EXPECT_EQ(doc["otherData"]["ts_base_realtime_ns"], "1700000000000000000");
  EXPECT_EQ(doc["otherData"]["tsc_ns_per_tick"], "0.408927661");
  expect_async_tracks_nest(doc);
}

TEST(ChromeExport, WarmupRequestsAreExportedInTheirOwnCategory) {
  Records rec;
  const json doc = json::parse(export_passes({rec.streaming_request(request_id(4, true), kT0)}));
  const std::vector<json> warmup = events_where(doc, [](const json& e) { return e.contains("cat"); });
  ASSERT_FALSE(warmup.empty());
  for (const json& e : warmup) {
    EXPECT_EQ(e["cat"], "warmup");
    EXPECT_EQ(e["id"], "0x8000000000000004");
  }
  EXPECT_EQ(warmup.front()["name"], "request 4");
}

TEST(ChromeExport, IncompleteLifecycleShowsOnlyStagesWithBothBoundaries) {
  Records rec;
  std::vector<Record> pass = rec.streaming_request(9, kT0);
  std::erase_if(pass, [](const Record& r) { return r.event == static_cast<uint16_t>(Event::written); });
  const json doc = json::parse(export_passes({pass}));
  std::vector<std::string> slices;
  for (const json& e : events_where(doc, [](const json& e) { return e["ph"] == "b" && e.contains("cat"); })) {
    slices.push_back(e["name"]);
  }
  EXPECT_EQ(slices, (std::vector<std::string>{"request 9", "schedule lag", "encode", "connection wait",
                                              "headers to first chunk", "first to last chunk", "hand-off",
                                              "collector pickup", "fold"}));
  const json parent = events_where(doc, [](const json& e) { return e["ph"] == "b" && e.contains("cat"); })[0];
  EXPECT_EQ(parent["args"]["complete"], false);
  expect_async_tracks_nest(doc);
}

TEST(ChromeExport, ProducersGetProcessesAndThreadNames) {
  Records rec;
  std::vector<Record> pass = {rec.make(Event::perf_start, kEngineProducer, kT0)};
  for (const Record& r : rec.streaming_request(1, kT0)) pass.push_back(r);
  const json doc = json::parse(export_passes({pass}));
  std::map<std::pair<int, int>, std::string> threads;
  std::map<int, std::string> processes;
  for (const json& e : events_where(doc, [](const json& e) { return e["ph"] == "M"; })) {
    if (e["name"] == "thread_name") threads[{e["pid"], e["tid"]}] = e["args"]["name"];
    if (e["name"] == "process_name") processes[e["pid"]] = e["args"]["name"];
  }
  EXPECT_EQ(processes, (std::map<int, std::string>{{1, "workers"}, {2, "collector"}, {3, "engine"}}));
  EXPECT_EQ(threads[std::make_pair(1, kWorker + 1)], "worker 3");
  EXPECT_EQ(threads[std::make_pair(2, 1)], "collector");
  EXPECT_EQ(threads[std::make_pair(3, 1)], "engine");
  const std::vector<json> marks = events_where(doc, [](const json& e) { return e["ph"] == "i"; });
  ASSERT_EQ(marks.size(), 1u);
  EXPECT_EQ(marks[0]["name"], "PERF_START");
  EXPECT_EQ(marks[0]["s"], "g");
}

TEST(ChromeExport, LoopLagCounterHasOneSamplePerRecordInMicroseconds) {
  Records rec;
  const json doc = json::parse(export_passes({{rec.make(Event::loop_lag, kWorker, kT0, 0, 1'500'000),
                                               rec.make(Event::loop_lag, kWorker, kT0 + 7, 0, 2'345)}}));
  const auto samples = counter_samples(doc, "worker 3 loop lag");
  EXPECT_EQ(samples, (std::vector<std::pair<int64_t, std::string>>{{0, "1500.0"}, {7, "2.345"}}));
}

TEST(ChromeExport, BusyPercentSpreadsEachIterationOverTheWindowsItCovers) {
  Records rec;
  ChromeExportInfo info;
  info.anchor_monotonic_ns = kT0;
  info.counter_window_ns = 1'000'000;
  // LOOP_BUSY is stamped at the end of the turn. Busy 0..1.5 ms: windows 0 and 1 are 100 % and 50 %; idle
  // until 5.2 ms; busy 5.2..5.4 ms is 20 % of window 5.
  const json doc =
      json::parse(export_passes({{rec.make(Event::loop_busy, kWorker, kT0 + 1'500'000, 3, 1'500'000)},
                                 {rec.make(Event::loop_busy, kWorker, kT0 + 5'400'000, 1, 200'000)}},
                                info));
  const auto samples = counter_samples(doc, "worker 3 busy");
  EXPECT_EQ(
      samples,
      (std::vector<std::pair<int64_t, std::string>>{
          {0, "100.0"}, {1'000'000, "50.0"}, {2'000'000, "0.0"}, {5'000'000, "20.0"}, {6'000'000, "0.0"}}));
}

TEST(ChromeExport, InFlightRisesAtWorkerReceivedAndFallsAtQueued) {
  Records rec;
  const json doc = json::parse(export_passes(
      {{rec.make(Event::worker_received, kWorker, kT0, 1),
        rec.make(Event::worker_received, kWorker, kT0 + 10, 2), rec.make(Event::queued, kWorker, kT0 + 20, 1),
        rec.make(Event::queued, kWorker, kT0 + 30, 2)}}));
  const auto samples = counter_samples(doc, "worker 3 in flight");
  EXPECT_EQ(samples,
            (std::vector<std::pair<int64_t, std::string>>{{0, "1"}, {10, "2"}, {20, "1"}, {30, "0"}}));
}

TEST(ChromeExport, DroppedRecordsCounterStartsAtZeroAndFollowsSeqGaps) {
  Records rec;
  std::vector<Record> first = {rec.make(Event::loop_lag, kWorker, kT0)};
  rec.skip(kWorker, 4);
  std::vector<Record> second = {rec.make(Event::loop_lag, kWorker, kT0 + 100)};
  const json doc = json::parse(export_passes({first, second}));
  const auto samples = counter_samples(doc, "worker 3 records dropped");
  EXPECT_EQ(samples, (std::vector<std::pair<int64_t, std::string>>{{0, "0"}, {100, "4"}}));
}

TEST(ChromeExport, MetadataStringIsEscapedAndRoundTrips) {
  ChromeExportInfo info;
  info.metadata_json =
      std::string("{\"model\":\"say \\\"hi\\\"\"}\n\ttab\x01\x1f\x7f back\\slash caf\xC3\xA9 bad\xFF!");
  Records rec;
  const std::string text = export_passes({{rec.make(Event::loop_lag, kWorker, kT0)}}, info);
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    EXPECT_TRUE(byte >= 0x20 || c == '\n') << "raw control byte " << int(byte);
    EXPECT_NE(byte, 0x7F);
  }
  const json doc = json::parse(text);
  EXPECT_EQ(
      doc["otherData"]["run_metadata"],
      std::string(
          "{\"model\":\"say \\\"hi\\\"\"}\n\ttab\x01\x1f\x7f back\\slash caf\xC3\xA9 bad\xEF\xBF\xBD!"));
}

TEST(ChromeExport, LifecyclesAreWrittenWhenTheirPassEndsNotAtFinish) {
  Records rec;
  std::ostringstream out;
  ChromeTraceWriter writer(out, {});
  writer.feed_pass(rec.streaming_request(7, kT0));
  EXPECT_NE(out.str().find("\"request 7\""), std::string::npos);
  EXPECT_EQ(out.str().find("otherData"), std::string::npos);
  const uint64_t written = writer.events_written();
  writer.finish();
  writer.finish();
  EXPECT_GE(writer.events_written(), written);
  EXPECT_TRUE(json::accept(out.str()));
}

TEST(ChromeExport, OpenLifecyclesAreWrittenAtFinish) {
  Records rec;
  std::vector<Record> pass = rec.streaming_request(7, kT0);
  pass.erase(pass.begin(), pass.begin() + 2);  // no COMPLETE yet
  std::ostringstream out;
  {
    ChromeTraceWriter writer(out, {});
    writer.feed_pass(pass);
    EXPECT_EQ(out.str().find("\"request 7\""), std::string::npos);
  }  // destroyed without finish(): still a whole document
  const json doc = json::parse(out.str());
  const std::vector<json> parent =
      events_where(doc, [](const json& e) { return e["ph"] == "b" && e["name"] == "request 7"; });
  ASSERT_EQ(parent.size(), 1u);
  EXPECT_EQ(parent[0]["args"]["ending"], "end_of_stream");
  expect_async_tracks_nest(doc);
}

TEST(ChromeExport, AnEmptyTraceIsStillAValidDocument) {
  const json doc = json::parse(export_passes({}));
  EXPECT_TRUE(doc["traceEvents"].empty());
  EXPECT_EQ(doc["otherData"]["sample_one_in"], "1");
}

}  // namespace
}  // namespace ie::trace
