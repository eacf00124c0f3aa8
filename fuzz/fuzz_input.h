#pragma once
// Helpers shared by the libFuzzer targets: how an input chooses options and split points, how pieces are
// handed to the code under test, and how an invariant violation is reported.
//
// Input layout for the targets that take options (all but yaml_config, which reads its input as one YAML
// text): byte 0 chooses options (target-specific bits), byte 1 seeds the split points, the rest is the
// payload. An input shorter than two bytes runs with both set to zero and the bytes as payload.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ie::fuzz {

struct Input {
  uint8_t options = 0;
  uint8_t split_seed = 0;
  std::string_view payload;
};

inline Input take_input(const uint8_t* data, size_t size) {
  Input in;
  if (size >= 2) {
    in.options = data[0];
    in.split_seed = data[1];
    data += 2;
    size -= 2;
  }
  in.payload = std::string_view(reinterpret_cast<const char*>(data), size);
  return in;
}

// Piece lengths that add up to `size`. Seed 0 feeds byte by byte (the hardest case for incremental parsers);
// other seeds draw lengths from 1 to a seed-dependent maximum with a small xorshift generator, so the same
// input always splits the same way and a crash reproduces.
inline std::vector<size_t> split_lengths(uint8_t seed, size_t size) {
  std::vector<size_t> lengths;
  if (seed == 0) {
    lengths.assign(size, 1);
    return lengths;
  }
  uint32_t state = 0x9e3779b9u ^ (seed * 0x01000193u);
  size_t max_piece = size_t{1} << (seed % 12);  // 1 .. 2048 bytes
  while (size > 0) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    size_t piece = 1 + state % max_piece;
    if (piece > size) piece = size;
    lengths.push_back(piece);
    size -= piece;
  }
  return lengths;
}

// Calls feed(const char*, size_t) once per piece. Each piece is copied into its own exactly-sized heap block,
// so AddressSanitizer reports any read past the end of a piece (reading the next piece's bytes by luck would
// otherwise go unnoticed). Stops early when feed returns false; returns whether every piece was accepted.
template <typename Feed>
bool feed_in_pieces(std::string_view payload, uint8_t seed, Feed&& feed) {
  size_t offset = 0;
  for (size_t length : split_lengths(seed, payload.size())) {
    std::unique_ptr<char[]> piece(new char[length]);
    std::copy(payload.data() + offset, payload.data() + offset + length, piece.get());
    offset += length;
    if (!feed(static_cast<const char*>(piece.get()), length)) return false;
  }
  return true;
}

// The whole payload in one exactly-sized heap block, for the same reason as above.
template <typename Feed>
bool feed_whole(std::string_view payload, Feed&& feed) {
  std::unique_ptr<char[]> copy(new char[payload.size()]);
  std::copy(payload.begin(), payload.end(), copy.get());
  return feed(static_cast<const char*>(copy.get()), payload.size());
}

// An invariant failed: print what and abort, which libFuzzer records as a crash with the input saved.
[[noreturn]] inline void violated(const char* target, const std::string& what) {
  std::fprintf(stderr, "\n%s: INVARIANT VIOLATED: %s\n", target, what.c_str());
  std::abort();
}

}  // namespace ie::fuzz
