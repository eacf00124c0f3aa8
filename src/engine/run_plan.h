#pragma once
// Everything the workers share for a run, frozen before the first worker starts, plus the few flags the
// engine flips to steer them. Workers never write to a RunPlan.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "config/benchmark_config.h"
#include "dataset/sample_order.h"
#include "metrics/request_record.h"
#include "net/socket.h"
#include "net/url.h"

namespace ie::engine {

struct Endpoint {
  net::Url url;
  net::SocketAddress address;
  std::string head;  // request line and headers up to Content-Length (api::encode_head)
};

struct RunPlan {
  std::vector<Endpoint> endpoints;
  std::vector<std::string> tails;  // per dataset row: "Content-Length: N\r\n\r\n" + body
  const dataset::SampleOrder* order = nullptr;
  config::ApiType api_type = config::ApiType::openai;
  uint32_t worker_count = 1;
  uint32_t connections_per_worker = 1;
  uint32_t connects_in_flight_per_worker = 64;  // paced connects: at most this many connect() in progress
  int64_t max_idle_ns = 4'000'000'000;
  uint32_t max_response_bytes = 64u << 20;  // a body (or one SSE event) larger than this fails the request
  // 0 = off (the default, like the Python tool). Both fail the request as Outcome::timeout.
  int64_t request_timeout_ns = 0;  // issue -> complete response
  int64_t stall_timeout_ns = 0;    // no byte from the server for this long while a response is awaited
};

// Set by the engine, read by workers at every loop turn. Relaxed is enough: a flag seen one turn late only
// delays the reaction by one epoll wait (bounded by the worker's 5 ms poll cap).
struct PhaseControl {
  std::atomic<bool> stop_issuing{false};  // interrupt or deadline: issue nothing more, let in-flight finish
  std::atomic<bool> abandon{false};  // give up on in-flight requests now (hard cap, drain timeout, 2nd ^C)
  std::atomic<uint32_t> done_issuing{0};  // workers whose policy is exhausted: the drain has begun
};

// First message seen for each kind of failure, collected on the cold path for the report.
struct ErrorNote {
  metrics::Outcome outcome;
  uint16_t http_status;
  std::string message;
};

class ErrorNotes {
 public:
  void add(metrics::Outcome outcome, uint16_t http_status, std::string message) {
    std::lock_guard lock(mutex_);
    notes_.push_back({outcome, http_status, std::move(message)});
  }
  std::vector<ErrorNote> take() {
    std::lock_guard lock(mutex_);
    return std::move(notes_);
  }

 private:
  std::mutex mutex_;
  std::vector<ErrorNote> notes_;
};

}  // namespace ie::engine
