#pragma once
// The few request-body fields the stub acts on, read with simdjson's on-demand API: fields it does not need
// are skipped, not parsed, so a large prompt costs little when the mode never looks at it.
//
// Validation is what the skip pass checks: the body must be one JSON object with balanced structure, valid
// UTF-8 and nothing after it, and every field read must have the right type. Values the stub skips (sampling
// parameters, tools, ...) are not type-checked.

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "stub/response_writer.h"

namespace ie::stub {

struct RequestFields {
  bool stream = false;
  bool include_usage = false;  // stream_options.include_usage
  int64_t max_tokens = -1;     // max_completion_tokens, else max_tokens; -1 when neither is present
  // The prompt, only when asked for: chat = content of the last "user" message (text parts of a content array
  // joined), completions = "prompt" (a string; the first string of a batch; a token-id list as decimal ids
  // joined by single spaces). Valid until the next read().
  std::string_view prompt;
  uint32_t prompt_tokens = 0;  // count_words(prompt), or the number of ids of a token-id prompt
};

class RequestFieldReader {
 public:
  // Reads `body`, padding its capacity for simdjson in place. Returns nullptr on success, else a sentence for
  // the 400 response naming the field at fault.
  const char* read(Api api, bool want_prompt, std::string& body, RequestFields& out);

 private:
  const char* read_messages(simdjson::ondemand::value messages, RequestFields& out);
  const char* read_prompt(simdjson::ondemand::value prompt, RequestFields& out);

  simdjson::ondemand::parser parser_;
  std::string candidate_;  // text parts of the message being read
  std::string prompt_;     // owned prompt when it had to be assembled from parts or ids
};

}  // namespace ie::stub
