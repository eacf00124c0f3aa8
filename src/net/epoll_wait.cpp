#include "net/epoll_wait.h"

#include <cerrno>

#include "common/clock.h"

namespace ie::net {

int EpollWaiter::wait(int epoll_fd, epoll_event* events, int max_events, int64_t timeout_ns) {
  int n;
  if (use_pwait2_) {
    timespec timeout = to_timespec(timeout_ns);
    n = epoll_pwait2(epoll_fd, events, max_events, timeout_ns < 0 ? nullptr : &timeout, nullptr);
    if (n >= 0 || errno != ENOSYS) return n < 0 ? 0 : n;
    use_pwait2_ = false;
  }
  int timeout_ms = timeout_ns < 0 ? -1 : static_cast<int>((timeout_ns + kNsPerMs - 1) / kNsPerMs);
  n = epoll_wait(epoll_fd, events, max_events, timeout_ms);
  return n < 0 ? 0 : n;
}

}  // namespace ie::net
