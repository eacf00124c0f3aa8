#include "stub/worker.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "common/clock.h"
#include "common/error.h"

namespace ie::stub {

namespace {

constexpr uint64_t kListenerTag = ~uint64_t{0};
constexpr uint64_t kStopTag = ~uint64_t{0} - 1;
constexpr int kMaxEvents = 256;
constexpr size_t kReadBufferBytes = 64 << 10;
constexpr int kAcceptsPerWakeup = 64;
// A client that pipelines without reading its replies is not read from while this much output is unsent.
constexpr size_t kMaxUnsentBytes = 1 << 20;
// An output buffer grown past this by one huge reply is released once drained instead of kept.
constexpr size_t kMaxRetainedOutputBytes = 4 << 20;

void add_to_epoll(int epoll_fd, int fd, uint32_t events, uint64_t tag) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = tag;
  if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0) {
    fail_setup(std::string("stub server: cannot register a descriptor with epoll: ") + std::strerror(errno));
  }
}

}  // namespace

Worker::Worker(const ServerOptions& options, unsigned index, int listen_fd, int stop_fd, int64_t created_s)
    : options_(options),
      listen_fd_(listen_fd),
      responder_(options, options.seed + index, index, created_s),
      read_buffer_(new char[kReadBufferBytes]) {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) fail_setup(std::string("stub server: epoll_create1 failed: ") + std::strerror(errno));
  add_to_epoll(epoll_fd_, listen_fd, EPOLLIN, kListenerTag);
  add_to_epoll(epoll_fd_, stop_fd, EPOLLIN, kStopTag);  // never read: stays readable for every worker
}

Worker::~Worker() {
  for (auto& c : connections_) {
    if (c->fd >= 0) ::close(c->fd);
  }
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
}

ServerCounters Worker::counters() const {
  return ServerCounters{counters_.requests.load(std::memory_order_relaxed),
                        counters_.bytes_out.load(std::memory_order_relaxed),
                        counters_.connections.load(std::memory_order_relaxed), responder_.faults_injected()};
}

void Worker::count_completed(uint32_t n) {
  if (n != 0)
    counters_.requests.store(counters_.requests.load(std::memory_order_relaxed) + n,
                             std::memory_order_relaxed);
}

void Worker::run() {
  // The default 50 us timer slack would make every paced token late by up to that much.
  if (options_.mode == Mode::variable) prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
  epoll_event events[kMaxEvents];
  bool stopping = false;
  while (!stopping) {
    int n = wait_for_events(events, kMaxEvents);
    for (int i = 0; i < n; ++i) {
      uint64_t tag = events[i].data.u64;
      if (tag < connections_.size()) [[likely]] {
        Connection& c = *connections_[tag];
        if (c.fd >= 0) on_connection_event(c, events[i].events);
      } else if (tag == kListenerTag) {
        accept_connections();
      } else if (tag == kStopTag) {
        stopping = true;
      }
    }
    if (!timers_.empty()) fire_due_timers();
    free_slots_.insert(free_slots_.end(), closed_slots_.begin(), closed_slots_.end());
    closed_slots_.clear();
  }
  for (auto& c : connections_) {
    if (c->fd >= 0) close_connection(*c);
  }
}

int Worker::wait_for_events(epoll_event* events, int max_events) {
  int64_t timeout_ns = -1;
  if (!timers_.empty()) timeout_ns = std::max<int64_t>(0, timers_.top().due_ns - now_ns());
  return waiter_.wait(epoll_fd_, events, max_events, timeout_ns);
}

void Worker::accept_connections() {
  for (int i = 0; i < kAcceptsPerWakeup; ++i) {
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      // Out of descriptors: the level-triggered listener would spin, so stop watching it until one closes.
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
        set_listener_interest(false);
      return;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    uint32_t slot;
    if (!free_slots_.empty()) {
      slot = free_slots_.back();
      free_slots_.pop_back();
    } else {
      slot = static_cast<uint32_t>(connections_.size());
      connections_.push_back(std::make_unique<Connection>());
      connections_.back()->slot = slot;
    }
    Connection& c = *connections_[slot];
    c.fd = fd;
    c.interest = EPOLLIN;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = slot;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
      close_connection(c);
      continue;
    }
    counters_.connections.store(counters_.connections.load(std::memory_order_relaxed) + 1,
                                std::memory_order_relaxed);
  }
}

void Worker::set_listener_interest(bool enabled) {
  epoll_event ev{};
  ev.events = enabled ? uint32_t{EPOLLIN} : 0u;
  ev.data.u64 = kListenerTag;
  epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, listen_fd_, &ev);
  listener_paused_ = !enabled;
}

void Worker::on_connection_event(Connection& c, uint32_t events) {
  if ((events & EPOLLERR) || ((events & EPOLLHUP) && !(events & EPOLLIN))) {
    close_connection(c);
    return;
  }
  if (events & EPOLLIN) {
    read_input(c);
    if (c.fd < 0) return;
  }
  if ((events & EPOLLOUT) && c.has_unsent_output()) flush(c);
}

