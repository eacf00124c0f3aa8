// The engine against a scripted in-process HTTP server: connection reuse, Connection: close, error statuses,
// truncated responses and endpoint spreading, checked from the server's side as the oracle.

#include "engine/engine.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ie::engine {
namespace {

const std::string kOkBody =
    R"({"choices":[{"index":0,"message":{"role":"assistant","content":"hello"},"finish_reason":"stop"}],)"
    R"("usage":{"prompt_tokens":3,"completion_tokens":2}})";

std::string ok_response(bool close_after) {
  return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" +
         std::string(close_after ? "Connection: close\r\n" : "") +
         "Content-Length: " + std::to_string(kOkBody.size()) + "\r\n\r\n" + kOkBody;
}

// A blocking HTTP/1.1 server, one thread per connection. `respond` returns the bytes to send for the n-th
// request overall and whether to close the connection after sending them.
class ScriptedServer {
 public:
  struct Reply {
    std::string bytes;
    bool close_after = false;
  };
  using Script = std::function<Reply(int request_number)>;

  explicit ScriptedServer(Script script) : script_(std::move(script)) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), length);
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    listen(listen_fd_, 128);
    acceptor_ = std::thread([this] { accept_loop(); });
  }

  ~ScriptedServer() {
    shutdown(listen_fd_, SHUT_RDWR);
    close(listen_fd_);
    acceptor_.join();
    std::lock_guard lock(mutex_);
    for (int fd : open_fds_) shutdown(fd, SHUT_RDWR);
    for (auto& t : handlers_) t.join();
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int connections() const { return connections_.load(); }  // accepted, not counting the reachability check
  int requests() const { return requests_.load(); }

 private:
  void accept_loop() {
    while (true) {
      int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) return;
      std::lock_guard lock(mutex_);
      open_fds_.push_back(fd);
      handlers_.emplace_back([this, fd] { serve(fd); });
    }
  }

  void serve(int fd) {
    std::string buffer;
    char chunk[4096];
    bool counted = false;
    while (true) {
      size_t header_end = buffer.find("\r\n\r\n");
      if (header_end != std::string::npos) {
        size_t length_at = buffer.find("Content-Length: ");
        size_t body_length = std::stoul(buffer.substr(length_at + 16));
        size_t total = header_end + 4 + body_length;
        if (buffer.size() >= total) {
          buffer.erase(0, total);
          Reply reply = script_(requests_.fetch_add(1));
          send(fd, reply.bytes.data(), reply.bytes.size(), MSG_NOSIGNAL);
          if (reply.close_after) break;
          continue;
        }
      }
      ssize_t n = recv(fd, chunk, sizeof(chunk), 0);
      if (n <= 0) break;
      if (!counted) {  // the engine's reachability check connects and closes without sending a byte
        counted = true;
        connections_.fetch_add(1);
      }
      buffer.append(chunk, static_cast<size_t>(n));
    }
    close(fd);
  }

  Script script_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::thread acceptor_;
  std::mutex mutex_;
  std::vector<std::thread> handlers_;
  std::vector<int> open_fds_;
  std::atomic<int> connections_{0};
  std::atomic<int> requests_{0};
};

config::BenchmarkConfig config_for(std::vector<std::string> endpoints, uint64_t requests, int connections) {
  config::BenchmarkConfig config;
  config.name = "engine_test";
  config.model_params.name = "m";
  config.model_params.max_output_tokens = 8;
  config.runtime.n_samples = requests;
  config.client.workers = 1;
  config.client.max_connections = connections;
  config.endpoint_config.endpoints = std::move(endpoints);
  return config;
}

dataset::Dataset prompts() {
  return dataset::Dataset::from_samples("t", {{"one", "", ""}, {"two", "", ""}, {"three", "", ""}});
}

TEST(Engine, KeepAliveConnectionCarriesEveryRequest) {
  ScriptedServer server([](int) { return ScriptedServer::Reply{ok_response(false)}; });
  EngineResult result = run_engine(config_for({server.url()}, 50, 1), prompts(), {});
  EXPECT_EQ(result.metrics.succeeded, 50u);
  EXPECT_EQ(server.requests(), 50);
  EXPECT_EQ(server.connections(), 1);
  EXPECT_EQ(result.metrics.output_tokens.min, 2);
  EXPECT_EQ(result.metrics.input_tokens.max, 3);
}

