#pragma once
// Case-insensitive ASCII comparison for protocol tokens (header names, list elements): the one place both
// the client's HTTP parser and the stub server's request parser compare a name without regard to case.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace ie {

namespace ascii_detail {

inline uint64_t load8(const char* at) {
  uint64_t word;
  std::memcpy(&word, at, sizeof word);
  return word;
}

// Eight bytes of text against eight bytes of an ASCII lower-case word: where the word has a letter, the
// text byte is compared with bit 5 set (only 'A'-'Z' and 'a'-'z' then meet a letter); elsewhere exactly.
// The letter mask is found in all eight bytes at once: for a byte below 0x80, adding 0x1f sets bit 7 from
// 'a' up and adding 0x05 from '{' up, and neither carries into the next byte.
inline bool equal_words(uint64_t text, uint64_t lower) {
  constexpr uint64_t kOnes = 0x0101010101010101;
  const uint64_t letter = (lower + 0x1f * kOnes) & ~(lower + 0x05 * kOnes) & (0x80 * kOnes);
  return (text | (letter >> 2)) == lower;
}

}  // namespace ascii_detail

// `text` equals `lower` when ASCII upper-case letters in `text` are lowered. `lower` is ASCII (bytes below
// 0x80) and has no upper-case letters; `text` may hold any bytes. Eight bytes at a time (the last eight
// overlapping) for the header names of the hot path.
inline bool equals_ascii_lowercase(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  const size_t size = text.size();
  if (size >= 8) {
    for (size_t at = 0; at + 8 < size; at += 8) {
      if (!ascii_detail::equal_words(ascii_detail::load8(text.data() + at),
                                     ascii_detail::load8(lower.data() + at)))
        return false;
    }
    return ascii_detail::equal_words(ascii_detail::load8(text.data() + size - 8),
                                     ascii_detail::load8(lower.data() + size - 8));
  }
  for (size_t i = 0; i < size; ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

// `lower` occurs somewhere in `text`, compared as equals_ascii_lowercase does.
inline bool contains_ascii_lowercase(std::string_view text, std::string_view lower) {
  for (size_t at = 0; at + lower.size() <= text.size(); ++at) {
    if (equals_ascii_lowercase(text.substr(at, lower.size()), lower)) return true;
  }
  return false;
}

}  // namespace ie
