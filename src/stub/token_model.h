#pragma once
// The stub's token model. There is no tokenizer: one "token" is one SSE content event, and a non-streaming
// response counts the tokens its streaming twin would have sent.
//
//  - max_throughput and variable: the output text is the repeating pattern "abc...xyz abc..." (character i is
//    'a' + i % 26) cut into tokens of chars_per_event characters; max_throughput emits output_chars
//    characters, so completion_tokens = ceil(output_chars / chars_per_event); variable emits a sampled token
//    count, every token chars_per_event characters long.
//  - echo: the output is the prompt itself, cut into word tokens: a token is a run of non-whitespace plus the
//    whitespace after it (whitespace before the first word belongs to the first token), so concatenating the
//    tokens gives back the prompt byte for byte. A prompt of only whitespace is one token; an empty one is
//    none.
//  - A request's max_completion_tokens / max_tokens caps the token count; a capped response finishes with
//    "length", any other with "stop".
//  - prompt_tokens is the number of whitespace-separated words of the prompt (echo and variable), or a
//  token-id
//    prompt's length; max_throughput reports the constant kFixedPromptTokens so it never has to read the
//    prompt.
//
// Whitespace is ASCII only (space, \t, \n, \v, \f, \r): UTF-8 sequences are never split.

#include <cstdint>
#include <string>
#include <string_view>

namespace ie::stub {

constexpr uint32_t kFixedPromptTokens = 10;

// Appends characters [begin_char, end_char) of the repeating a..z pattern.
void append_pattern(std::string& out, uint64_t begin_char, uint64_t end_char);

// Slices of the pattern as views into one growing copy, so pattern replies need no per-request allocation.
class PatternText {
 public:
  explicit PatternText(uint64_t reserve_chars = 0);
  // Characters [begin_char, end_char); valid until the next call that needs a longer copy.
  std::string_view slice(uint64_t begin_char, uint64_t end_char);

 private:
  std::string text_;
};

// ceil(output_chars / chars_per_event); chars_per_event must be > 0.
uint32_t pattern_token_count(uint64_t output_chars, uint32_t chars_per_event);

// End offset of the word token that starts at `begin` (see above); returns text.size() at the end.
size_t next_word_token_end(std::string_view text, size_t begin);

// Number of word tokens in text (the events echo would send).
uint32_t count_word_tokens(std::string_view text);

// Number of whitespace-separated words (the prompt_tokens of echo and variable).
uint32_t count_words(std::string_view text);

}  // namespace ie::stub
