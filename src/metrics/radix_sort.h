#pragma once
// Sorting the exact latency series at the end of a run. A run of a million requests keeps several series of a
// million int64 values each; comparison sorting them was ~10 % of the client's user time in a 10-second
// benchmark, before the report could be written. A radix sort does it in a few linear passes.

#include <cstdint>
#include <vector>

namespace ie::metrics {

// Sorts ascending (negative values first), like std::sort: an LSD radix sort over 11-bit digits that skips
// the digits every value shares (nanosecond latencies under 2^44 take at most 4 passes). Small inputs use
// std::sort. Allocates one scratch copy of the values.
void radix_sort(std::vector<int64_t>& values);

}  // namespace ie::metrics
