// `inference-endpoint serve` as scripts use it: one "listening on" line on stdout, then a clean exit 0 on
// SIGINT or SIGTERM. Skipped when the binary has not been built (this test binary does not depend on it).

#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <string>

#include "test_client.h"

extern char** environ;

namespace ie::stub {
namespace {

struct Child {
  pid_t pid = -1;
  int stdout_fd = -1;
};

Child spawn_serve(std::vector<std::string> args) {
  int out[2];
  EXPECT_EQ(pipe(out), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  args.insert(args.begin(), {IE_BINARY_PATH, "serve", "--port", "0"});
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  Child child;
  EXPECT_EQ(posix_spawn(&child.pid, IE_BINARY_PATH, &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  child.stdout_fd = out[0];
  return child;
}

// Everything the child writes to stdout until it closes it (blocks until the child exits).
std::string read_all(int fd) {
  std::string text;
  char buf[256];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) text.append(buf, static_cast<size_t>(n));
  return text;
}

std::string read_line(int fd) {
  std::string line;
  char c;
  while (read(fd, &c, 1) == 1 && c != '\n') line += c;
  return line;
}

int exit_code_after(Child& child, int signal) {
  kill(child.pid, signal);
  int status = 0;
  waitpid(child.pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

class ServeCommand : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    if (access(IE_BINARY_PATH, X_OK) != 0) GTEST_SKIP() << IE_BINARY_PATH << " is not built";
  }
};

TEST_P(ServeCommand, PrintsOneListeningLineServesAndExitsZeroOnSignal) {
  Child child = spawn_serve({"--mode", "echo", "--model", "cli-model"});
  std::string line = read_line(child.stdout_fd);
  const std::string prefix = "listening on http://127.0.0.1:";
  ASSERT_EQ(line.rfind(prefix, 0), 0u) << line;
  uint16_t port = static_cast<uint16_t>(std::stoi(line.substr(prefix.size())));

  testing::TestClient client(port);
  client.send_raw(testing::post("/v1/chat/completions", testing::chat_body("from the cli", false)));
  std::optional<testing::HttpResponse> r = client.read_response();
  ASSERT_TRUE(r);
  nlohmann::json j = nlohmann::json::parse(r->body);
  EXPECT_EQ(j["choices"][0]["message"]["content"], "from the cli");
  EXPECT_EQ(j["model"], "cli-model");

  EXPECT_EQ(exit_code_after(child, GetParam()), 0);
  EXPECT_EQ(read_all(child.stdout_fd), "") << "exactly one line on stdout";
  close(child.stdout_fd);
}

INSTANTIATE_TEST_SUITE_P(Signals, ServeCommand, ::testing::Values(SIGINT, SIGTERM));

TEST(ServeCommandErrors, BadFlagValuesExitWithInvalidInput) {
  if (access(IE_BINARY_PATH, X_OK) != 0) GTEST_SKIP() << IE_BINARY_PATH << " is not built";
  for (std::vector<std::string> args :
       {std::vector<std::string>{"--mode", "bogus"}, std::vector<std::string>{"--chars-per-event", "0"},
        std::vector<std::string>{"--fault", "bogus=0.1"}, std::vector<std::string>{"--fault", "http_500=1.5"},
        std::vector<std::string>{"--fault", "http_500=0.6", "--fault", "stall=0.5"},
        std::vector<std::string>{"--fault", "stall"}}) {
    Child child = spawn_serve(args);
    int status = 0;
    waitpid(child.pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 2) << args[0];
    EXPECT_EQ(read_all(child.stdout_fd), "");
    close(child.stdout_fd);
  }
}

TEST(ServeCommandFaults, FaultFlagsReachTheServer) {
  if (access(IE_BINARY_PATH, X_OK) != 0) GTEST_SKIP() << IE_BINARY_PATH << " is not built";
  Child child = spawn_serve({"--fault", "http_429=1", "--fault-after", "1", "--fault-seed", "9"});
  std::string line = read_line(child.stdout_fd);
  const std::string prefix = "listening on http://127.0.0.1:";
  ASSERT_EQ(line.rfind(prefix, 0), 0u) << line;
  testing::TestClient client(static_cast<uint16_t>(std::stoi(line.substr(prefix.size()))));
  for (int expected : {200, 429}) {
    client.send_raw(testing::post("/v1/chat/completions", testing::chat_body("hi", false)));
    std::optional<testing::HttpResponse> r = client.read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, expected);
  }
  EXPECT_EQ(exit_code_after(child, SIGTERM), 0);
  close(child.stdout_fd);
}

}  // namespace
}  // namespace ie::stub
