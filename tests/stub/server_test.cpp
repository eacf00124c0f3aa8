// The stub server over real loopback sockets: wire shapes, framing, connection handling and timing bounds.

#include "stub/server.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "test_client.h"

namespace ie::stub {
namespace {

using testing::chat_body;
using testing::completions_body;
using testing::get;
using testing::HttpResponse;
using testing::post;
using testing::RunningServer;
using testing::sse_data;
using testing::streamed_text;
using testing::TestClient;
using json = nlohmann::json;

std::string pattern(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += static_cast<char>('a' + i % 26);
  return s;
}

ServerOptions options(Mode mode = Mode::max_throughput) {
  ServerOptions o;
  o.mode = mode;
  return o;
}

HttpResponse round_trip(TestClient& client, const std::string& request) {
  client.send_raw(request);
  std::optional<HttpResponse> r = client.read_response();
  if (!r) throw std::runtime_error("no response");
  return *r;
}

// Checks the streaming framing every streamed reply must have and returns the SSE payloads.
std::vector<std::string> checked_events(const HttpResponse& r) {
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.chunked);
  EXPECT_EQ(r.header("content-type"), "text/event-stream");
  std::vector<std::string> events = sse_data(r.body);
  EXPECT_EQ(events.size(), r.chunks.size()) << "one HTTP chunk per SSE event";
  for (size_t i = 0; i < r.chunks.size() && i < events.size(); ++i) {
    EXPECT_EQ(r.chunks[i], "data: " + events[i] + "\n\n");
  }
  EXPECT_FALSE(events.empty());
  if (events.empty()) return events;
  EXPECT_EQ(events.back(), "[DONE]");
  for (size_t i = 0; i + 1 < events.size(); ++i) {
    EXPECT_TRUE(json::accept(events[i])) << events[i];
  }
  return events;
}

json usage_event(const std::vector<std::string>& events) {
  for (const std::string& e : events) {
    if (e == "[DONE]") continue;
    json j = json::parse(e);
    if (j.contains("usage")) return j;
  }
  return json();
}

TEST(StubServer, NonStreamingChatIsOneCompletionWithUsage) {
  RunningServer server(options());
  TestClient client(server.port());
  HttpResponse r = round_trip(client, post("/v1/chat/completions", chat_body("hello there", false)));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_FALSE(r.chunked);
  json j = json::parse(r.body);
  EXPECT_EQ(j["object"], "chat.completion");
  EXPECT_EQ(j["model"], "stub-model");
  EXPECT_EQ(j["choices"][0]["message"]["role"], "assistant");
  EXPECT_EQ(j["choices"][0]["message"]["content"], pattern(160));
  EXPECT_EQ(j["choices"][0]["finish_reason"], "stop");
  EXPECT_EQ(j["usage"]["completion_tokens"], 16);
  EXPECT_EQ(j["usage"]["prompt_tokens"], 10);
  EXPECT_EQ(j["usage"]["total_tokens"], 26);
}

TEST(StubServer, NonStreamingCompletionsCarriesText) {
  ServerOptions o = options();
  o.output_chars = 25;
  o.chars_per_event = 4;
  RunningServer server(o);
  TestClient client(server.port());
  HttpResponse r = round_trip(client, post("/v1/completions", completions_body("hi", false)));
  json j = json::parse(r.body);
  EXPECT_EQ(j["object"], "text_completion");
  EXPECT_EQ(j["choices"][0]["text"], pattern(25));
  EXPECT_EQ(j["usage"]["completion_tokens"], 7);  // ceil(25 / 4)
}

TEST(StubServer, StreamingChatSendsOneEventPerTokenThenFinishAndDone) {
  RunningServer server(options());
  TestClient client(server.port());
  HttpResponse r = round_trip(client, post("/v1/chat/completions", chat_body("hello", true)));
  std::vector<std::string> events = checked_events(r);
  ASSERT_EQ(events.size(), 16u + 2u);  // 16 content events, finish, [DONE]
  EXPECT_EQ(streamed_text(events), pattern(160));
  json first = json::parse(events[0]);
  EXPECT_EQ(first["object"], "chat.completion.chunk");
  EXPECT_EQ(first["choices"][0]["delta"]["role"], "assistant");
  EXPECT_EQ(first["choices"][0]["delta"]["content"], "abcdefghij");
  json finish = json::parse(events[16]);
  EXPECT_TRUE(finish["choices"][0]["delta"].empty());
  EXPECT_EQ(finish["choices"][0]["finish_reason"], "stop");
  EXPECT_TRUE(usage_event(events).is_null()) << "usage only when stream_options.include_usage";
}

TEST(StubServer, StreamingUsageEventComesBeforeDoneWhenRequested) {
  RunningServer server(options());
  TestClient client(server.port());
  HttpResponse r = round_trip(
      client,
      post("/v1/chat/completions", chat_body("hello", true, R"("stream_options":{"include_usage":true})")));
  std::vector<std::string> events = checked_events(r);
  ASSERT_EQ(events.size(), 16u + 3u);
  json usage = json::parse(events[events.size() - 2]);
  EXPECT_TRUE(usage["choices"].empty());
  EXPECT_EQ(usage["usage"]["completion_tokens"], 16);
  EXPECT_EQ(usage["usage"]["total_tokens"], 26);
}

TEST(StubServer, StreamingCompletionsUsesTextField) {
  RunningServer server(options());
  TestClient client(server.port());
  HttpResponse r = round_trip(client, post("/v1/completions", completions_body("x", true)));
  std::vector<std::string> events = checked_events(r);
  EXPECT_EQ(streamed_text(events), pattern(160));
  json first = json::parse(events[0]);
  EXPECT_EQ(first["object"], "text_completion");
  EXPECT_EQ(first["choices"][0]["text"], "abcdefghij");
  EXPECT_EQ(json::parse(events[events.size() - 2])["choices"][0]["finish_reason"], "stop");
}

TEST(StubServer, MaxTokensCapsOutputAndFinishesWithLength) {
  RunningServer server(options());
  TestClient client(server.port());
  HttpResponse plain =
      round_trip(client, post("/v1/chat/completions", chat_body("x", false, R"("max_tokens":3)")));
  json j = json::parse(plain.body);
  EXPECT_EQ(j["choices"][0]["message"]["content"], pattern(30));
  EXPECT_EQ(j["choices"][0]["finish_reason"], "length");
  EXPECT_EQ(j["usage"]["completion_tokens"], 3);

  HttpResponse streamed = round_trip(
      client,
      post("/v1/completions", completions_body("x", true, R"("max_tokens":50,"max_completion_tokens":2)")));
  std::vector<std::string> events = checked_events(streamed);
  EXPECT_EQ(streamed_text(events), pattern(20));
  EXPECT_EQ(json::parse(events[events.size() - 2])["choices"][0]["finish_reason"], "length");

  HttpResponse roomy =
      round_trip(client, post("/v1/chat/completions", chat_body("x", false, R"("max_tokens":16)")));
  EXPECT_EQ(json::parse(roomy.body)["choices"][0]["finish_reason"], "stop")
      << "a cap equal to the length is not hit";
}

TEST(StubServer, StreamModeOverridesTheRequest) {
  ServerOptions always = options();
  always.stream = StreamMode::always;
  RunningServer streaming(always);
  TestClient a(streaming.port());
  EXPECT_TRUE(round_trip(a, post("/v1/chat/completions", chat_body("x", false))).chunked);

  ServerOptions never = options();
  never.stream = StreamMode::never;
  RunningServer plain(never);
  TestClient b(plain.port());
  EXPECT_FALSE(round_trip(b, post("/v1/chat/completions", chat_body("x", true))).chunked);
}

TEST(StubServer, EchoReturnsThePromptExactly) {
  RunningServer server(options(Mode::echo));
  TestClient client(server.port());
  const std::string prompt = "  Grüße, \"quoted\" \\ back\\slash\n\tnew line 日本語 😀 end  ";
  HttpResponse plain = round_trip(client, post("/v1/chat/completions", chat_body(prompt, false)));
  json j = json::parse(plain.body);
  EXPECT_EQ(j["choices"][0]["message"]["content"], prompt);
  EXPECT_EQ(j["usage"]["prompt_tokens"], 9);      // whitespace-separated words
  EXPECT_EQ(j["usage"]["completion_tokens"], 9);  // one event per word

  HttpResponse streamed = round_trip(client, post("/v1/chat/completions", chat_body(prompt, true)));
  std::vector<std::string> events = checked_events(streamed);
  EXPECT_EQ(streamed_text(events), prompt);
  EXPECT_EQ(events.size(), 9u + 2u);
}

TEST(StubServer, EchoAnswersCompletionsPromptAndHonoursTheCap) {
  RunningServer server(options(Mode::echo));
  TestClient client(server.port());
  HttpResponse r = round_trip(
      client,
      post("/v1/completions", completions_body("one two three four", true,
                                               R"("max_tokens":2,"stream_options":{"include_usage":true})")));
  std::vector<std::string> events = checked_events(r);
  EXPECT_EQ(streamed_text(events), "one two ");
  json usage = usage_event(events);
  EXPECT_EQ(usage["usage"]["completion_tokens"], 2);
  EXPECT_EQ(usage["usage"]["prompt_tokens"], 4);
}

TEST(StubServer, EchoHandlesALargeBody) {
  RunningServer server(options(Mode::echo));
  TestClient client(server.port());
  std::string prompt;
  while (prompt.size() < (1 << 20)) prompt += "word" + std::to_string(prompt.size() % 997) + " ";
  HttpResponse r = round_trip(client, post("/v1/chat/completions", chat_body(prompt, false)));
  EXPECT_EQ(json::parse(r.body)["choices"][0]["message"]["content"], prompt);
}

TEST(StubServer, KeepAliveServesManyRequestsOnOneConnection) {
  RunningServer server(options());
  TestClient client(server.port());
  for (int i = 0; i < 200; ++i) {
    HttpResponse r = round_trip(client, post("/v1/chat/completions", chat_body("x", i % 2 == 0)));
    ASSERT_EQ(r.status, 200) << "request " << i;
    ASSERT_TRUE(r.header("connection").empty());
  }
  ServerCounters c = server.server().counters();
  EXPECT_EQ(c.requests, 200u);
  EXPECT_EQ(c.connections, 1u);
  EXPECT_GT(c.bytes_out, 200u * 100u);
}

TEST(StubServer, PipelinedRequestsAreAnsweredInOrder) {
  RunningServer server(options(Mode::echo));
  TestClient client(server.port());
  client.send_raw(post("/v1/chat/completions", chat_body("first", false)) + get("/v1/models") +
                  post("/v1/completions", completions_body("third", true)));
  HttpResponse a = *client.read_response();
  HttpResponse b = *client.read_response();
  HttpResponse c = *client.read_response();
  EXPECT_EQ(json::parse(a.body)["choices"][0]["message"]["content"], "first");
  EXPECT_EQ(json::parse(b.body)["object"], "list");
  EXPECT_EQ(streamed_text(checked_events(c)), "third");
}

TEST(StubServer, RequestSentOneByteAtATimeIsAnswered) {
  RunningServer server(options(Mode::echo));
  TestClient client(server.port());
  std::string request = post("/v1/chat/completions", chat_body("slow", false));
  for (char ch : request) client.send_raw(std::string(1, ch));
  HttpResponse r = *client.read_response();
  EXPECT_EQ(json::parse(r.body)["choices"][0]["message"]["content"], "slow");
}

TEST(StubServer, ChunkedRequestBodyIsAccepted) {
  RunningServer server(options(Mode::echo));
  TestClient client(server.port());
  std::string body = chat_body("chunked body", false);
  std::string half1 = body.substr(0, 10);
  std::string half2 = body.substr(10);
  auto hex = [](size_t n) {
    char buf[16];
    snprintf(buf, sizeof buf, "%zx", n);
    return std::string(buf);
  };
  client.send_raw("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
                  hex(half1.size()) + "\r\n" + half1 + "\r\n" + hex(half2.size()) + "\r\n" + half2 +
                  "\r\n0\r\n\r\n");
  HttpResponse r = *client.read_response();
  EXPECT_EQ(json::parse(r.body)["choices"][0]["message"]["content"], "chunked body");
}

TEST(StubServer, ExpectContinueGetsAnInterimResponse) {
  RunningServer server(options(Mode::echo));
  TestClient client(server.port());
  std::string body = chat_body("after continue", false);
  client.send_raw(
      "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n");
  EXPECT_EQ(client.read_response()->status, 100);
  client.send_raw(body);
  HttpResponse r = *client.read_response();
  EXPECT_EQ(json::parse(r.body)["choices"][0]["message"]["content"], "after continue");
}

TEST(StubServer, ConnectionCloseIsHonoured) {
  RunningServer server(options());
  TestClient client(server.port());
  HttpResponse r =
      round_trip(client, post("/v1/chat/completions", chat_body("x", true), "Connection: close\r\n"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("connection"), "close");
  EXPECT_TRUE(client.reads_eof());
}

TEST(StubServer, HalfClosedClientStillGetsItsReply) {
  RunningServer server(options(Mode::echo));
  TestClient client(server.port());
  client.send_raw(post("/v1/chat/completions", chat_body("bye", false)));
  client.shutdown_write();
  HttpResponse r = *client.read_response();
  EXPECT_EQ(json::parse(r.body)["choices"][0]["message"]["content"], "bye");
  EXPECT_TRUE(client.reads_eof());
}

TEST(StubServer, ModelsAndHealthAnswer) {
  ServerOptions o = options();
  o.model = "my \"model\"";
  RunningServer server(o);
  TestClient client(server.port());
  json models = json::parse(round_trip(client, get("/v1/models")).body);
  EXPECT_EQ(models["data"][0]["id"], "my \"model\"");
  HttpResponse health = round_trip(client, get("/health"));
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(json::parse(health.body)["status"], "ok");
  json chat = json::parse(round_trip(client, post("/v1/chat/completions", chat_body("x", false))).body);
  EXPECT_EQ(chat["model"], "my \"model\"");
}

TEST(StubServer, UnknownRouteIs404AndWrongMethodIs405) {
  RunningServer server(options());
  TestClient client(server.port());
  HttpResponse missing = round_trip(client, get("/v2/nothing"));
  EXPECT_EQ(missing.status, 404);
  EXPECT_TRUE(json::parse(missing.body)["error"].contains("message"));
  HttpResponse wrong = round_trip(client, get("/v1/chat/completions"));
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(round_trip(client, get("/health")).status, 200) << "an error reply keeps the connection usable";
}

TEST(StubServer, MalformedJsonIs400InvalidRequestError) {
  RunningServer server(options());
  TestClient client(server.port());
  for (std::string bad : {"{\"stream\": tru", "not json", "", "[1,2]", "{\"a\":1} trailing",
                          "{\"stream\":\"yes\"}", "{\"max_tokens\":-1}"}) {
    HttpResponse r = round_trip(client, post("/v1/chat/completions", bad));
    EXPECT_EQ(r.status, 400) << bad;
    json j = json::parse(r.body);
    EXPECT_EQ(j["error"]["type"], "invalid_request_error") << bad;
    EXPECT_FALSE(j["error"]["message"].get<std::string>().empty());
  }
}

TEST(StubServer, MalformedHttpIs400AndCloses) {
  RunningServer server(options());
  TestClient client(server.port());
  client.send_raw("NOT HTTP AT ALL\r\n\r\n");
  HttpResponse r = *client.read_response();
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.header("connection"), "close");
  EXPECT_TRUE(client.reads_eof());
}

TEST(StubServer, SeveralThreadsServeManyConnections) {
  ServerOptions o = options();
  o.threads = 2;
  RunningServer server(o);
  std::vector<std::unique_ptr<TestClient>> clients;
  for (int i = 0; i < 50; ++i) clients.push_back(std::make_unique<TestClient>(server.port()));
  for (auto& c : clients) c->send_raw(post("/v1/chat/completions", chat_body("x", false)));
  for (auto& c : clients) EXPECT_EQ(c->read_response()->status, 200);
  EXPECT_EQ(server.server().counters().requests, 50u);
  EXPECT_EQ(server.server().counters().connections, 50u);
}

// Times from just before the request is sent: the server's clock starts no earlier than that.
TEST(StubServer, VariableStreamingFirstTokenIsNoEarlierThanTtftAndTokensNoEarlierThanTheirGap) {
  ServerOptions o = options(Mode::variable);
  o.ttft_ms_mean = 30;
  o.ttft_spread = 0;
  o.itl_ms_mean = 5;
  o.itl_spread = 0;
  o.output_tokens_mean = 4;
  o.output_tokens_spread = 0;
  RunningServer server(o);
  TestClient client(server.port());
  int64_t sent_ns = now_ns();
  client.send_raw(
      post("/v1/chat/completions", chat_body("timed", true, R"("stream_options":{"include_usage":true})")));
  std::optional<HttpResponse> head = client.read_head();
  ASSERT_TRUE(head && head->chunked);
  std::vector<std::string> chunks;
  std::vector<int64_t> arrival_ns;
  while (std::optional<std::string> chunk = client.read_chunk()) {
    arrival_ns.push_back(now_ns() - sent_ns);
    chunks.push_back(*chunk);
  }
  ASSERT_EQ(chunks.size(), 4u + 3u);  // tokens, finish, usage, [DONE]
  for (int k = 0; k < 4; ++k) {
    EXPECT_GE(arrival_ns[k], (30 + 5 * k) * kNsPerMs) << "token " << k;
    EXPECT_EQ(streamed_text({chunks[k].substr(6, chunks[k].size() - 8)}), pattern(40).substr(10 * k, 10));
  }
  json usage = json::parse(chunks[5].substr(6, chunks[5].size() - 8));
  EXPECT_EQ(usage["usage"]["completion_tokens"], 4);
  EXPECT_EQ(usage["usage"]["prompt_tokens"], 1);
}

TEST(StubServer, VariableNonStreamingWaitsTtftPlusAllTokens) {
  ServerOptions o = options(Mode::variable);
  o.ttft_ms_mean = 20;
  o.ttft_spread = 0;
  o.itl_ms_mean = 2;
  o.itl_spread = 0;
  o.output_tokens_mean = 5;
  o.output_tokens_spread = 0;
  RunningServer server(o);
  TestClient client(server.port());
  int64_t sent_ns = now_ns();
  HttpResponse r = round_trip(client, post("/v1/completions", completions_body("a b", false)));
  EXPECT_GE(now_ns() - sent_ns, (20 + 2 * 5) * kNsPerMs);
  json j = json::parse(r.body);
  EXPECT_EQ(j["choices"][0]["text"], pattern(50));
  EXPECT_EQ(j["usage"]["completion_tokens"], 5);
  EXPECT_EQ(j["usage"]["prompt_tokens"], 2);
}

TEST(StubServer, VariablePipelinedRepliesKeepOrderAndErrorsWaitTheirTurn) {
  ServerOptions o = options(Mode::variable);
  o.ttft_ms_mean = 5;
  o.ttft_spread = 0;
  o.itl_ms_mean = 1;
  o.itl_spread = 0;
  o.output_tokens_mean = 3;
  o.output_tokens_spread = 0;
  RunningServer server(o);
  TestClient client(server.port());
  client.send_raw(post("/v1/chat/completions", chat_body("x", true)) + get("/nowhere") +
                  post("/v1/chat/completions", chat_body("x", false, R"("max_tokens":1)")));
  HttpResponse a = *client.read_response();
  HttpResponse b = *client.read_response();
  HttpResponse c = *client.read_response();
  EXPECT_EQ(streamed_text(checked_events(a)), pattern(30));
  EXPECT_EQ(b.status, 404);
  json j = json::parse(c.body);
  EXPECT_EQ(j["choices"][0]["message"]["content"], pattern(10));
  EXPECT_EQ(j["choices"][0]["finish_reason"], "length");
}

TEST(StubServer, StopMakesRunReturn) {
  Server server(options());
  std::thread runner([&server] { server.run(); });
  TestClient client(server.port());
  EXPECT_EQ(round_trip(client, get("/health")).status, 200);
  server.stop();
  runner.join();  // hangs (and the test times out) if stop() does not end run()
  EXPECT_TRUE(client.reads_eof()) << "connections are closed when the worker exits";
}

TEST(StubServer, StopBeforeRunReturnsImmediately) {
  ServerOptions o = options();
  o.threads = 2;
  Server server(o);
  server.stop();
  server.run();
  SUCCEED();
}

TEST(StubServer, BusyPortIsASetupErrorNamingHostPortAndReason) {
  RunningServer first(options());
  ServerOptions o = options();
  o.port = first.port();
  try {
    Server second(o);
    FAIL() << "binding a busy port must throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::setup);
    std::string what = e.what();
    EXPECT_NE(what.find("127.0.0.1:" + std::to_string(first.port())), std::string::npos) << what;
    EXPECT_NE(what.find("Address already in use"), std::string::npos) << what;
  }
}

TEST(StubServer, InvalidOptionsAreInputErrors) {
  ServerOptions zero_threads = options();
  zero_threads.threads = 0;
  EXPECT_THROW(Server{zero_threads}, Error);
  ServerOptions zero_chars = options();
  zero_chars.chars_per_event = 0;
  try {
    Server s(zero_chars);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::invalid_input);
  }
  ServerOptions bad_host = options();
  bad_host.host = "no.such.host.invalid";
  EXPECT_THROW(Server{bad_host}, Error);
}

}  // namespace
}  // namespace ie::stub
