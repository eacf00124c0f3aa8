#include "report/text_format.h"

#include <fmt/format.h>

namespace ie::report {

std::string format_ms(double ns) {
  return fmt::format("{:.3f}", ns / 1e6);
}

std::string format_seconds(int64_t ns) {
  return fmt::format("{:.3f} s", static_cast<double>(ns) / 1e9);
}

std::string format_clock(int64_t ns) {
  const int64_t total_s = ns < 0 ? 0 : ns / 1'000'000'000;
  return fmt::format("{:02}:{:02}:{:02}", total_s / 3600, (total_s / 60) % 60, total_s % 60);
}

std::string format_rate(const std::optional<double>& per_second) {
  return per_second ? fmt::format("{:.2f}", *per_second) : std::string("n/a");
}

}  // namespace ie::report
