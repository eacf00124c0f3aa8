// ChunkShape: a chunk that repeats the stream's last plain text chunk except for its text decodes without a
// parse, and always to exactly what the parser would give.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "api/openai.h"

namespace ie::api {
namespace {

// What a decode gave, comparable as a whole.
struct Decoded {
  DecodeStatus status = DecodeStatus::ok;
  std::string error;
  std::string content;
  uint32_t content_bytes = 0;
  uint32_t reasoning_bytes = 0;
  bool has_tool_calls = false;
  metrics::FinishReason finish_reason = metrics::FinishReason::none;
  int32_t prompt_tokens = -1;
  int32_t completion_tokens = -1;
  bool done = false;
  bool operator==(const Decoded&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Decoded& d) {
  return os << "status=" << static_cast<int>(d.status) << " error='" << d.error << "' content='" << d.content
            << "' bytes=" << d.content_bytes << " reasoning=" << d.reasoning_bytes
            << " finish=" << static_cast<int>(d.finish_reason) << " usage=" << d.prompt_tokens << "/"
            << d.completion_tokens << " done=" << d.done;
}

Decoded decode(ResponseDecoder& decoder, std::string_view data, ChunkShape* shape) {
  Delta delta;
  Decoded d;
  d.status = decoder.decode_event(data, delta, shape);
  if (d.status != DecodeStatus::ok) {
    d.error = decoder.last_error();
    return d;
  }
  d.content = std::string(delta.content);
  d.content_bytes = delta.content_bytes;
  d.reasoning_bytes = delta.reasoning_bytes;
  d.has_tool_calls = delta.has_tool_calls;
  d.finish_reason = delta.finish_reason;
  d.prompt_tokens = delta.prompt_tokens;
  d.completion_tokens = delta.completion_tokens;
  d.done = delta.done;
  return d;
}

// Decodes every chunk with a shape and with a fresh parse; returns how many skipped the parse.
uint64_t expect_same_as_parsing(config::ApiType api, const std::vector<std::string>& chunks) {
  ResponseDecoder shaped(api);
  ResponseDecoder parsed(api);
  ChunkShape shape;
  for (const std::string& chunk : chunks) {
    EXPECT_EQ(decode(shaped, chunk, &shape), decode(parsed, chunk, nullptr)) << chunk;
  }
  return shape.matched();
}

std::string vllm_chunk(std::string_view content_json) {
  return R"({"id":"chatcmpl-7f3a","object":"chat.completion.chunk","created":1732950000,"model":"m",)"
         R"("choices":[{"index":0,"delta":{"content":)" +
         std::string(content_json) + R"(},"logprobs":null,"finish_reason":null}]})";
}

TEST(ChunkShape, VllmStreamSkipsTheParseForEveryTextChunkAfterTheFirst) {
  std::vector<std::string> chunks = {
      R"({"id":"chatcmpl-7f3a","object":"chat.completion.chunk","created":1732950000,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]})",
      vllm_chunk(R"("Hello")"),
      vllm_chunk(R"(" world")"),
      vllm_chunk(R"(",")"),
      vllm_chunk(R"(" ok")"),
      R"({"id":"chatcmpl-7f3a","object":"chat.completion.chunk","created":1732950000,"model":"m","choices":[{"index":0,"delta":{"content":""},"logprobs":null,"finish_reason":"stop"}]})",
      R"({"id":"chatcmpl-7f3a","object":"chat.completion.chunk","created":1732950000,"model":"m","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":4}})",
      "[DONE]",
  };
  // "Hello" teaches the shape; " world", "," and " ok" match it. The finish chunk differs after the text.
  EXPECT_EQ(expect_same_as_parsing(config::ApiType::openai, chunks), 3u);
}

TEST(ChunkShape, TextsThatNeedTheParserGiveExactlyWhatItGives) {
  // Each is the text between the quotes of a chunk shaped like the learned one.
  const std::vector<std::string> texts = {
      "plain",
      "",                                          // empty text
      "caf\xc3\xa9 \xe2\x82\xac",                  // valid UTF-8 (é, €)
      "bad \xc3",                                  // a cut UTF-8 sequence: invalid JSON
      "\xff",                                      // never valid UTF-8
      R"(a\nb)",                                   // an escape: needs unescaping
      R"(\u00e9)",                                 // a unicode escape
      R"(a\)",                                     // a backslash escaping the closing quote: invalid
      std::string("tab\there"),                    // a raw control byte: invalid JSON
      R"(a","content":"b)",                        // a quote: a second content key, which wins
      R"(a"},"finish_reason":"stop","x":{"y":")",  // a quote that changes the structure
  };
  std::vector<std::string> chunks = {vllm_chunk(R"("learn me")")};
  for (const std::string& text : texts) chunks.push_back(vllm_chunk('"' + text + '"'));
  // Only the plain texts match: "plain", "", and the valid UTF-8 one.
  EXPECT_EQ(expect_same_as_parsing(config::ApiType::openai, chunks), 3u);
}

TEST(ChunkShape, ADifferentStreamIdFallsBackToTheParserAndRelearns) {
  auto chunk = [](std::string_view id, std::string_view text) {
    return R"({"id":")" + std::string(id) + R"(","choices":[{"delta":{"content":")" + std::string(text) +
           R"("},"finish_reason":null}]})";
  };
  EXPECT_EQ(expect_same_as_parsing(config::ApiType::openai,
                                   {chunk("a", "1"), chunk("a", "2"), chunk("b", "3"), chunk("b", "4")}),
            2u);
}