void Worker::read_input(Connection& c) {
  ssize_t n = ::recv(c.fd, read_buffer_.get(), kReadBufferBytes, 0);
  if (n > 0) [[likely]] {
    // Timed replies count from here: taken after recv, so it is no earlier than the request's last byte.
    int64_t arrival_ns = options_.mode == Mode::variable ? now_ns() : 0;
    parse_input(c, read_buffer_.get(), static_cast<size_t>(n), arrival_ns);
    return;
  }
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (n < 0) {
    close_connection(c);
    return;
  }
  c.peer_closed = true;  // a half-close still gets the replies to what it sent
  flush(c);
}

void Worker::parse_input(Connection& c, const char* data, size_t len, int64_t now_ns) {
  uint32_t completed = 0;
  size_t offset = 0;
  while (offset < len && !c.closing) {
    RequestParser::FeedResult r = c.parser.feed(data + offset, len - offset);
    offset += r.consumed_bytes;
    if (r.status == RequestParser::Status::request_ready) [[likely]] {
      completed += responder_.respond(c, now_ns);
    } else if (r.status == RequestParser::Status::need_more) {
      responder_.continue_if_expected(c);
      break;
    } else {
      completed += responder_.respond_unparsable(c, r.status);
    }
  }
  count_completed(completed);
  arm_timer(c);
  flush(c);
}

bool Worker::send_output(Connection& c) {
  while (c.has_unsent_output()) {
    size_t left = c.out.size() - c.out_sent;
    ssize_t n = ::send(c.fd, c.out.data() + c.out_sent, left, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) break;
      close_connection(c);
      return false;
    }
    c.out_sent += static_cast<size_t>(n);
    counters_.bytes_out.store(counters_.bytes_out.load(std::memory_order_relaxed) + static_cast<uint64_t>(n),
                              std::memory_order_relaxed);
    if (static_cast<size_t>(n) < left) break;  // socket buffer full: EPOLLOUT says when to go on
  }
  return true;
}

void Worker::flush(Connection& c) {
  if (!send_output(c)) return;
  // An oversized fault reply is generated piece by piece, each once the previous one is sent.
  while (c.refill_when_drained && !c.has_unsent_output()) {
    c.refill_when_drained = false;  // advance() sets it again while pieces remain
    c.out.clear();                  // all sent: the next piece reuses the space
    c.out_sent = 0;
    count_completed(responder_.advance(c, now_ns()));
    arm_timer(c);
    if (!send_output(c)) return;
  }
  if (!c.has_unsent_output()) {
    c.out_sent = 0;
    if (c.out.capacity() > kMaxRetainedOutputBytes) {
      std::string().swap(c.out);
    } else {
      c.out.clear();
    }
    // A reply stalled for good is never finished, so a client that left is not waited for.
    if ((c.closing && c.pending.empty()) ||
        (c.peer_closed && (c.pending.empty() || Responder::is_stalled_forever(c)))) {
      close_connection(c);
      return;
    }
  }
  update_interest(c);
}

void Worker::update_interest(Connection& c) {
  uint32_t want = 0;
  if (!c.closing && !c.peer_closed && c.out.size() - c.out_sent < kMaxUnsentBytes) want |= EPOLLIN;
  if (c.has_unsent_output()) want |= EPOLLOUT;
  if (want == c.interest) [[likely]]
    return;
  epoll_event ev{};
  ev.events = want;
  ev.data.u64 = c.slot;
  epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c.fd, &ev);
  c.interest = want;
}

void Worker::arm_timer(Connection& c) {
  if (c.timer_due_ns != Connection::kNoTimer) return;
  int64_t due = Responder::next_due_ns(c);
  if (due == Connection::kNoTimer) return;
  c.timer_due_ns = due;
  timers_.push(TimerEntry{due, c.slot, c.generation});
}

void Worker::fire_due_timers() {
  int64_t now = now_ns();
  while (!timers_.empty() && timers_.top().due_ns <= now) {
    TimerEntry e = timers_.top();
    timers_.pop();
    Connection& c = *connections_[e.slot];
    if (c.fd < 0 || c.generation != e.generation || c.timer_due_ns != e.due_ns) continue;  // stale
    c.timer_due_ns = Connection::kNoTimer;
    count_completed(responder_.advance(c, now));
    arm_timer(c);
    flush(c);
  }
}

void Worker::close_connection(Connection& c) {
  if (c.reset_on_close) [[unlikely]] {
    // An injected reset: linger 0 makes close() send an RST and drop anything still unsent.
    linger reset{1, 0};
    setsockopt(c.fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    c.reset_on_close = false;
  }
  c.refill_when_drained = false;
  ::close(c.fd);  // also removes it from the epoll set: no other descriptor refers to this socket
  c.fd = -1;
  ++c.generation;
  c.interest = 0;
  c.closing = false;
  c.peer_closed = false;
  c.parser.reset();
  c.out.clear();
  c.out_sent = 0;
  c.pending.clear();
  c.timer_due_ns = Connection::kNoTimer;
  closed_slots_.push_back(c.slot);
  if (listener_paused_) set_listener_interest(true);
}

}  // namespace ie::stub
