#include "engine/worker.h"

#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

#include <fmt/format.h>

#include "common/clock.h"
#include "common/piece_bytes.h"
#include "common/single_writer.h"
#include "net/http_response_parser.h"
#include "net/sse_decoder.h"

namespace ie::engine {

using metrics::Outcome;

namespace {

constexpr size_t kReadBufferBytes = 64 * 1024;
constexpr int kMaxEvents = 256;
constexpr int64_t kPollCapNs = 5 * kNsPerMs;         // how late a worker may notice the engine's flags
constexpr int64_t kSpinBeforeDueNs = 20 * kNsPerUs;  // busy-poll this close to a scheduled send
constexpr size_t kErrorExcerptBytes = 200;

enum class ConnState : uint8_t { closed, connecting, idle, busy };

}  // namespace

// Everything about one connection and the request it carries. Lives in the worker's fixed array.
struct Connection {
  // The response parser calls these while parsing bytes of this connection's response.
  void on_headers(int status, bool event_stream);
  void on_body(const char* data, size_t size);
  void on_complete() { response_complete = true; }

  Worker* worker = nullptr;
  uint32_t index = 0;
  int fd = -1;
  ConnState state = ConnState::closed;
  uint16_t endpoint = 0;
  int64_t idle_since_ns = 0;

  // The request in flight.
  metrics::RequestRecord record;
  size_t written_bytes = 0;
  uint32_t sample = 0;
  int64_t last_token_ns = 0;
  int64_t last_byte_ns =
      0;  // the latest read that returned bytes (issue time before the first): stall timeout
  bool response_complete = false;
  bool event_stream = false;
  bool failed = false;  // set by a callback; the worker fails the request after the parser returns
  bool traced = false;  // this request leaves trace events (tracing on and sampled)
  trace::EventBundler trace_events;  // the traced request's id and its events waiting to share a record
  bool saw_event = false;            // an SSE event of this response was decoded
  int64_t parse_ns = 0;  // traced streams: time spent parsing this response (HTTP framing, SSE, JSON)
  Outcome failure = Outcome::ok;
  std::string failure_reason;

