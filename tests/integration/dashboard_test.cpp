// The live -vvv dashboard of a real run against the stub: plain frames when stdout is not a terminal, the
// full-screen mode on a terminal (a pseudo-terminal from script(1)), and nothing with --dashboard off.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "harness.h"

namespace ie::testing {
namespace {

size_t count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

TEST(Dashboard, VeryVerboseWithoutATerminalPrintsPlainFramesEndingOnTheFinalOne) {
  StubServer stub({"--output-chars", "30", "--chars-per-event", "10"});
  TempDir dir;
  CommandResult run = run_binary(benchmark_args(
      "online", stub, dir,
      {"--load-pattern", "concurrency", "--concurrency", "4", "--num-samples", "200", "-vvv"}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_GE(count(run.out, "REQUEST LIFECYCLE"), 1u) << run.out;
  EXPECT_EQ(run.out.find("\x1b["), std::string::npos) << "plain frames carry no escape sequences";
  size_t finished = run.out.find("trace finished\n");
  ASSERT_NE(finished, std::string::npos) << run.out;
  size_t last_frame = run.out.rfind("uptime", finished);  // the header opens each frame
  ASSERT_NE(last_frame, std::string::npos);
  std::string final_frame = run.out.substr(last_frame, finished - last_frame);
  EXPECT_NE(final_frame.find("DONE"), std::string::npos) << final_frame;
  EXPECT_NE(final_frame.find("coverage  200 traced of 200 completed"), std::string::npos) << final_frame;
  // LOADGEN is the client's own metrics: the same numbers as the report.
  EXPECT_NE(final_frame.find("LOADGEN  (final)"), std::string::npos) << final_frame;
  EXPECT_NE(final_frame.find("completed                            200"), std::string::npos) << final_frame;
  EXPECT_NE(final_frame.find("  e2e" + std::string(47, ' ') + "         200 "), std::string::npos)
      << final_frame;
  EXPECT_LT(finished, run.out.find("200 succeeded")) << "the final frame comes before the run summary";
}

TEST(Dashboard, JsonModeWritesOneObjectPerLineEndingWithTheFinalOne) {
  StubServer stub({"--output-chars", "30", "--chars-per-event", "10"});
  TempDir dir;
  CommandResult run = run_binary(benchmark_args("online", stub, dir,
                                                {"--load-pattern", "concurrency", "--concurrency", "4",
                                                 "--num-samples", "150", "-vvv", "--dashboard", "json"}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::vector<nlohmann::json> objects;
  size_t begin = 0;
  while (begin < run.out.size()) {
    size_t end = run.out.find('\n', begin);
    if (end == std::string::npos) end = run.out.size();
    std::string line = run.out.substr(begin, end - begin);
    if (!line.empty() && line[0] == '{') objects.push_back(nlohmann::json::parse(line));
    begin = end + 1;
  }
  ASSERT_FALSE(objects.empty()) << run.out;
  const nlohmann::json& last = objects.back();
  EXPECT_TRUE(last["final"].get<bool>());
  EXPECT_EQ(last["status"], "DONE");
  EXPECT_EQ(last["traced"], 150);
  EXPECT_EQ(last["layout"], "streaming");
  EXPECT_EQ(last["loadgen"]["completed"], 150);
  const nlohmann::json& shares = last["verdict_pct"];
  EXPECT_NEAR(
      shares["client"].get<double>() + shares["server"].get<double>() + shares["backpressure"].get<double>(),
      100.0, 1e-6);
  for (size_t i = 0; i + 1 < objects.size(); ++i) EXPECT_FALSE(objects[i]["final"].get<bool>());
}

TEST(Dashboard, OffKeepsTheTraceButDrawsNothing) {
  StubServer stub({"--output-chars", "30"});
  TempDir dir;
  CommandResult run =
      run_binary(benchmark_args("offline", stub, dir, {"--num-samples", "50", "-vvv", "--dashboard", "off"}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out.find("REQUEST LIFECYCLE"), std::string::npos) << run.out;
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "trace.ietrace"));
}

// script(1) gives the run a pseudo-terminal, as a user's shell would.
TEST(Dashboard, OnATerminalDrawsInTheAlternateScreenAndLeavesTheFinalFrame) {
  StubServer stub({"--output-chars", "30", "--chars-per-event", "10"});
  TempDir dir;
  std::string command = std::string(IE_BINARY_PATH);
  for (const std::string& arg : benchmark_args(
           "online", stub, dir,
           {"--load-pattern", "concurrency", "--concurrency", "4", "--num-samples", "300", "-vvv"}))
    command += " '" + arg + "'";
  CommandResult run = run_program({"script", "-qec", command, "/dev/null"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const std::string& screen = run.out;
  size_t enter = screen.find("\x1b[?1049h");
  size_t leave = screen.find("\x1b[?1049l");
  ASSERT_NE(enter, std::string::npos) << "no alternate screen";
  ASSERT_NE(leave, std::string::npos) << "the alternate screen was not left";
  EXPECT_LT(enter, leave);
  size_t finished = screen.find("trace finished");
  ASSERT_NE(finished, std::string::npos);
  EXPECT_GT(finished, leave) << "the final frame and the closing line go to the normal screen";
  EXPECT_NE(screen.find("REQUEST LIFECYCLE", leave), std::string::npos);
  EXPECT_EQ(screen.substr(enter, leave - enter).find("stopping"), std::string::npos)
      << "no log line tears the dashboard";
  EXPECT_NE(screen.find("report: ", finished), std::string::npos) << "held log and summary lines follow";
}

}  // namespace
}  // namespace ie::testing
