#include "stub/token_model.h"

#include <algorithm>

namespace ie::stub {

namespace {

constexpr std::string_view kAlphabet = "abcdefghijklmnopqrstuvwxyz";

bool is_space(char c) {
  return c == ' ' || (c >= '\t' && c <= '\r');
}

}  // namespace

void append_pattern(std::string& out, uint64_t begin_char, uint64_t end_char) {
  uint64_t i = begin_char;
  while (i < end_char) {
    size_t offset = static_cast<size_t>(i % kAlphabet.size());
    size_t take = static_cast<size_t>(std::min<uint64_t>(kAlphabet.size() - offset, end_char - i));
    out.append(kAlphabet.data() + offset, take);
    i += take;
  }
}

PatternText::PatternText(uint64_t reserve_chars) {
  append_pattern(text_, 0, reserve_chars + kAlphabet.size());
}

std::string_view PatternText::slice(uint64_t begin_char, uint64_t end_char) {
  // The pattern repeats every 26 characters, so any slice starts within the first period of the copy.
  size_t offset = static_cast<size_t>(begin_char % kAlphabet.size());
  size_t len = static_cast<size_t>(end_char - begin_char);
  if (offset + len > text_.size()) [[unlikely]] {
    append_pattern(text_, text_.size(), offset + len);
  }
  return std::string_view(text_).substr(offset, len);
}

uint32_t pattern_token_count(uint64_t output_chars, uint32_t chars_per_event) {
  return static_cast<uint32_t>((output_chars + chars_per_event - 1) / chars_per_event);
}

size_t next_word_token_end(std::string_view text, size_t begin) {
  size_t i = begin;
  while (i < text.size() && is_space(text[i])) ++i;
  while (i < text.size() && !is_space(text[i])) ++i;
  while (i < text.size() && is_space(text[i])) ++i;
  return i;
}

uint32_t count_word_tokens(std::string_view text) {
  uint32_t n = 0;
  for (size_t i = 0; i < text.size(); i = next_word_token_end(text, i)) ++n;
  return n;
}

uint32_t count_words(std::string_view text) {
  uint32_t n = 0;
  bool in_word = false;
  for (char c : text) {
    bool word_char = !is_space(c);
    n += word_char && !in_word;
    in_word = word_char;
  }
  return n;
}

}  // namespace ie::stub
