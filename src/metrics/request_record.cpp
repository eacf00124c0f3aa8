#include "metrics/request_record.h"

namespace ie::metrics {

std::string_view outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::ok:
      return "ok";
    case Outcome::http_status:
      return "http_status";
    case Outcome::connect_failed:
      return "connect_failed";
    case Outcome::connection_closed:
      return "connection_closed";
    case Outcome::protocol_error:
      return "protocol_error";
    case Outcome::bad_response:
      return "bad_response";
    case Outcome::timeout:
      return "timeout";
    case Outcome::abandoned:
      return "abandoned";
  }
  return "unknown";  // unreachable for valid enum values; keeps -Wreturn-type quiet
}

std::string_view finish_reason_name(FinishReason reason) {
  switch (reason) {
    case FinishReason::none:
      return "none";
    case FinishReason::stop:
      return "stop";
    case FinishReason::length:
      return "length";
    case FinishReason::tool_calls:
      return "tool_calls";
    case FinishReason::content_filter:
      return "content_filter";
    case FinishReason::function_call:
      return "function_call";
    case FinishReason::other:
      return "other";
  }
  return "other";
}

// The OpenAI spellings map onto their enum and an absent reason is `none`. Anything else a server invents
// ("eos", "abort", ...) is still a reason, so it counts as `other` rather than disappearing.
FinishReason parse_finish_reason(std::string_view text) {
  if (text.empty() || text == "null" || text == "none") return FinishReason::none;
  if (text == "stop") return FinishReason::stop;
  if (text == "length") return FinishReason::length;
  if (text == "tool_calls") return FinishReason::tool_calls;
  if (text == "content_filter") return FinishReason::content_filter;
  if (text == "function_call") return FinishReason::function_call;
  return FinishReason::other;
}

}  // namespace ie::metrics
