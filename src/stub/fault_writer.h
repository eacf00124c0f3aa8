#pragma once
// The bytes of each injected fault (stub/fault_plan.h), derived from the reply the stub would have sent.
// Most faults damage that reply: `reply` below is always a complete reply as ResponseWriter writes it — a
// Content-Length JSON reply, or (stream) an event stream with one HTTP chunk per SSE event.
//
// "Part of the reply" means: non-streaming, the headers and the first half of the body; streaming, the
// headers and the first event's chunk. What the connection does afterwards (keep-alive, FIN, RST, wait) is
// the responder's business; each function says what it expects.

#include <cstdint>
#include <string>
#include <string_view>

#include "stub/fault_plan.h"
#include "stub/response_writer.h"
#include "stub/token_model.h"

namespace ie::stub {

// Status and error type of the http_* faults: 500 server_error, 429 rate_limit_exceeded, 503
// service_unavailable (message "stub fault injection: <kind>").
struct FaultStatus {
  int status;
  std::string_view type;
};
FaultStatus fault_status(FaultKind http_kind);

// bad_json: 200 with valid framing whose JSON is cut in half. Non-streaming: the body is the first half of
// the reply's JSON (Content-Length matches what is sent). Streaming: one event whose data is the first half
// of the reply's first event, then [DONE] and the terminating chunk. Keep-alive.
void append_bad_json(std::string& out, std::string_view reply, bool stream, bool close);

// truncated and reset_during: part of the reply (see above). The connection must then close (FIN or RST);
// the framing (Content-Length, or the missing 0-chunk) promises more than was sent.
void append_partial_reply(std::string& out, std::string_view reply, bool stream);

// bad_chunked: a chunked reply whose second chunk-size line reads "ZZ" (not hex), followed by the rest of
// the reply. Non-streaming replies switch from Content-Length to chunked framing, so their first size line
// is the bad one. The connection must then close: the client cannot find the next message.
void append_bad_chunked(std::string& out, std::string_view reply, bool stream, bool close);

// bad_sse (`stream_reply` is streaming even if the request was not): the headers and first event, then the
// second event without its blank-line terminator, then the terminating chunk, so the body ends inside an
// event and there is no [DONE] — what a server whose generator died mid-event sends when its framework
// still closes the chunked body cleanly. HTTP framing is valid; keep-alive.
void append_bad_sse(std::string& out, std::string_view stream_reply);

// stall: the offset in `reply` where the stall starts: after the headers (non-streaming) or after the first
// event's chunk (streaming). reply[0, offset) goes out at once, the rest after the stall.
size_t stall_offset(std::string_view reply, bool stream);

// oversized: a valid reply carrying text_chars characters of the a..z pattern in one piece (one message
// content, or one SSE event), so the body exceeds text_chars bytes. The text is generated in pieces by
// append_fill_piece between `head` and `tail`, so a reply of any size costs O(piece) memory.
struct OversizedReply {
  std::string head;
  uint64_t text_chars = 0;
  bool chunked = false;  // each piece is an HTTP chunk of its own
  std::string tail;
};
void compose_oversized(OversizedReply& reply, const ResponseWriter& writer, Api api, bool stream, bool close,
                       uint64_t text_chars);
// Appends pattern characters [begin_char, begin_char + chars), framed as one HTTP chunk when `chunked`.
void append_fill_piece(std::string& out, PatternText& pattern, uint64_t begin_char, uint64_t chars,
                       bool chunked);

}  // namespace ie::stub