TEST(ChunkShape, WhitespaceAroundTheTextIsPartOfTheShape) {
  auto chunk = [](std::string_view text) {
    return "  { \"choices\" : [ { \"delta\" : { \"content\" : \"" + std::string(text) +
           "\"   } , \"finish_reason\" : null } ] }\r\n";
  };
  EXPECT_EQ(expect_same_as_parsing(config::ApiType::openai, {chunk("one"), chunk("two"), chunk("three")}),
            2u);
}

TEST(ChunkShape, ChunksCarryingMoreThanTextNeverTeachTheShape) {
  // Reasoning, tool calls, a finish reason or usage would be lost if a look-alike skipped the parse.
  const std::vector<std::string> chunks = {
      R"({"choices":[{"delta":{"content":"a","reasoning_content":"r"}}]})",
      R"({"choices":[{"delta":{"content":"b","reasoning_content":"r"}}]})",
      R"({"choices":[{"delta":{"content":"a","tool_calls":[{"index":0}]}}]})",
      R"({"choices":[{"delta":{"content":"b","tool_calls":[{"index":0}]}}]})",
      R"({"choices":[{"delta":{"content":"a"},"finish_reason":"length"}]})",
      R"({"choices":[{"delta":{"content":"b"},"finish_reason":"length"}]})",
      R"({"choices":[{"delta":{"content":"a"}}],"usage":{"prompt_tokens":1,"completion_tokens":2}})",
      R"({"choices":[{"delta":{"content":"b"}}],"usage":{"prompt_tokens":1,"completion_tokens":2}})",
  };
  EXPECT_EQ(expect_same_as_parsing(config::ApiType::openai, chunks), 0u);
}

TEST(ChunkShape, NullUsageAndNullFinishReasonStillTeachIt) {
  auto chunk = [](std::string_view text) {
    return R"({"choices":[{"delta":{"content":")" + std::string(text) +
           R"("},"finish_reason":null}],"usage":null})";
  };
  EXPECT_EQ(expect_same_as_parsing(config::ApiType::openai, {chunk("x"), chunk("y")}), 1u);
}

TEST(ChunkShape, TextCompletionsStreamsUseItToo) {
  auto chunk = [](std::string_view text) {
    return R"({"id":"cmpl-1","object":"text_completion","choices":[{"index":0,"text":")" + std::string(text) +
           R"(","logprobs":null,"finish_reason":null}],"model":"m"})";
  };
  EXPECT_EQ(expect_same_as_parsing(config::ApiType::openai_completions, {chunk("a"), chunk("b"), chunk("c")}),
            2u);
}

TEST(ChunkShape, ChunksLongerThanTheCapAreAlwaysParsed) {
  const std::string padding(3000, 'p');
  auto chunk = [&](std::string_view text) {
    return R"({"pad":")" + padding + R"(","choices":[{"delta":{"content":")" + std::string(text) + R"("}}]})";
  };
  EXPECT_EQ(expect_same_as_parsing(config::ApiType::openai, {chunk("a"), chunk("b")}), 0u);
}

TEST(ChunkShape, ALongTextWithinTheCapOfItsEndsStillMatches) {
  // The cap counts the bytes around the text, not the text.
  EXPECT_EQ(expect_same_as_parsing(config::ApiType::openai,
                                   {vllm_chunk(R"("a")"), vllm_chunk('"' + std::string(10000, 'z') + '"')}),
            1u);
}

}  // namespace
}  // namespace ie::api
