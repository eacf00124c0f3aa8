#include "stub/server.h"

#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <thread>

#include <fmt/format.h>

#include "common/clock.h"
#include "common/error.h"
#include "stub/worker.h"

namespace ie::stub {

namespace {

constexpr int kListenBacklog = 65535;
constexpr unsigned kMaxThreads = 256;

void validate(const ServerOptions& o) {
  auto check = [](bool ok, const std::string& what) {
    if (!ok) fail_input("stub server: " + what);
  };
  check(!o.host.empty(), "host must not be empty");
  check(o.threads >= 1 && o.threads <= kMaxThreads,
        fmt::format("threads must be between 1 and {}, got {}", kMaxThreads, o.threads));
  check(o.chars_per_event >= 1, "chars per event must be at least 1, got 0");
  auto non_negative = [&](double v, const char* name) {
    check(std::isfinite(v) && v >= 0, fmt::format("{} must be a finite number >= 0, got {}", name, v));
  };
  non_negative(o.ttft_ms_mean, "ttft ms");
  non_negative(o.ttft_spread, "ttft spread");
  non_negative(o.itl_ms_mean, "itl ms");
  non_negative(o.itl_spread, "itl spread");
  non_negative(o.output_tokens_spread, "output tokens spread");
  validate_faults(o.faults);
}

// ", 12 http_500, 3 stall" for the kinds injected so far, or "".
std::string describe_faults(const FaultCounts& counts) {
  std::string text;
  for (size_t i = 1; i < kFaultKindCount; ++i) {
    if (counts[i] != 0) text += fmt::format(", {} {}", counts[i], fault_name(static_cast<FaultKind>(i)));
  }
  return text.empty() ? text : ", faults injected:" + text.substr(1);
}

// Resolves host for a passive socket; the first address wins (numeric hosts have exactly one).
addrinfo* resolve(const ServerOptions& o) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* result = nullptr;
  std::string port = std::to_string(o.port);
  int rc = getaddrinfo(o.host.c_str(), port.c_str(), &hints, &result);
  if (rc != 0) fail_setup(fmt::format("stub server: cannot resolve host {}: {}", o.host, gai_strerror(rc)));
  return result;
}

void set_port(sockaddr* addr, uint16_t port) {
  if (addr->sa_family == AF_INET6) {
    reinterpret_cast<sockaddr_in6*>(addr)->sin6_port = htons(port);
  } else {
    reinterpret_cast<sockaddr_in*>(addr)->sin_port = htons(port);
  }
}

// One listening socket. With several threads every listener sets SO_REUSEPORT so the kernel spreads new
// connections over them; a single listener does not, so a port already taken is reported instead of shared.
int open_listener(const addrinfo& ai, bool reuse_port, const std::string& where) {
  int fd = socket(ai.ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    fail_setup(fmt::format("stub server: cannot create a socket for {}: {}", where, std::strerror(errno)));
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (reuse_port) setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  if (bind(fd, ai.ai_addr, ai.ai_addrlen) != 0 || listen(fd, kListenBacklog) != 0) {
    int err = errno;
    ::close(fd);
    fail_setup(fmt::format("stub server: cannot listen on {}: {}", where, std::strerror(err)));
  }
  return fd;
}

uint16_t bound_port(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  if (addr.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
  return ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
}

}  // namespace

Server::Server(ServerOptions options) : options_(std::move(options)) {
  validate(options_);
  std::string where = fmt::format("{}:{}", options_.host, options_.port);
  addrinfo* ai = resolve(options_);
  try {
    bool reuse_port = options_.threads > 1;
    for (unsigned i = 0; i < options_.threads; ++i) {
      listen_fds_.push_back(open_listener(*ai, reuse_port, where));
      if (i == 0) {
        // Port 0: the remaining listeners must join the port the kernel picked for the first.
        port_ = bound_port(listen_fds_[0]);
        set_port(ai->ai_addr, port_);
        where = fmt::format("{}:{}", options_.host, port_);
      }
    }
    freeaddrinfo(ai);
    ai = nullptr;
    stop_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (stop_fd_ < 0) fail_setup(fmt::format("stub server: eventfd failed: {}", std::strerror(errno)));
    int64_t created_s = static_cast<int64_t>(std::time(nullptr));
    for (unsigned i = 0; i < options_.threads; ++i) {
      workers_.push_back(std::make_unique<Worker>(options_, i, listen_fds_[i], stop_fd_, created_s));
    }
  } catch (...) {
    if (ai != nullptr) freeaddrinfo(ai);
    workers_.clear();
    for (int fd : listen_fds_) ::close(fd);
    if (stop_fd_ >= 0) ::close(stop_fd_);
    throw;
  }
}

Server::~Server() {
  workers_.clear();
  for (int fd : listen_fds_) ::close(fd);
  if (stop_fd_ >= 0) ::close(stop_fd_);
}

void Server::run() {
  std::vector<std::thread> threads;
  try {
    for (size_t i = 1; i < workers_.size(); ++i) threads.emplace_back([w = workers_[i].get()] { w->run(); });
    if (options_.stats) threads.emplace_back([this] { print_stats_until_stopped(); });
  } catch (...) {
    stop();
    for (auto& t : threads) t.join();
    throw;
  }
  workers_[0]->run();
  for (auto& t : threads) t.join();
}

void Server::stop() {
  // write(2) on an eventfd is async-signal-safe; the counter stays non-zero, so every worker sees it.
  uint64_t one = 1;
  int saved_errno = errno;
  ssize_t ignored = ::write(stop_fd_, &one, sizeof one);
  (void)ignored;
  errno = saved_errno;
}

ServerCounters Server::counters() const {
  ServerCounters total;
  for (const auto& w : workers_) {
    ServerCounters c = w->counters();
    total.requests += c.requests;
    total.bytes_out += c.bytes_out;
    total.connections += c.connections;
    for (size_t i = 0; i < kFaultKindCount; ++i) total.faults_injected[i] += c.faults_injected[i];
  }
  return total;
}

void Server::print_stats_until_stopped() const {
  ServerCounters last = counters();
  int64_t last_ns = now_ns();
  pollfd stop{stop_fd_, POLLIN, 0};
  for (;;) {
    // Waiting on the stop eventfd with a 1 s timeout is the ticker, and ends the loop as soon as stop() runs.
    int ready = poll(&stop, 1, 1000);
    if (ready > 0) return;
    if (ready < 0) continue;  // EINTR
    ServerCounters now = counters();
    int64_t t_ns = now_ns();
    double seconds = static_cast<double>(t_ns - last_ns) / kNsPerSec;
    std::fprintf(stderr, "stub: %.0f req/s, %.1f MB/s, %llu connections accepted%s\n",
                 static_cast<double>(now.requests - last.requests) / seconds,
                 static_cast<double>(now.bytes_out - last.bytes_out) / seconds / 1e6,
                 static_cast<unsigned long long>(now.connections),
                 describe_faults(now.faults_injected).c_str());
    last = now;
    last_ns = t_ns;
  }
}

}  // namespace ie::stub
