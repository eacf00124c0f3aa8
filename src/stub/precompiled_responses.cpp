#include "stub/precompiled_responses.h"

#include <algorithm>

namespace ie::stub {

namespace {

Usage usage_of(const PatternReply& r) {
  return Usage{r.prompt_tokens, r.tokens};
}

}  // namespace

void append_pattern_completion(std::string& out, const ResponseWriter& writer, PatternText& pattern,
                               const PatternReply& reply, bool close) {
  writer.append_completion(out, reply.api, pattern.slice(0, reply.total_chars), reply.finish, usage_of(reply),
                           close);
}

void append_pattern_token(std::string& out, const ResponseWriter& writer, PatternText& pattern,
                          const PatternReply& reply, uint32_t index) {
  uint64_t begin = uint64_t{index} * reply.chars_per_event;
  uint64_t end = std::min(begin + reply.chars_per_event, reply.total_chars);
  writer.append_stream_token(out, reply.api, pattern.slice(begin, std::max(begin, end)), index == 0);
}

void append_pattern_stream(std::string& out, const ResponseWriter& writer, PatternText& pattern,
                           const PatternReply& reply, bool include_usage, bool close) {
  writer.append_stream_head(out, close);
  for (uint32_t i = 0; i < reply.tokens; ++i) append_pattern_token(out, writer, pattern, reply, i);
  Usage usage = usage_of(reply);
  writer.append_stream_tail(out, reply.api, reply.finish, include_usage ? &usage : nullptr);
}

PrecompiledResponses::PrecompiledResponses(const ResponseWriter& writer, uint32_t output_chars,
                                           uint32_t chars_per_event)
    : completion_tokens_(pattern_token_count(output_chars, chars_per_event)) {
  PatternText pattern(output_chars);
  for (Api api : {Api::chat, Api::completions}) {
    PatternReply reply{
        api, completion_tokens_, output_chars, chars_per_event, FinishReason::stop, kFixedPromptTokens};
    for (bool close : {false, true}) {
      std::string& plain = variants_[static_cast<int>(api)][false][false][close];
      append_pattern_completion(plain, writer, pattern, reply, close);
      variants_[static_cast<int>(api)][false][true][close] = plain;
      for (bool usage : {false, true}) {
        append_pattern_stream(variants_[static_cast<int>(api)][true][usage][close], writer, pattern, reply,
                              usage, close);
      }
    }
  }
}

}  // namespace ie::stub
