// Side-by-side costs of the client's per-request and end-of-run work, each against what it replaced:
//   build/bench/hot_path_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
// (configure with -DIE_BUILD_BENCH=ON). Compare rows of one run; see docs/PERFORMANCE.md.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "api/openai.h"
#include "metrics/radix_sort.h"
#include "net/http_response_parser.h"
#include "net/llhttp_response_parser.h"
#include "net/sse_decoder.h"

namespace {

using ie::api::ChunkShape;
using ie::api::Delta;
using ie::api::ResponseDecoder;

// A vLLM token chunk with a 10-character text.
std::string token_chunk(int i) {
  std::string text = "tok" + std::to_string(1000000 + i).substr(1);
  return R"({"id":"chatcmpl-7f3a9c","object":"chat.completion.chunk","created":1732950000,"model":"m",)"
         R"("choices":[{"index":0,"delta":{"content":")" +
         text + R"("},"logprobs":null,"finish_reason":null}]})";
}

std::vector<std::string> token_chunks() {
  std::vector<std::string> chunks;
  for (int i = 0; i < 64; ++i) chunks.push_back(token_chunk(i));
  return chunks;
}

// One token chunk through the full simdjson parse (no shape).
void BM_TokenChunkParsed(benchmark::State& state) {
  ResponseDecoder decoder(ie::config::ApiType::openai);
  const std::vector<std::string> chunks = token_chunks();
  Delta delta;
  size_t i = 0;
  for (auto _ : state) {
    decoder.decode_event(chunks[i++ & 63], delta);
    benchmark::DoNotOptimize(delta.content_bytes);
  }
}
BENCHMARK(BM_TokenChunkParsed);

// The same chunks with the stream's ChunkShape: every one after the first skips the parse.
void BM_TokenChunkShaped(benchmark::State& state) {
  ResponseDecoder decoder(ie::config::ApiType::openai);
  ChunkShape shape;
  const std::vector<std::string> chunks = token_chunks();
  Delta delta;
  size_t i = 0;
  for (auto _ : state) {
    decoder.decode_event(chunks[i++ & 63], delta, &shape);
    benchmark::DoNotOptimize(delta.content_bytes);
  }
}
BENCHMARK(BM_TokenChunkShaped);

// SSE framing of 19 events arriving in one read (the common case: each event a view into the read buffer).
void BM_SseFramingOneRead(benchmark::State& state) {
  std::string stream;
  for (int i = 0; i < 19; ++i) stream += "data: " + token_chunk(i) + "\n\n";
  ie::net::SseDecoder sse;
  for (auto _ : state) {
    size_t bytes = 0;
    sse.feed(stream.data(), stream.size(), [&](std::string_view data) {
      bytes += data.size();
      return true;
    });
    benchmark::DoNotOptimize(bytes);
  }
  state.SetItemsProcessed(state.iterations() * 19);
}
BENCHMARK(BM_SseFramingOneRead);

// HTTP response parsing: the hand-written parser the client uses against llhttp, which it replaced, on three
// keep-alive responses as they arrive in one read each.
struct CountingHandler {
  void on_headers(int status, bool event_stream) { headers += status + event_stream; }
  void on_body(const char*, size_t size) { body_bytes += size; }
  void on_complete() { ++completed; }
  int64_t headers = 0;
  int64_t body_bytes = 0;
  int64_t completed = 0;
};

std::string json_body() {
  return R"({"id":"chatcmpl-stub","object":"chat.completion","created":1796047658,"model":"m","choices":)"
         R"([{"index":0,"message":{"role":"assistant","content":")" +
         std::string(160, 'a') +
         R"("},"finish_reason":"stop"}],"usage":{"prompt_tokens":10,)"
         R"("completion_tokens":16,"total_tokens":26}})";
}

// Arg 0: our stub's reply. Arg 1: a vLLM (uvicorn) reply, more headers. Arg 2: a streamed reply, 19 SSE
// events in chunked framing, one chunk per event.
std::string response_wire(int64_t kind) {
  std::string body = json_body();
  switch (kind) {
    case 0:
      return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
             std::to_string(body.size()) + "\r\n\r\n" + body;
    case 1:
      return "HTTP/1.1 200 OK\r\ndate: Mon, 30 Nov 2026 14:00:00 GMT\r\nserver: uvicorn\r\ncontent-length: " +
             std::to_string(body.size()) + "\r\ncontent-type: application/json\r\n\r\n" + body;
    default: {
      std::string wire =
          "HTTP/1.1 200 OK\r\ndate: Mon, 30 Nov 2026 14:00:00 GMT\r\nserver: uvicorn\r\ncontent-type: "
          "text/event-stream; charset=utf-8\r\ntransfer-encoding: chunked\r\n\r\n";
      for (int i = 0; i < 19; ++i) {
        std::string event = "data: " + token_chunk(i) + "\n\n";
        char size[16];
        std::snprintf(size, sizeof size, "%zx", event.size());
        wire += std::string(size) + "\r\n" + event + "\r\n";
      }
      return wire + "0\r\n\r\n";
    }
  }
}

template <template <typename> class Parser>
void BM_ParseResponse(benchmark::State& state) {
  const std::string wire = response_wire(state.range(0));
  Parser<CountingHandler> parser;
  CountingHandler handler;
  for (auto _ : state) {
    if (parser.feed(handler, wire.data(), wire.size()) != ie::net::ParseStatus::ok)
      state.SkipWithError("refused");
  }
  if (handler.completed != static_cast<int64_t>(state.iterations())) state.SkipWithError("responses lost");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseResponse<ie::net::LlhttpResponseParser>)->DenseRange(0, 2);
BENCHMARK(BM_ParseResponse<ie::net::HttpResponseParser>)->DenseRange(0, 2);

std::vector<int64_t> latencies(size_t n) {
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> draw(15.0, 0.6);  // ~3 ms median, in ns
  std::vector<int64_t> values(n);
  for (int64_t& v : values) v = static_cast<int64_t>(draw(rng));
  return values;
}

// End of run: one million-value latency series, sorted as doubles with std::sort (the old way) ...
void BM_SortLatenciesStdSortDouble(benchmark::State& state) {
  const std::vector<int64_t> values = latencies(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    std::vector<double> copy(values.begin(), values.end());
    std::sort(copy.begin(), copy.end());
    benchmark::DoNotOptimize(copy.data());
  }
}
BENCHMARK(BM_SortLatenciesStdSortDouble)->Arg(1 << 20)->Unit(benchmark::kMillisecond);

// ... and radix-sorted as integers, then converted (the new way).
void BM_SortLatenciesRadix(benchmark::State& state) {
  const std::vector<int64_t> values = latencies(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    std::vector<int64_t> copy = values;
    ie::metrics::radix_sort(copy);
    std::vector<double> as_double(copy.begin(), copy.end());
    benchmark::DoNotOptimize(as_double.data());
  }
}
BENCHMARK(BM_SortLatenciesRadix)->Arg(1 << 20)->Unit(benchmark::kMillisecond);

}  // namespace
