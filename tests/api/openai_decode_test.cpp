#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "api/openai.h"

namespace ie::api {
namespace {

using metrics::FinishReason;

class ChatStream : public ::testing::Test {
 protected:
  DecodeStatus decode(std::string_view data) { return decoder_.decode_event(data, delta_); }

  ResponseDecoder decoder_{config::ApiType::openai};
  Delta delta_;
};

// ---- vLLM-shaped chat stream ----

TEST_F(ChatStream, RoleOnlyFirstChunkCarriesNoText) {
  ASSERT_EQ(decode(R"({"id":"chatcmpl-1","object":"chat.completion.chunk","created":1718000000,"model":"m",)"
                   R"("choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,)"
                   R"("finish_reason":null}]})"),
            DecodeStatus::ok);
  EXPECT_EQ(delta_.content_bytes, 0u);
  EXPECT_EQ(delta_.reasoning_bytes, 0u);
  EXPECT_EQ(delta_.finish_reason, FinishReason::none);
  EXPECT_FALSE(delta_.done);
  EXPECT_EQ(delta_.prompt_tokens, -1);
}

TEST_F(ChatStream, ContentChunkGivesTheTextAndItsBytes) {
  ASSERT_EQ(
      decode(R"({"id":"chatcmpl-1","object":"chat.completion.chunk","created":1718000000,"model":"m",)"
             R"("choices":[{"index":0,"delta":{"content":" Hello"},"logprobs":null,"finish_reason":null}]})"),
      DecodeStatus::ok);
  EXPECT_EQ(delta_.content, " Hello");
  EXPECT_EQ(delta_.content_bytes, 6u);
}

TEST_F(ChatStream, FinishChunkGivesTheReason) {
  ASSERT_EQ(decode(R"({"id":"c","choices":[{"index":0,"delta":{"content":""},"logprobs":null,)"
                   R"("finish_reason":"length","stop_reason":null}]})"),
            DecodeStatus::ok);
  EXPECT_EQ(delta_.finish_reason, FinishReason::length);
}

TEST_F(ChatStream, EveryFinishReasonSpellingMaps) {
  auto reason_of = [&](std::string_view reason) {
    std::string chunk = R"({"choices":[{"delta":{},"finish_reason":")" + std::string(reason) + R"("}]})";
    EXPECT_EQ(decode(chunk), DecodeStatus::ok) << chunk;
    return delta_.finish_reason;
  };
  EXPECT_EQ(reason_of("stop"), FinishReason::stop);
  EXPECT_EQ(reason_of("length"), FinishReason::length);
  EXPECT_EQ(reason_of("tool_calls"), FinishReason::tool_calls);
  EXPECT_EQ(reason_of("content_filter"), FinishReason::content_filter);
  EXPECT_EQ(reason_of("function_call"), FinishReason::function_call);
  EXPECT_EQ(reason_of("abort"), FinishReason::other);
}

TEST_F(ChatStream, UsageChunkWithEmptyChoicesGivesTokenCounts) {
  ASSERT_EQ(decode(R"({"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[],)"
                   R"("usage":{"prompt_tokens":12,"total_tokens":140,"completion_tokens":128}})"),
            DecodeStatus::ok);
  EXPECT_EQ(delta_.prompt_tokens, 12);
  EXPECT_EQ(delta_.completion_tokens, 128);
  EXPECT_EQ(delta_.content_bytes, 0u);
}

TEST_F(ChatStream, NullUsageMeansUnknown) {
  ASSERT_EQ(decode(R"({"choices":[{"index":0,"delta":{"content":"x"},"finish_reason":null}],"usage":null})"),
            DecodeStatus::ok);
  EXPECT_EQ(delta_.prompt_tokens, -1);
  EXPECT_EQ(delta_.completion_tokens, -1);
}

TEST_F(ChatStream, DoneSentinelIsRecognisedAfterTrimming) {
  ASSERT_EQ(decode("[DONE]"), DecodeStatus::ok);
  EXPECT_TRUE(delta_.done);
  ASSERT_EQ(decode("  [DONE] \r\n"), DecodeStatus::ok);
  EXPECT_TRUE(delta_.done);
  ASSERT_EQ(decode(R"({"choices":[]})"), DecodeStatus::ok);
  EXPECT_FALSE(delta_.done);  // every call starts from a fresh Delta
}

// ---- OpenAI- and SGLang-shaped chunks ----

