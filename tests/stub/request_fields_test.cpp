// Request body fields: what the stub reads, what it rejects with a sentence, and where the prompt comes from.

#include "stub/request_fields.h"

#include <gtest/gtest.h>

#include <string>

namespace ie::stub {
namespace {

struct Read {
  const char* error;
  RequestFields fields;
  std::string prompt;
};

Read read(RequestFieldReader& reader, Api api, std::string body, bool want_prompt = true) {
  Read r;
  r.error = reader.read(api, want_prompt, body, r.fields);
  r.prompt = std::string(r.fields.prompt);
  return r;
}

TEST(RequestFields, ReadsStreamUsageAndCaps) {
  RequestFieldReader reader;
  Read r = read(
      reader, Api::chat,
      R"({"model":"m","stream":true,"stream_options":{"include_usage":true},"max_tokens":9,"temperature":0.5})");
  ASSERT_EQ(r.error, nullptr);
  EXPECT_TRUE(r.fields.stream);
  EXPECT_TRUE(r.fields.include_usage);
  EXPECT_EQ(r.fields.max_tokens, 9);
}

TEST(RequestFields, MaxCompletionTokensWinsOverMaxTokensInEitherOrder) {
  RequestFieldReader reader;
  EXPECT_EQ(read(reader, Api::chat, R"({"max_completion_tokens":3,"max_tokens":9})").fields.max_tokens, 3);
  EXPECT_EQ(read(reader, Api::chat, R"({"max_tokens":9,"max_completion_tokens":3})").fields.max_tokens, 3);
  EXPECT_EQ(read(reader, Api::chat, R"({})").fields.max_tokens, -1);
}

TEST(RequestFields, NullMeansNotSet) {
  RequestFieldReader reader;
  Read r =
      read(reader, Api::chat, R"({"stream":null,"stream_options":null,"max_tokens":null,"messages":null})");
  ASSERT_EQ(r.error, nullptr);
  EXPECT_FALSE(r.fields.stream);
  EXPECT_EQ(r.fields.max_tokens, -1);
}

TEST(RequestFields, ChatPromptIsTheLastUserMessageWhateverTheKeyOrder) {
  RequestFieldReader reader;
  Read r = read(reader, Api::chat,
                R"({"messages":[{"role":"system","content":"sys"},{"content":"first user","role":"user"},)"
                R"({"role":"assistant","content":"reply"},{"content":"last \"user\" \u00e9","role":"user"},)"
                R"({"role":"assistant","content":"not this"}]})");
  ASSERT_EQ(r.error, nullptr);
  EXPECT_EQ(r.prompt, "last \"user\" \xc3\xa9");
  EXPECT_EQ(r.fields.prompt_tokens, 3u);
}

TEST(RequestFields, ChatContentPartsAreJoined) {
  RequestFieldReader reader;
  Read r = read(reader, Api::chat,
                R"({"messages":[{"role":"user","content":[{"type":"text","text":"see "},)"
                R"({"type":"image_url","image_url":{"url":"x"}},{"type":"text","text":"this"}]},)"
                R"({"role":"assistant","content":[{"type":"text","text":"ignored"}]}]})");
  ASSERT_EQ(r.error, nullptr);
  EXPECT_EQ(r.prompt, "see this");
}

TEST(RequestFields, CompletionsPromptMayBeTextBatchOrTokenIds) {
  RequestFieldReader reader;
  EXPECT_EQ(read(reader, Api::completions, R"({"prompt":"a b c"})").prompt, "a b c");
  EXPECT_EQ(read(reader, Api::completions, R"({"prompt":["first one","second"]})").prompt, "first one");
  Read ids = read(reader, Api::completions, R"({"prompt":[101, 7, 2048]})");
  ASSERT_EQ(ids.error, nullptr);
  EXPECT_EQ(ids.prompt, "101 7 2048");
  EXPECT_EQ(ids.fields.prompt_tokens, 3u);
}

TEST(RequestFields, PromptIsSkippedWhenNotWanted) {
  RequestFieldReader reader;
  Read r = read(reader, Api::chat, R"({"messages":[{"role":"user","content":"hi"}],"stream":true})", false);
  ASSERT_EQ(r.error, nullptr);
  EXPECT_TRUE(r.fields.stream);
  EXPECT_TRUE(r.prompt.empty());
}

TEST(RequestFields, BrokenBodiesAreRejectedWithASentenceNamingTheField) {
  RequestFieldReader reader;
  for (const char* bad : {"", "   ", "nope", "[]", "42", "{\"a\":1", "{\"a\":1}}", "{\"a\":1} {\"b\":2}",
                          "{\"a\":\"\xff\"}", "{\"a\":[1,}"}) {
    EXPECT_NE(read(reader, Api::chat, bad).error, nullptr) << bad;
  }
  EXPECT_STREQ(read(reader, Api::chat, R"({"stream":"yes"})").error, "\"stream\" must be a boolean");
  EXPECT_NE(std::string(read(reader, Api::chat, R"({"max_tokens":-2})").error).find("max_tokens"),
            std::string::npos);
  EXPECT_NE(std::string(read(reader, Api::chat, R"({"max_completion_tokens":1.5})").error)
                .find("max_completion_tokens"),
            std::string::npos);
  EXPECT_NE(std::string(read(reader, Api::chat, R"({"messages":"hi"})").error).find("messages"),
            std::string::npos);
  EXPECT_NE(std::string(read(reader, Api::completions, R"({"prompt":{"a":1}})").error).find("prompt"),
            std::string::npos);
}

TEST(RequestFields, ReaderIsReusableAfterAnError) {
  RequestFieldReader reader;
  EXPECT_NE(read(reader, Api::chat, "{bad").error, nullptr);
  Read r = read(reader, Api::chat, R"({"stream":true})");
  EXPECT_EQ(r.error, nullptr);
  EXPECT_TRUE(r.fields.stream);
}

}  // namespace
}  // namespace ie::stub
