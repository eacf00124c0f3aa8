#include "config/interpolate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "error_text.h"

namespace ie::config {
namespace {

using ie::testing::invalid_input_message;
using ::testing::HasSubstr;

EnvLookup fake_env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

const EnvLookup kEnv = fake_env({{"HOST", "10.0.0.5"}, {"PORT", "8000"}, {"EMPTY", ""}, {"A_1", "x"}});

std::string resolve(std::string_view text) {
  return interpolate_env(text, "key at f.yaml:3", kEnv);
}

TEST(InterpolateEnv, TextWithoutDollarIsUnchanged) {
  EXPECT_EQ(resolve("http://127.0.0.1:8000"), "http://127.0.0.1:8000");
  EXPECT_EQ(resolve(""), "");
}

TEST(InterpolateEnv, BracedAndBareReferencesAreReplaced) {
  EXPECT_EQ(resolve("http://${HOST}:$PORT/v1"), "http://10.0.0.5:8000/v1");
  EXPECT_EQ(resolve("$A_1.$A_1"), "x.x");  // a bare name ends at the first non-name character
}

TEST(InterpolateEnv, DefaultIsUsedWhenUnsetOrEmptyAndIgnoredWhenSet) {
  EXPECT_EQ(resolve("${MISSING:-fallback}"), "fallback");
  EXPECT_EQ(resolve("${EMPTY:-fallback}"), "fallback");
  EXPECT_EQ(resolve("${PORT:-9999}"), "8000");
  EXPECT_EQ(resolve("${MISSING:-}"), "");
  EXPECT_EQ(resolve("${MISSING:-http://h:1/a}"), "http://h:1/a");
}

TEST(InterpolateEnv, SetButEmptyVariableWithoutDefaultIsEmpty) {
  EXPECT_EQ(resolve("[${EMPTY}]"), "[]");
}

TEST(InterpolateEnv, DoubleDollarIsALiteralDollar) {
  EXPECT_EQ(resolve("$$"), "$");
  EXPECT_EQ(resolve("cost$$HOST"), "cost$HOST");
  EXPECT_EQ(resolve("$${HOST}"), "${HOST}");
  EXPECT_EQ(resolve("$$$HOST"), "$10.0.0.5");
}

TEST(InterpolateEnv, DollarNotFollowedByANameStaysLiteral) {
  EXPECT_EQ(resolve("5$"), "5$");
  EXPECT_EQ(resolve("$5 and $-"), "$5 and $-");
}

TEST(InterpolateEnv, UnsetVariableWithoutDefaultIsAnErrorNamingKeyLineAndVariable) {
  EXPECT_EQ(invalid_input_message([] { resolve("${API_KEY}"); }),
            "key at f.yaml:3: environment variable API_KEY is not set (write ${API_KEY:-default} to give a "
            "default)");
  EXPECT_THAT(invalid_input_message([] { resolve("Bearer $TOKEN"); }), HasSubstr("TOKEN is not set"));
}

TEST(InterpolateEnv, MalformedReferencesAreErrors) {
  EXPECT_THAT(invalid_input_message([] { resolve("${HOST"); }), HasSubstr("unterminated"));
  EXPECT_THAT(invalid_input_message([] { resolve("${}"); }), HasSubstr("not a valid reference"));
  EXPECT_THAT(invalid_input_message([] { resolve("${HOST-x}"); }), HasSubstr("not a valid reference"));
  EXPECT_THAT(invalid_input_message([] { resolve("${9X}"); }), HasSubstr("not a valid reference"));
}

TEST(InterpolateEnv, EveryPrefixOfAReferenceResolvesOrFailsCleanly) {
  const std::string text = "a$$b${HOST:-z}c$PORT";
  for (size_t length = 0; length <= text.size(); ++length) {
    try {
      resolve(std::string_view(text).substr(0, length));
    } catch (const ie::Error& error) {
      EXPECT_EQ(error.code(), ie::ExitCode::invalid_input);
    }
  }
  EXPECT_EQ(resolve(text), "a$b10.0.0.5c8000");
}

TEST(InterpolateEnv, ProcessEnvReadsTheRealEnvironment) {
  ::setenv("IE_TEST_INTERPOLATE", "yes", 1);
  EXPECT_EQ(interpolate_env("${IE_TEST_INTERPOLATE}", "k"), "yes");
  ::unsetenv("IE_TEST_INTERPOLATE");
  EXPECT_EQ(process_env("IE_TEST_INTERPOLATE"), std::nullopt);
}

}  // namespace
}  // namespace ie::config