TEST_F(ChatStream, OpenAiChunkWithRefusalAndObfuscationFields) {
  ASSERT_EQ(
      decode(R"({"id":"chatcmpl-B","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini",)"
             R"("service_tier":"default","system_fingerprint":"fp_1","choices":[{"index":0,"delta":)"
             R"({"role":"assistant","content":"Hi","refusal":null},"logprobs":null,"finish_reason":null}],)"
             R"("usage":null,"obfuscation":"q1w2"})"),
      DecodeStatus::ok);
  EXPECT_EQ(delta_.content, "Hi");
}

TEST_F(ChatStream, SglangChunkWithNullRoleReasoningAndToolCalls) {
  ASSERT_EQ(
      decode(R"({"id":"x","object":"chat.completion.chunk","created":1,"model":"default","choices":[{)"
             R"("index":0,"delta":{"role":null,"content":"Yes","reasoning_content":null,"tool_calls":null},)"
             R"("logprobs":null,"finish_reason":null,"matched_stop":null}],"usage":null})"),
      DecodeStatus::ok);
  EXPECT_EQ(delta_.content, "Yes");
  EXPECT_EQ(delta_.reasoning_bytes, 0u);
  EXPECT_FALSE(delta_.has_tool_calls);
}

// ---- Reasoning models and tool calls ----

TEST_F(ChatStream, ReasoningContentIsCountedSeparately) {
  ASSERT_EQ(
      decode(
          R"({"choices":[{"index":0,"delta":{"reasoning_content":"Let me think"},"finish_reason":null}]})"),
      DecodeStatus::ok);
  EXPECT_EQ(delta_.reasoning_bytes, 12u);
  EXPECT_EQ(delta_.content_bytes, 0u);
  EXPECT_TRUE(delta_.content.empty());
}

TEST_F(ChatStream, ReasoningFieldIsCountedToo) {
  ASSERT_EQ(decode(R"({"choices":[{"delta":{"reasoning":"Hmm."}}]})"), DecodeStatus::ok);
  EXPECT_EQ(delta_.reasoning_bytes, 4u);
}

TEST_F(ChatStream, ReasoningSentUnderBothNamesIsCountedOnce) {
  ASSERT_EQ(decode(R"({"choices":[{"delta":{"reasoning":"abc","reasoning_content":"abc","content":null}}]})"),
            DecodeStatus::ok);
  EXPECT_EQ(delta_.reasoning_bytes, 3u);
  EXPECT_EQ(delta_.content_bytes, 0u);
}

TEST_F(ChatStream, ToolCallDeltaIsFlagged) {
  ASSERT_EQ(
      decode(R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function",)"
             R"("function":{"name":"get_weather","arguments":""}}]},"finish_reason":null}]})"),
      DecodeStatus::ok);
  EXPECT_TRUE(delta_.has_tool_calls);
  ASSERT_EQ(decode(R"({"choices":[{"delta":{"tool_calls":[]}}]})"), DecodeStatus::ok);
  EXPECT_FALSE(delta_.has_tool_calls);
}

// ---- Robustness ----

TEST_F(ChatStream, FieldOrderDoesNotMatter) {
  ASSERT_EQ(decode(R"({"usage":{"completion_tokens":5,"prompt_tokens":3},"choices":[{"finish_reason":"stop",)"
                   R"("delta":{"content":"z","role":"assistant"},"index":0}],"id":"c"})"),
            DecodeStatus::ok);
  EXPECT_EQ(delta_.content, "z");
  EXPECT_EQ(delta_.finish_reason, FinishReason::stop);
  EXPECT_EQ(delta_.prompt_tokens, 3);
  EXPECT_EQ(delta_.completion_tokens, 5);
}

TEST_F(ChatStream, EscapedUnicodeIsUnescapedAndCountedInUtf8Bytes) {
  ASSERT_EQ(decode(R"({"choices":[{"delta":{"content":"caf\u00e9 \ud83d\ude00 \"q\"\n"}}]})"),
            DecodeStatus::ok);
  EXPECT_EQ(delta_.content, "caf\xC3\xA9 \xF0\x9F\x98\x80 \"q\"\n");
  EXPECT_EQ(delta_.content_bytes, 15u);
}

TEST_F(ChatStream, RawUtf8ContentIsCountedInBytes) {
  ASSERT_EQ(decode("{\"choices\":[{\"delta\":{\"content\":\"\xE6\x97\xA5\xE6\x9C\xAC\"}}]}"),
            DecodeStatus::ok);
  EXPECT_EQ(delta_.content_bytes, 6u);
}