  net::HttpResponseParser<Connection> parser;
  net::SseDecoder sse;
  api::ChunkShape chunk_shape;  // this stream's last plain text chunk, to skip parsing its look-alikes
  // Non-streaming body, or an error body excerpt. A body that arrives in one read is a view into the worker's
  // read buffer, decoded without a copy; it is kept before that buffer is read into again.
  PieceBytes body;
};

// Inline: with tracing off, every call site costs one predictable branch on c.traced.
// Events without a payload wait in the connection's bundler for others at the same instant.
inline void Worker::trace_request(Connection& c, trace::Event event, int64_t ts_ns, uint64_t payload) const {
  if (!c.traced) [[likely]]
    return;
  if (payload == 0) {
    c.trace_events.add(trace_, event, ts_ns);
    return;
  }
  c.trace_events.flush(trace_);
  trace_.emit(event, c.trace_events.id(), ts_ns, payload);
}

void Connection::on_headers(int status, bool is_event_stream) {
  worker->trace_request(*this, trace::Event::response_headers, worker->read_ns_);
  record.http_status = static_cast<uint16_t>(status);
  event_stream = is_event_stream && status == 200;
  record.streamed = event_stream;
  body.clear();
}

void Connection::on_body(const char* data, size_t size) {
  if (failed) return;
  Worker& w = *worker;
  if (record.http_status != 200) {  // keep a short excerpt for the report
    size_t room = kErrorExcerptBytes > body.size() ? kErrorExcerptBytes - body.size() : 0;
    body.add(std::string_view(data, std::min(room, size)));
    return;
  }
  if (!event_stream) {
    if (body.size() + size > w.plan_.max_response_bytes) {
      failed = true;
      failure = Outcome::bad_response;
      failure_reason = "response body larger than " + std::to_string(w.plan_.max_response_bytes) + " bytes";
      return;
    }
    body.add(std::string_view(data, size));
    return;
  }
  bool ok = sse.feed(data, size, [this, &w](std::string_view event) {
    api::Delta delta;
    api::DecodeStatus status = w.decoder_.decode_event(event, delta, &chunk_shape);
    if (status != api::DecodeStatus::ok) [[unlikely]] {
      failed = true;
      failure = Outcome::bad_response;
      failure_reason =
          (status == api::DecodeStatus::server_error ? "server error in stream: " : "bad SSE event: ") +
          w.decoder_.last_error();
      return false;
    }
    if (traced && !saw_event) w.trace_request(*this, trace::Event::response_bytes, w.read_ns_);
    saw_event = true;
    uint32_t text_bytes = delta.content_bytes + delta.reasoning_bytes;
    if (text_bytes > 0 || (delta.has_tool_calls && record.first_token_ns == 0)) {
      if (record.first_token_ns == 0) {
        record.first_token_ns = w.read_ns_;
        w.trace_request(*this, trace::Event::recv_first, w.read_ns_);
      } else {
        w.itl_ns_.record(std::max<int64_t>(w.read_ns_ - last_token_ns, 1));
      }
      last_token_ns = w.read_ns_;
      record.content_chunks += text_bytes > 0 ? 1 : 0;
      record.output_bytes += text_bytes;
    }
    if (delta.finish_reason != metrics::FinishReason::none) record.finish_reason = delta.finish_reason;
    if (delta.prompt_tokens >= 0) record.prompt_tokens = delta.prompt_tokens;
    if (delta.completion_tokens >= 0) record.completion_tokens = delta.completion_tokens;
    return true;
  });
  if (!ok && !failed) {
    failed = true;
    failure = Outcome::bad_response;
    failure_reason = "SSE event larger than the decoder's limit";
  }
}

Worker::Worker(const RunPlan& plan, uint16_t worker_id, SpscRing<metrics::RequestRecord>& records,
               ErrorNotes& errors)
    : plan_(plan),
      id_(worker_id),
      records_(records),
      errors_(errors),
      connections_(new Connection[plan.connections_per_worker]),
      idle_(plan.endpoints.size()),
      open_per_endpoint_(plan.endpoints.size(), 0),
      decoder_(plan.api_type),
      itl_ns_(3'600'000'000'000LL, 3),
      read_buffer_(kReadBufferBytes) {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  uint32_t endpoints = static_cast<uint32_t>(plan.endpoints.size());
  // Rounded up: a concurrency target split over endpoints must still fit (3 in flight over 2 endpoints).
  budget_per_endpoint_ = std::max<uint32_t>(1, (plan.connections_per_worker + endpoints - 1) / endpoints);
  free_slots_.reserve(plan.connections_per_worker);
  for (uint32_t i = plan.connections_per_worker; i-- > 0;) {
    connections_[i].worker = this;
    connections_[i].index = i;
    free_slots_.push_back(i);
  }
  for (auto& stack : idle_) stack.reserve(budget_per_endpoint_);
}

Worker::~Worker() {
  close_all();
  if (epoll_fd_ >= 0) close(epoll_fd_);
}

void Worker::run_phase(const load::PhasePlan& phase, bool warmup, PhaseControl& control) {
  // Sleep precisely: the default 50 us timer slack would make every scheduled send up to 50 us late.
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  warmup_ = warmup;
  load::IssuePolicy policy(phase, id_, plan_.worker_count, plan_.connections_per_worker);
  bool reported_done_issuing = false;
  const bool timeouts = plan_.request_timeout_ns > 0 || plan_.stall_timeout_ns > 0;
  next_timeout_check_ns_ = timeouts ? now_ns() : 0;
  while (true) {
    int64_t now = now_ns();
    if (control.abandon.load(std::memory_order_relaxed)) {
      abandon_all(now);
      return;
    }
    if (control.stop_issuing.load(std::memory_order_relaxed)) policy.stop();
    pump(policy, now);
    policy.expire(now);
    if (policy.exhausted() && !reported_done_issuing) {
      reported_done_issuing = true;
      control.done_issuing.fetch_add(1, std::memory_order_relaxed);
    }
    if (timeouts && now >= next_timeout_check_ns_) next_timeout_check_ns_ = expire_timeouts(now);
    if (policy.exhausted() && in_flight_ == 0) return;
    int64_t timeout = kPollCapNs;
    if (timeouts) timeout = std::clamp<int64_t>(next_timeout_check_ns_ - now, 0, timeout);
    int64_t wake = policy.next_wakeup_ns();
    if (wake != load::kNever && in_flight_ < policy.limit()) {
      // Timer wake-ups here are tens of microseconds late, milliseconds at the tail (a VM's vCPU jitter):
      // sleep until shortly before the send is due, then poll without sleeping until it is.
      int64_t until_due = wake - now;
      timeout = std::min(timeout, until_due <= kSpinBeforeDueNs ? 0 : until_due - kSpinBeforeDueNs);
      // Without nanosecond timeouts the wait rounds up to whole ms: round down instead and poll the rest.
      if (!waiter_.nanosecond_timeouts()) timeout = timeout / kNsPerMs * kNsPerMs;
    }
    wait_and_dispatch(timeout);
  }
}

void Worker::pump(load::IssuePolicy& policy, int64_t now_ns) {
  load::Issue issue;
  uint16_t endpoints = static_cast<uint16_t>(plan_.endpoints.size());
  while (can_start(next_endpoint_) && policy.next_due(now_ns, in_flight_, &issue)) {
    uint16_t endpoint = next_endpoint_;
    next_endpoint_ = static_cast<uint16_t>((next_endpoint_ + 1) % endpoints);
    start_request(issue, endpoint, now_ns);
  }
}

bool Worker::can_start(uint16_t endpoint) const {
  if (!idle_[endpoint].empty()) return true;
  return !free_slots_.empty() && connecting_ < plan_.connects_in_flight_per_worker &&
         open_per_endpoint_[endpoint] < budget_per_endpoint_;
}

void Worker::start_request(const load::Issue& issue, uint16_t endpoint, int64_t now_ns) {
  Connection* c = nullptr;
  auto& idle = idle_[endpoint];
  while (!idle.empty()) {
    Connection& candidate = connections_[idle.back()];
    idle.pop_back();
    if (now_ns - candidate.idle_since_ns <= plan_.max_idle_ns) {
      c = &candidate;
      break;
    }
    close_connection(candidate);  // idle too long: the server may drop it at any moment
  }
  if (c == nullptr && free_slots_.empty()) {
    // Every slot was idle-expired and closed above, so slots are free again; unreachable otherwise.
    return;
  }

  ++in_flight_;
  single_writer_add(gauges_.busy, 1);
  bool fresh = c == nullptr;
  if (fresh) {
    c = &connections_[free_slots_.back()];
    free_slots_.pop_back();
    c->endpoint = endpoint;
  }
  c->record = metrics::RequestRecord{};
  c->record.sequence = issue.sequence;
  c->sample = plan_.order->at(issue.sequence);
  c->record.sample_index = c->sample;
  c->record.worker_id = id_;
  c->record.warmup = warmup_;
  c->record.scheduled_ns = issue.scheduled_ns;
  // A fresh reading, not the loop's: when many Poisson arrivals are due at once they leave one after another.
  c->record.issued_ns = ie::now_ns();
  const uint64_t trace_id = trace::request_id(issue.sequence, warmup_);
  c->traced = trace_.enabled() && trace::sampled(trace_id, trace_one_in_);
  if (c->traced) [[unlikely]]
    trace_taken(*c, trace_id, issue.scheduled_ns, fresh);
  c->parse_ns = 0;
  c->saw_event = false;
  c->written_bytes = 0;
  c->last_token_ns = 0;
  c->last_byte_ns = c->record.issued_ns;
  c->response_complete = false;
  // Only a stream feeds the SSE decoder, so only after one can it hold state; not touching its cache lines
  // otherwise was ~2.5 % of a non-streaming run's user time.
  if (c->event_stream) c->sse.reset();
  c->event_stream = false;
  c->failed = false;
  c->body.clear();

  if (!fresh) {
    c->state = ConnState::busy;
    write_request(*c);
    return;
  }
  int error_number = 0;
  c->fd = net::start_connect(plan_.endpoints[endpoint].address, &error_number);
  if (c->fd < 0) {
    c->state = ConnState::busy;  // no socket was created: fail() only releases the slot
    fail(*c, Outcome::connect_failed,
         std::string("connect to ") + plan_.endpoints[endpoint].address.text + ": " +
             std::strerror(error_number));
    return;
  }
  c->parser.reset();
  c->state = ConnState::connecting;
  ++connecting_;
  ++open_per_endpoint_[endpoint];
  single_writer_add(gauges_.open, 1);
  single_writer_add(gauges_.connecting, 1);
  single_writer_add(gauges_.connects_total, 1);
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  ev.data.u32 = c->index;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, c->fd, &ev);
}

