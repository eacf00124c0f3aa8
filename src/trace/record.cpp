#include "trace/record.h"

namespace ie::trace {

std::string_view event_name(Event event) {
  switch (event) {
    case Event::issued:
      return "ISSUED";
    case Event::worker_received:
      return "WORKER_RECEIVED";
    case Event::conn_acquired:
      return "CONN_ACQUIRED";
    case Event::written:
      return "WRITTEN";
    case Event::response_headers:
      return "RESPONSE_HEADERS";
    case Event::response_bytes:
      return "RESPONSE_BYTES";
    case Event::recv_first:
      return "RECV_FIRST";
    case Event::main_received:
      return "MAIN_RECEIVED";
    case Event::complete:
      return "COMPLETE";
    case Event::loop_lag:
      return "LOOP_LAG";
    case Event::trace_drops:
      return "TRACE_DROPS";
    case Event::perf_start:
      return "PERF_START";
    case Event::response_done:
      return "RESPONSE_DONE";
    case Event::perf_end:
      return "PERF_END";
    case Event::encoded:
      return "ENCODED";
    case Event::queued:
      return "QUEUED";
    case Event::sse_parse:
      return "SSE_PARSE";
    case Event::loop_busy:
      return "LOOP_BUSY";
    case Event::loop_dispatch:
      return "LOOP_DISPATCH";
    case Event::bundle:
      return "BUNDLE";
  }
  return "UNKNOWN";
}

}  // namespace ie::trace
