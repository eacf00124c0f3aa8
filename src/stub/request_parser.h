#pragma once
// HTTP/1.1 request framing for the stub server: llhttp in HTTP_REQUEST mode, fed straight from the worker's
// read buffer. llhttp owns the framing (Content-Length, chunked, keep-alive rules); this wrapper keeps only
// what the stub answers on: method, path, keep-alive, whether the client waits for "100 Continue", and the
// body.
//
// Contract of feed(): it stops right after each complete request (llhttp is paused in on_message_complete),
// so pipelined requests come out one at a time and in order; the caller answers the request, then feeds the
// rest.

#include <llhttp.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ie::stub {

enum class HttpMethod : uint8_t { get, post, other };

// One complete request. Views point into the parser and stay valid until the next feed() or reset().
struct HttpRequest {
  HttpMethod method = HttpMethod::other;
  std::string_view path;   // target without the query string
  bool keep_alive = true;  // false after "Connection: close" or an HTTP/1.0 request without keep-alive
};

class RequestParser {
 public:
  enum class Status : uint8_t {
    request_ready,  // a request is complete: read request() / body(), then feed the remaining bytes
    need_more,      // every byte was consumed and the request in progress is not complete yet
    malformed,      // not HTTP/1.x; error_reason() says why; the connection cannot be reused
    too_large,      // the body exceeds kMaxBodyBytes; the connection cannot be reused
  };
  struct FeedResult {
    Status status;
    size_t consumed_bytes;
  };

  // Bodies beyond this are refused with 413 so one client cannot make the server allocate without bound.
  static constexpr size_t kMaxBodyBytes = size_t{256} << 20;
  // A longer request target is malformed: no route is that long, and the URL is buffered per connection.
  static constexpr size_t kMaxUrlBytes = 64 << 10;

  RequestParser();
  RequestParser(const RequestParser&) = delete;  // llhttp's callbacks hold a pointer back to this object
  RequestParser& operator=(const RequestParser&) = delete;

  // Parses bytes until one request completes or the input ends. Never reads past data + len.
  FeedResult feed(const char* data, size_t len);
  // Forgets any partial request, for reuse on a new connection. Keeps buffer capacity.
  void reset();

  const HttpRequest& request() const { return request_; }
  // The de-chunked body of the ready request; the string is mutable so the caller may pad it for simdjson.
  std::string& body() { return body_; }
  // True once per request whose headers asked for "Expect: 100-continue", as soon as the headers are
  // complete.
  bool take_continue_request();
  const char* error_reason() const { return llhttp_get_error_reason(&parser_); }

 private:
  static int on_message_begin(llhttp_t* p);
  static int on_url(llhttp_t* p, const char* at, size_t len);
  static int on_header_field(llhttp_t* p, const char* at, size_t len);
  static int on_header_field_complete(llhttp_t* p);
  static int on_header_value(llhttp_t* p, const char* at, size_t len);
  static int on_header_value_complete(llhttp_t* p);
  static int on_headers_complete(llhttp_t* p);
  static int on_body(llhttp_t* p, const char* at, size_t len);
  static int on_message_complete(llhttp_t* p);
  static const llhttp_settings_t& settings();

  llhttp_t parser_;
  HttpRequest request_;
  std::string url_;
  std::string body_;
  // Header matching for "Expect: 100-continue" only; names and values may arrive split across reads.
  char header_name_[8];
  uint8_t header_name_len_ = 0;
  char header_value_[16];
  uint8_t header_value_len_ = 0;
  bool header_is_expect_ = false;
  bool expects_continue_ = false;
  bool continue_pending_ = false;
  bool body_too_large_ = false;
};

}  // namespace ie::stub
