#pragma once
// What a worker knows about one finished request: raw monotonic timestamps and small counters. Workers hand
// these to the collector thread through a lock-free ring; all derived metrics are computed on the cold side.

#include <cstdint>
#include <string_view>

namespace ie::metrics {

enum class Outcome : uint8_t {
  ok,
  http_status,        // a status other than 200
  connect_failed,     // connect() refused, unreachable, or timed out
  connection_closed,  // the server closed or reset the connection before the response ended
  protocol_error,     // malformed HTTP framing (status line, headers, chunked encoding)
  bad_response,       // the body or an SSE event was not the JSON the API promises
  timeout,            // stall or total request timeout
  abandoned,          // still in flight when the run was cut short (max duration, drain timeout, interrupt)
};
constexpr int kOutcomeCount = 8;
std::string_view outcome_name(Outcome outcome);

enum class FinishReason : uint8_t { none, stop, length, tool_calls, content_filter, function_call, other };
constexpr int kFinishReasonCount = 7;
std::string_view finish_reason_name(FinishReason reason);
FinishReason parse_finish_reason(std::string_view text);

struct RequestRecord {
  uint64_t sequence = 0;  // global issue number within its phase
  uint32_t sample_index = 0;
  uint16_t worker_id = 0;
  uint16_t http_status = 0;  // 0 when no status line arrived
  Outcome outcome = Outcome::ok;
  FinishReason finish_reason = FinishReason::none;
  bool warmup = false;       // warmup-phase request: excluded from every metric
  bool streamed = false;     // the response was an SSE stream
  int64_t scheduled_ns = 0;  // when the load pattern meant it to be sent (== issued_ns unless timed)
  int64_t issued_ns = 0;  // when the worker took it: before acquiring or opening its connection and writing
  int64_t first_token_ns = 0;      // arrival of the first content or reasoning delta; 0 = none
  int64_t completed_ns = 0;        // arrival of the last byte of the response (or of the failure)
  uint32_t content_chunks = 0;     // SSE events that carried content or reasoning text
  uint32_t output_bytes = 0;       // bytes of content + reasoning text received
  int32_t prompt_tokens = -1;      // server-reported usage; -1 when the server did not say
  int32_t completion_tokens = -1;  // server-reported usage; -1 when the server did not say
};

}  // namespace ie::metrics
