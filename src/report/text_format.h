#pragma once
// Number formatting shared by the plain-text renderers (report.txt, the console summary, progress lines), so
// every place shows times and rates the same way.

#include <cstdint>
#include <optional>
#include <string>

namespace ie::report {

std::string format_ms(double ns);        // "12.345": ns as milliseconds, 3 decimals
std::string format_seconds(int64_t ns);  // "61.235 s"
std::string format_clock(int64_t ns);    // "01:02:03" (hours grow past 99 if they must)
std::string format_rate(const std::optional<double>& per_second);  // "1959.60", or "n/a" when unknown

}  // namespace ie::report
