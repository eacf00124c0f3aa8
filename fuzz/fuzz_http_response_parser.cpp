// Fuzzes net::HttpResponseParser (the client's hand-written parser) with a byte stream of one keep-alive
// connection, and holds it against llhttp (net::LlhttpResponseParser), the reference it replaced.
//
// Invariants checked, beyond "no crash, no sanitizer report":
// - Never more lenient than llhttp: a stream our parser accepts (feed and then finish), llhttp accepts too,
//   with the same final responses (status, event-stream flag, body, keep-alive); where ours refuses, the
//   responses it completed first are ones llhttp completed too.
//   Our parser may refuse what llhttp accepts (it is stricter: e.g. "HTTP/2.0", a status that is not three
//   digits, obs-fold). Inputs where the two knowingly differ are left out of this comparison, each for a
//   reason the unit tests pin down on our side: a HTAB (llhttp 8.1 does not trim it after a value),
//   "HTTP/1.0" (there llhttp lets "keep-alive" win over "close"), a 1xx, 204 or 304 status (llhttp expects
//   a body after a Content-Length), trailer fields after a chunked body (llhttp applies header rules to
//   them), "upgrade" (llhttp then misses a "close" in the same Connection list).
// - Split independence: the stream fed whole and fed in pieces (split points from byte 1) gives the same
//   outcome (ok / error), the same completed responses (status, event-stream flag, body, keep-alive), and
//   the same finish() outcome when the peer then closes.
// - Callback order: on_body and on_complete never come before on_headers of the same response, and the
//   status handed to on_headers is in 0..999.
// - Body accounting: the decoded body bytes of a response arrive before its on_complete.

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "common/ascii.h"
#include "fuzz_input.h"
#include "net/http_response_parser.h"
#include "net/llhttp_response_parser.h"

namespace {

constexpr const char* kTarget = "fuzz_http_response_parser";

struct Response {
  int status = 0;
  bool event_stream = false;
  std::string body;
  bool keep_alive = false;
  bool operator==(const Response&) const = default;
};

template <template <typename> class ParserTemplate>
struct RecorderFor {
  using Parser = ParserTemplate<RecorderFor>;
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
    current.keep_alive = parser->keep_alive();                // set by the parser just before this callback
    if (current.status >= 200) completed.push_back(current);  // llhttp reports interim 1xx responses too
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

template <template <typename> class ParserTemplate, typename Feeder>
Outcome run(Feeder&& feeder) {
  using Recorder = RecorderFor<ParserTemplate>;
  typename Recorder::Parser parser;
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

// A chunked body whose last chunk is followed by trailer fields. llhttp applies header rules to them (an
// invalid Content-Length there is an error, a Transfer-Encoding changes keep-alive); ours checks only their
// syntax and ignores them (RFC 9110, section 6.5). Errs towards yes: "\n0" inside a body counts too.
bool has_trailer_fields(std::string_view payload) {
  for (size_t at = payload.find("\n0"); at != std::string_view::npos; at = payload.find("\n0", at + 1)) {
    size_t end = payload.find("\r\n", at + 1);
    if (end == std::string_view::npos) return false;
    std::string_view size = payload.substr(at + 1, end - at - 1);
    size = size.substr(0, size.find(';'));
    if (size.find_first_not_of('0') == std::string_view::npos && payload.substr(end + 2, 2) != "\r\n")
      return true;
  }
  return false;
}

// See the header comment: the differences the unit tests document, left out of the comparison.
bool knowingly_differs(std::string_view payload) {
  if (has_trailer_fields(payload)) return true;
  return payload.find('\t') != std::string_view::npos || payload.find("HTTP/1.0") != std::string_view::npos ||
         payload.find(" 204") != std::string_view::npos || payload.find(" 304") != std::string_view::npos ||
         payload.find("HTTP/1.1 1") != std::string_view::npos ||
         ie::contains_ascii_lowercase(payload, "upgrade");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ie::fuzz::Input in = ie::fuzz::take_input(data, size);
  Outcome whole =
      run<ie::net::HttpResponseParser>([&](auto&& feed) { return ie::fuzz::feed_whole(in.payload, feed); });
  Outcome split = run<ie::net::HttpResponseParser>(
      [&](auto&& feed) { return ie::fuzz::feed_in_pieces(in.payload, in.split_seed, feed); });
  if (whole.feed_ok != split.feed_ok || (whole.feed_ok && whole.finish_ok != split.finish_ok) ||
      whole.completed != split.completed) {
    ie::fuzz::violated(kTarget, "whole and split parses differ:\n  whole: " + describe(whole) +
                                    "\n  split: " + describe(split));
  }
  if (!knowingly_differs(in.payload)) {
    Outcome reference = run<ie::net::LlhttpResponseParser>(
        [&](auto&& feed) { return ie::fuzz::feed_whole(in.payload, feed); });
    bool ours_accepted = whole.feed_ok && whole.finish_ok;
    bool reference_accepted = reference.feed_ok && reference.finish_ok;
    // Where ours refuses (it is stricter, and judges a line only once its LF arrives), the responses it
    // completed before must be ones llhttp completed too. Their keep-alive is moot: a refused stream ends the
    // connection (and llhttp lets trailer fields change it).
    auto same_response = [](const Response& a, const Response& b) {
      return a.status == b.status && a.event_stream == b.event_stream && a.body == b.body;
    };
    bool prefix = whole.completed.size() <= reference.completed.size() &&
                  std::equal(whole.completed.begin(), whole.completed.end(), reference.completed.begin(),
                             same_response);
    if (ours_accepted ? !reference_accepted || whole.completed != reference.completed : !prefix) {
      ie::fuzz::violated(kTarget, "accepted differently from llhttp:\n  ours:   " + describe(whole) +
                                      "\n  llhttp: " + describe(reference));
    }
  }
  return 0;
}
