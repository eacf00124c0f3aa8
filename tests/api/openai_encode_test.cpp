#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "api/openai.h"
#include "common/error.h"

namespace ie::api {
namespace {

using nlohmann::json;

config::BenchmarkConfig chat_config(bool streaming) {
  config::BenchmarkConfig config;
  config.model_params.name = "llama";
  config.model_params.max_output_tokens = 16;
  config.model_params.streaming = streaming;
  config.endpoint_config.api_type = config::ApiType::openai;
  return config;
}

config::BenchmarkConfig completions_config(bool streaming) {
  config::BenchmarkConfig config = chat_config(streaming);
  config.endpoint_config.api_type = config::ApiType::openai_completions;
  return config;
}

dataset::Sample prompt_sample(std::string prompt, std::string system = "") {
  return dataset::Sample{std::move(prompt), std::move(system), ""};
}

TEST(RouteFor, NamesTheChatAndCompletionsRoutes) {
  EXPECT_EQ(route_for(config::ApiType::openai), "v1/chat/completions");
  EXPECT_EQ(route_for(config::ApiType::openai_completions), "v1/completions");
}

TEST(EncodeBody, StreamingChatBodyHasFieldsInDocumentedOrder) {
  config::BenchmarkConfig config = chat_config(true);
  config.model_params.temperature = 0.7;
  config.model_params.top_p = 0.9;
  config.model_params.top_k = 40;
  config.model_params.seed = 123;
  EXPECT_EQ(
      encode_body(config, prompt_sample("hello", "be brief")),
      R"({"model":"llama","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"hello"}],)"
      R"("max_completion_tokens":16,"stream":true,"stream_options":{"include_usage":true},)"
      R"("temperature":0.7,"top_p":0.9,"top_k":40,"seed":123})");
}

TEST(EncodeBody, NonStreamingChatBodyHasNoStreamOptionsAndNoUnsetSamplingFields) {
  EXPECT_EQ(encode_body(chat_config(false), prompt_sample("hi")),
            R"({"model":"llama","messages":[{"role":"user","content":"hi"}],"max_completion_tokens":16,)"
            R"("stream":false})");
}

TEST(EncodeBody, OnlyTheSamplingFieldsThatAreSetAppear) {
  config::BenchmarkConfig config = chat_config(false);
  config.model_params.seed = -5;
  json body = json::parse(encode_body(config, prompt_sample("hi")));
  EXPECT_EQ(body["seed"], -5);
  EXPECT_FALSE(body.contains("temperature"));
  EXPECT_FALSE(body.contains("top_p"));
  EXPECT_FALSE(body.contains("top_k"));
}

TEST(EncodeBody, SamplingDoublesRoundTripExactly) {
  config::BenchmarkConfig config = chat_config(false);
  config.model_params.temperature = 0.1;
  config.model_params.top_p = 1.0;
  std::string text = encode_body(config, prompt_sample("hi"));
  EXPECT_NE(text.find("\"temperature\":0.1,"), std::string::npos) << text;
  json body = json::parse(text);
  EXPECT_EQ(body["temperature"].get<double>(), 0.1);
  EXPECT_EQ(body["top_p"].get<double>(), 1.0);
}

TEST(EncodeBody, MessagesArrayOfTheSampleIsUsedVerbatim) {
  dataset::Sample sample;
  sample.messages_json =
      R"([{"role":"system","content":"s"},{"role":"user","content":[{"type":"text","text":"x"}]}])";
  sample.system = "not used: the array carries its own system turn";
  std::string body = encode_body(chat_config(true), sample);
  EXPECT_NE(body.find(R"("messages":)" + sample.messages_json + ","), std::string::npos) << body;
  EXPECT_EQ(json::parse(body)["messages"].size(), 2u);
}

TEST(EncodeBody, CompletionsBodyUsesPromptAndMaxTokens) {
  EXPECT_EQ(encode_body(completions_config(false), prompt_sample("Once upon")),
            R"({"model":"llama","prompt":"Once upon","max_tokens":16,"stream":false})");
  json body = json::parse(encode_body(completions_config(true), prompt_sample("Once upon")));
  EXPECT_EQ(body["stream"], true);
  EXPECT_EQ(body["stream_options"]["include_usage"], true);
  EXPECT_FALSE(body.contains("messages"));
  EXPECT_FALSE(body.contains("max_completion_tokens"));
}

