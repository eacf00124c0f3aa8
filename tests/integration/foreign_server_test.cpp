// The real binary against an OpenAI-compatible endpoint this project did not write: Python's standard-library
// http.server (tests/integration/foreign_server.py), whose HTTP framing is its own: HTTP/1.0 responses that
// end with the connection, HTTP/1.1 keep-alive with chunked SSE, its own Server and Date headers. Every reply
// is "hello world" (two content pieces) with usage 3 + 2 tokens, so the counts have an exact oracle.

#include <gtest/gtest.h>

#include <string>

#include "harness.h"

namespace ie::testing {
namespace {

struct Case {
  std::string protocol;  // "1.0" or "1.1"
  bool streaming;
};

std::string label(const Case& c) {
  return "HTTP/" + c.protocol + (c.streaming ? ", streaming" : ", not streaming");
}

void expect_every_request_understood(const Case& c) {
  StubServer server(StubServer::Program{
      {"python3", source_path("tests/integration/foreign_server.py"), "--protocol", c.protocol}});
  TempDir dir;
  CommandResult run =
      run_binary(benchmark_args("offline", server, dir,
                                {"--num-samples", "40", "--max-connections", "4", "--workers", "1",
                                 "--streaming", c.streaming ? "on" : "off", "--requests-log"}));
  ASSERT_EQ(run.exit_code, 0) << label(c) << "\n" << run.err;
  nlohmann::json summary = read_json(dir.path() / "performance" / "result_summary.json");
  EXPECT_EQ(summary["n_samples_completed"], 40) << label(c) << "\n" << run.out << run.err;
  EXPECT_EQ(summary["n_samples_failed"], 0) << label(c);
  EXPECT_EQ(summary["extended"]["token_count_source"], "server_usage") << label(c);
  std::vector<nlohmann::json> requests = read_json_lines(dir.path() / "metrics" / "requests.jsonl");
  ASSERT_EQ(requests.size(), 40u) << label(c);
  for (const nlohmann::json& r : requests) {
    ASSERT_EQ(r["outcome"], "ok") << label(c) << ": " << r.dump();
    EXPECT_EQ(r["output_bytes"], 11) << label(c) << ": \"hello world\"";
    EXPECT_EQ(r["completion_tokens"], 2) << label(c);
    EXPECT_EQ(r["prompt_tokens"], 3) << label(c);
    if (c.streaming) {
      EXPECT_EQ(r["content_chunks"], 2) << label(c);
      EXPECT_GT(r["ttft_ns"].get<int64_t>(), 0) << label(c);
      EXPECT_LE(r["ttft_ns"].get<int64_t>(), r["latency_ns"].get<int64_t>()) << label(c);
    }
  }
}

TEST(ForeignServer, PythonHttpServerIsUnderstoodOverHttp11KeepAlive) {
  expect_every_request_understood({"1.1", false});
  expect_every_request_understood({"1.1", true});
}

TEST(ForeignServer, PythonHttpServerIsUnderstoodOverHttp10ConnectionPerRequest) {
  expect_every_request_understood({"1.0", false});
  expect_every_request_understood({"1.0", true});
}

}  // namespace
}  // namespace ie::testing
