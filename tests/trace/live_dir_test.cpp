#include "trace/live_dir.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "common/error.h"

namespace ie::trace {
namespace {

namespace fs = std::filesystem;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Sets (or unsets, with nullopt) an environment variable for one test and restores it afterwards.
class EnvGuard {
 public:
  EnvGuard(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value)
      ::setenv(name, value->c_str(), 1);
    else
      ::unsetenv(name);
  }
  ~EnvGuard() {
    if (old_)
      ::setenv(name_, old_->c_str(), 1);
    else
      ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(LiveDir, CreatesAFreshPrivateDirectoryWithMode0700) {
  LiveDir a(::testing::TempDir());
  LiveDir b(::testing::TempDir());
  EXPECT_NE(a.path(), b.path());
  EXPECT_EQ(fs::path(a.path()).filename().string().rfind("inference-endpoint-", 0), 0u) << a.path();
  struct stat st;
  ASSERT_EQ(::lstat(a.path().c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  EXPECT_EQ(st.st_uid, ::geteuid());
}

TEST(LiveDir, DestructorRemovesTheDirectoryAndEverythingInIt) {
  std::string path;
  {
    LiveDir dir(::testing::TempDir());
    path = dir.path();
    dir.write_file_atomic("status.json", "{}");
    fs::create_directories(path + "/nested/deeper");
    std::ofstream(path + "/nested/deeper/file") << "x";
    ASSERT_TRUE(fs::exists(path + "/nested/deeper/file"));
  }
  EXPECT_FALSE(fs::exists(path));
}

TEST(LiveDir, IsRemovedWhenAnExceptionUnwindsThroughIt) {
  std::string path;
  try {
    LiveDir dir(::testing::TempDir());
    path = dir.path();
    dir.write_file_atomic("status.json", "{}");
    throw std::runtime_error("setup failed later");
  } catch (const std::runtime_error&) {
  }
  ASSERT_FALSE(path.empty());
  EXPECT_FALSE(fs::exists(path));
}

TEST(LiveDir, MovedFromDirectoryRemovesNothing) {
  LiveDir original(::testing::TempDir());
  std::string path = original.path();
  {
    LiveDir moved(std::move(original));
    EXPECT_EQ(moved.path(), path);
    EXPECT_TRUE(original.path().empty());
    {
      LiveDir gone = std::move(original);  // destroying an empty one must not touch `path`
    }
    EXPECT_TRUE(fs::exists(path));
  }
  EXPECT_FALSE(fs::exists(path));
}

TEST(LiveDir, WriteFileAtomicReplacesTheContentsAndLeavesNoTemporaryFiles) {
  LiveDir dir(::testing::TempDir());
  dir.write_file_atomic("status.json", "first version, longer than the second");
  dir.write_file_atomic("status.json", "second");
  EXPECT_EQ(read_file(dir.path() + "/status.json"), "second");
  int entries = 0;
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    EXPECT_EQ(entry.path().filename(), "status.json");
    ++entries;
  }
  EXPECT_EQ(entries, 1);
}

TEST(LiveDir, WriteFileAtomicRejectsNamesThatAreNotPlainFileNames) {
  LiveDir dir(::testing::TempDir());
  for (const char* name : {"", ".", "..", "../escape", "a/b"}) {
    try {
      dir.write_file_atomic(name, "x");
      ADD_FAILURE() << "accepted '" << name << "'";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ExitCode::execution);
    }
  }
  EXPECT_FALSE(fs::exists(fs::path(dir.path()).parent_path() / "escape"));
}

TEST(LiveDir, UnusableBaseDirectoryIsASetupErrorNamingIt) {
  try {
    LiveDir dir("/nonexistent-base-for-live-dir-test");
    FAIL() << "created " << dir.path();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::setup);
    EXPECT_NE(std::string(e.what()).find("/nonexistent-base-for-live-dir-test"), std::string::npos)
        << e.what();
  }
}

TEST(LiveDir, DefaultBaseDirPrefersAUsableXdgRuntimeDir) {
  LiveDir runtime(::testing::TempDir());  // stands in for a real $XDG_RUNTIME_DIR
  EnvGuard xdg("XDG_RUNTIME_DIR", runtime.path());
  EnvGuard tmp("TMPDIR", "/somewhere/else");
  EXPECT_EQ(LiveDir::default_base_dir(), runtime.path());
  LiveDir live;
  EXPECT_EQ(fs::path(live.path()).parent_path(), fs::path(runtime.path()));
}

TEST(LiveDir, DefaultBaseDirFallsBackToTmpdirThenSlashTmp) {
  {
    EnvGuard xdg("XDG_RUNTIME_DIR", "/nonexistent-xdg-runtime-dir");
    EnvGuard tmp("TMPDIR", "/my/tmp");
    EXPECT_EQ(LiveDir::default_base_dir(), "/my/tmp");
  }
  {
    EnvGuard xdg("XDG_RUNTIME_DIR", std::nullopt);
    EnvGuard tmp("TMPDIR", std::nullopt);
    EXPECT_EQ(LiveDir::default_base_dir(), "/tmp");
  }
  {
    EnvGuard xdg("XDG_RUNTIME_DIR", "relative/path");  // not absolute: not usable
    EnvGuard tmp("TMPDIR", "");
    EXPECT_EQ(LiveDir::default_base_dir(), "/tmp");
  }
}

}  // namespace
}  // namespace ie::trace
