#include "net/epoll_wait.h"

#include <gtest/gtest.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>

namespace ie::net {
namespace {

// An epoll set watching one eventfd, which the test makes readable or not.
struct EventSet {
  int epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  int event_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  EventSet() {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u32 = 7;
    epoll_ctl(epoll_fd, EPOLL_CTL_ADD, event_fd, &ev);
  }
  ~EventSet() {
    close(event_fd);
    close(epoll_fd);
  }
  void signal() const {
    uint64_t one = 1;
    ASSERT_EQ(write(event_fd, &one, sizeof one), static_cast<ssize_t>(sizeof one));
  }
};

void expect_waits_correctly(EpollWaiter waiter) {
  EventSet set;
  epoll_event events[4];
  EXPECT_EQ(waiter.wait(set.epoll_fd, events, 4, 0), 0) << "nothing ready: a zero timeout returns empty";
  set.signal();
  ASSERT_EQ(waiter.wait(set.epoll_fd, events, 4, 1'000'000'000), 1);
  EXPECT_EQ(events[0].data.u32, 7u);
  ASSERT_EQ(waiter.wait(set.epoll_fd, events, 4, -1), 1) << "a negative timeout waits for the ready event";
}

TEST(EpollWaiter, NanosecondWaiterReportsReadyEventsAndTimesOut) {
  expect_waits_correctly(EpollWaiter{});
}

TEST(EpollWaiter, MillisecondFallbackReportsReadyEventsAndTimesOut) {
  EpollWaiter waiter = EpollWaiter::milliseconds_only();
  EXPECT_FALSE(waiter.nanosecond_timeouts());
  expect_waits_correctly(waiter);
}

}  // namespace
}  // namespace ie::net
