#include "metrics/radix_sort.h"

#include <algorithm>
#include <array>

namespace ie::metrics {
namespace {

constexpr unsigned kDigitBits = 11;
constexpr unsigned kDigits = (64 + kDigitBits - 1) / kDigitBits;
constexpr size_t kBuckets = size_t{1} << kDigitBits;
constexpr uint64_t kDigitMask = kBuckets - 1;
// Below this, the counting tables cost more than comparing.
constexpr size_t kMinRadixSize = 1024;

// Flipping the sign bit maps int64 order onto unsigned order.
uint64_t sort_key(int64_t value) {
  return static_cast<uint64_t>(value) ^ (uint64_t{1} << 63);
}

size_t digit(uint64_t key, unsigned d) {
  return static_cast<size_t>((key >> (d * kDigitBits)) & kDigitMask);
}

}  // namespace

void radix_sort(std::vector<int64_t>& values) {
  const size_t n = values.size();
  if (n < kMinRadixSize) {
    std::sort(values.begin(), values.end());
    return;
  }
  // Every digit's counts in one pass over the values.
  std::vector<std::array<size_t, kBuckets>> counts(kDigits);
  for (auto& table : counts) table.fill(0);
  for (int64_t value : values) {
    const uint64_t key = sort_key(value);
    for (unsigned d = 0; d < kDigits; ++d) ++counts[d][digit(key, d)];
  }
  std::vector<int64_t> scratch(n);
  int64_t* from = values.data();
  int64_t* to = scratch.data();
  const uint64_t first_key = sort_key(values.front());
  for (unsigned d = 0; d < kDigits; ++d) {
    std::array<size_t, kBuckets>& count = counts[d];
    if (count[digit(first_key, d)] == n) continue;  // all values share this digit: the order stands
    size_t offset = 0;
    for (size_t& c : count) {  // counts become each bucket's first slot
      const size_t bucket_size = c;
      c = offset;
      offset += bucket_size;
    }
    for (size_t i = 0; i < n; ++i) to[count[digit(sort_key(from[i]), d)]++] = from[i];
    std::swap(from, to);
  }
  if (from != values.data()) std::copy(from, from + n, values.data());
}

}  // namespace ie::metrics