TEST(EncodeBody, CompletionsCannotSendAMessagesArray) {
  dataset::Sample sample;
  sample.messages_json = R"([{"role":"user","content":"x"}])";
  try {
    encode_body(completions_config(false), sample);
    ADD_FAILURE() << "encode_body accepted a messages array for completions";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ExitCode::invalid_input);
    EXPECT_NE(std::string(error.what()).find("openai_completions"), std::string::npos);
  }
}

TEST(EncodeBody, EveryByteOfThePromptRoundTripsThroughJson) {
  std::string prompt;
  for (int c = 0; c < 0x80; ++c) prompt.push_back(static_cast<char>(c));
  prompt += "caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80 \"quoted\" back\\slash </script>";
  std::string system = "line1\nline2\ttab\x01\x1f";
  std::string text = encode_body(chat_config(false), prompt_sample(prompt, system));
  for (char c : text) EXPECT_GE(static_cast<unsigned char>(c), 0x20) << "raw control character in the body";
  json body = json::parse(text);
  EXPECT_EQ(body["messages"][0]["content"].get<std::string>(), system);
  EXPECT_EQ(body["messages"][1]["content"].get<std::string>(), prompt);
}

TEST(EncodeBody, ControlCharactersUseShortOrUnicodeEscapes) {
  std::string text =
      encode_body(completions_config(false), prompt_sample(std::string("a\"b\\c\n\x01\x1f", 8)));
  EXPECT_NE(text.find(R"("prompt":"a\"b\\c\n\u0001\u001f")"), std::string::npos) << text;
}

TEST(EncodeBody, Utf8IsPassedThroughUnescaped) {
  std::string text = encode_body(completions_config(false), prompt_sample("\xC3\xA9\xF0\x9F\x98\x80"));
  EXPECT_NE(text.find("\"prompt\":\"\xC3\xA9\xF0\x9F\x98\x80\""), std::string::npos) << text;
}

TEST(EncodeBody, ModelNameIsEscaped) {
  config::BenchmarkConfig config = chat_config(false);
  config.model_params.name = "org/\"weird\"";
  EXPECT_EQ(json::parse(encode_body(config, prompt_sample("x")))["model"], "org/\"weird\"");
}

TEST(EncodeHead, StreamingChatHeadWithKey) {
  net::Url url = net::parse_url("http://gpu-host:8000/proxy");
  EXPECT_EQ(encode_head(url, config::ApiType::openai, true, "sk-123"),
            "POST /proxy/v1/chat/completions HTTP/1.1\r\n"
            "Host: gpu-host:8000\r\n"
            "Content-Type: application/json\r\n"
            "Accept: text/event-stream\r\n"
            "Authorization: Bearer sk-123\r\n");
}

TEST(EncodeHead, NonStreamingCompletionsHeadWithoutKeyOmitsAuthorization) {
  net::Url url = net::parse_url("http://localhost");
  EXPECT_EQ(encode_head(url, config::ApiType::openai_completions, false, ""),
            "POST /v1/completions HTTP/1.1\r\n"
            "Host: localhost\r\n"
            "Content-Type: application/json\r\n"
            "Accept: application/json\r\n");
}

TEST(EncodeHead, FullRouteInTheEndpointIsNotDoubled) {
  net::Url url = net::parse_url("http://[::1]:9000/v1/chat/completions");
  std::string head = encode_head(url, config::ApiType::openai, false, "");
  EXPECT_EQ(head.rfind("POST /v1/chat/completions HTTP/1.1\r\nHost: [::1]:9000\r\n", 0), 0u) << head;
}

TEST(EncodeHead, ApiKeyWithALineBreakIsRejectedWithoutEchoingIt) {
  net::Url url = net::parse_url("http://h");
  try {
    encode_head(url, config::ApiType::openai, true, "sk-secret\r\nX-Evil: 1");
    ADD_FAILURE() << "encode_head accepted a key with CRLF";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ExitCode::invalid_input);
    EXPECT_EQ(std::string(error.what()).find("sk-secret"), std::string::npos);
  }
}

TEST(EncodeTail, GivesContentLengthBlankLineAndBody) {
  EXPECT_EQ(encode_tail("{\"a\":1}"), "Content-Length: 7\r\n\r\n{\"a\":1}");
  EXPECT_EQ(encode_tail(""), "Content-Length: 0\r\n\r\n");
}

TEST(EncodeTail, ContentLengthCountsBytesNotCharacters) {
  std::string body = encode_body(completions_config(false), prompt_sample("\xF0\x9F\x98\x80"));
  std::string tail = encode_tail(body);
  EXPECT_EQ(tail, "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
}

}  // namespace
}  // namespace ie::api
