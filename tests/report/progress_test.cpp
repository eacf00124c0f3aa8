#include "report/progress.h"

#include <gtest/gtest.h>

#include <string>

namespace ie::report {
namespace {

constexpr int64_t kSec = 1'000'000'000;

ProgressSnapshot running() {
  ProgressSnapshot s;
  s.elapsed_ns = 83 * kSec;
  s.issued = 1200;
  s.completed = 1000;
  s.errors = 3;
  s.recent_rate_per_s = 100;
  return s;
}

TEST(Progress, TtyLineHasFixedWidthAndNoNewline) {
  const std::string line = format_progress(running(), true);
  EXPECT_EQ(line.size(), kProgressLineWidth);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_NE(line.find("00:01:23"), std::string::npos);
  EXPECT_NE(line.find("1200"), std::string::npos);
  EXPECT_NE(line.find("    100/s"), std::string::npos);
  EXPECT_NE(line.find("ETA --:--:--"), std::string::npos);  // neither a total nor a duration is known

  ProgressSnapshot later = running();
  later.issued = 5;
  EXPECT_EQ(format_progress(later, true).size(), kProgressLineWidth);  // shorter numbers, same width
}

TEST(Progress, EtaComesFromTheRemainingRequestsAtTheRecentRate) {
  ProgressSnapshot s = running();
  s.total_requests = 4000;  // 3000 left at 100/s
  const std::string line = format_progress(s, true);
  EXPECT_NE(line.find("ETA 00:00:30"), std::string::npos) << line;
}

TEST(Progress, EtaOfATimedRunIsThePlannedDurationsRemainder) {
  ProgressSnapshot s = running();
  s.total_requests = 4000;
  s.planned_duration_ns = 600 * kSec;
  EXPECT_NE(format_progress(s, true).find("ETA 00:08:37"), std::string::npos);
  s.elapsed_ns = 700 * kSec;  // draining past the plan
  EXPECT_NE(format_progress(s, true).find("ETA 00:00:00"), std::string::npos);
}

TEST(Progress, PlainLineIsAKeyValueLogLine) {
  ProgressSnapshot s = running();
  s.warmup = true;
  const std::string line = format_progress(s, false);
  EXPECT_EQ(line,
            "progress phase=warmup elapsed=00:01:23 issued=1200 completed=1000 errors=3 rate=100.0/s "
            "eta=unknown\n");
}

}  // namespace
}  // namespace ie::report

namespace ie::report {
namespace {

TEST(Progress, DrainingShowsAsItsOwnPhase) {
  ProgressSnapshot s;
  s.draining = true;
  EXPECT_EQ(format_progress(s, false).rfind("progress phase=drain ", 0), 0u) << format_progress(s, false);
  EXPECT_EQ(format_progress(s, true).rfind("drain ", 0), 0u);
  s.warmup = true;
  EXPECT_EQ(format_progress(s, false).rfind("progress phase=warmup ", 0), 0u) << "a warmup drain is warmup";
}

}  // namespace
}  // namespace ie::report
