// Side-by-side costs of the client's per-request and end-of-run work, each against what it replaced:
//   build/bench/hot_path_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
// (configure with -DIE_BUILD_BENCH=ON). Compare rows of one run; see docs/PERFORMANCE.md.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "api/openai.h"
#include "metrics/radix_sort.h"
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
