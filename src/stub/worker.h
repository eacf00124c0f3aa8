#pragma once
// One server thread: its own epoll instance, listener, connections, timers and counters; workers share only
// the frozen options and the stop eventfd. The reactor is level-triggered with one recv() per readiness
// report, so a keep-alive request costs one recv and one send (the epoll_wait is shared by all connections
// that became ready together).

#include <sys/epoll.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "net/epoll_wait.h"
#include "stub/connection.h"
#include "stub/responder.h"
#include "stub/server.h"
#include "stub/timer_heap.h"

namespace ie::stub {

class Worker {
 public:
  // Creates the epoll instance and registers listen_fd and stop_fd (ie::Error setup on failure). Does not
  // own listen_fd or stop_fd.
  Worker(const ServerOptions& options, unsigned index, int listen_fd, int stop_fd, int64_t created_s);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Serves until stop_fd becomes readable, then closes every connection of this worker.
  void run();
  // This worker's totals so far; callable from any thread.
  ServerCounters counters() const;

 private:
  int wait_for_events(epoll_event* events, int max_events);
  void accept_connections();
  void on_connection_event(Connection& c, uint32_t events);
  void read_input(Connection& c);
  void parse_input(Connection& c, const char* data, size_t len, int64_t now_ns);
  bool send_output(Connection& c);  // false if the connection had to be closed
  void flush(Connection& c);
  void update_interest(Connection& c);
  void arm_timer(Connection& c);
  void fire_due_timers();
  void close_connection(Connection& c);
  void set_listener_interest(bool enabled);
  void count_completed(uint32_t n);

  const ServerOptions& options_;
  int listen_fd_;
  int epoll_fd_ = -1;
  net::EpollWaiter waiter_;
  bool listener_paused_ = false;  // accept hit the fd limit; resumed when a connection closes
  Responder responder_;
  TimerHeap timers_;
  std::vector<std::unique_ptr<Connection>> connections_;  // slot -> connection; pointers stay stable
  std::vector<uint32_t> free_slots_;
  std::vector<uint32_t> closed_slots_;  // freed after the current event batch, which may still name them
  std::unique_ptr<char[]> read_buffer_;

  // Written only by this worker's thread, read by counters() from others: relaxed is enough because each is
  // an independent monotonic total and nothing else is published through them.
  struct alignas(64) Counters {
    std::atomic<uint64_t> requests{0};
    std::atomic<uint64_t> bytes_out{0};
    std::atomic<uint64_t> connections{0};
  } counters_;
};

}  // namespace ie::stub
