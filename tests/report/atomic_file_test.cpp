#include "report/atomic_file.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <csignal>
#include <string>

#include "common/error.h"
#include "report_fixture.h"

namespace ie::report {
namespace {

using namespace testing;

size_t entries_in(const std::filesystem::path& dir) {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++n;
  return n;
}

TEST(AtomicFile, WritesTheWholeContentAndLeavesNoTempFile) {
  ScratchDir dir("atomic_write");
  const auto path = dir.path() / "out.json";
  write_file_atomically(path, "{\"a\": 1}\n");
  EXPECT_EQ(read_file(path), "{\"a\": 1}\n");
  write_file_atomically(path, "second");
  EXPECT_EQ(read_file(path), "second");
  EXPECT_EQ(entries_in(dir.path()), 1u);
}

TEST(AtomicFile, MissingDirectoryThrowsASetupErrorNamingThePath) {
  ScratchDir dir("atomic_missing");
  const auto path = dir.path() / "no" / "such" / "out.json";
  try {
    write_file_atomically(path, "x");
    FAIL() << "expected ie::Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::setup);
    EXPECT_NE(std::string(e.what()).find("cannot write " + path.string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("No such file or directory"), std::string::npos) << e.what();
  }
}

// Root ignores permission bits, so the failure is injected with a file-size limit: write() fails with EFBIG
// part-way through, after the temp file already exists.
TEST(AtomicFile, FailedWriteKeepsThePreviousFileAndRemovesTheTempFile) {
  ScratchDir dir("atomic_fail");
  const auto path = dir.path() / "result_summary.json";
  write_file_atomically(path, "previous");

  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &saved), 0);
  const auto saved_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit small = saved;
  small.rlim_cur = 1024;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
  bool threw = false;
  try {
    write_file_atomically(path, std::string(64 * 1024, 'x'));
  } catch (const Error& e) {
    threw = true;
    EXPECT_EQ(e.code(), ExitCode::setup);
    EXPECT_NE(std::string(e.what()).find("cannot write " + path.string() + ": "), std::string::npos);
  }
  setrlimit(RLIMIT_FSIZE, &saved);
  std::signal(SIGXFSZ, saved_handler);

  EXPECT_TRUE(threw);
  EXPECT_EQ(read_file(path), "previous");
  EXPECT_EQ(entries_in(dir.path()), 1u);
}

TEST(AtomicFile, PrepareReportDirCreatesTheSubdirectories) {
  ScratchDir dir("prepare");
  const auto report = dir.path() / "reports" / "run_1";
  prepare_report_dir(report);
  EXPECT_TRUE(std::filesystem::is_directory(report / "performance"));
  EXPECT_TRUE(std::filesystem::is_directory(report / "metrics"));
  EXPECT_EQ(entries_in(report), 2u);  // the write probe is gone
  prepare_report_dir(report);         // idempotent
}

TEST(AtomicFile, PrepareReportDirUnderARegularFileThrowsASetupError) {
  ScratchDir dir("prepare_fail");
  write_file_atomically(dir.path() / "file", "x");
  try {
    prepare_report_dir(dir.path() / "file" / "report");
    FAIL() << "expected ie::Error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::setup);
    EXPECT_NE(std::string(e.what()).find("cannot write " + (dir.path() / "file").string()), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace ie::report
