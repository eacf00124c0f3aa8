#pragma once
// The reference HTTP/1.1 response parser: llhttp (Node's parser, from Debian's node-llhttp) behind the same
// interface as net::HttpResponseParser, which the client uses. Tests, the differential fuzzer and the parser
// benchmark hold the hand-written parser against this one; the client itself does not use it. It reports to
// the same Handler (one difference: interim 1xx responses reach the handler here, they are skipped there):
//
//   struct Handler {
//     void on_headers(int status, bool event_stream);   // event_stream: Content-Type is text/event-stream
//     void on_body(const char* data, size_t size);      // decoded body bytes (chunk framing removed)
//     void on_complete();                               // the response ended
//   };

#include <llhttp.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "net/http_response_parser.h"  // ParseStatus

namespace ie::net {

template <typename Handler>
class LlhttpResponseParser {
 public:
  LlhttpResponseParser() {
    llhttp_settings_init(&settings_);
    settings_.on_header_field = &on_header_field;
    settings_.on_header_value = &on_header_value;
    settings_.on_headers_complete = &on_headers_complete;
    settings_.on_body = &on_body;
    settings_.on_message_complete = &on_message_complete;
    llhttp_init(&parser_, HTTP_RESPONSE, &settings_);
  }
  LlhttpResponseParser(const LlhttpResponseParser&) = delete;
  LlhttpResponseParser& operator=(const LlhttpResponseParser&) = delete;

  // Starts a fresh response on a new connection.
  void reset() { llhttp_reset(&parser_); }

  // Parses the next bytes of the response stream, calling the handler as parts complete.
  ParseStatus feed(Handler& handler, const char* data, size_t size) {
    parser_.data = &handler;
    return llhttp_execute(&parser_, data, size) == HPE_OK ? ParseStatus::ok : ParseStatus::error;
  }

  // The peer closed: completes a read-until-close body, or fails a response cut short.
  ParseStatus finish(Handler& handler) {
    parser_.data = &handler;
    return llhttp_finish(&parser_) == HPE_OK ? ParseStatus::ok : ParseStatus::error;
  }

  // After a complete response: may the connection carry another request?
  bool keep_alive() const { return keep_alive_; }
  const char* error_reason() const {
    const char* reason = llhttp_get_error_reason(&parser_);
    return reason ? reason : "unknown";
  }

 private:
  static LlhttpResponseParser& self(llhttp_t* p) {
    // The parser is the first member, so its address is the wrapper's.
    return *reinterpret_cast<LlhttpResponseParser*>(p);
  }
  static Handler& handler(llhttp_t* p) { return *static_cast<Handler*>(p->data); }

  static int on_header_field(llhttp_t* p, const char* at, size_t length) {
    LlhttpResponseParser& s = self(p);
    if (s.field_done_) {  // a new field starts
      s.field_len_ = 0;
      s.field_done_ = false;
      s.value_.clear();
    }
    // Only Content-Type matters: a longer name cannot be it, so at most one byte more than it is kept.
    for (size_t i = 0; i < length && s.field_len_ < kContentType.size() + 1; ++i)
      s.field_[s.field_len_++] = at[i] | 0x20;
    return 0;
  }
  static int on_header_value(llhttp_t* p, const char* at, size_t length) {
    LlhttpResponseParser& s = self(p);
    s.field_done_ = true;
    if (s.is_content_type()) {
      for (size_t i = 0; i < length; ++i) s.value_ += static_cast<char>(at[i] | 0x20);
      s.event_stream_ = s.value_.find("text/event-stream") != std::string::npos;
    }
    return 0;
  }
  static int on_headers_complete(llhttp_t* p) {
    LlhttpResponseParser& s = self(p);
    handler(p).on_headers(p->status_code, s.event_stream_);
    s.event_stream_ = false;
    s.field_len_ = 0;
    s.value_.clear();
    s.field_done_ = true;
    return 0;
  }
  static int on_body(llhttp_t* p, const char* at, size_t length) {
    handler(p).on_body(at, length);
    return 0;
  }
  static int on_message_complete(llhttp_t* p) {
    // Read it now: llhttp clears the message's flags once this callback returns.
    self(p).keep_alive_ = llhttp_should_keep_alive(p) != 0;
    handler(p).on_complete();
    return 0;
  }

  static constexpr std::string_view kContentType = "content-type";
  bool is_content_type() const { return std::string_view(field_, field_len_) == kContentType; }

  llhttp_t parser_;  // must stay the first member (see self())
  llhttp_settings_t settings_;
  char field_[kContentType.size() + 1];
  std::string value_;  // of the Content-Type header being read, lower-cased
  size_t field_len_ = 0;
  bool field_done_ = true;
  bool event_stream_ = false;
  bool keep_alive_ = false;
};

}  // namespace ie::net
