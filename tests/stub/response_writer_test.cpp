// Wire bytes: sizes announced in Content-Length and chunk headers match, JSON is valid and escaped, and
// precompiled replies equal what the writer produces on demand.

#include "stub/response_writer.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "stub/precompiled_responses.h"

namespace ie::stub {
namespace {

using json = nlohmann::json;

struct Parsed {
  std::string head;
  std::string body;
  std::vector<std::string> chunks;
};

// Splits one response in `bytes`, checking every announced size against the bytes actually present.
Parsed split_response(const std::string& bytes) {
  Parsed p;
  size_t end = bytes.find("\r\n\r\n");
  EXPECT_NE(end, std::string::npos);
  p.head = bytes.substr(0, end + 2);
  size_t pos = end + 4;
  size_t cl = p.head.find("Content-Length: ");
  if (cl != std::string::npos) {
    size_t len = std::stoul(p.head.substr(cl + 16));
    EXPECT_EQ(bytes.size() - pos, len) << "Content-Length must equal the body size";
    p.body = bytes.substr(pos);
    return p;
  }
  for (;;) {
    size_t eol = bytes.find("\r\n", pos);
    size_t len = std::stoul(bytes.substr(pos, eol - pos), nullptr, 16);
    pos = eol + 2;
    EXPECT_EQ(bytes.substr(pos + len, 2), "\r\n") << "chunk size must match its payload";
    if (len == 0) {
      EXPECT_EQ(pos + 2, bytes.size());
      return p;
    }
    p.chunks.push_back(bytes.substr(pos, len));
    p.body += p.chunks.back();
    pos += len + 2;
  }
}

json event_json(const std::string& chunk) {
  EXPECT_EQ(chunk.substr(0, 6), "data: ");
  EXPECT_EQ(chunk.substr(chunk.size() - 2), "\n\n");
  return json::parse(chunk.substr(6, chunk.size() - 8));
}

TEST(ResponseWriter, CompletionEscapesTextAndAnnouncesItsLength) {
  ResponseWriter writer("m", 1700000000);
  std::string text = std::string("quote \" backslash \\ newline \n tab \t ctrl \x01 unicode \xc3\xa9");
  std::string out;
  writer.append_completion(out, Api::chat, text, FinishReason::length, Usage{3, 4}, true);
  Parsed p = split_response(out);
  EXPECT_NE(p.head.find("Connection: close\r\n"), std::string::npos);
  json j = json::parse(p.body);
  EXPECT_EQ(j["choices"][0]["message"]["content"], text);
  EXPECT_EQ(j["choices"][0]["finish_reason"], "length");
  EXPECT_EQ(j["created"], 1700000000);
  EXPECT_EQ(j["usage"]["total_tokens"], 7);
}

TEST(ResponseWriter, StreamChunksAreSizedAndEventsAreValidJson) {
  ResponseWriter writer("m\"odel", 1);
  std::string out;
  writer.append_stream_head(out, false);
  writer.append_stream_token(out, Api::chat, "he\"llo", true);
  writer.append_stream_token(out, Api::chat, "\n", false);
  Usage usage{1, 2};
  writer.append_stream_tail(out, Api::chat, FinishReason::stop, &usage);
  Parsed p = split_response(out);
  EXPECT_EQ(p.head.find("Connection:"), std::string::npos);
  ASSERT_EQ(p.chunks.size(), 5u);
  json first = event_json(p.chunks[0]);
  EXPECT_EQ(first["model"], "m\"odel");
  EXPECT_EQ(first["choices"][0]["delta"]["role"], "assistant");
  EXPECT_EQ(first["choices"][0]["delta"]["content"], "he\"llo");
  EXPECT_FALSE(event_json(p.chunks[1])["choices"][0]["delta"].contains("role"));
  EXPECT_EQ(event_json(p.chunks[2])["choices"][0]["finish_reason"], "stop");
  EXPECT_EQ(event_json(p.chunks[3])["usage"]["completion_tokens"], 2);
  EXPECT_EQ(p.chunks[4], "data: [DONE]\n\n");
}

TEST(ResponseWriter, ErrorBodyIsOpenAiShaped) {
  ResponseWriter writer("m", 1);
  std::string out;
  writer.append_error(out, 404, "no route for /x\"", "not_found_error", false);
  EXPECT_EQ(out.rfind("HTTP/1.1 404 Not Found\r\n", 0), 0u);
  json j = json::parse(split_response(out).body);
  EXPECT_EQ(j["error"]["message"], "no route for /x\"");
  EXPECT_EQ(j["error"]["type"], "not_found_error");
}

TEST(PrecompiledResponses, EqualTheRepliesBuiltOnDemand) {
  ResponseWriter writer("m", 1);
  PrecompiledResponses pre(writer, 25, 4);
  EXPECT_EQ(pre.completion_tokens(), 7u);
  PatternText pattern;
  for (Api api : {Api::chat, Api::completions}) {
    PatternReply reply{api, 7, 25, 4, FinishReason::stop, kFixedPromptTokens};
    for (bool close : {false, true}) {
      std::string plain;
      append_pattern_completion(plain, writer, pattern, reply, close);
      EXPECT_EQ(pre.get(api, false, false, close), plain);
      EXPECT_EQ(pre.get(api, false, true, close), plain);
      for (bool usage : {false, true}) {
        std::string streamed;
        append_pattern_stream(streamed, writer, pattern, reply, usage, close);
        EXPECT_EQ(pre.get(api, true, usage, close), streamed);
        Parsed p = split_response(streamed);
        EXPECT_EQ(p.chunks.size(), 7u + 2u + usage);
        json last = event_json(p.chunks[6])["choices"][0];
        std::string text = api == Api::chat ? last["delta"]["content"] : last["text"];
        EXPECT_EQ(text, "y") << "the last token is cut to the reply length";
      }
    }
  }
}

}  // namespace
}  // namespace ie::stub
