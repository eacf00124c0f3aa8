#include "config/duration.h"

#include <fmt/format.h>

#include <optional>

#include "common/error.h"

namespace ie::config {
namespace {

constexpr uint64_t kMsPerSecond = 1'000;
constexpr uint64_t kMsPerMinute = 60 * kMsPerSecond;
constexpr uint64_t kMsPerHour = 60 * kMsPerMinute;

// More fractional digits than this cannot change a millisecond count for any unit up to hours, and bounding
// them keeps the arithmetic below inside 128 bits.
constexpr int kMaxFractionDigits = 12;

std::optional<uint64_t> unit_ms(std::string_view suffix, uint64_t plain_unit_ms) {
  if (suffix.empty()) return plain_unit_ms;
  if (suffix == "ms") return 1;
  if (suffix == "s") return kMsPerSecond;
  if (suffix == "m") return kMsPerMinute;
  if (suffix == "h") return kMsPerHour;
  return std::nullopt;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Parses DIGITS[.DIGITS]SUFFIX exactly; nullopt for anything else, including overflow.
std::optional<uint64_t> parse_ms(std::string_view text, uint64_t plain_unit_ms) {
  size_t pos = 0;
  unsigned __int128 whole = 0;
  size_t whole_digits = 0;
  for (; pos < text.size() && is_digit(text[pos]); ++pos, ++whole_digits) {
    whole = whole * 10 + static_cast<unsigned>(text[pos] - '0');
    if (whole > UINT64_MAX) return std::nullopt;
  }
  unsigned __int128 fraction = 0;
  unsigned __int128 fraction_scale = 1;
  size_t fraction_digits = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    for (; pos < text.size() && is_digit(text[pos]); ++pos, ++fraction_digits) {
      if (fraction_digits >= kMaxFractionDigits) continue;
      fraction = fraction * 10 + static_cast<unsigned>(text[pos] - '0');
      fraction_scale *= 10;
    }
    if (fraction_digits == 0) return std::nullopt;  // "1." is a typo, not a number
  }
  if (whole_digits == 0) return std::nullopt;  // ".5s", "s", ""
  std::optional<uint64_t> unit = unit_ms(text.substr(pos), plain_unit_ms);
  if (!unit) return std::nullopt;
  unsigned __int128 total = whole * *unit + (fraction * *unit * 2 + fraction_scale) / (fraction_scale * 2);
  if (total > UINT64_MAX) return std::nullopt;
  return static_cast<uint64_t>(total);
}

[[noreturn]] void fail_duration(std::string_view text, std::string_view what) {
  fail_input(fmt::format("{}: '{}' is not a duration (examples: 30000, 30s, 5m)", what, text));
}

}  // namespace

std::optional<uint64_t> try_parse_duration_ms(std::string_view text) {
  return parse_ms(text, 1);
}

std::optional<uint64_t> try_parse_seconds_as_ms(std::string_view text) {
  return parse_ms(text, kMsPerSecond);
}

uint64_t parse_duration_ms(std::string_view text, std::string_view what) {
  std::optional<uint64_t> ms = parse_ms(text, 1);
  if (!ms) fail_duration(text, what);
  return *ms;
}

uint64_t parse_seconds_as_ms(std::string_view text, std::string_view what) {
  std::optional<uint64_t> ms = parse_ms(text, kMsPerSecond);
  if (!ms) fail_input(fmt::format("{}: '{}' is not a duration (examples: 4, 0.5, 500ms, 2m)", what, text));
  return *ms;
}

}  // namespace ie::config