// Bodies are prebuilt, so the request is encoded the moment the worker takes it; a kept-alive connection is
// acquired at that moment too. One bundle, ISSUED leading by the schedule lag, unless the lag is beyond what
// a bundle holds (over 4 s behind schedule) or negative.
void Worker::trace_taken(Connection& c, uint64_t trace_id, int64_t scheduled_ns, bool fresh_connection) {
  using trace::Event;
  using trace::event_bit;
  const int64_t issued = c.record.issued_ns;
  const int64_t lag = issued - scheduled_ns;
  uint32_t at_issue = event_bit(Event::encoded) | (fresh_connection ? 0 : event_bit(Event::conn_acquired));
  if (lag >= 0 && lag <= int64_t{UINT32_MAX}) {
    at_issue |= event_bit(Event::issued) | event_bit(Event::worker_received);
    c.trace_events.start(trace_, trace_id, at_issue, issued, static_cast<uint32_t>(lag));
    return;
  }
  c.trace_events.start(trace_, trace_id, at_issue, issued, 0);
  trace_.emit(Event::issued, trace_id, scheduled_ns);
  trace_.emit(Event::worker_received, trace_id, issued, static_cast<uint64_t>(std::max<int64_t>(0, lag)));
}

void Worker::write_request(Connection& c) {
  const std::string& head = plan_.endpoints[c.endpoint].head;
  const std::string& tail = plan_.tails[c.sample];
  size_t total = head.size() + tail.size();
  while (c.written_bytes < total) {
    iovec parts[2];
    int count = 0;
    if (c.written_bytes < head.size()) {
      parts[count++] = {const_cast<char*>(head.data()) + c.written_bytes, head.size() - c.written_bytes};
      parts[count++] = {const_cast<char*>(tail.data()), tail.size()};
    } else {
      size_t offset = c.written_bytes - head.size();
      parts[count++] = {const_cast<char*>(tail.data()) + offset, tail.size() - offset};
    }
    ssize_t n = writev(c.fd, parts, count);
    if (n > 0) {
      c.written_bytes += static_cast<size_t>(n);
      if (c.traced && c.written_bytes == total) [[unlikely]]
        trace_request(c, trace::Event::written, std::max(c.record.issued_ns, trace_clock_.now()));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;  // EPOLLOUT (edge) resumes us when the send buffer drains
    fail(c, Outcome::connection_closed, std::string("write: ") + std::strerror(errno));
    return;
  }
}

void Worker::wait_and_dispatch(int64_t timeout_ns) {
  epoll_event events[kMaxEvents];
  if (!trace_.enabled()) [[likely]] {
    int n = waiter_.wait(epoll_fd_, events, kMaxEvents, timeout_ns);
    for (int i = 0; i < n; ++i) on_event(connections_[events[i].data.u32], events[i].events);
    return;
  }
  // Traced: how long the previous iteration kept the loop busy, how late this wake-up is against its
  // timer, and how long the last event of the batch waited for its handler. Only the wake-up is a real
  // clock reading; the others extrapolate from it with the TSC (common/tsc_clock.h).
  int64_t wait_ns = trace_clock_.now();
  // Empty turns (the spin just before a scheduled send) would flood the trace with nothing: skipped.
  if (loop_events_ > 0)
    trace_.emit(trace::Event::loop_busy, static_cast<uint64_t>(loop_events_), wait_ns,
                static_cast<uint64_t>(wait_ns - loop_woke_ns_));
  int n = waiter_.wait(epoll_fd_, events, kMaxEvents, timeout_ns);
  loop_woke_ns_ = now_ns();
  trace_clock_.anchor(loop_woke_ns_);
  loop_events_ = n;
  int64_t deadline_ns = wait_ns + timeout_ns;
  if (timeout_ns > 0 && loop_woke_ns_ >= deadline_ns)
    trace_.emit(trace::Event::loop_lag, 0, loop_woke_ns_, static_cast<uint64_t>(loop_woke_ns_ - deadline_ns));
  for (int i = 0; i < n; ++i) {
    if (i == n - 1) {
      int64_t dispatch_ns = trace_clock_.now();
      trace_.emit(trace::Event::loop_dispatch, 0, dispatch_ns,
                  static_cast<uint64_t>(dispatch_ns - loop_woke_ns_));
    }
    on_event(connections_[events[i].data.u32], events[i].events);
  }
}

void Worker::on_event(Connection& c, uint32_t events) {
  switch (c.state) {
    case ConnState::closed:
      return;
    case ConnState::connecting:
      on_connected(c);
      return;
    case ConnState::idle:
      // Bytes or a hang-up on an idle connection: the server closed it (keep-alive timeout). Drop it now
      // instead of discovering it with the next request.
      if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
        auto& idle = idle_[c.endpoint];
        idle.erase(std::find(idle.begin(), idle.end(), c.index));
        close_connection(c);
      }
      return;
    case ConnState::busy:
      if (events & EPOLLOUT) write_request(c);
      if (c.state == ConnState::busy && (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)))
        on_readable(c, (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0);
      return;
  }
}

