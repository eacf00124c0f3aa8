#pragma once
// OpenAI-compatible wire format: chat completions (`openai`) and text completions (`openai_completions`).
// Encoding happens once per sample before the run; decoding runs on the workers' hot path and allocates
// nothing after warm-up (the decoder reuses its parser and scratch buffer).

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "config/benchmark_config.h"
#include "dataset/dataset.h"
#include "metrics/request_record.h"
#include "net/url.h"

namespace ie::api {

// "v1/chat/completions" or "v1/completions".
std::string_view route_for(config::ApiType api_type);

// The JSON request body for one sample: model, messages (system + user, or the sample's messages array) or
// prompt, max_completion_tokens (chat) / max_tokens (completions), stream, stream_options.include_usage when
// streaming, and the optional sampling fields that are set. Compact JSON, strings escaped per RFC 8259.
std::string encode_body(const config::BenchmarkConfig& config, const dataset::Sample& sample);

// Request line and headers up to, not including, Content-Length: "POST <path> HTTP/1.1\r\nHost: ...\r\n
// Content-Type: application/json\r\nAccept: text/event-stream|application/json\r\n[Authorization: Bearer
// ..\r\n]".
std::string encode_head(const net::Url& endpoint, config::ApiType api_type, bool streaming,
                        const std::string& api_key);

// "Content-Length: N\r\n\r\n" followed by the body: with a head, one complete request.
std::string encode_tail(std::string_view body);

// What one SSE event or one whole non-streaming body said.
struct Delta {
  uint32_t content_bytes = 0;    // bytes of text in choices[0].delta.content / message.content / text
  uint32_t reasoning_bytes = 0;  // bytes of reasoning_content / reasoning
  bool has_tool_calls = false;
  metrics::FinishReason finish_reason = metrics::FinishReason::none;
  int32_t prompt_tokens = -1;      // usage.prompt_tokens when present
  int32_t completion_tokens = -1;  // usage.completion_tokens when present
  bool done = false;               // the "[DONE]" sentinel
  std::string_view content;        // the content text; valid until the next decode call
};

enum class DecodeStatus { ok, malformed, server_error };  // server_error: an {"error": ...} object

// The bytes around the text string of the last plain text chunk of one stream. Servers send each token as a
// chunk that repeats the previous one byte for byte except for that string (same id, created, model, null
// finish_reason), so a chunk that matches both ends and holds a plain string between them (no quote, escape
// or control byte; valid UTF-8) decodes to the same Delta as the learned one with the new text, without a
// JSON parse. Keep one per stream (connection); ResponseDecoder::decode_event fills and uses it, and a shape
// never changes what a chunk decodes to, only how fast.
class ChunkShape {
 public:
  void forget() {
    prefix_.clear();
    suffix_.clear();
  }
  bool empty() const { return prefix_.empty(); }
  // Chunks decoded from the shape, without a parse.
  uint64_t matched() const { return matched_; }

 private:
  friend class ResponseDecoder;
  bool match(std::string_view json, std::string_view* text);
  void learn(std::string_view json, size_t text_begin, size_t text_end);

  std::string prefix_;  // up to and including the text string's opening quote
  std::string suffix_;  // from its closing quote to the end of the chunk
  uint64_t matched_ = 0;
};

class ResponseDecoder {
 public:
  explicit ResponseDecoder(config::ApiType api_type);
  ~ResponseDecoder();
  ResponseDecoder(ResponseDecoder&&) noexcept;
  ResponseDecoder& operator=(ResponseDecoder&&) noexcept;

  // One SSE event's data ("[DONE]" or a chunk object). With a shape, a chunk shaped like that stream's last
  // plain text chunk skips the JSON parse, and a plain text chunk that is parsed teaches the shape.
  DecodeStatus decode_event(std::string_view data, Delta& out, ChunkShape* shape = nullptr);
  // A complete non-streaming response body.
  DecodeStatus decode_body(std::string_view body, Delta& out);
  // After malformed / server_error: a short human-readable reason (cold path).
  const std::string& last_error() const;

 private:
  struct Impl;  // keeps simdjson out of this header
  std::unique_ptr<Impl> impl_;
};

}  // namespace ie::api
