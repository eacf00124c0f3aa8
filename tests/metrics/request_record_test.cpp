#include "metrics/request_record.h"

#include <gtest/gtest.h>

namespace ie::metrics {
namespace {

TEST(RequestRecord, EveryOutcomeHasADistinctName) {
  EXPECT_EQ(outcome_name(Outcome::ok), "ok");
  EXPECT_EQ(outcome_name(Outcome::http_status), "http_status");
  EXPECT_EQ(outcome_name(Outcome::timeout), "timeout");
  EXPECT_EQ(outcome_name(Outcome::abandoned), "abandoned");
  for (int a = 0; a < kOutcomeCount; ++a) {
    for (int b = a + 1; b < kOutcomeCount; ++b) {
      EXPECT_NE(outcome_name(static_cast<Outcome>(a)), outcome_name(static_cast<Outcome>(b)));
    }
  }
}

TEST(RequestRecord, FinishReasonsRoundTripThroughTheirNames) {
  for (int i = 0; i < kFinishReasonCount; ++i) {
    const auto reason = static_cast<FinishReason>(i);
    EXPECT_EQ(parse_finish_reason(finish_reason_name(reason)), reason) << finish_reason_name(reason);
  }
}

TEST(RequestRecord, AbsentFinishReasonIsNoneAndUnknownOnesAreOther) {
  EXPECT_EQ(parse_finish_reason(""), FinishReason::none);
  EXPECT_EQ(parse_finish_reason("null"), FinishReason::none);
  EXPECT_EQ(parse_finish_reason("stop"), FinishReason::stop);
  EXPECT_EQ(parse_finish_reason("tool_calls"), FinishReason::tool_calls);
  EXPECT_EQ(parse_finish_reason("eos"), FinishReason::other);
  EXPECT_EQ(parse_finish_reason("Stop"), FinishReason::other);
}

}  // namespace
}  // namespace ie::metrics
