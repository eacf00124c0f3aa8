// Fuzzes api::ResponseDecoder: one streamed chunk (an SSE event's data) or one non-streaming body, for the
// chat and the text completions API (option bits 0 and 1).
//
// Invariants checked, beyond "no crash, no sanitizer report":
// - Reuse: a decoder that already decoded other inputs (a long valid chunk, then the first half of this
//   input) returns the same status, the same Delta and the same error text as a fresh one. The decoder keeps
//   its parser and scratch buffer across calls, so stale state would show here.
// - Delta consistency on ok: content_bytes == content.size(); content is valid UTF-8 (it is counted as
//   output text); done only for an event whose trimmed data is exactly "[DONE]", and then nothing else set;
//   token counts are -1 or non-negative.
// - On malformed / server_error: last_error() is not empty.
// - Chunk shapes: the payload placed as the text of a chunk shaped like a learned one decodes through the
//   shape exactly as a fresh parse does; and a payload decoded twice with one shape (learn, then match)
//   gives the fresh result both times.
// - Streaming through SSE: the same data framed as one SSE event and decoded from the event gives the same
//   result as decoding the data directly (when it holds no line break, so framing cannot change it).

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>

#include "api/openai.h"
#include "fuzz_input.h"
#include "net/sse_decoder.h"

namespace {

constexpr const char* kTarget = "fuzz_chunk_decoder";

struct Result {
  ie::api::DecodeStatus status = ie::api::DecodeStatus::ok;
  std::string error;
  uint32_t content_bytes = 0;
  uint32_t reasoning_bytes = 0;
  bool has_tool_calls = false;
  ie::metrics::FinishReason finish_reason = ie::metrics::FinishReason::none;
  int32_t prompt_tokens = -1;
  int32_t completion_tokens = -1;
  bool done = false;
  std::string content;
  bool operator==(const Result&) const = default;
};

std::string_view trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n";
  size_t begin = s.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  return s.substr(begin, s.find_last_not_of(kSpace) - begin + 1);
}

// Structural UTF-8 check: lead bytes and the count of continuation bytes (enough to catch a string cut in
// the middle of a character or raw bytes copied from an unvalidated input).
bool is_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    auto lead = static_cast<unsigned char>(s[i]);
    size_t extra = lead < 0x80             ? 0
                   : (lead & 0xe0) == 0xc0 ? 1
                   : (lead & 0xf0) == 0xe0 ? 2
                   : (lead & 0xf8) == 0xf0 ? 3
                                           : SIZE_MAX;
    if (extra == SIZE_MAX || extra >= s.size() - i) return false;
    for (size_t k = 1; k <= extra; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
    }
    i += extra + 1;
  }
  return true;
}

Result decode(ie::api::ResponseDecoder& decoder, bool event, std::string_view data,
              ie::api::ChunkShape* shape = nullptr) {
  // An exactly-sized heap copy: a read past the end is reported by AddressSanitizer.
  std::unique_ptr<char[]> copy(new char[data.size()]);
  std::copy(data.begin(), data.end(), copy.get());
  std::string_view view(copy.get(), data.size());
  ie::api::Delta delta;
  Result r;
  r.status = event ? decoder.decode_event(view, delta, shape) : decoder.decode_body(view, delta);
  if (r.status != ie::api::DecodeStatus::ok) {
    r.error = decoder.last_error();
    if (r.error.empty()) ie::fuzz::violated(kTarget, "a failure with an empty last_error()");
    return r;
  }
  r.content_bytes = delta.content_bytes;
  r.reasoning_bytes = delta.reasoning_bytes;
  r.has_tool_calls = delta.has_tool_calls;
  r.finish_reason = delta.finish_reason;
  r.prompt_tokens = delta.prompt_tokens;
  r.completion_tokens = delta.completion_tokens;
  r.done = delta.done;
  r.content = std::string(delta.content);
  return r;
}