TEST_F(ChatStream, MissingFieldsAreAbsentNotErrors) {
  ASSERT_EQ(decode(R"({"choices":[{}]})"), DecodeStatus::ok);
  EXPECT_EQ(delta_.content_bytes, 0u);
  EXPECT_EQ(delta_.finish_reason, FinishReason::none);
  ASSERT_EQ(decode(R"({"choices":[{"delta":{}}]})"), DecodeStatus::ok);
  ASSERT_EQ(decode(R"({"choices":[{"delta":null}]})"), DecodeStatus::ok);
  ASSERT_EQ(decode(R"({"usage":{"prompt_tokens":4}})"), DecodeStatus::ok);  // usage-only, no choices at all
  EXPECT_EQ(delta_.prompt_tokens, 4);
  EXPECT_EQ(delta_.completion_tokens, -1);
}

TEST_F(ChatStream, OnlyTheFirstChoiceCountsAndLaterFieldsAreStillRead) {
  ASSERT_EQ(decode(R"({"choices":[{"delta":{"content":"first"}},{"delta":{"content":"second!"}}],)"
                   R"("usage":{"prompt_tokens":1,"completion_tokens":2}})"),
            DecodeStatus::ok);
  EXPECT_EQ(delta_.content, "first");
  EXPECT_EQ(delta_.completion_tokens, 2);
}

TEST_F(ChatStream, EmptyEventCarriesNothing) {
  ASSERT_EQ(decode(""), DecodeStatus::ok);
  EXPECT_EQ(delta_.content_bytes, 0u);
  EXPECT_FALSE(delta_.done);
}

