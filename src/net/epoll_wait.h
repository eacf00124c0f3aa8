#pragma once
// Waits on an epoll set with a nanosecond timeout where the kernel allows it. epoll_pwait2 (Linux 5.11) is
// missing on older kernels, under some seccomp profiles and under valgrind; there the first ENOSYS switches
// this waiter to epoll_wait for good, with the timeout rounded up to whole milliseconds (waking early only
// costs a loop turn; waking late would delay a send or a token).

#include <sys/epoll.h>

#include <cstdint>

namespace ie::net {

class EpollWaiter {
 public:
  EpollWaiter() = default;
  // A waiter that behaves as if the kernel lacked epoll_pwait2 (tests of the fallback).
  static EpollWaiter milliseconds_only() {
    EpollWaiter waiter;
    waiter.use_pwait2_ = false;
    return waiter;
  }

  // Ready events (0 on timeout or EINTR). timeout_ns < 0 waits until an event arrives.
  int wait(int epoll_fd, epoll_event* events, int max_events, int64_t timeout_ns);
  bool nanosecond_timeouts() const { return use_pwait2_; }

 private:
  bool use_pwait2_ = true;
};

}  // namespace ie::net
