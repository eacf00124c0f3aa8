#include "net/socket.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "common/error.h"

namespace ie::net {
namespace {

std::string address_text(const sockaddr* address) {
  char host[INET6_ADDRSTRLEN] = "?";
  uint16_t port = 0;
  if (address->sa_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(address);
    inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
    port = ntohs(in->sin_port);
    return std::string(host) + ":" + std::to_string(port);
  }
  auto* in6 = reinterpret_cast<const sockaddr_in6*>(address);
  inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
  port = ntohs(in6->sin6_port);
  return "[" + std::string(host) + "]:" + std::to_string(port);
}

}  // namespace

SocketAddress resolve(const Url& url) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* results = nullptr;
  std::string port = std::to_string(url.port);
  int rc = getaddrinfo(url.host.c_str(), port.c_str(), &hints, &results);
  if (rc != 0 || results == nullptr) {
    fail_setup("cannot resolve host '" + url.host + "' of endpoint " + url.to_string() + ": " +
               gai_strerror(rc));
  }
  const addrinfo* chosen = results;
  for (const addrinfo* ai = results; ai; ai = ai->ai_next) {
    if (ai->ai_family == AF_INET) {
      chosen = ai;
      break;
    }
  }
  SocketAddress address;
  std::memcpy(&address.storage, chosen->ai_addr, chosen->ai_addrlen);
  address.length = chosen->ai_addrlen;
  address.text = address_text(chosen->ai_addr);
  freeaddrinfo(results);
  return address;
}

int start_connect(const SocketAddress& address, int* error_number) {
  int fd = socket(address.storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
  if (fd < 0) {
    *error_number = errno;
    return -1;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address.storage), address.length) != 0 &&
      errno != EINPROGRESS) {
    *error_number = errno;
    close(fd);
    return -1;
  }
  return fd;
}

int connect_result(int fd) {
  int error_number = 0;
  socklen_t length = sizeof(error_number);
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error_number, &length) != 0) return errno;
  return error_number;
}

std::string check_reachable(const SocketAddress& address, int timeout_ms) {
  int error_number = 0;
  int fd = start_connect(address, &error_number);
  if (fd < 0) return std::strerror(error_number);
  pollfd p{fd, POLLOUT, 0};
  int ready = poll(&p, 1, timeout_ms);
  std::string reason;
  if (ready == 0) {
    reason = "no answer within " + std::to_string(timeout_ms / 1000.0).substr(0, 4) + " s";
  } else if (ready < 0) {
    reason = std::strerror(errno);
  } else if (int result = connect_result(fd); result != 0) {
    reason = std::strerror(result);
  }
  close(fd);
  return reason;
}

uint32_t connection_budget(uint32_t destinations, std::string* why) {
  constexpr uint32_t kReservedFds = 64;  // dataset, report files, epoll and event fds, stdio
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    getrlimit(RLIMIT_NOFILE, &limit);
  }
  uint64_t fd_budget = limit.rlim_cur > kReservedFds ? limit.rlim_cur - kReservedFds : 1;

  uint64_t low = 32768, high = 60999;
  std::ifstream range("/proc/sys/net/ipv4/ip_local_port_range");
  range >> low >> high;
  uint64_t port_budget = (high >= low ? high - low + 1 : 1) * (destinations == 0 ? 1 : destinations);

  if (fd_budget <= port_budget) {
    *why = "open-file limit " + std::to_string(limit.rlim_cur) + " (ulimit -n) less " +
           std::to_string(kReservedFds) + " reserved";
    return static_cast<uint32_t>(std::min<uint64_t>(fd_budget, UINT32_MAX));
  }
  *why = "ephemeral port range " + std::to_string(low) + "-" + std::to_string(high) + " x " +
         std::to_string(destinations) + " destination(s)";
  return static_cast<uint32_t>(std::min<uint64_t>(port_budget, UINT32_MAX));
}

}  // namespace ie::net
