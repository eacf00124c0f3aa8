// The token model: pattern text, word tokens that concatenate back to the prompt, word counts.

#include "stub/token_model.h"

#include <gtest/gtest.h>

#include <string>

namespace ie::stub {
namespace {

std::string tokens_joined(std::string_view text, uint32_t* count) {
  std::string joined;
  *count = 0;
  for (size_t begin = 0, end; begin < text.size(); begin = end) {
    end = next_word_token_end(text, begin);
    EXPECT_GT(end, begin);
    joined.append(text.substr(begin, end - begin));
    ++*count;
  }
  return joined;
}

TEST(TokenModel, WordTokensConcatenateToTheTextExactly) {
  for (std::string text :
       {"", " ", "a", "  lead", "trail  ", "two words", "tabs\tand\nnewlines\r\n", "日本語 😀 ok", " \t\n "}) {
    uint32_t count = 0;
    EXPECT_EQ(tokens_joined(text, &count), text);
    EXPECT_EQ(count, count_word_tokens(text)) << text;
  }
}

TEST(TokenModel, WordTokenCountsMatchWordsExceptForBlankText) {
  EXPECT_EQ(count_word_tokens("  one two\tthree\n"), 3u);
  EXPECT_EQ(count_words("  one two\tthree\n"), 3u);
  EXPECT_EQ(count_word_tokens(""), 0u);
  EXPECT_EQ(count_word_tokens("   "), 1u) << "blank text still comes back as one event";
  EXPECT_EQ(count_words("   "), 0u);
}

TEST(TokenModel, PatternTokenCountRoundsUp) {
  EXPECT_EQ(pattern_token_count(160, 10), 16u);
  EXPECT_EQ(pattern_token_count(161, 10), 17u);
  EXPECT_EQ(pattern_token_count(0, 10), 0u);
  EXPECT_EQ(pattern_token_count(5, 1), 5u);
}

TEST(TokenModel, PatternSlicesMatchThePatternAndGrowOnDemand) {
  std::string reference;
  append_pattern(reference, 0, 1000);
  EXPECT_EQ(reference.substr(0, 28), "abcdefghijklmnopqrstuvwxyzab");
  PatternText pattern(10);
  for (uint64_t begin : {0u, 5u, 25u, 26u, 300u}) {
    for (uint64_t len : {0u, 1u, 10u, 27u, 500u}) {
      EXPECT_EQ(pattern.slice(begin, begin + len), reference.substr(begin, len)) << begin << "+" << len;
    }
  }
}

}  // namespace
}  // namespace ie::stub
