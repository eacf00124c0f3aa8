#pragma once
// Incremental HTTP/1.1 response parsing for the client's hot path: status line, headers, Content-Length /
// chunked / read-until-close bodies, on a keep-alive connection whose responses follow one another.
//
// Hand-written rather than llhttp: on the small responses of an inference endpoint llhttp cost ~18 % of the
// client's user time, this parser 2-3x less (docs/ARCHITECTURE.md, docs/PERFORMANCE.md). llhttp stays as the
// reference the tests and the fuzzer compare this parser with (net/llhttp_response_parser.h).
//
// The work is done by HttpResponseFramer (compiled once, in the .cpp), which hands out one step at a time;
// HttpResponseParser turns the steps into calls on a Handler known at compile time:
//
//   struct Handler {
//     void on_headers(int status, bool event_stream);   // event_stream: Content-Type is text/event-stream
//     void on_body(const char* data, size_t size);      // decoded body bytes (chunk framing removed)
//     void on_complete();                               // the response ended
//   };
//
// Interim responses (1xx, such as 103 Early Hints) are skipped: the handler sees only the final response.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ie::net {

enum class ParseStatus { ok, error };

class HttpResponseFramer {
 public:
  enum class Step : uint8_t { need_more, headers, body, complete, error };

  // The next step of the response stream in [data, end): advances data past what it consumed. A body step
  // sets body_data/body_size to a piece of the input (never a copy).
  Step next(const char*& data, const char* end);
  // The peer closed the connection: complete (a read-until-close body ends), need_more (nothing was
  // pending: between responses), or error (a response was cut short).
  Step finish();
  // Forgets everything: a new connection starts.
  void reset();

  int status() const { return status_; }
  bool event_stream() const { return event_stream_; }
  bool keep_alive() const { return keep_alive_; }
  const char* error_reason() const { return error_ ? error_ : "no error"; }

  const char* body_data = nullptr;
  size_t body_size = 0;

  // A head (status line and headers) or a chunk-size or trailer line longer than this is refused.
  static constexpr size_t kMaxHeadBytes = 64 * 1024;

 private:
  enum class State : uint8_t {
    between,  // before a response: CR/LF between responses are skipped
    status_line,
    header_line,
    body_length,  // remaining_ bytes of a Content-Length body
    body_until_close,
    chunk_size,     // the chunk-size line, extensions allowed
    chunk_data,     // remaining_ bytes of a chunk
    chunk_data_cr,  // the CR LF after a chunk's data
    chunk_data_lf,
    trailer_line,
    ended,   // the response is whole: complete is the next step
    closed,  // after a response that ends the connection: further bytes are ignored
    failed,
  };

  // Each returns false after fail() when the input is refused; take_line also when the line is incomplete.
  bool take_line(const char*& data, const char* end, const char** line, size_t* size);
  bool parse_head(const char*& data, const char* end);  // true once the blank line ending the head is read
  bool parse_status_line(const char* line, size_t size);
  bool split_field_line(const char* line, size_t size, std::string_view* name, std::string_view* value);
  bool parse_header_line(const char* line, size_t size);
  bool choose_body();  // at the end of the head: how the body is framed, and whether the connection persists
  bool parse_chunk_size(const char* line, size_t size);
  bool fail(const char* reason);
  void start_response();

  State state_ = State::between;
  const char* error_ = nullptr;
  std::string partial_;         // a line split across reads, gathered until its LF arrives
  bool partial_taken_ = false;  // the line handed out last lives in partial_: clear it before the next
  size_t head_bytes_ = 0;
  uint64_t remaining_ = 0;

  // The response being parsed.
  int status_ = 0;
  bool http_1_1_ = false;
  bool event_stream_ = false;
  bool has_content_length_ = false;
  bool has_transfer_encoding_ = false;
  bool chunked_ = false;
  bool connection_close_ = false;
  bool connection_keep_alive_ = false;
  bool keep_alive_ = false;
  uint64_t content_length_ = 0;
};

template <typename Handler>
class HttpResponseParser {
 public:
  // Starts a fresh response on a new connection.
  void reset() { framer_.reset(); }

  // Parses the next bytes of the response stream, calling the handler as parts complete.
  ParseStatus feed(Handler& handler, const char* data, size_t size) {
    const char* end = data + size;
    while (true) {
      switch (framer_.next(data, end)) {
        case HttpResponseFramer::Step::need_more:
          return ParseStatus::ok;
        case HttpResponseFramer::Step::headers:
          handler.on_headers(framer_.status(), framer_.event_stream());
          break;
        case HttpResponseFramer::Step::body:
          handler.on_body(framer_.body_data, framer_.body_size);
          break;
        case HttpResponseFramer::Step::complete:
          handler.on_complete();
          break;
        case HttpResponseFramer::Step::error:
          return ParseStatus::error;
      }
    }
  }

  // The peer closed: completes a read-until-close body, or fails a response cut short.
  ParseStatus finish(Handler& handler) {
    switch (framer_.finish()) {
      case HttpResponseFramer::Step::complete:
        handler.on_complete();
        return ParseStatus::ok;
      case HttpResponseFramer::Step::error:
        return ParseStatus::error;
      default:
        return ParseStatus::ok;
    }
  }

  // After a complete response: may the connection carry another request?
  bool keep_alive() const { return framer_.keep_alive(); }
  const char* error_reason() const { return framer_.error_reason(); }

 private:
  HttpResponseFramer framer_;
};

}  // namespace ie::net