void Worker::on_connected(Connection& c) {
  --connecting_;
  single_writer_add(gauges_.connecting, -1);
  if (int error_number = net::connect_result(c.fd); error_number != 0) {
    c.state = ConnState::busy;
    fail(c, Outcome::connect_failed,
         std::string("connect to ") + plan_.endpoints[c.endpoint].address.text + ": " +
             std::strerror(error_number));
    return;
  }
  c.state = ConnState::busy;
  if (c.traced) [[unlikely]]
    trace_request(c, trace::Event::conn_acquired, now_ns());
  write_request(c);
}

void Worker::on_readable(Connection& c, bool peer_closed) {
  while (c.state == ConnState::busy) {
    ssize_t n = read(c.fd, read_buffer_.data(), read_buffer_.size());
    read_ns_ = now_ns();
    if (n > 0) {
      c.last_byte_ns = read_ns_;
      net::ParseStatus parsed = c.parser.feed(c, read_buffer_.data(), static_cast<size_t>(n));
      if (c.traced && c.event_stream) [[unlikely]]
        c.parse_ns += std::max<int64_t>(0, trace_clock_.now() - read_ns_);
      if (parsed != net::ParseStatus::ok && !c.failed && !c.response_complete) {
        fail(c, Outcome::protocol_error, std::string("bad HTTP response: ") + c.parser.error_reason());
        return;
      }
      if (c.failed) {
        fail(c, c.failure, c.failure_reason);
        return;
      }
      if (c.response_complete) {
        after_response(c);
        return;
      }
      c.body.keep();  // the next read reuses the buffer the body view points into
      // A short read emptied the socket and edge-triggered epoll reports the next arrival - unless the peer's
      // FIN came with this edge: then no further edge will come, so read on until the EOF shows.
      if (static_cast<size_t>(n) < read_buffer_.size() && !peer_closed) return;
      continue;
    }
    if (n == 0) {  // peer closed: completes a read-until-close body, fails anything else
      if (c.parser.finish(c) == net::ParseStatus::ok && c.response_complete && !c.failed) {
        after_response(c);
        if (c.state != ConnState::closed) close_connection(c);
        return;
      }
      fail(c, Outcome::connection_closed,
           c.record.http_status == 0 ? "connection closed before the response headers"
                                     : "connection closed before the end of the response");
      return;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN) return;
    fail(c, Outcome::connection_closed, std::string("read: ") + std::strerror(errno));
    return;
  }
}

