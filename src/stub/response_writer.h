#pragma once
// The bytes the stub sends: HTTP/1.1 responses carrying OpenAI-shaped JSON, appended to a connection's output
// buffer. Every function appends one complete wire unit and never allocates beyond the buffer's growth.
//
// Shapes (the Python tool's §5.9 fields, plus usage as OpenAI sends it):
//  - non-streaming: Content-Length framing, one chat.completion (choices[0].message.content) or
//  text_completion
//    (choices[0].text) object with finish_reason and usage {prompt_tokens, completion_tokens, total_tokens};
//  - streaming: Transfer-Encoding: chunked, Content-Type: text/event-stream, one HTTP chunk per SSE event
//    "data: {...}\n\n": content events (chat: delta.content, the first also delta.role; completions: text),
//    a finish event (empty delta / text, finish_reason), the usage event (choices: []) when the client asked
//    for stream_options.include_usage, "data: [DONE]", then the terminating 0-chunk.
// Every response says "Connection: close" when the server will close after it.

#include <cstdint>
#include <string>
#include <string_view>

namespace ie::stub {

enum class Api : uint8_t { chat, completions };
enum class FinishReason : uint8_t { stop, length };

struct Usage {
  uint32_t prompt_tokens = 0;
  uint32_t completion_tokens = 0;
};

class ResponseWriter {
 public:
  // The model name and creation time are frozen into every object's header fields.
  ResponseWriter(std::string_view model, int64_t created_s);

  // Content responses. `text` is raw UTF-8; it is JSON-escaped on the way out.
  void append_completion(std::string& out, Api api, std::string_view text, FinishReason finish, Usage usage,
                         bool close) const;
  void append_stream_head(std::string& out, bool close) const;
  void append_stream_token(std::string& out, Api api, std::string_view text, bool first) const;
  // Finish event, usage event if `usage` is non-null, [DONE], and the chunked terminator.
  void append_stream_tail(std::string& out, Api api, FinishReason finish, const Usage* usage) const;

  // The same shapes with a text the caller writes itself, in pieces (stub/fault_writer.h's oversized
  // replies). The text must need no JSON escaping.
  //  - non-streaming: head = status line, headers (Content-Length counting text_bytes of text) and the
  //    object up to the text; then the text; then append_completion_tail.
  //  - streaming: append_stream_token_open writes one HTTP chunk holding "data: " and the event up to the
  //    text; the text goes in chunks of its own; append_stream_token_close writes the chunk that ends it.
  void append_completion_head(std::string& out, Api api, uint64_t text_bytes, FinishReason finish,
                              Usage usage, bool close) const;
  void append_completion_tail(std::string& out, Api api, FinishReason finish, Usage usage) const;
  void append_stream_token_open(std::string& out, Api api, bool first) const;
  void append_stream_token_close(std::string& out, Api api) const;

  // Other routes.
  void append_error(std::string& out, int status, std::string_view message, std::string_view type,
                    bool close) const;
  void append_models(std::string& out, bool close) const;
  void append_health(std::string& out, bool close) const;
  static void append_continue(std::string& out);

 private:
  size_t completion_tail_size(Api api, FinishReason finish, Usage usage) const;
  void append_json_response(std::string& out, int status, std::string_view body, bool close) const;

  // Pre-joined JSON fragments, per Api: "{"id":..,"object":..,"created":..,"model":..,"choices":[" etc.
  struct Fragments {
    std::string chunk_head;    // up to and including "choices":[
    std::string token_prefix;  // {"index":0,"delta":{"content":"   |  {"index":0,"text":"
    std::string first_token_prefix;
    std::string token_suffix;       // "},"finish_reason":null}]}       |  ","finish_reason":null}]}
    std::string completion_prefix;  // full object up to the opening quote of the content
  };
  Fragments fragments_[2];
  std::string models_body_;
};

}  // namespace ie::stub
