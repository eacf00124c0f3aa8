// max_throughput promises no per-request allocation: after warm-up, answering requests must not call operator
// new at all. This file replaces the test binary's global operator new with a counting one.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <string_view>

#include "stub/server.h"
#include "test_client.h"

namespace {
// Relaxed: the test reads it only around a window in which the counted thread finished its work (each
// exchange waits for the reply).
std::atomic<uint64_t> g_allocations{0};
// The largest single allocation since the last reset; relaxed for the same reason.
std::atomic<size_t> g_largest_allocation{0};
}  // namespace

#ifndef __SANITIZE_ADDRESS__  // ASan brings its own operator new; the count is skipped under it
// The replacements pair malloc with free on purpose; GCC cannot see that operator new is malloc here.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  size_t largest = g_largest_allocation.load(std::memory_order_relaxed);
  while (size > largest &&
         !g_largest_allocation.compare_exchange_weak(largest, size, std::memory_order_relaxed)) {
  }
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, size_t) noexcept {
  std::free(p);
}
#pragma GCC diagnostic pop
#endif

namespace ie::stub {
namespace {

int connect_loopback(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 ? fd : -1;
}

// Sends `request` and reads one whole response (Content-Length or chunked framing), allocating nothing.
bool exchange(int fd, const std::string& request) {
  if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size()))
    return false;
  static char buf[1 << 16];
  size_t got = 0;
  while (got < sizeof buf) {
    ssize_t n = recv(fd, buf + got, sizeof buf - got, 0);
    if (n <= 0) return false;
    got += static_cast<size_t>(n);
    std::string_view text(buf, got);
    size_t header_end = text.find("\r\n\r\n");
    if (header_end == std::string_view::npos) continue;
    size_t length_at = text.find("Content-Length: ");
    if (length_at != std::string_view::npos && length_at < header_end) {
      size_t body = std::strtoul(buf + length_at + 16, nullptr, 10);
      if (got >= header_end + 4 + body) return got == header_end + 4 + body;
    } else if (text.size() >= 7 && text.substr(text.size() - 7) == "\r\n0\r\n\r\n") {
      return true;
    }
  }
  return false;
}

// operator new calls while answering 3000 requests after a warm-up.
uint64_t allocations_answering(const ServerOptions& options) {
  testing::RunningServer server(options);
  const std::string requests[] = {
      testing::post("/v1/chat/completions", testing::chat_body("hello there", false)),
      testing::post("/v1/chat/completions",
                    testing::chat_body("hello there", true, R"("stream_options":{"include_usage":true})")),
      testing::post("/v1/completions", testing::completions_body("hello there", true, R"("max_tokens":3)")),
  };
  int fd = connect_loopback(server.port());
  EXPECT_GE(fd, 0);
  for (int i = 0; i < 9; ++i) EXPECT_TRUE(exchange(fd, requests[i % 3]));  // warm-up

  uint64_t before = g_allocations.load(std::memory_order_relaxed);
  for (int i = 0; i < 3000; ++i) {
    if (!exchange(fd, requests[i % 3])) {
      ADD_FAILURE() << "exchange " << i << " failed";
      break;
    }
  }
  uint64_t allocations = g_allocations.load(std::memory_order_relaxed) - before;
  close(fd);
  return allocations;
}

TEST(StubAllocation, MaxThroughputAnswersWithoutAllocatingAfterWarmUp) {
#ifdef __SANITIZE_ADDRESS__
  GTEST_SKIP() << "operator new is not counted under AddressSanitizer";
#endif
  EXPECT_EQ(allocations_answering(ServerOptions{}), 0u);
}

TEST(StubAllocation, ConfiguredFaultsThatNeverFireAllocateNothing) {
#ifdef __SANITIZE_ADDRESS__
  GTEST_SKIP() << "operator new is not counted under AddressSanitizer";
#endif
  ServerOptions zero;
  zero.faults.rates = {{FaultKind::http_500, 0}, {FaultKind::oversized, 0}};
  EXPECT_EQ(allocations_answering(zero), 0u);
  // A tiny positive rate takes the draw on every request; over 3000 requests it (almost surely) never fires.
  ServerOptions tiny;
  tiny.faults.rates = {{FaultKind::http_500, 1e-12}};
  EXPECT_EQ(allocations_answering(tiny), 0u);
}

// Reads one Content-Length response into a fixed buffer, keeping only the count: the client side of this
// test allocates nothing, so every allocation counted meanwhile is the server's. Returns the body size.
size_t drain_response(int fd) {
  static char buf[1 << 16];
  std::string_view head;
  size_t got = 0;
  while (head.empty()) {
    ssize_t n = recv(fd, buf + got, sizeof buf - got, 0);
    if (n <= 0) return 0;
    got += static_cast<size_t>(n);
    size_t end = std::string_view(buf, got).find("\r\n\r\n");
    if (end != std::string_view::npos) head = std::string_view(buf, end + 4);
  }
  size_t length_at = head.find("Content-Length: ");
  if (length_at == std::string_view::npos) return 0;
  size_t length = std::strtoul(buf + length_at + 16, nullptr, 10);
  size_t body = got - head.size();
  while (body < length) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return body;
    body += static_cast<size_t>(n);
  }
  return body;
}

// Regression: the pieces of an oversized reply once piled up in the connection's output buffer, so an
// 80 MiB reply held 80 MiB.
TEST(StubAllocation, OversizedReplyIsGeneratedInPiecesNeverWhole) {
#ifdef __SANITIZE_ADDRESS__
  GTEST_SKIP() << "operator new is not counted under AddressSanitizer";
#endif
  ServerOptions o;
  o.faults.rates = {{FaultKind::oversized, 1.0}};
  o.faults.oversized_bytes = 32 << 20;
  testing::RunningServer server(o);
  int fd = connect_loopback(server.port());
  ASSERT_GE(fd, 0);
  std::string request = testing::post("/v1/chat/completions", testing::chat_body("hello", false));
  g_largest_allocation.store(0, std::memory_order_relaxed);
  ASSERT_EQ(send(fd, request.data(), request.size(), MSG_NOSIGNAL), static_cast<ssize_t>(request.size()));
  EXPECT_GT(drain_response(fd), o.faults.oversized_bytes);
  close(fd);
  EXPECT_LT(g_largest_allocation.load(std::memory_order_relaxed), size_t{4} << 20);
}

}  // namespace
}  // namespace ie::stub
