#pragma once
// Sorting the exact latency series at the end of a run. A run of a million requests keeps several series of a
// million int64 values each; comparison sorting them was ~10 % of the client's user time in a 10-second
// benchmark, before the report could be written. A radix sort does it in a few linear passes.

#include <cstdint>
#include <vector>

namespace ie::metrics {

// Sorts ascending, like std::sort. Values are keyed by their offset from the minimum, so only the bits the
// range needs are sorted on: a range under 2^16 (token counts) is counted in one pass, a wider one takes an
// LSD radix sort with the fewest digits of at most 11 bits (latencies spanning 2^25 ns: 3 passes). Small
// inputs use std::sort. Allocates one scratch copy of the values (or a count per value in the range).
void radix_sort(std::vector<int64_t>& values);

}  // namespace ie::metrics
