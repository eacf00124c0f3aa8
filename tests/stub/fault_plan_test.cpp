// Fault kinds, --fault parsing and validation, and the deterministic per-thread fault sequence.

#include "stub/fault_plan.h"

#include <gtest/gtest.h>

#include <string>

#include "common/error.h"

namespace ie::stub {
namespace {

// The ie::Error message of f(), or "" if it does not throw one with invalid_input.
template <class F>
std::string input_error_of(F f) {
  try {
    f();
  } catch (const Error& e) {
    if (e.code() == ExitCode::invalid_input) return e.what();
    return std::string("wrong exit code: ") + e.what();
  }
  return "";
}

TEST(FaultPlan, EveryKindRoundTripsThroughItsName) {
  for (size_t i = 1; i < kFaultKindCount; ++i) {
    FaultKind kind = static_cast<FaultKind>(i);
    ASSERT_EQ(fault_from_name(fault_name(kind)), kind) << fault_name(kind);
  }
  EXPECT_EQ(fault_from_name("none"), std::nullopt);
  EXPECT_EQ(fault_from_name("HTTP_500"), std::nullopt);
}

TEST(FaultPlan, SpecParsesKindAndRate) {
  FaultRate r = parse_fault_spec("reset_during=0.25");
  EXPECT_EQ(r.kind, FaultKind::reset_during);
  EXPECT_DOUBLE_EQ(r.rate, 0.25);
  EXPECT_DOUBLE_EQ(parse_fault_spec("stall=1").rate, 1.0);
  EXPECT_DOUBLE_EQ(parse_fault_spec("oversized=0").rate, 0.0);
}

TEST(FaultPlan, BadSpecsAreInputErrorsNamingTheFlagAndValue) {
  for (const char* spec : {"http_500", "http_501=0.1", "=0.1", "http_500=", "http_500=abc", "http_500=0.1x",
                           "http_500=1.5", "http_500=-0.1", "http_500=nan", "none=0.1"}) {
    std::string message = input_error_of([&] { parse_fault_spec(spec); });
    EXPECT_NE(message.find("--fault"), std::string::npos) << spec << ": " << message;
    EXPECT_NE(message.find(std::string(spec).substr(0, 4)), std::string::npos) << spec << ": " << message;
  }
  EXPECT_NE(input_error_of([] { parse_fault_spec("bogus=0.1"); }).find("known: http_500"), std::string::npos);
}

TEST(FaultPlan, RatesAddingUpToMoreThanOneAreRejected) {
  FaultOptions o;
  o.rates = {{FaultKind::http_500, 0.6}, {FaultKind::stall, 0.5}};
  std::string message = input_error_of([&] { validate_faults(o); });
  EXPECT_NE(message.find("--fault"), std::string::npos) << message;
  EXPECT_NE(message.find("more than 1"), std::string::npos) << message;

  o.rates = {{FaultKind::http_500, 0.1}, {FaultKind::stall, 0.2}, {FaultKind::bad_sse, 0.7}};
  EXPECT_EQ(input_error_of([&] { validate_faults(o); }), "") << "decimal rates adding up to exactly 1";
}

TEST(FaultPlan, RepeatedKindAndZeroOversizedBytesAreRejected) {
  FaultOptions o;
  o.rates = {{FaultKind::http_429, 0.1}, {FaultKind::http_429, 0.1}};
  EXPECT_NE(input_error_of([&] { validate_faults(o); }).find("--fault http_429"), std::string::npos);
  FaultOptions zero;
  zero.oversized_bytes = 0;
  EXPECT_NE(input_error_of([&] { validate_faults(zero); }).find("--oversized-bytes"), std::string::npos);
}

TEST(FaultPlan, NoPositiveRateMeansDisabled) {
  FaultOptions o;
  EXPECT_FALSE(FaultPlan(o, 0).is_enabled());
  o.rates = {{FaultKind::http_500, 0}};
  EXPECT_FALSE(FaultPlan(o, 0).is_enabled());
  o.rates = {{FaultKind::http_500, 1e-9}};
  EXPECT_TRUE(FaultPlan(o, 0).is_enabled());
}

TEST(FaultPlan, RateOneFaultsEveryRequestAfterTheFirstN) {
  FaultOptions o;
  o.rates = {{FaultKind::truncated, 1.0}};
  o.after_requests = 3;
  FaultPlan plan(o, 0);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(plan.next(), FaultKind::none) << i;
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(plan.next(), FaultKind::truncated) << i;
}

TEST(FaultPlan, SequenceIsFixedBySeedAndThreadAndDiffersAcrossThem) {
  FaultOptions o;
  o.rates = {{FaultKind::http_500, 0.3}, {FaultKind::stall, 0.3}};
  o.seed = 7;
  FaultOptions other_seed = o;
  other_seed.seed = 8;
  FaultPlan a(o, 0), b(o, 0), other_thread(o, 1), c(other_seed, 0);
  int thread_differs = 0, seed_differs = 0;
  for (int i = 0; i < 200; ++i) {
    FaultKind k = a.next();
    ASSERT_EQ(k, b.next()) << i;
    thread_differs += k != other_thread.next();
    seed_differs += k != c.next();
  }
  EXPECT_GT(thread_differs, 20);
  EXPECT_GT(seed_differs, 20);
}

TEST(FaultPlan, LongRunFrequenciesMatchTheRates) {
  FaultOptions o;
  o.rates = {{FaultKind::http_503, 0.25}, {FaultKind::bad_json, 0.05}, {FaultKind::oversized, 0.0}};
  FaultPlan plan(o, 0);
  FaultCounts counts{};
  constexpr int kDraws = 100000;
  for (int i = 0; i < kDraws; ++i) ++counts[static_cast<size_t>(plan.next())];
  // Binomial standard deviations are ~137 and ~69: these bounds are seven of them wide.
  EXPECT_NEAR(counts[static_cast<size_t>(FaultKind::http_503)], 25000, 1000);
  EXPECT_NEAR(counts[static_cast<size_t>(FaultKind::bad_json)], 5000, 500);
  EXPECT_EQ(counts[static_cast<size_t>(FaultKind::oversized)], 0u);
}

}  // namespace
}  // namespace ie::stub
