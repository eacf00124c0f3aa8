#include "config/duration.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "error_text.h"

namespace ie::config {
namespace {

using ie::testing::invalid_input_message;
using ::testing::HasSubstr;

TEST(ParseDurationMs, PlainIntegerIsMilliseconds) {
  EXPECT_EQ(parse_duration_ms("30000", "--duration"), 30'000u);
  EXPECT_EQ(parse_duration_ms("0", "--duration"), 0u);
}

TEST(ParseDurationMs, UnitSuffixesScaleToMilliseconds) {
  EXPECT_EQ(parse_duration_ms("600000ms", "d"), 600'000u);
  EXPECT_EQ(parse_duration_ms("10s", "d"), 10'000u);
  EXPECT_EQ(parse_duration_ms("5m", "d"), 300'000u);
  EXPECT_EQ(parse_duration_ms("2h", "d"), 7'200'000u);
}

TEST(ParseDurationMs, DecimalsWithUnitAreExact) {
  EXPECT_EQ(parse_duration_ms("1.5s", "d"), 1'500u);
  EXPECT_EQ(parse_duration_ms("0.25m", "d"), 15'000u);
  EXPECT_EQ(parse_duration_ms("0.001s", "d"), 1u);
  EXPECT_EQ(parse_duration_ms("0.5h", "d"), 1'800'000u);
}

TEST(ParseDurationMs, SubMillisecondRemainderRoundsToNearest) {
  EXPECT_EQ(parse_duration_ms("1.0004s", "d"), 1'000u);
  EXPECT_EQ(parse_duration_ms("1.0005s", "d"), 1'001u);
  EXPECT_EQ(parse_duration_ms("2.4", "d"), 2u);
}

TEST(ParseDurationMs, LargestValueFitsAndOneMoreOverflows) {
  EXPECT_EQ(parse_duration_ms("18446744073709551615", "d"), UINT64_MAX);
  EXPECT_THAT(invalid_input_message([] { parse_duration_ms("18446744073709551616", "d"); }),
              HasSubstr("is not a duration"));
  // Fits as a number of hours' digits but not once converted to milliseconds.
  EXPECT_THAT(invalid_input_message([] { parse_duration_ms("18446744073709551h", "d"); }),
              HasSubstr("is not a duration"));
}

TEST(ParseDurationMs, RejectsGarbageNegativesAndUnknownUnitsNamingWhatAndText) {
  for (const char* bad : {"", "-5", "-5s", "abc", "10x", "10 s", "s", ".5s", "1.s", "1..5s", "10sec", "5M",
                          "+5", "1e3", " 10", "10ms5"}) {
    std::string message = invalid_input_message([&] { parse_duration_ms(bad, "--duration"); });
    EXPECT_EQ(message, std::string("--duration: '") + bad + "' is not a duration (examples: 30000, 30s, 5m)");
  }
}

TEST(ParseDurationMs, EveryPrefixOfAValidDurationEitherParsesOrIsRejectedCleanly) {
  const std::string text = "12.75m";
  for (size_t length = 0; length <= text.size(); ++length) {
    std::optional<uint64_t> value = try_parse_duration_ms(std::string_view(text).substr(0, length));
    if (value) {
      EXPECT_LE(*value, 12u * 60'000 + 45'000);
    }
  }
  EXPECT_EQ(try_parse_duration_ms(text), 765'000u);
  EXPECT_EQ(try_parse_duration_ms("12."), std::nullopt);
}

TEST(ParseSecondsAsMs, PlainNumberIsSecondsAndUnitsStillWork) {
  EXPECT_EQ(parse_seconds_as_ms("4", "max_idle_time"), 4'000u);
  EXPECT_EQ(parse_seconds_as_ms("0.5", "max_idle_time"), 500u);
  EXPECT_EQ(parse_seconds_as_ms("250ms", "max_idle_time"), 250u);
  EXPECT_EQ(parse_seconds_as_ms("2m", "max_idle_time"), 120'000u);
  EXPECT_THAT(invalid_input_message([] { parse_seconds_as_ms("-1", "--max-idle-time"); }),
              HasSubstr("--max-idle-time: '-1' is not a duration"));
}

}  // namespace
}  // namespace ie::config
