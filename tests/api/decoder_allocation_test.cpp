// Counts heap allocations in this test binary to check the hot-path promise of ResponseDecoder: after
// warm-up, decoding allocates nothing. This file replaces the global operator new for test_api only.

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "api/openai.h"

// AddressSanitizer supplies its own operator new and reports our malloc/free pair as a mismatch, so under
// ASan the counter is not installed and the test is skipped.
#if defined(__SANITIZE_ADDRESS__)
#define IE_COUNT_ALLOCATIONS 0
#else
#define IE_COUNT_ALLOCATIONS 1
#endif

namespace {
std::atomic<uint64_t> g_allocations{0};
}

#if IE_COUNT_ALLOCATIONS
// A count, read on the same thread that allocates: relaxed suffices.
[[gnu::noinline]] void* operator new(size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
[[gnu::noinline]] void operator delete(void* p) noexcept {
  std::free(p);
}
[[gnu::noinline]] void operator delete(void* p, size_t) noexcept {
  std::free(p);
}
#endif

namespace ie::api {
namespace {

TEST(ResponseDecoderAllocation, DecodingAfterWarmUpAllocatesNothing) {
  if (!IE_COUNT_ALLOCATIONS) GTEST_SKIP() << "allocation counting is off under AddressSanitizer";
  ResponseDecoder decoder(config::ApiType::openai);
  Delta delta;
  const std::string chunks[] = {
      R"({"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]})",
      R"({"id":"c","choices":[{"index":0,"delta":{"content":" Hello \u00e9"},"finish_reason":null}],"usage":null})",
      R"({"id":"c","choices":[{"index":0,"delta":{"reasoning_content":"think","tool_calls":[{"index":0}]},"finish_reason":null}]})",
      R"({"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]})",
      R"({"id":"c","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}})",
      "[DONE]",
  };
  std::string big = R"({"choices":[{"delta":{"content":")" + std::string(200'000, 'x') + R"("}}]})";
  ASSERT_EQ(decoder.decode_event(big, delta), DecodeStatus::ok);  // warm-up: grows parser and scratch
  for (const std::string& chunk : chunks) ASSERT_EQ(decoder.decode_event(chunk, delta), DecodeStatus::ok);

  uint64_t before = g_allocations.load(std::memory_order_relaxed);
  for (int round = 0; round < 100; ++round) {
    for (const std::string& chunk : chunks) {
      if (decoder.decode_event(chunk, delta) != DecodeStatus::ok) FAIL() << chunk;
    }
    if (decoder.decode_event(big, delta) != DecodeStatus::ok) FAIL();
  }
  EXPECT_EQ(g_allocations.load(std::memory_order_relaxed) - before, 0u);
}

TEST(ResponseDecoderAllocation, AStreamsChunkShapeAllocatesOnlyWhileLearning) {
  if (!IE_COUNT_ALLOCATIONS) GTEST_SKIP() << "allocation counting is off under AddressSanitizer";
  ResponseDecoder decoder(config::ApiType::openai);
  ChunkShape shape;
  Delta delta;
  auto chunk = [](std::string_view id, std::string_view text) {
    return R"({"id":")" + std::string(id) + R"(","choices":[{"index":0,"delta":{"content":")" +
           std::string(text) + R"("},"finish_reason":null}]})";
  };
  // Streams with ids of the same length: relearning reuses the shape's buffers.
  const std::string chunks[] = {chunk("chatcmpl-1", "a"), chunk("chatcmpl-1", "bb"), chunk("chatcmpl-2", "c"),
                                chunk("chatcmpl-2", "dd")};
  for (const std::string& c : chunks) ASSERT_EQ(decoder.decode_event(c, delta, &shape), DecodeStatus::ok);

  uint64_t before = g_allocations.load(std::memory_order_relaxed);
  for (int round = 0; round < 100; ++round) {
    for (const std::string& c : chunks) {
      if (decoder.decode_event(c, delta, &shape) != DecodeStatus::ok) FAIL() << c;
    }
  }
  EXPECT_EQ(g_allocations.load(std::memory_order_relaxed) - before, 0u);
  EXPECT_EQ(shape.matched(), 202u);  // each stream's second chunk, 101 rounds
}

TEST(ResponseDecoderAllocation, CounterSeesAllocations) {
  // Guards the test above against a counter that never counts.
  if (!IE_COUNT_ALLOCATIONS) GTEST_SKIP() << "allocation counting is off under AddressSanitizer";
  uint64_t before = g_allocations.load(std::memory_order_relaxed);
  auto* p = new std::string(100, 'x');
  delete p;
  EXPECT_GT(g_allocations.load(std::memory_order_relaxed), before);
}

}  // namespace
}  // namespace ie::api
