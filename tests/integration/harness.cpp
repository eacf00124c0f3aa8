#include "harness.h"

#include <algorithm>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace ie::testing {
namespace {

struct Spawned {
  pid_t pid;
  int out_fd;
  int err_fd;
};

// argv[0] is found on PATH.
Spawned spawn_program(const std::vector<std::string>& argv_strings) {
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK);

  std::vector<std::string> argv_storage = argv_strings;
  std::vector<char*> argv;
  for (auto& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, argv[0], &actions, &attributes, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (rc != 0) throw std::runtime_error(std::string("posix_spawn: ") + std::strerror(rc));
  return {pid, out_pipe[0], err_pipe[0]};
}

Spawned spawn_binary(const std::vector<std::string>& args) {
  std::vector<std::string> argv{IE_BINARY_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  return spawn_program(argv);
}

// Reads both pipes until both reach EOF.
void drain_pipes(int out_fd, int err_fd, std::string& out, std::string& err) {
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  std::string* sinks[2] = {&out, &err};
  int open_count = 2;
  char buffer[65536];
  while (open_count > 0) {
    if (poll(fds, 2, -1) < 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t n = read(fds[i].fd, buffer, sizeof(buffer));
      if (n > 0) {
        sinks[i]->append(buffer, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_count;
      }
    }
  }
}

int wait_exit_code(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

CommandResult run_program(const std::vector<std::string>& argv) {
  Spawned child = spawn_program(argv);
  CommandResult result;
  drain_pipes(child.out_fd, child.err_fd, result.out, result.err);
  result.exit_code = wait_exit_code(child.pid);
  return result;
}

CommandResult run_binary(const std::vector<std::string>& args) {
  std::vector<std::string> argv{IE_BINARY_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_program(argv);
}

StubServer::StubServer(std::vector<std::string> extra_args) {
  std::vector<std::string> args{"serve"};
  if (std::find(extra_args.begin(), extra_args.end(), "--port") == extra_args.end())
    args.insert(args.end(), {"--port", "0"});
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  Spawned child = spawn_binary(args);
  pid_ = child.pid;
  out_fd_ = child.out_fd;
  err_fd_ = child.err_fd;
  wait_until_listening();
}

StubServer::StubServer(const Program& program) {
  Spawned child = spawn_program(program.argv);
  pid_ = child.pid;
  out_fd_ = child.out_fd;
  err_fd_ = child.err_fd;
  wait_until_listening();
}

void StubServer::wait_until_listening() {
  // Block on the server's first line: it is printed once the socket listens.
  char c;
  while (read(out_fd_, &c, 1) == 1 && c != '\n') out_ += c;
  const std::string prefix = "listening on ";
  if (out_.rfind(prefix, 0) != 0) {
    std::string err;
    std::string rest;
    kill(pid_, SIGKILL);
    drain_pipes(out_fd_, err_fd_, rest, err);
    wait_exit_code(pid_);
    pid_ = -1;
    throw std::runtime_error("stub server did not start: " + out_ + rest + err);
  }
  url_ = out_.substr(prefix.size());
}

CommandResult StubServer::stop() {
  CommandResult result;
  if (pid_ < 0) return result;
  kill(pid_, SIGTERM);
  drain_pipes(out_fd_, err_fd_, result.out, result.err);
  result.exit_code = wait_exit_code(pid_);
  pid_ = -1;
  return result;
}

StubServer::~StubServer() {
  stop();
}

BackgroundRun::BackgroundRun(const std::vector<std::string>& args) {
  Spawned child = spawn_binary(args);
  pid_ = child.pid;
  out_fd_ = child.out_fd;
  err_fd_ = child.err_fd;
}

BackgroundRun::~BackgroundRun() {
  if (pid_ < 0) return;
  kill(pid_, SIGKILL);
  finish();
}

bool BackgroundRun::wait_for_stderr(const std::string& text) {
  char buffer[4096];
  while (err_.find(text) == std::string::npos) {
    ssize_t n = read(err_fd_, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    err_.append(buffer, static_cast<size_t>(n));
  }
  return true;
}

void BackgroundRun::send_signal(int signal_number) {
  kill(pid_, signal_number);
}

bool BackgroundRun::stop_then_abandon(int signal_number) {
  send_signal(signal_number);
  if (!wait_for_stderr("stopping")) return false;
  send_signal(signal_number);
  return true;
}

CommandResult BackgroundRun::finish() {
  CommandResult result;
  if (pid_ < 0) return result;
  drain_pipes(out_fd_, err_fd_, result.out, result.err);
  result.err = err_ + result.err;
  result.exit_code = wait_exit_code(pid_);
  pid_ = -1;
  return result;
}

ClosedPort::ClosedPort() {
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  if (bind(fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::runtime_error("cannot reserve a loopback port");
  }
  port_ = ntohs(address.sin_port);
}

ClosedPort::~ClosedPort() {
  close(fd_);
}

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::random_device random;
  path_ = std::filesystem::path(base ? base : "/tmp") /
          ("ie-test-" + std::to_string(getpid()) + "-" + std::to_string(random()));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

nlohmann::json read_json(const std::filesystem::path& path) {
  return nlohmann::json::parse(read_text(path));
}

std::vector<nlohmann::json> read_json_lines(const std::filesystem::path& path) {
  std::vector<nlohmann::json> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(nlohmann::json::parse(line));
  }
  return lines;
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

std::string source_path(const std::string& relative) {
  return std::string(IE_SOURCE_DIR) + "/" + relative;
}

std::vector<std::string> benchmark_args(const std::string& mode, const StubServer& stub, const TempDir& dir,
                                        std::vector<std::string> extra) {
  std::vector<std::string> args{"benchmark",    mode,
                                "--endpoints",  stub.url(),
                                "--model",      "test-model",
                                "--dataset",    source_path("data/demo_prompts.jsonl"),
                                "--report-dir", dir.path().string(),
                                "--no-progress"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

}  // namespace ie::testing