void check_delta(const Result& r, bool event, std::string_view data) {
  if (r.status != ie::api::DecodeStatus::ok) return;
  if (r.content_bytes != r.content.size()) ie::fuzz::violated(kTarget, "content_bytes != content.size()");
  if (!is_utf8(r.content)) ie::fuzz::violated(kTarget, "content is not valid UTF-8");
  bool is_done = event && trim(data) == "[DONE]";
  if (r.done != is_done) ie::fuzz::violated(kTarget, "done disagrees with the [DONE] sentinel");
  if (r.done && (r.content_bytes != 0 || r.prompt_tokens != -1 || r.has_tool_calls))
    ie::fuzz::violated(kTarget, "[DONE] carries data");
  if (r.prompt_tokens < -1 || r.completion_tokens < -1) ie::fuzz::violated(kTarget, "negative token count");
}

// A long valid chunk with every field set: leaves content, usage and a finish reason behind in the decoder.
std::string primer() {
  return R"({"id":"x","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":")" +
         std::string(5000, 'p') +
         R"(","reasoning":"r"},"finish_reason":"length"}],"usage":{"prompt_tokens":9,)"
         R"("completion_tokens":7}})";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ie::fuzz::Input in = ie::fuzz::take_input(data, size);
  auto api = (in.options & 1) ? ie::config::ApiType::openai_completions : ie::config::ApiType::openai;
  bool event = (in.options & 2) == 0;

  ie::api::ResponseDecoder fresh(api);
  Result first = decode(fresh, event, in.payload);
  check_delta(first, event, in.payload);

  static const std::string kPrimer = primer();
  ie::api::ResponseDecoder reused(api);
  decode(reused, true, kPrimer);
  decode(reused, event, in.payload.substr(0, in.payload.size() / 2));
  Result second = decode(reused, event, in.payload);
  if (!(first == second)) {
    ie::fuzz::violated(kTarget,
                       "a reused decoder differs from a fresh one: " + first.error + " / " + second.error);
  }

  if (event) {
    // The chat and the text completions chunk around one text string.
    const bool chat = api == ie::config::ApiType::openai;
    const std::string head = chat ? R"({"id":"c1","choices":[{"index":0,"delta":{"content":")"
                                  : R"({"id":"c1","choices":[{"index":0,"text":")";
    const std::string tail = chat ? R"("},"finish_reason":null}]})" : R"(","finish_reason":null}]})";
    ie::api::ChunkShape shape;
    ie::api::ResponseDecoder shaped(api);
    decode(shaped, true, head + "learned" + tail, &shape);
    if (shape.empty()) ie::fuzz::violated(kTarget, "a plain text chunk did not teach the shape");
    const std::string chunk = head + std::string(in.payload) + tail;
    ie::api::ResponseDecoder parsed(api);
    if (!(decode(shaped, true, chunk, &shape) == decode(parsed, true, chunk)))
      ie::fuzz::violated(kTarget, "a chunk decoded through its shape differs from the parse");

    ie::api::ChunkShape own;
    ie::api::ResponseDecoder twice(api);
    if (!(decode(twice, true, in.payload, &own) == first) ||
        !(decode(twice, true, in.payload, &own) == first))
      ie::fuzz::violated(kTarget, "decoding with a shape differs from a fresh parse");
  }

  if (event && in.payload.find_first_of("\r\n") == std::string_view::npos) {
    std::string framed = "data: " + std::string(in.payload) + "\n\n";
    ie::net::SseDecoder sse;
    int events = 0;
    sse.feed(framed.data(), framed.size(), [&](std::string_view event_data) {
      ++events;
      // The decoder strips exactly the one space after "data:", so the event is the payload unchanged.
      if (event_data != in.payload) ie::fuzz::violated(kTarget, "SSE framing changed the data");
      if (!(decode(fresh, true, event_data) == first))
        ie::fuzz::violated(kTarget, "decoding through SSE differs");
      return true;
    });
    if (events != 1) ie::fuzz::violated(kTarget, "one framed event did not give one SSE event");
  }
  return 0;
}
