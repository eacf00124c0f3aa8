#pragma once
// Replies whose text is the synthetic pattern (see token_model.h), and max_throughput's precompiled set of
// them.
//
// PrecompiledResponses renders, once at startup, the uncapped reply (output_chars characters in
// ceil(output_chars / chars_per_event) tokens, finish "stop", prompt_tokens = kFixedPromptTokens) for every
// (api, streaming, include_usage, connection close) variant, so the hot path is one memcpy per request.

#include <cstdint>
#include <string>
#include <string_view>

#include "stub/response_writer.h"
#include "stub/token_model.h"

namespace ie::stub {

// What a pattern reply says: `tokens` tokens of chars_per_event characters, the last one cut so the text is
// total_chars long.
struct PatternReply {
  Api api = Api::chat;
  uint32_t tokens = 0;
  uint64_t total_chars = 0;
  uint32_t chars_per_event = 1;
  FinishReason finish = FinishReason::stop;
  uint32_t prompt_tokens = 0;
};

// Appends the non-streaming reply.
void append_pattern_completion(std::string& out, const ResponseWriter& writer, PatternText& pattern,
                               const PatternReply& reply, bool close);
// Appends the content event of token `index` (0-based) of a streaming reply.
void append_pattern_token(std::string& out, const ResponseWriter& writer, PatternText& pattern,
                          const PatternReply& reply, uint32_t index);
// Appends a whole streaming reply: head, every token, tail.
void append_pattern_stream(std::string& out, const ResponseWriter& writer, PatternText& pattern,
                           const PatternReply& reply, bool include_usage, bool close);

class PrecompiledResponses {
 public:
  PrecompiledResponses(const ResponseWriter& writer, uint32_t output_chars, uint32_t chars_per_event);

  // The full response bytes. Non-streaming replies always carry usage, so include_usage matters only when
  // streaming.
  std::string_view get(Api api, bool stream, bool include_usage, bool close) const {
    return variants_[static_cast<int>(api)][stream][stream && include_usage][close];
  }
  uint32_t completion_tokens() const { return completion_tokens_; }

 private:
  uint32_t completion_tokens_;
  std::string variants_[2][2][2][2];  // [api][stream][include_usage][close]
};

}  // namespace ie::stub
