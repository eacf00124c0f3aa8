// Injected faults on the wire: each fault sends exactly the damaged bytes it promises, in every mode,
// streaming or not; faults keep request order under pipelining; the injected counts are exact.

#include <gtest/gtest.h>

#include <cerrno>
#include <nlohmann/json.hpp>
#include <string>
#include <tuple>

#include "common/error.h"
#include "stub/fault_plan.h"
#include "stub/server.h"
#include "test_client.h"

namespace ie::stub {
namespace {

using testing::chat_body;
using testing::get;
using testing::HttpResponse;
using testing::post;
using testing::RunningServer;
using testing::sse_data;
using testing::TestClient;
using json = nlohmann::json;

// Short replies in every mode: 4 events of 10 characters (max_throughput), 5 word tokens (echo), 5 tokens
// after a 1 ms TTFT (variable), so a streamed reply always has a first event and more after it.
ServerOptions options_with(FaultKind kind, Mode mode = Mode::max_throughput) {
  ServerOptions o;
  o.mode = mode;
  o.output_chars = 40;
  o.chars_per_event = 10;
  o.ttft_ms_mean = 1;
  o.itl_ms_mean = 0;
  o.output_tokens_mean = 5;
  o.output_tokens_spread = 0;
  if (kind != FaultKind::none) o.faults.rates = {{kind, 1.0}};
  return o;
}

std::string completion_request(bool stream) {
  return post("/v1/chat/completions", chat_body("one two three four five", stream));
}

std::string pattern(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += static_cast<char>('a' + i % 26);
  return s;
}

HttpResponse must_read(TestClient& client) {
  std::optional<HttpResponse> r = client.read_response();
  if (!r) throw std::runtime_error("no complete response");
  return *r;
}

// The JSON of one SSE chunk payload "data: {...}\n\n".
json event_json(const std::string& chunk) {
  EXPECT_EQ(chunk.rfind("data: ", 0), 0u) << chunk;
  EXPECT_TRUE(chunk.ends_with("\n\n")) << chunk;
  return json::parse(chunk.substr(6, chunk.size() - 8));
}

class FaultWire : public ::testing::TestWithParam<std::tuple<Mode, bool>> {
 protected:
  Mode mode() const { return std::get<0>(GetParam()); }
  bool stream() const { return std::get<1>(GetParam()); }
  ServerOptions options(FaultKind kind) const { return options_with(kind, mode()); }
  std::string request() const { return completion_request(stream()); }
};

TEST_P(FaultWire, HttpStatusFaultsSendAJsonErrorAndKeepTheConnection) {
  for (auto [kind, status, type] : {std::tuple{FaultKind::http_500, 500, "server_error"},
                                    std::tuple{FaultKind::http_429, 429, "rate_limit_exceeded"},
                                    std::tuple{FaultKind::http_503, 503, "service_unavailable"}}) {
    RunningServer server(options(kind));
    TestClient client(server.port());
    for (int i = 0; i < 2; ++i) {  // the second on the same connection: it was kept alive
      client.send_raw(request());
      HttpResponse r = must_read(client);
      EXPECT_EQ(r.status, status);
      EXPECT_EQ(r.header("content-type"), "application/json");
      EXPECT_EQ(r.header("connection"), "");
      json body = json::parse(r.body);
      EXPECT_EQ(body["error"]["message"], "stub fault injection: " + std::string(fault_name(kind)));
      EXPECT_EQ(body["error"]["type"], type);
    }
    EXPECT_EQ(server.server().counters().faults_injected[static_cast<size_t>(kind)], 2u);
  }
}

TEST_P(FaultWire, BadJsonIsWellFramedButCutInHalf) {
  RunningServer server(options(FaultKind::bad_json));
  TestClient client(server.port());
  for (int i = 0; i < 2; ++i) {
    client.send_raw(request());
    HttpResponse r = must_read(client);
    EXPECT_EQ(r.status, 200);
    if (!stream()) {
      EXPECT_EQ(r.header("content-type"), "application/json");
      EXPECT_EQ(r.body.rfind("{\"id\":\"chatcmpl-stub\"", 0), 0u) << r.body;
      EXPECT_FALSE(json::accept(r.body)) << r.body;
      continue;
    }
    EXPECT_TRUE(r.chunked);
    std::vector<std::string> events = sse_data(r.body);
    ASSERT_EQ(events.size(), 2u) << r.body;
    EXPECT_EQ(events[0].rfind("{\"id\":\"chatcmpl-stub\"", 0), 0u) << events[0];
    EXPECT_FALSE(json::accept(events[0])) << events[0];
    EXPECT_EQ(events[1], "[DONE]");
  }
}

TEST_P(FaultWire, TruncatedSendsLessThanTheFramingPromisesThenFin) {
  RunningServer server(options(FaultKind::truncated));
  TestClient client(server.port());
  client.send_raw(request());
  std::optional<HttpResponse> head = client.read_head();
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  int error = -1;
  if (stream()) {
    ASSERT_TRUE(head->chunked);
    std::optional<std::string> first = client.read_chunk();
    ASSERT_TRUE(first);
    EXPECT_FALSE(event_json(*first).empty());
    EXPECT_EQ(client.read_until_closed(error), "") << "nothing after the first event, no 0-chunk";
  } else {
    size_t promised = std::stoul(head->header("content-length"));
    std::string body = client.read_until_closed(error);
    EXPECT_EQ(body.size(), promised / 2);
    EXPECT_LT(body.size(), promised);
  }
  EXPECT_EQ(error, 0) << "closed with a FIN, not a reset";
}

TEST_P(FaultWire, BadChunkedHasANonHexChunkSizeLineThenFin) {
  RunningServer server(options(FaultKind::bad_chunked));
  TestClient client(server.port());
  client.send_raw(request());
  std::optional<HttpResponse> head = client.read_head();
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_TRUE(head->chunked);
  if (stream()) {
    std::optional<std::string> first = client.read_chunk();
    ASSERT_TRUE(first);
    EXPECT_FALSE(event_json(*first).empty());
  } else {
    EXPECT_EQ(head->header("content-type"), "application/json");
    EXPECT_EQ(head->header("content-length"), "");
  }
  int error = -1;
  std::string rest = client.read_until_closed(error);
  EXPECT_EQ(rest.rfind(stream() ? "ZZ\r\ndata: {" : "ZZ\r\n{\"id\"", 0), 0u) << rest;
  EXPECT_EQ(error, 0);
}

TEST_P(FaultWire, BadSseEndsTheBodyInsideAnEventWithoutDone) {
  RunningServer server(options(FaultKind::bad_sse));
  TestClient client(server.port());
  for (int i = 0; i < 2; ++i) {
    client.send_raw(request());
    HttpResponse r = must_read(client);  // the HTTP framing, 0-chunk included, is intact
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.header("content-type"), "text/event-stream") << "even for a non-streaming request";
    ASSERT_EQ(r.chunks.size(), 2u) << r.body;
    EXPECT_FALSE(event_json(r.chunks[0]).empty());
    EXPECT_EQ(r.chunks[1].rfind("data: {", 0), 0u) << r.chunks[1];
    EXPECT_FALSE(r.chunks[1].ends_with("\n")) << "the last event has no blank-line terminator";
    EXPECT_EQ(r.body.find("[DONE]"), std::string::npos);
  }
}

TEST_P(FaultWire, ResetBeforeSendsNoByteThenRst) {
  RunningServer server(options(FaultKind::reset_before));
  TestClient client(server.port());
  client.send_raw(request());
  int error = -1;
  EXPECT_EQ(client.read_until_closed(error), "");
  EXPECT_EQ(error, ECONNRESET);
}

TEST_P(FaultWire, ResetDuringSendsPartOfTheReplyThenRst) {
  RunningServer server(options(FaultKind::reset_during));
  TestClient client(server.port());
  client.send_raw(request());
  std::optional<HttpResponse> head = client.read_head();
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  int error = -1;
  std::string rest = client.read_until_closed(error);
  if (stream()) {
    EXPECT_EQ(rest.rfind("data: {", rest.find("\r\n") + 2), rest.find("\r\n") + 2) << rest;
    EXPECT_TRUE(rest.ends_with("\n\n\r\n")) << "exactly the first event's chunk: " << rest;
  } else {
    EXPECT_EQ(rest.size(), std::stoul(head->header("content-length")) / 2);
  }
  EXPECT_EQ(error, ECONNRESET);
}

TEST_P(FaultWire, StallSendsPartOfTheReplyThenNothingAndClosesWhenTheClientLeaves) {
  RunningServer server(options(FaultKind::stall));  // stall_ms 0: for good
  TestClient client(server.port());
  client.send_raw(request());
  std::optional<HttpResponse> head = client.read_head();
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  if (stream()) {
    std::optional<std::string> first = client.read_chunk();
    ASSERT_TRUE(first);
    EXPECT_FALSE(event_json(*first).empty());
  }
  EXPECT_TRUE(client.stays_silent_for(200));
  client.shutdown_write();
  EXPECT_TRUE(client.reads_eof()) << "a client that left is not waited for";
}

TEST_P(FaultWire, StallWithStallMsResumesIntoTheWholeReply) {
  ServerOptions o = options(FaultKind::stall);
  o.faults.stall_ms = 1;
  RunningServer server(o);
  TestClient client(server.port());
  for (int i = 0; i < 2; ++i) {
    client.send_raw(request());
    HttpResponse r = must_read(client);
    EXPECT_EQ(r.status, 200);
    if (stream()) {
      std::vector<std::string> events = sse_data(r.body);
      EXPECT_EQ(events.back(), "[DONE]");
      EXPECT_GE(events.size(), 3u);
    } else {
      EXPECT_EQ(json::parse(r.body)["object"], "chat.completion");
    }
  }
}

TEST_P(FaultWire, OversizedIsOneValidMessageOrEventLargerThanTheLimit) {
  ServerOptions o = options(FaultKind::oversized);
  o.faults.oversized_bytes = (1 << 20) + 3;  // several generated pieces, the last one short
  RunningServer server(o);
  TestClient client(server.port());
  for (int i = 0; i < 2; ++i) {
    client.send_raw(request());
    HttpResponse r = must_read(client);
    EXPECT_EQ(r.status, 200);
    EXPECT_GT(r.body.size(), o.faults.oversized_bytes);
    if (stream()) {
      std::vector<std::string> events = sse_data(r.body);
      ASSERT_EQ(events.size(), 3u);
      json big = json::parse(events[0]);
      EXPECT_EQ(big["choices"][0]["delta"]["content"], pattern(o.faults.oversized_bytes));
      EXPECT_EQ(json::parse(events[1])["choices"][0]["finish_reason"], "length");
      EXPECT_EQ(events[2], "[DONE]");
    } else {
      EXPECT_EQ(std::stoul(r.header("content-length")), r.body.size());
      json body = json::parse(r.body);
      EXPECT_EQ(body["choices"][0]["message"]["content"], pattern(o.faults.oversized_bytes));
      EXPECT_EQ(body["choices"][0]["finish_reason"], "length");
    }
  }
}

std::string mode_and_streaming_name(const ::testing::TestParamInfo<std::tuple<Mode, bool>>& info) {
  static const char* const kModes[] = {"MaxThroughput", "Variable", "Echo"};
  return std::string(kModes[static_cast<int>(std::get<0>(info.param))]) +
         (std::get<1>(info.param) ? "Streaming" : "NonStreaming");
}

INSTANTIATE_TEST_SUITE_P(ModesAndStreaming, FaultWire,
                         ::testing::Combine(::testing::Values(Mode::max_throughput, Mode::variable,
                                                              Mode::echo),
                                            ::testing::Bool()),
                         mode_and_streaming_name);

TEST(FaultInjection, DefaultOversizedBodyExceedsTheClients64MiBCap) {
  RunningServer server(options_with(FaultKind::oversized));
  TestClient client(server.port());
  client.send_raw(completion_request(false));
  HttpResponse r = must_read(client);
  EXPECT_GT(std::stoul(r.header("content-length")), size_t{64} << 20);
  EXPECT_EQ(r.body.size(), std::stoul(r.header("content-length")));
  EXPECT_TRUE(r.body.ends_with("}}"));
}

TEST(FaultInjection, ClosingFaultComesAfterEarlierPipelinedRepliesAndDropsLaterOnes) {
  ServerOptions o = options_with(FaultKind::truncated);
  o.faults.after_requests = 1;
  RunningServer server(o);
  TestClient client(server.port());
  client.send_raw(completion_request(false) + completion_request(false) + completion_request(false));
  HttpResponse first = must_read(client);
  EXPECT_EQ(json::parse(first.body)["object"], "chat.completion");
  std::optional<HttpResponse> head = client.read_head();
  ASSERT_TRUE(head);
  int error = -1;
  EXPECT_EQ(client.read_until_closed(error).size(), std::stoul(head->header("content-length")) / 2)
      << "the cut second reply and nothing of the third";
  EXPECT_EQ(error, 0);
}

TEST(FaultInjection, ResetComesAfterEarlierPipelinedReplies) {
  ServerOptions o = options_with(FaultKind::reset_before);
  o.faults.after_requests = 1;
  RunningServer server(o);
  TestClient client(server.port());
  client.send_raw(completion_request(true) + completion_request(true));
  HttpResponse first = must_read(client);
  EXPECT_EQ(sse_data(first.body).back(), "[DONE]");
  int error = -1;
  EXPECT_EQ(client.read_until_closed(error), "");
  EXPECT_EQ(error, ECONNRESET);
}

TEST(FaultInjection, VariableModeFaultWaitsBehindAnEarlierTimedReply) {
  ServerOptions o = options_with(FaultKind::http_503, Mode::variable);
  o.ttft_ms_mean = 20;
  o.faults.after_requests = 1;
  RunningServer server(o);
  TestClient client(server.port());
  client.send_raw(completion_request(true) + completion_request(true));
  HttpResponse first = must_read(client);
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(sse_data(first.body).back(), "[DONE]");
  EXPECT_EQ(must_read(client).status, 503);
}

TEST(FaultInjection, FirstNRequestsAreCleanWithFaultAfter) {
  ServerOptions o = options_with(FaultKind::http_503);
  o.faults.after_requests = 5;
  RunningServer server(o);
  TestClient client(server.port());
  for (int i = 0; i < 5; ++i) {
    client.send_raw(completion_request(false));
    EXPECT_EQ(must_read(client).status, 200) << i;
  }
  client.send_raw(completion_request(false));
  EXPECT_EQ(must_read(client).status, 503);
}

TEST(FaultInjection, ModelsHealthAndInvalidRequestsAreNeverFaulted) {
  RunningServer server(options_with(FaultKind::reset_before));
  TestClient client(server.port());
  client.send_raw(get("/v1/models"));
  EXPECT_EQ(must_read(client).status, 200);
  client.send_raw(get("/health"));
  EXPECT_EQ(must_read(client).status, 200);
  client.send_raw(post("/v1/chat/completions", "{not json"));
  EXPECT_EQ(must_read(client).status, 400);
  EXPECT_EQ(server.server().counters().faults_injected, FaultCounts{});
}

// Counts every kind a status or body tells apart, over R non-streaming requests on one connection.
FaultCounts observed_faults(TestClient& client, int requests) {
  FaultCounts seen{};
  for (int i = 0; i < requests; ++i) {
    client.send_raw(completion_request(false));
    HttpResponse r = must_read(client);
    FaultKind kind = r.status == 500         ? FaultKind::http_500
                     : r.status == 429       ? FaultKind::http_429
                     : r.status == 503       ? FaultKind::http_503
                     : !json::accept(r.body) ? FaultKind::bad_json
                                             : FaultKind::none;
    ++seen[static_cast<size_t>(kind)];
  }
  return seen;
}

FaultCounts replayed_faults(const FaultOptions& options, int requests) {
  FaultPlan plan(options, 0);
  FaultCounts expected{};
  for (int i = 0; i < requests; ++i) ++expected[static_cast<size_t>(plan.next())];
  return expected;
}

TEST(FaultInjection, InjectedCountMatchesTheServerCounterAndTheReplayedPlan) {
  ServerOptions o = options_with(FaultKind::none);
  o.faults.rates = {{FaultKind::http_500, 0.25}};
  o.faults.seed = 20261130;
  RunningServer server(o);
  TestClient client(server.port());
  FaultCounts seen = observed_faults(client, 400);
  size_t k = static_cast<size_t>(FaultKind::http_500);
  EXPECT_EQ(seen, replayed_faults(o.faults, 400));
  EXPECT_EQ(server.server().counters().faults_injected[k], seen[k]);
  EXPECT_EQ(server.server().counters().requests, 400u);
  EXPECT_GE(seen[k], 60u);  // mean 100, standard deviation 8.7
  EXPECT_LE(seen[k], 140u);
}

TEST(FaultInjection, MixedKindsAreEachCountedExactly) {
  ServerOptions o = options_with(FaultKind::none);
  o.faults.rates = {{FaultKind::http_500, 0.1},
                    {FaultKind::http_429, 0.1},
                    {FaultKind::http_503, 0.1},
                    {FaultKind::bad_json, 0.1},
                    {FaultKind::stall, 0}};
  o.faults.seed = 3;
  RunningServer server(o);
  TestClient client(server.port());
  FaultCounts seen = observed_faults(client, 300);
  EXPECT_EQ(seen, replayed_faults(o.faults, 300));
  FaultCounts counted = server.server().counters().faults_injected;
  counted[static_cast<size_t>(FaultKind::none)] = seen[static_cast<size_t>(FaultKind::none)];
  EXPECT_EQ(counted, seen);
  for (size_t k = 1; k <= 4; ++k) EXPECT_GT(seen[k], 10u) << fault_name(static_cast<FaultKind>(k));
}

TEST(FaultInjection, ServerRejectsInvalidFaultOptionsNamingTheFlag) {
  ServerOptions too_high = options_with(FaultKind::none);
  too_high.faults.rates = {{FaultKind::stall, 1.5}};
  ServerOptions too_many = options_with(FaultKind::none);
  too_many.faults.rates = {{FaultKind::stall, 0.5}, {FaultKind::truncated, 0.6}};
  for (const ServerOptions& o : {too_high, too_many}) {
    try {
      Server server(o);
      ADD_FAILURE() << "accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ExitCode::invalid_input);
      EXPECT_NE(std::string(e.what()).find("--fault"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace ie::stub
