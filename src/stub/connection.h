#pragma once
// Everything the server knows about one client connection, owned by its worker and reused for the next
// connection once closed (the generation tells stale timers apart).

#include <cstdint>
#include <deque>
#include <string>

#include "stub/request_parser.h"
#include "stub/response_writer.h"

namespace ie::stub {

// A reply that cannot be written yet because it waits for its time (variable mode) or for an earlier reply
// on the same connection (pipelining answers in order).
struct PendingResponse {
  bool timed = false;  // false: `ready_bytes` go out as soon as this reaches the head of the queue
  std::string ready_bytes;
  Api api = Api::chat;
  bool stream = false;
  bool include_usage = false;
  bool close = false;      // the request asked for Connection: close
  bool head_sent = false;  // streaming: status line and headers are out
  FinishReason finish = FinishReason::stop;
  uint32_t prompt_tokens = 0;
  uint32_t tokens_total = 0;
  uint32_t tokens_sent = 0;
  int64_t first_token_due_ns = 0;  // arrival + TTFT
  int64_t itl_ns = 0;

  // Untimed replies in parts (the stall and oversized faults, stub/fault_writer.h): ready_bytes first
  // (head_sent once written); then fill_chars pattern characters generated a piece at a time whenever the
  // connection's output has drained, so a huge reply never sits in memory whole; then held_bytes, not before
  // held_due_ns (kHoldForever: never; the connection then waits for the client to leave).
  static constexpr int64_t kHoldForever = INT64_MAX;
  uint64_t fill_chars = 0;
  uint64_t fill_done = 0;
  bool fill_chunked = false;
  std::string held_bytes;
  int64_t held_due_ns = 0;
};

struct Connection {
  static constexpr int64_t kNoTimer = -1;

  int fd = -1;
  uint32_t slot = 0;         // index in the worker's connection table
  uint32_t generation = 0;   // bumped on close so timers of an earlier connection in this slot are ignored
  uint32_t interest = 0;     // epoll events currently registered
  bool closing = false;      // a request asked to close, or the input was malformed: read no further requests
  bool peer_closed = false;  // EOF from the client: answer what was asked, then close
  bool reset_on_close = false;       // close with an RST (SO_LINGER 0) instead of a FIN: an injected fault
  bool refill_when_drained = false;  // the head of `pending` generates more output once `out` is sent
  RequestParser parser;
  std::string out;  // bytes waiting for send(); out_sent of them are already gone
  size_t out_sent = 0;
  std::deque<PendingResponse> pending;
  int64_t timer_due_ns = kNoTimer;  // the one armed timer of this connection, for the head of `pending`

  bool has_unsent_output() const { return out_sent < out.size(); }
};

}  // namespace ie::stub
