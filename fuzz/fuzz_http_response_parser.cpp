// Fuzzes net::HttpResponseParser (llhttp underneath) with a byte stream of one keep-alive connection.
//
// Invariants checked, beyond "no crash, no sanitizer report":
// - Split independence: the stream fed whole and fed in pieces (split points from byte 1) gives the same
//   outcome (ok / error), the same completed responses (status, event-stream flag, body, keep-alive), and
//   the same finish() outcome when the peer then closes.
// - Callback order: on_body and on_complete never come before on_headers of the same response, and the
//   status handed to on_headers is in 0..999.
// - Body accounting: the decoded body bytes of a response arrive before its on_complete.

#include <string>
#include <vector>

#include "fuzz_input.h"
#include "net/http_response_parser.h"

namespace {

constexpr const char* kTarget = "fuzz_http_response_parser";

struct Response {
  int status = 0;
  bool event_stream = false;
  std::string body;
  bool keep_alive = false;
  bool operator==(const Response&) const = default;
};

struct Recorder;
using Parser = ie::net::HttpResponseParser<Recorder>;

struct Recorder {
  void on_headers(int status_code, bool is_event_stream) {
    if (in_response) ie::fuzz::violated(kTarget, "on_headers twice without on_complete");
    // llhttp accepts one to three digits ("HTTP/1.1 2 OK" gives 2); the worker counts anything but 200 as an
    // HTTP error, so only the range matters here.
    if (status_code < 0 || status_code > 999)
      ie::fuzz::violated(kTarget, "status " + std::to_string(status_code) + " is out of range");
    in_response = true;
    current = Response{};
    current.status = status_code;
    current.event_stream = is_event_stream;
  }
  void on_body(const char* data, size_t size) {
    if (!in_response) ie::fuzz::violated(kTarget, "on_body before on_headers");
    current.body.append(data, size);
  }
  void on_complete() {
    if (!in_response) ie::fuzz::violated(kTarget, "on_complete before on_headers");
    in_response = false;
    current.keep_alive = parser->keep_alive();  // set by the parser just before this callback
    completed.push_back(current);
  }

  const Parser* parser = nullptr;
  bool in_response = false;
  Response current;
  std::vector<Response> completed;
};

struct Outcome {
  bool feed_ok = true;
  bool finish_ok = false;  // only meaningful when feed_ok
  std::vector<Response> completed;
};

template <typename Feeder>
Outcome run(Feeder&& feeder) {
  Parser parser;
  Recorder recorder;
  recorder.parser = &parser;
  Outcome outcome;
  outcome.feed_ok = feeder([&](const char* data, size_t size) {
    return parser.feed(recorder, data, size) == ie::net::ParseStatus::ok;
  });
  if (outcome.feed_ok) {
    outcome.finish_ok = parser.finish(recorder) == ie::net::ParseStatus::ok;
  } else if (std::string_view(parser.error_reason()).empty()) {
    ie::fuzz::violated(kTarget, "an error with an empty reason");
  }
  outcome.completed = std::move(recorder.completed);
  return outcome;
}

std::string describe(const Outcome& o) {
  std::string text = "feed " + std::string(o.feed_ok ? "ok" : "error") + ", finish " +
                     (o.finish_ok ? "ok" : "error") + ", " + std::to_string(o.completed.size()) +
                     " responses:";
  for (const Response& r : o.completed) {
    text += " [" + std::to_string(r.status) + (r.event_stream ? " sse" : "") + (r.keep_alive ? " ka" : "") +
            " body " + std::to_string(r.body.size()) + "B]";
  }
  return text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ie::fuzz::Input in = ie::fuzz::take_input(data, size);
  Outcome whole = run([&](auto&& feed) { return ie::fuzz::feed_whole(in.payload, feed); });
  Outcome split = run([&](auto&& feed) { return ie::fuzz::feed_in_pieces(in.payload, in.split_seed, feed); });
  if (whole.feed_ok != split.feed_ok || (whole.feed_ok && whole.finish_ok != split.finish_ok) ||
      whole.completed != split.completed) {
    ie::fuzz::violated(kTarget, "whole and split parses differ:\n  whole: " + describe(whole) +
                                    "\n  split: " + describe(split));
  }
  return 0;
}
