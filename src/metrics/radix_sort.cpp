#include "metrics/radix_sort.h"

#include <algorithm>
#include <bit>

namespace ie::metrics {
namespace {

constexpr unsigned kMaxDigitBits = 11;  // 2,048 buckets: the counts stay in L1
// Below this, the counting tables cost more than comparing.
constexpr size_t kMinRadixSize = 1024;
// Value ranges up to this are counted directly (token counts, small latencies): one pass, no scatter.
constexpr uint64_t kMaxCountingRange = uint64_t{1} << 16;

// Offsets from the minimum: the key order is the value order, negative values included, and only the bits
// the range needs are sorted on.
uint64_t key_of(int64_t value, int64_t min) {
  return static_cast<uint64_t>(value) - static_cast<uint64_t>(min);
}

void counting_sort(std::vector<int64_t>& values, int64_t min, uint64_t range) {
  std::vector<size_t> counts(range + 1, 0);
  for (int64_t value : values) ++counts[key_of(value, min)];
  auto out = values.begin();
  for (uint64_t key = 0; key <= range; ++key) {
    out = std::fill_n(out, counts[key], static_cast<int64_t>(static_cast<uint64_t>(min) + key));
  }
}

void lsd_radix_sort(std::vector<int64_t>& values, int64_t min, uint64_t range) {
  const size_t n = values.size();
  const unsigned bits = static_cast<unsigned>(std::bit_width(range));
  const unsigned passes = (bits + kMaxDigitBits - 1) / kMaxDigitBits;
  const unsigned digit_bits = (bits + passes - 1) / passes;  // as even as possible: smaller tables
  const uint64_t mask = (uint64_t{1} << digit_bits) - 1;
  std::vector<size_t> counts(size_t{passes} << digit_bits, 0);
  for (int64_t value : values) {
    const uint64_t key = key_of(value, min);
    for (unsigned p = 0; p < passes; ++p)
      ++counts[(size_t{p} << digit_bits) + ((key >> (p * digit_bits)) & mask)];
  }
  std::vector<int64_t> scratch(n);
  int64_t* from = values.data();
  int64_t* to = scratch.data();
  for (unsigned p = 0; p < passes; ++p) {
    size_t* count = counts.data() + (size_t{p} << digit_bits);
    size_t offset = 0;
    for (size_t bucket = 0; bucket <= mask; ++bucket) {  // counts become each bucket's first slot
      const size_t bucket_size = count[bucket];
      count[bucket] = offset;
      offset += bucket_size;
    }
    const unsigned shift = p * digit_bits;
    for (size_t i = 0; i < n; ++i) to[count[(key_of(from[i], min) >> shift) & mask]++] = from[i];
    std::swap(from, to);
  }
  if (from != values.data()) std::copy(from, from + n, values.data());
}

}  // namespace

void radix_sort(std::vector<int64_t>& values) {
  if (values.size() < kMinRadixSize) {
    std::sort(values.begin(), values.end());
    return;
  }
  const auto [low, high] = std::minmax_element(values.begin(), values.end());
  const int64_t min = *low;
  const uint64_t range = key_of(*high, min);
  if (range == 0) return;
  if (range < kMaxCountingRange) {
    counting_sort(values, min, range);
  } else {
    lsd_radix_sort(values, min, range);
  }
}

}  // namespace ie::metrics
