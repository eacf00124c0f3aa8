#pragma once
// Runs the real inference-endpoint binary: as a stub server in the background, and as a benchmark client
// whose exit code, output and report files the tests check. Waits on pipes and process exit, never on time.

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ie::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs the binary with args to completion, capturing stdout and stderr.
CommandResult run_binary(const std::vector<std::string>& args);
// Any program, found on PATH (argv[0]); same result shape.
CommandResult run_program(const std::vector<std::string>& argv);

// `inference-endpoint serve --port 0 ...` (or the --port given) in the background; the constructor returns
// once it listens.
class StubServer {
 public:
  explicit StubServer(std::vector<std::string> extra_args = {});
  // Any server program (argv[0] on PATH) that prints "listening on URL" as its first line once it listens:
  // for endpoints this project did not write.
  struct Program {
    std::vector<std::string> argv;
  };
  explicit StubServer(const Program& program);
  ~StubServer();
  StubServer(const StubServer&) = delete;
  StubServer& operator=(const StubServer&) = delete;

  const std::string& url() const { return url_; }
  pid_t pid() const { return pid_; }
  // Stops it with SIGTERM and returns its exit code and what it printed.
  CommandResult stop();

 private:
  void wait_until_listening();
  pid_t pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::string url_;
  std::string out_;
};

// The binary running in the background, for tests that act on it mid-run (signals).
class BackgroundRun {
 public:
  explicit BackgroundRun(const std::vector<std::string>& args);
  ~BackgroundRun();
  BackgroundRun(const BackgroundRun&) = delete;
  BackgroundRun& operator=(const BackgroundRun&) = delete;

  // Blocks until stderr contains `text` (true) or the process closed stderr first (false).
  bool wait_for_stderr(const std::string& text);
  void send_signal(int signal_number);
  // The interrupt sequence users type: one signal, wait until the run says it is stopping, then a second one
  // (which abandons what is still in flight). False when the run never acknowledged the first.
  bool stop_then_abandon(int signal_number);
  // Waits for exit and returns everything it printed.
  CommandResult finish();

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::string err_;
};

// A loopback port that refuses connections: bound (so nothing else takes it) but not listening.
class ClosedPort {
 public:
  ClosedPort();
  ~ClosedPort();
  uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

// A fresh empty directory under the test temp dir, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

nlohmann::json read_json(const std::filesystem::path& path);
std::vector<nlohmann::json> read_json_lines(const std::filesystem::path& path);
std::string read_text(const std::filesystem::path& path);
void write_text(const std::filesystem::path& path, const std::string& text);

std::string source_path(const std::string& relative);  // a file of the repository

// `benchmark MODE` against the stub with the demo dataset, reports in dir, no progress line, plus `extra`.
std::vector<std::string> benchmark_args(const std::string& mode, const StubServer& stub, const TempDir& dir,
                                        std::vector<std::string> extra);

}  // namespace ie::testing
