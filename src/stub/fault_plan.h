#pragma once
// Fault injection for the stub server: which faults exist, how they are configured, and which completion
// request gets which fault. What each fault puts on the wire is in stub/fault_writer.h.
//
// Choice: request i (0-based, counted per server thread over completion requests that passed validation)
// gets no fault while i < after_requests; otherwise a 53-bit hash of (seed, thread index, i) picks a kind
// with probability equal to its rate. The sequence is therefore a pure function of the options, the thread
// and the request order: with one thread, a test that replays FaultPlan(options, 0).next() R times knows
// exactly how many of each fault R requests get.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ie::stub {

enum class FaultKind : uint8_t {
  none,
  http_500,      // JSON error body, status 500, keep-alive
  http_429,      // JSON error body, status 429, keep-alive
  http_503,      // JSON error body, status 503, keep-alive
  bad_json,      // 200 whose JSON body (or one SSE event's data) is cut off
  truncated,     // fewer bytes than the framing promises, then FIN
  bad_chunked,   // a chunk-size line that is not hex, then FIN
  bad_sse,       // the last SSE event lacks its blank-line terminator and [DONE]; HTTP framing intact
  reset_before,  // RST after the request arrives, no response byte
  reset_during,  // RST after part of the response
  stall,         // part of the response, then silence until the client leaves or stall_ms pass
  oversized,     // a well-formed reply whose body exceeds oversized_bytes
};
constexpr size_t kFaultKindCount = 12;  // including none; index arrays by static_cast<size_t>(kind)

// The CLI spelling ("http_500", "reset_before", ...); "none" for FaultKind::none.
std::string_view fault_name(FaultKind kind);
// The kind spelled `name`, or nullopt (none is not a valid name here).
std::optional<FaultKind> fault_from_name(std::string_view name);

struct FaultRate {
  FaultKind kind = FaultKind::none;
  double rate = 0;  // fraction of completion requests, in [0, 1]
};

struct FaultOptions {
  std::vector<FaultRate> rates;  // each kind at most once; the rates add up to at most 1
  uint64_t seed = 1;
  uint64_t after_requests = 0;  // the first N completion requests of each server thread get no fault
  uint32_t stall_ms = 0;  // a stalled reply resumes after this long; 0 = never (until the client closes)
  uint64_t oversized_bytes = uint64_t{80} << 20;  // > the client's 64 MiB body cap
};

// Parses one "--fault KIND=RATE" value; ie::Error invalid_input naming --fault, the value and what is wrong.
FaultRate parse_fault_spec(std::string_view spec);
// ie::Error invalid_input naming the flag (--fault, --oversized-bytes) if a rate is outside [0, 1] or not a
// number, a kind repeats or is none, the rates add up to more than 1, or oversized_bytes is 0.
void validate_faults(const FaultOptions& options);

// Per-kind totals, indexed by static_cast<size_t>(FaultKind); [none] stays 0.
using FaultCounts = std::array<uint64_t, kFaultKindCount>;

// One per server thread. Allocation-free after construction.
class FaultPlan {
 public:
  FaultPlan(const FaultOptions& options, unsigned thread_index);

  // True if some rate is positive; when false, next() would always return none and need not be called.
  bool is_enabled() const { return !thresholds_.empty(); }
  // The fault for the next completion request of this thread (advances the request counter).
  FaultKind next();

 private:
  struct Threshold {
    uint64_t below;  // a 53-bit draw under this (and not under an earlier entry's) selects kind
    FaultKind kind;
  };
  std::vector<Threshold> thresholds_;  // cumulative, ascending
  uint64_t key_;
  uint64_t after_requests_;
  uint64_t requests_ = 0;
};

}  // namespace ie::stub