TEST_F(ChatStream, LargeChunkGrowsTheScratchBufferAndStillDecodes) {
  std::string text(300'000, 'a');
  ASSERT_EQ(decode(R"({"choices":[{"delta":{"content":")" + text + R"("}}]})"), DecodeStatus::ok);
  EXPECT_EQ(delta_.content_bytes, 300'000u);
  ASSERT_EQ(decode(R"({"choices":[{"delta":{"content":"small"}}]})"), DecodeStatus::ok);
  EXPECT_EQ(delta_.content, "small");
}

struct MalformedCase {
  const char* data;
  const char* reason;  // expected to appear in last_error()
};

TEST_F(ChatStream, MalformedInputIsReportedWithAShortReason) {
  const std::vector<MalformedCase> cases = {
      {"not json", "not a JSON object"},
      {"nul", "not a JSON object"},
      {"{\"choices\":[{\"delta\":{\"content\":\"\\x\"}}]}", "invalid JSON"},
      {"{", "invalid JSON"},
      {R"({"choices":[{"delta":{"content":"x"}}])", "invalid JSON"},
      {"[1,2]", "not a JSON object"},
      {"\"text\"", "not a JSON object"},
      {"42", "not a JSON object"},
      {R"({"choices":{}})", "choices is not an array"},
      {R"({"choices":[1]})", "choices[0] is not an object"},
      {R"({"choices":[{"delta":"hi"}]})", "delta/message is not an object"},
      {R"({"choices":[{"delta":{"content":5}}]})", "content is not a string"},
      {R"({"choices":[{"delta":{"reasoning_content":{}}}]})", "reasoning_content is not a string"},
      {R"({"choices":[{"delta":{"tool_calls":"x"}}]})", "tool_calls is not an array"},
      {R"({"choices":[{"finish_reason":1}]})", "finish_reason is not a string"},
      {R"({"choices":[],"usage":"x"})", "usage is not an object"},
      {R"({"choices":[],"usage":{"prompt_tokens":"3"}})", "usage.prompt_tokens is not an integer"},
      {R"({"choices":[],"usage":{"completion_tokens":1.5}})", "usage.completion_tokens is not an integer"},
      {R"({"id":"x","object":"chat.completion.chunk"})", "no choices"},
      {R"({"choices":[]} {"choices":[]})", "after the JSON object"},
  };
  for (const MalformedCase& c : cases) {
    EXPECT_EQ(decode(c.data), DecodeStatus::malformed) << c.data;
    EXPECT_NE(decoder_.last_error().find(c.reason), std::string::npos)
        << c.data << " -> " << decoder_.last_error() << ", expected " << c.reason;
  }
}

TEST_F(ChatStream, DecoderRecoversAfterMalformedInput) {
  ASSERT_EQ(decode("{\"choices\": [tru"), DecodeStatus::malformed);
  ASSERT_EQ(decode(R"({"choices":[{"delta":{"content":"ok"}}]})"), DecodeStatus::ok);
  EXPECT_EQ(delta_.content, "ok");
}

// ---- Error objects ----

TEST_F(ChatStream, ErrorObjectIsAServerErrorWithItsMessage) {
  ASSERT_EQ(decode(R"({"error":{"object":"error","message":"maximum context length is 4096 tokens",)"
                   R"("type":"BadRequestError","param":null,"code":400}})"),
            DecodeStatus::server_error);
  EXPECT_EQ(decoder_.last_error(), "maximum context length is 4096 tokens");
}

TEST_F(ChatStream, ErrorObjectFieldOrderDoesNotMatter) {
  ASSERT_EQ(decode(R"({"error":{"code":"invalid_api_key","type":"invalid_request_error","param":null,)"
                   R"("message":"Incorrect API key provided"}})"),
            DecodeStatus::server_error);
  EXPECT_EQ(decoder_.last_error(), "Incorrect API key provided");
}

TEST_F(ChatStream, ErrorAsAStringIsAServerError) {
  ASSERT_EQ(decode(R"({"error":"overloaded"})"), DecodeStatus::server_error);
  EXPECT_EQ(decoder_.last_error(), "overloaded");
}

TEST_F(ChatStream, ErrorWithoutAMessageStillCounts) {
  ASSERT_EQ(decode(R"({"error":{"code":500}})"), DecodeStatus::server_error);
  EXPECT_FALSE(decoder_.last_error().empty());
}

TEST_F(ChatStream, AnEmptyErrorMessageStillLeavesAMessage) {  // found by fuzz_chunk_decoder
  ASSERT_EQ(decode(R"({"error":""})"), DecodeStatus::server_error);
  EXPECT_EQ(decoder_.last_error(), "server error");
  ASSERT_EQ(decode(R"({"error":{"message":""}})"), DecodeStatus::server_error);
  EXPECT_EQ(decoder_.last_error(), "server error");
}

TEST_F(ChatStream, TopLevelErrorObjectShapeIsAServerError) {
  // The shape vLLM's ErrorResponse used before it nested errors under "error".
  ASSERT_EQ(decode(R"({"message":"The model `x` does not exist.","object":"error","type":"NotFoundError",)"
                   R"("param":null,"code":404})"),
            DecodeStatus::server_error);
  EXPECT_EQ(decoder_.last_error(), "The model `x` does not exist.");
}

TEST_F(ChatStream, NullErrorFieldIsNotAnError) {
  EXPECT_EQ(decode(R"({"choices":[{"delta":{"content":"a"}}],"error":null})"), DecodeStatus::ok);
}

// ---- Non-streaming bodies ----

TEST(ChatBody, VllmBodyGivesMessageFinishReasonAndUsage) {
  ResponseDecoder decoder(config::ApiType::openai);
  Delta delta;
  ASSERT_EQ(decoder.decode_body(
                R"({"id":"chatcmpl-x","object":"chat.completion","created":1,"model":"m",)"
                R"("choices":[{"index":0,"message":{"role":"assistant","reasoning_content":null,)"
                R"("content":"Hello there","tool_calls":[]},"logprobs":null,"finish_reason":"stop",)"
                R"("stop_reason":null}],"usage":{"prompt_tokens":10,"total_tokens":13,)"
                R"("completion_tokens":3,"prompt_tokens_details":null},"prompt_logprobs":null})",
                delta),
            DecodeStatus::ok);
  EXPECT_EQ(delta.content, "Hello there");
  EXPECT_EQ(delta.content_bytes, 11u);
  EXPECT_EQ(delta.finish_reason, FinishReason::stop);
  EXPECT_EQ(delta.prompt_tokens, 10);
  EXPECT_EQ(delta.completion_tokens, 3);
  EXPECT_FALSE(delta.has_tool_calls);
}

TEST(ChatBody, ReasoningBodyWithNullContentAndToolCalls) {
  ResponseDecoder decoder(config::ApiType::openai);
  Delta delta;
  ASSERT_EQ(decoder.decode_body(R"({"choices":[{"finish_reason":"tool_calls","message":{"content":null,)"
                                R"("reasoning":"Need weather.","tool_calls":[{"id":"c1","type":"function",)"
                                R"("function":{"name":"w","arguments":"{}"}}]}}]})",
                                delta),
            DecodeStatus::ok);
  EXPECT_EQ(delta.content_bytes, 0u);
  EXPECT_EQ(delta.reasoning_bytes, 13u);
  EXPECT_TRUE(delta.has_tool_calls);
  EXPECT_EQ(delta.finish_reason, FinishReason::tool_calls);
}

TEST(ChatBody, WrongShapesAreMalformed) {
  ResponseDecoder decoder(config::ApiType::openai);
  Delta delta;
  EXPECT_EQ(decoder.decode_body(R"({"choices":[]})", delta), DecodeStatus::malformed);
  EXPECT_NE(decoder.last_error().find("choices is empty"), std::string::npos);
  EXPECT_EQ(decoder.decode_body(R"({"choices":[{"delta":{"content":"x"}}]})", delta),
            DecodeStatus::malformed);
  EXPECT_NE(decoder.last_error().find("no message"), std::string::npos);
  EXPECT_EQ(decoder.decode_body("[DONE]", delta), DecodeStatus::malformed);
  EXPECT_EQ(decoder.decode_body("", delta), DecodeStatus::malformed);
  EXPECT_EQ(decoder.decode_body(R"({"id":"x"})", delta), DecodeStatus::malformed);
}

TEST(ChatBody, ErrorBodyIsAServerError) {
  ResponseDecoder decoder(config::ApiType::openai);
  Delta delta;
  EXPECT_EQ(decoder.decode_body(R"({"error":{"message":"rate limited","code":429}})", delta),
            DecodeStatus::server_error);
  EXPECT_EQ(decoder.last_error(), "rate limited");
}

// ---- Text completions ----

TEST(Completions, StreamingChunksGiveText) {
  ResponseDecoder decoder(config::ApiType::openai_completions);
  Delta delta;
  ASSERT_EQ(
      decoder.decode_event(R"({"id":"cmpl-1","object":"text_completion","created":1,"model":"m",)"
                           R"("choices":[{"index":0,"text":" world","logprobs":null,"finish_reason":null,)"
                           R"("stop_reason":null}],"usage":null})",
                           delta),
      DecodeStatus::ok);
  EXPECT_EQ(delta.content, " world");
  EXPECT_EQ(delta.content_bytes, 6u);
  ASSERT_EQ(decoder.decode_event(R"({"choices":[{"index":0,"text":"","finish_reason":"length"}]})", delta),
            DecodeStatus::ok);
  EXPECT_EQ(delta.finish_reason, FinishReason::length);
  ASSERT_EQ(decoder.decode_event("[DONE]", delta), DecodeStatus::ok);
  EXPECT_TRUE(delta.done);
}

TEST(Completions, ChatDeltaIsNotTextForTheCompletionsApi) {
  ResponseDecoder decoder(config::ApiType::openai_completions);
  Delta delta;
  ASSERT_EQ(decoder.decode_event(R"({"choices":[{"delta":{"content":"x"}}]})", delta), DecodeStatus::ok);
  EXPECT_EQ(delta.content_bytes, 0u);
}

TEST(Completions, BodyGivesTextAndUsage) {
  ResponseDecoder decoder(config::ApiType::openai_completions);
  Delta delta;
  ASSERT_EQ(
      decoder.decode_body(R"({"choices":[{"text":"Once upon a time","index":0,"finish_reason":"stop"}],)"
                          R"("usage":{"prompt_tokens":2,"completion_tokens":4,"total_tokens":6}})",
                          delta),
      DecodeStatus::ok);
  EXPECT_EQ(delta.content, "Once upon a time");
  EXPECT_EQ(delta.completion_tokens, 4);
  EXPECT_EQ(decoder.decode_body(R"({"choices":[{"index":0}]})", delta), DecodeStatus::malformed);
  EXPECT_NE(decoder.last_error().find("no text"), std::string::npos);
}

TEST(ResponseDecoder, MovedDecoderKeepsWorking) {
  ResponseDecoder first(config::ApiType::openai);
  ResponseDecoder second = std::move(first);
  Delta delta;
  ASSERT_EQ(second.decode_event(R"({"choices":[{"delta":{"content":"m"}}]})", delta), DecodeStatus::ok);
  EXPECT_EQ(delta.content, "m");
}

}  // namespace
}  // namespace ie::api
