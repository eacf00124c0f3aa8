#include "common/ascii.h"

#include <gtest/gtest.h>

#include <string>

namespace ie {
namespace {

// The per-byte definition the word-at-a-time comparison must agree with.
bool reference_equals(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

TEST(Ascii, EqualsFoldsOnlyUpperCaseLetters) {
  EXPECT_TRUE(equals_ascii_lowercase("Content-Length", "content-length"));
  EXPECT_TRUE(equals_ascii_lowercase("TRANSFER-ENCODING", "transfer-encoding"));
  EXPECT_TRUE(equals_ascii_lowercase("Close", "close"));
  EXPECT_FALSE(equals_ascii_lowercase("Content-Lengthx", "content-length"));
  EXPECT_FALSE(equals_ascii_lowercase("content_length", "content-length"));
  // Bytes that become a letter, '-' or '/' when bit 5 is set, but are not those characters.
  EXPECT_FALSE(equals_ascii_lowercase(std::string("content\r") + "length", "content-length"));
  EXPECT_FALSE(equals_ascii_lowercase(std::string("text\x0f") + "event-stream", "text/event-stream"));
  EXPECT_FALSE(equals_ascii_lowercase("content@length", "content`length"));
  EXPECT_FALSE(equals_ascii_lowercase("[close]", "{close}"));
}

TEST(Ascii, EqualsAgreesWithThePerByteDefinitionOnEveryByteAtEveryPosition) {
  for (const std::string lower :
       {"ab", "close", "keep-alive", "connection", "content-length", "text/event-stream"}) {
    for (size_t at = 0; at < lower.size(); ++at) {
      for (int byte = 0; byte < 256; ++byte) {
        std::string text = lower;
        text[at] = static_cast<char>(byte);
        ASSERT_EQ(equals_ascii_lowercase(text, lower), reference_equals(text, lower))
            << lower << " with byte " << byte << " at " << at;
      }
    }
  }
}

TEST(Ascii, ContainsFindsTheWordAnywhere) {
  EXPECT_TRUE(contains_ascii_lowercase("Text/Event-Stream; charset=utf-8", "text/event-stream"));
  EXPECT_TRUE(contains_ascii_lowercase("x, TEXT/EVENT-STREAM", "text/event-stream"));
  EXPECT_FALSE(contains_ascii_lowercase("text/event-strea", "text/event-stream"));
  EXPECT_FALSE(contains_ascii_lowercase("application/json", "text/event-stream"));
}

}  // namespace
}  // namespace ie