TEST(Engine, ConnectionCloseIsNeverReused) {
  ScriptedServer server([](int) { return ScriptedServer::Reply{ok_response(true), true}; });
  EngineResult result = run_engine(config_for({server.url()}, 20, 1), prompts(), {});
  EXPECT_EQ(result.metrics.succeeded, 20u);
  EXPECT_EQ(result.metrics.failed, 0u);
  EXPECT_EQ(server.connections(), 20);
}

TEST(Engine, ErrorStatusIsAFailureWithABodyExcerptAndNoLatency) {
  ScriptedServer server([](int) {
    return ScriptedServer::Reply{"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 10\r\n\r\noverloaded"};
  });
  EngineResult result = run_engine(config_for({server.url()}, 10, 2), prompts(), {});
  EXPECT_EQ(result.metrics.issued, 10u);
  EXPECT_EQ(result.metrics.failed, 10u);
  EXPECT_EQ(result.metrics.succeeded, 0u);
  EXPECT_TRUE(result.metrics.latency_ns.empty());
  ASSERT_EQ(result.metrics.errors.count("http_503"), 1u);
  EXPECT_EQ(result.metrics.errors.at("http_503").count, 10u);
  EXPECT_NE(result.metrics.errors.at("http_503").sample.find("overloaded"), std::string::npos);
  EXPECT_LE(server.connections(), 2);  // an error status on a keep-alive connection does not burn it
}

TEST(Engine, ResponseCutShortIsCountedAndTheRunGoesOn) {
  ScriptedServer server([](int n) {
    if (n % 2 == 0) return ScriptedServer::Reply{ok_response(false)};
    std::string full = ok_response(false);
    return ScriptedServer::Reply{full.substr(0, full.size() - 5), true};  // close mid-body
  });
  EngineResult result = run_engine(config_for({server.url()}, 20, 1), prompts(), {});
  EXPECT_EQ(result.metrics.issued, 20u);
  EXPECT_EQ(result.metrics.succeeded + result.metrics.failed, 20u);
  EXPECT_EQ(result.metrics.failed, 10u);
  EXPECT_EQ(result.metrics.errors.at("connection_closed").count, 10u);
}

TEST(Engine, MalformedJsonBodyIsABadResponse) {
  ScriptedServer server(
      [](int) { return ScriptedServer::Reply{"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n{not json"}; });
  EngineResult result = run_engine(config_for({server.url()}, 5, 1), prompts(), {});
  EXPECT_EQ(result.metrics.failed, 5u);
  EXPECT_EQ(result.metrics.errors.at("bad_response").count, 5u);
}

TEST(Engine, RequestsAreSpreadEvenlyOverEndpoints) {
  auto ok = [](int) { return ScriptedServer::Reply{ok_response(false)}; };
  ScriptedServer a(ok), b(ok);
  EngineResult result = run_engine(config_for({a.url(), b.url()}, 100, 4), prompts(), {});
  EXPECT_EQ(result.metrics.succeeded, 100u);
  EXPECT_EQ(a.requests(), 50);
  EXPECT_EQ(b.requests(), 50);
}

TEST(Engine, ConcurrencyOpensExactlyTheTargetNumberOfConnections) {
  ScriptedServer server([](int) { return ScriptedServer::Reply{ok_response(false)}; });
  config::BenchmarkConfig config = config_for({server.url()}, 200, -1);
  config.type = config::TestType::online;
  config.load_pattern.type = config::LoadPatternType::concurrency;
  config.load_pattern.target_concurrency = 3;
  EngineResult result = run_engine(config, prompts(), {});
  EXPECT_EQ(result.metrics.succeeded, 200u);
  EXPECT_EQ(result.max_connections, 3u);
  EXPECT_EQ(server.connections(), 3);
}

TEST(Engine, ConcurrencyTargetHoldsWhenSplitOverEndpoints) {
  auto ok = [](int) { return ScriptedServer::Reply{ok_response(false)}; };
  ScriptedServer a(ok), b(ok);
  config::BenchmarkConfig config = config_for({a.url(), b.url()}, 60, -1);
  config.type = config::TestType::online;
  config.load_pattern.type = config::LoadPatternType::concurrency;
  config.load_pattern.target_concurrency = 3;
  EngineResult result = run_engine(config, prompts(), {});
  EXPECT_EQ(result.metrics.succeeded, 60u);
  EXPECT_EQ(a.connections() + b.connections(), 3);  // all three slots were used, one connection each
}

}  // namespace
}  // namespace ie::engine