void Worker::after_response(Connection& c) {
  int64_t completed = read_ns_;
  if (c.record.http_status != 200) {
    std::string excerpt = "HTTP " + std::to_string(c.record.http_status) + ": " + std::string(c.body.view());
    note_error(Outcome::http_status, c.record.http_status, excerpt);
    finish(c, Outcome::http_status, completed);
    return;
  }
  if (c.event_stream) {
    if (c.sse.has_partial_event()) {
      fail(c, Outcome::bad_response, "stream ended inside an SSE event");
      return;
    }
    if (c.traced) [[unlikely]] {
      trace_request(c, trace::Event::response_done, completed);
      trace_request(c, trace::Event::sse_parse, completed, static_cast<uint64_t>(c.parse_ns));
    }
  } else {
    trace_request(c, trace::Event::response_bytes, completed);
    api::Delta delta;
    api::DecodeStatus status = decoder_.decode_body(c.body.view(), delta);
    if (status != api::DecodeStatus::ok) {
      fail(c, Outcome::bad_response,
           (status == api::DecodeStatus::server_error ? "server error: " : "bad response body: ") +
               decoder_.last_error());
      return;
    }
    c.record.output_bytes = delta.content_bytes + delta.reasoning_bytes;
    c.record.content_chunks = c.record.output_bytes > 0 ? 1 : 0;
    c.record.finish_reason = delta.finish_reason;
    c.record.prompt_tokens = delta.prompt_tokens;
    c.record.completion_tokens = delta.completion_tokens;
  }
  finish(c, Outcome::ok, completed);
}

