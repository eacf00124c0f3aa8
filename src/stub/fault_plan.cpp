#include "stub/fault_plan.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "common/error.h"

namespace ie::stub {

namespace {

constexpr std::string_view kNames[kFaultKindCount] = {
    "none",        "http_500", "http_429",     "http_503",     "bad_json", "truncated",
    "bad_chunked", "bad_sse",  "reset_before", "reset_during", "stall",    "oversized",
};

constexpr double kTwoPow53 = 9007199254740992.0;

// SplitMix64's finaliser: consecutive inputs give independent-looking outputs, which is all a per-request
// draw needs, and it is stateless, so request i's draw never depends on how earlier ones were used.
uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::string all_names() {
  std::string names;
  for (size_t i = 1; i < kFaultKindCount; ++i) {
    if (!names.empty()) names += ", ";
    names += kNames[i];
  }
  return names;
}

}  // namespace

std::string_view fault_name(FaultKind kind) {
  size_t i = static_cast<size_t>(kind);
  return i < kFaultKindCount ? kNames[i] : "unknown";
}

std::optional<FaultKind> fault_from_name(std::string_view name) {
  for (size_t i = 1; i < kFaultKindCount; ++i) {
    if (kNames[i] == name) return static_cast<FaultKind>(i);
  }
  return std::nullopt;
}

FaultRate parse_fault_spec(std::string_view spec) {
  size_t eq = spec.find('=');
  if (eq == std::string_view::npos)
    fail_input(fmt::format("--fault {}: expected KIND=RATE, e.g. http_500=0.1", spec));
  std::string_view name = spec.substr(0, eq);
  std::string_view rate_text = spec.substr(eq + 1);
  std::optional<FaultKind> kind = fault_from_name(name);
  if (!kind)
    fail_input(fmt::format("--fault {}: unknown fault kind '{}' (known: {})", spec, name, all_names()));
  double rate = 0;
  auto [end, ec] = std::from_chars(rate_text.data(), rate_text.data() + rate_text.size(), rate);
  if (rate_text.empty() || ec != std::errc() || end != rate_text.data() + rate_text.size())
    fail_input(fmt::format("--fault {}: rate '{}' is not a number", spec, rate_text));
  FaultRate result{*kind, rate};
  validate_faults(FaultOptions{{result}});
  return result;
}

void validate_faults(const FaultOptions& options) {
  double sum = 0;
  bool seen[kFaultKindCount] = {};
  for (const FaultRate& f : options.rates) {
    size_t i = static_cast<size_t>(f.kind);
    if (f.kind == FaultKind::none || i >= kFaultKindCount)
      fail_input(
          fmt::format("--fault: '{}' is not a fault kind (known: {})", fault_name(f.kind), all_names()));
    if (!std::isfinite(f.rate) || f.rate < 0 || f.rate > 1)
      fail_input(fmt::format("--fault {}={}: the rate must be between 0 and 1", fault_name(f.kind), f.rate));
    if (seen[i]) fail_input(fmt::format("--fault {} is given more than once", fault_name(f.kind)));
    seen[i] = true;
    sum += f.rate;
  }
  // A little slack so that rates written as decimals (0.1 + 0.2 + 0.7) may add up to exactly 1.
  if (sum > 1 + 1e-9) fail_input(fmt::format("--fault: the rates add up to {}, more than 1", sum));
  if (options.oversized_bytes == 0) fail_input("--oversized-bytes must be at least 1, got 0");
}

FaultPlan::FaultPlan(const FaultOptions& options, unsigned thread_index)
    : key_(mix(options.seed) ^ mix(~uint64_t{thread_index})), after_requests_(options.after_requests) {
  double cumulative = 0;
  for (const FaultRate& f : options.rates) {
    if (f.rate <= 0) continue;
    cumulative += f.rate;
    double below = std::min(cumulative, 1.0) * kTwoPow53;
    thresholds_.push_back(Threshold{static_cast<uint64_t>(below), f.kind});
  }
}

FaultKind FaultPlan::next() {
  uint64_t i = requests_++;
  if (i < after_requests_) return FaultKind::none;
  uint64_t draw = mix(key_ + i) >> 11;  // uniform in [0, 2^53)
  for (const Threshold& t : thresholds_) {
    if (draw < t.below) return t.kind;
  }
  return FaultKind::none;
}

}  // namespace ie::stub
