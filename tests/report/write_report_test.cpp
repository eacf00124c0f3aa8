#include "report/write_report.h"

#include <gtest/gtest.h>

#include <string>

#include "common/error.h"
#include "report_fixture.h"

namespace ie::report {
namespace {

using nlohmann::json;
using namespace testing;

TEST(WriteReport, WritesEveryFileAndNothingElse) {
  ScratchDir dir("write_report");
  const auto cfg = poisson_config();
  const auto report = dir.path() / "run";
  write_report(report, known_run(), known_info(cfg), "name: online_benchmark\napi_key: '***'\n");

  const json summary = json::parse(read_file(report / "performance" / "result_summary.json"));
  EXPECT_EQ(summary["n_samples_completed"], 4);
  const json snapshot = json::parse(read_file(report / "metrics" / "final_snapshot.json"));
  EXPECT_EQ(snapshot["counters"]["issued"], 6);
  EXPECT_NE(read_file(report / "report.txt").find("Latency Breakdowns"), std::string::npos);
  EXPECT_EQ(read_file(report / "config.yaml"), "name: online_benchmark\napi_key: '***'\n");

  size_t files = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(report)) {
    if (e.is_regular_file()) {
      ++files;
      EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << e.path();
      EXPECT_EQ(read_file(e.path()).find(kApiKey), std::string::npos) << e.path();
    }
  }
  EXPECT_EQ(files, 4u);
}

TEST(WriteReport, JsonFilesAreIndentedAndEndWithANewline) {
  const std::string text = json_text(nlohmann::ordered_json{{"a", 1}});
  EXPECT_EQ(text, "{\n  \"a\": 1\n}\n");
}

TEST(WriteReport, UnwritableDirectoryThrowsASetupError) {
  ScratchDir dir("write_report_fail");
  const auto cfg = poisson_config();
  std::filesystem::create_directories(dir.path());
  const auto blocker = dir.path() / "blocker";
  { std::ofstream(blocker) << "x"; }
  EXPECT_THROW(write_report(blocker / "run", known_run(), known_info(cfg), ""), Error);
}

}  // namespace
}  // namespace ie::report