void Worker::retire(Connection& c, Outcome outcome, int64_t completed_ns) {
  c.record.outcome = outcome;
  c.record.completed_ns = completed_ns;
  // QUEUED before the push: once the record is in the ring the collector may emit MAIN_RECEIVED and COMPLETE
  // at once, and the stage order and the recorder's "COMPLETE's pass holds its request" need QUEUED first.
  if (c.traced) [[unlikely]] {
    // Not before the response's own end, whatever the extrapolation's error.
    trace_request(c, trace::Event::queued, std::max(completed_ns, trace_clock_.now()));
    c.trace_events.flush(trace_);
  }
  emit(c.record);
  --in_flight_;
  single_writer_add(gauges_.busy, -1);
}

void Worker::finish(Connection& c, Outcome outcome, int64_t completed_ns) {
  retire(c, outcome, completed_ns);
  if (outcome == Outcome::ok || outcome == Outcome::http_status) {
    if (c.parser.keep_alive()) {
      c.state = ConnState::idle;
      c.idle_since_ns = completed_ns;
      idle_[c.endpoint].push_back(c.index);
      return;
    }
  }
  close_connection(c);
}

void Worker::fail(Connection& c, Outcome outcome, std::string_view reason) {
  note_error(outcome, c.record.http_status, reason);
  retire(c, outcome, now_ns());
  close_connection(c);  // never reuse a connection after an error
}

void Worker::close_connection(Connection& c) {
  if (c.state == ConnState::closed) return;
  if (c.state == ConnState::connecting) {
    --connecting_;
    single_writer_add(gauges_.connecting, -1);
  }
  if (c.fd >= 0) {
    close(c.fd);  // also removes it from the epoll set
    c.fd = -1;
    --open_per_endpoint_[c.endpoint];
    single_writer_add(gauges_.open, -1);
  }
  c.state = ConnState::closed;
  free_slots_.push_back(c.index);
}

void Worker::abandon_all(int64_t now_ns) {
  for (uint32_t i = 0; i < plan_.connections_per_worker; ++i) {
    Connection& c = connections_[i];
    if (c.state != ConnState::busy && c.state != ConnState::connecting) continue;
    retire(c, Outcome::abandoned, now_ns);
    close_connection(c);
  }
}

// A sweep over the pool rather than a timer per request: off by default it costs nothing, and on it costs
// one pass over the connections per check, at most 1/50 of the shortest timeout apart (>= 1 ms), so a
// request fails within 2 % of its timeout.
int64_t Worker::expire_timeouts(int64_t now_ns) {
  const int64_t request = plan_.request_timeout_ns;
  const int64_t stall = plan_.stall_timeout_ns;
  for (uint32_t i = 0; i < plan_.connections_per_worker; ++i) {
    Connection& c = connections_[i];
    if (c.state != ConnState::busy && c.state != ConnState::connecting) continue;
    if (request > 0 && now_ns - c.record.issued_ns >= request) {
      fail(c, Outcome::timeout,
           fmt::format("no complete response within the request timeout ({:g} s)",
                       static_cast<double>(request) / 1e9));
    } else if (stall > 0 && now_ns - c.last_byte_ns >= stall) {
      fail(c, Outcome::timeout,
           fmt::format("{} for {:g} s (stall timeout)",
                       c.record.http_status == 0 ? "no response byte" : "no further byte of the response",
                       static_cast<double>(stall) / 1e9));
    }
  }
  int64_t shortest = std::min(request > 0 ? request : INT64_MAX, stall > 0 ? stall : INT64_MAX);
  return now_ns + std::max<int64_t>(kNsPerMs, shortest / 50);
}

void Worker::close_all() {
  for (auto& stack : idle_) stack.clear();
  for (uint32_t i = 0; i < plan_.connections_per_worker; ++i) close_connection(connections_[i]);
}

void Worker::emit(const metrics::RequestRecord& record) {
  // The collector drains every millisecond; a full ring means it fell far behind. Wait rather than drop.
  while (!records_.try_push(record)) [[unlikely]] {
      std::this_thread::yield();
    }
}

void Worker::note_error(Outcome outcome, uint16_t http_status, std::string_view message) {
  uint64_t bit = uint64_t{1} << static_cast<int>(outcome);
  if (outcome != Outcome::http_status && (noted_error_kinds_ & bit)) return;
  if (outcome == Outcome::http_status) {
    // One message per status code: 429 and 503 tell different stories.
    static_assert(metrics::kOutcomeCount < 32);
    uint64_t status_bit = uint64_t{1} << (32 + (http_status % 32));
    if (noted_error_kinds_ & status_bit) return;
    noted_error_kinds_ |= status_bit;
  }
  noted_error_kinds_ |= bit;
  errors_.add(outcome, http_status, std::string(message));
}

}  // namespace ie::engine
