#pragma once
// Thin, allocation-free wrappers over the socket calls the client makes. Setup functions throw ie::Error with
// the address and the OS reason; per-request functions return a status and never throw.

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>

#include "net/url.h"

namespace ie::net {

struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;
  std::string text;  // "127.0.0.1:8000" for messages
};

// Resolves an endpoint's host once, at setup (getaddrinfo; IPv4 preferred). Throws ie::Error(setup) naming
// the host when it does not resolve.
SocketAddress resolve(const Url& url);

// Creates a non-blocking TCP socket with TCP_NODELAY and starts connecting. Returns the fd (connected or
// in progress), or -1 with *error_number set.
int start_connect(const SocketAddress& address, int* error_number);

// The result of a non-blocking connect once the socket reports writable: 0 or the errno.
int connect_result(int fd);

// Blocking reachability check with a timeout, used before a run so that a wrong address fails fast.
// Returns "" when a TCP connection could be made, else the reason ("Connection refused", "timed out after 3
// s").
std::string check_reachable(const SocketAddress& address, int timeout_ms);

// How many connections this process can hold open to `destinations` distinct (host, port) pairs: the lower of
// the open-file limit (raised to its hard maximum here) minus a reserve, and the ephemeral port range per
// destination. `why` names the limiting resource.
uint32_t connection_budget(uint32_t destinations, std::string* why);

}  // namespace ie::net
