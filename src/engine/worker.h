#pragma once
// One worker thread: an epoll reactor, its own keep-alive connection pool, its share of the load. Workers
// share nothing mutable; finished requests leave through a lock-free ring to the collector.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "api/openai.h"
#include "common/spsc_ring.h"
#include "common/tsc_clock.h"
#include "engine/run_plan.h"
#include "load/issue_policy.h"
#include "metrics/hdr_histogram.h"
#include "metrics/request_record.h"
#include "net/epoll_wait.h"
#include "trace/emitter.h"

namespace ie::engine {

struct Connection;

// Live pool numbers, written by the worker and read by the progress display (relaxed: approximate is fine).
struct PoolGauges {
  std::atomic<uint32_t> open{0};
  std::atomic<uint32_t> busy{0};
  std::atomic<uint32_t> connecting{0};
  std::atomic<uint64_t> connects_total{0};
};

class Worker {
 public:
  Worker(const RunPlan& plan, uint16_t worker_id, SpscRing<metrics::RequestRecord>& records,
         ErrorNotes& errors);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Runs one phase to its end: until the policy is exhausted and nothing is in flight, or control.abandon.
  // Connections stay open for the next phase.
  void run_phase(const load::PhasePlan& phase, bool warmup, PhaseControl& control);

  // Closes every connection (end of run).
  void close_all();

  // Before the first phase: emit lifecycle and loop events through `emitter` for 1 in `sample_one_in`
  // requests (trace::sampled). Without this call tracing costs one predictable branch per emit site.
  // tsc_ns_per_tick (TscClock::calibrate; 0: none) times the readings only the trace needs.
  void enable_trace(trace::Emitter emitter, uint32_t sample_one_in, double tsc_ns_per_tick) {
    trace_ = emitter;
    trace_one_in_ = sample_one_in;
    trace_clock_ = TscClock(tsc_ns_per_tick);
  }

  const metrics::HdrHistogram& inter_token_ns() const { return itl_ns_; }
  const PoolGauges& gauges() const { return gauges_; }
  uint16_t id() const { return id_; }

 private:
  friend struct Connection;
  using Index = uint32_t;

  void pump(load::IssuePolicy& policy, int64_t now_ns);
  bool can_start(uint16_t endpoint) const;
  void start_request(const load::Issue& issue, uint16_t endpoint, int64_t now_ns);
  void write_request(Connection& c);
  void wait_and_dispatch(int64_t timeout_ns);
  void on_event(Connection& c, uint32_t events);
  void on_connected(Connection& c);
  void on_readable(Connection& c, bool peer_closed);
  void after_response(Connection& c);
  // Hands the request's record to the collector and frees its in-flight slot (not its connection).
  void retire(Connection& c, metrics::Outcome outcome, int64_t completed_ns);
  void finish(Connection& c, metrics::Outcome outcome, int64_t completed_ns);
  void fail(Connection& c, metrics::Outcome outcome, std::string_view reason);
  void close_connection(Connection& c);
  void abandon_all(int64_t now_ns);
  // Fails the requests past the request or stall timeout; returns when to look again.
  int64_t expire_timeouts(int64_t now_ns);
  void emit(const metrics::RequestRecord& record);
  void note_error(metrics::Outcome outcome, uint16_t http_status, std::string_view message);
  // A lifecycle event of the request on `c`, if that request is traced.
  void trace_request(Connection& c, trace::Event event, int64_t ts_ns, uint64_t payload = 0) const;
  void trace_taken(Connection& c, uint64_t trace_id, int64_t scheduled_ns, bool fresh_connection);

  const RunPlan& plan_;
  const uint16_t id_;
  SpscRing<metrics::RequestRecord>& records_;
  ErrorNotes& errors_;
  int epoll_fd_ = -1;
  net::EpollWaiter waiter_;

  std::unique_ptr<Connection[]> connections_;  // fixed array: epoll stores indices, parsers must not move
  std::vector<Index> free_slots_;
  std::vector<std::vector<Index>> idle_;  // per endpoint, LIFO: the warmest connection is reused first
  std::vector<uint32_t> open_per_endpoint_;
  uint32_t budget_per_endpoint_ = 1;
  uint32_t connecting_ = 0;
  uint32_t in_flight_ = 0;
  uint16_t next_endpoint_ = 0;
  int64_t next_timeout_check_ns_ = 0;  // 0: timeouts off
  bool warmup_ = false;

  api::ResponseDecoder decoder_;
  metrics::HdrHistogram itl_ns_;
  std::vector<char> read_buffer_;
  int64_t read_ns_ = 0;             // arrival time of the bytes being parsed
  uint64_t noted_error_kinds_ = 0;  // bit per Outcome already reported with a message
  PoolGauges gauges_;
  trace::Emitter trace_;  // disabled unless enable_trace()
  uint32_t trace_one_in_ = 1;
  TscClock trace_clock_;      // tracing only: anchored when an epoll wait returns
  int64_t loop_woke_ns_ = 0;  // tracing only: when the last epoll wait returned
  int loop_events_ = 0;       // tracing only: events that wait returned
};

}  // namespace ie::engine
