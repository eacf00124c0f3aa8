#include "stub/request_parser.h"

#include <algorithm>
#include <cstring>
#include <string_view>

#include "common/ascii.h"

namespace ie::stub {

namespace {

RequestParser* self(llhttp_t* p) {
  return static_cast<RequestParser*>(p->data);
}

// Appends up to the capacity of `buf`; a longer input marks the buffer as overflowed (len = capacity + 1) so
// it can never compare equal to a short token.
template <size_t N>
void append_bounded(char (&buf)[N], uint8_t& len, const char* at, size_t n) {
  if (len > N) return;
  if (len + n > N) {
    len = N + 1;
    return;
  }
  std::memcpy(buf + len, at, n);
  len = static_cast<uint8_t>(len + n);
}

HttpMethod to_method(uint8_t m) {
  if (m == HTTP_GET) return HttpMethod::get;
  if (m == HTTP_POST) return HttpMethod::post;
  return HttpMethod::other;
}

}  // namespace

// The private callbacks reach members through the parser's user pointer; they are static members so that
// they may touch private state.
const llhttp_settings_t& RequestParser::settings() {
  static const llhttp_settings_t s = [] {
    llhttp_settings_t t;
    llhttp_settings_init(&t);
    t.on_message_begin = &RequestParser::on_message_begin;
    t.on_url = &RequestParser::on_url;
    t.on_header_field = &RequestParser::on_header_field;
    t.on_header_field_complete = &RequestParser::on_header_field_complete;
    t.on_header_value = &RequestParser::on_header_value;
    t.on_header_value_complete = &RequestParser::on_header_value_complete;
    t.on_headers_complete = &RequestParser::on_headers_complete;
    t.on_body = &RequestParser::on_body;
    t.on_message_complete = &RequestParser::on_message_complete;
    return t;
  }();
  return s;
}

RequestParser::RequestParser() {
  reset();
}

void RequestParser::reset() {
  llhttp_init(&parser_, HTTP_REQUEST, &settings());
  parser_.data = this;
  request_ = HttpRequest{};
  url_.clear();
  body_.clear();
  header_name_len_ = 0;
  header_value_len_ = 0;
  header_is_expect_ = false;
  expects_continue_ = false;
  continue_pending_ = false;
  body_too_large_ = false;
}

RequestParser::FeedResult RequestParser::feed(const char* data, size_t len) {
  llhttp_errno_t err = llhttp_execute(&parser_, data, len);
  if (err == HPE_OK) return {Status::need_more, len};
  if (err == HPE_PAUSED) {
    // Paused by on_message_complete: error_pos is the first byte after the request.
    size_t consumed = static_cast<size_t>(llhttp_get_error_pos(&parser_) - data);
    llhttp_resume(&parser_);
    return {Status::request_ready, consumed};
  }
  size_t consumed = static_cast<size_t>(llhttp_get_error_pos(&parser_) - data);
  return {body_too_large_ ? Status::too_large : Status::malformed, consumed};
}

bool RequestParser::take_continue_request() {
  bool pending = continue_pending_;
  continue_pending_ = false;
  return pending;
}

int RequestParser::on_message_begin(llhttp_t* p) {
  RequestParser* r = self(p);
  r->url_.clear();
  r->body_.clear();
  r->expects_continue_ = false;
  r->continue_pending_ = false;
  return 0;
}

int RequestParser::on_url(llhttp_t* p, const char* at, size_t len) {
  RequestParser* r = self(p);
  if (r->url_.size() + len > kMaxUrlBytes) return -1;
  r->url_.append(at, len);
  return 0;
}

int RequestParser::on_header_field(llhttp_t* p, const char* at, size_t len) {
  RequestParser* r = self(p);
  append_bounded(r->header_name_, r->header_name_len_, at, len);
  return 0;
}

int RequestParser::on_header_field_complete(llhttp_t* p) {
  RequestParser* r = self(p);
  r->header_is_expect_ =
      equals_ascii_lowercase(std::string_view(r->header_name_, r->header_name_len_), "expect");
  r->header_name_len_ = 0;
  return 0;
}

int RequestParser::on_header_value(llhttp_t* p, const char* at, size_t len) {
  RequestParser* r = self(p);
  if (r->header_is_expect_) append_bounded(r->header_value_, r->header_value_len_, at, len);
  return 0;
}

int RequestParser::on_header_value_complete(llhttp_t* p) {
  RequestParser* r = self(p);
  if (r->header_is_expect_ &&
      equals_ascii_lowercase(std::string_view(r->header_value_, r->header_value_len_), "100-continue")) {
    r->expects_continue_ = true;
  }
  r->header_is_expect_ = false;
  r->header_value_len_ = 0;
  return 0;
}

int RequestParser::on_headers_complete(llhttp_t* p) {
  RequestParser* r = self(p);
  // A body announced larger than the limit is refused before any of it is buffered.
  if (p->content_length > kMaxBodyBytes && (p->flags & F_CONTENT_LENGTH)) {
    r->body_too_large_ = true;
    return -1;
  }
  r->continue_pending_ = r->expects_continue_;
  return 0;
}

int RequestParser::on_body(llhttp_t* p, const char* at, size_t len) {
  RequestParser* r = self(p);
  if (r->body_.size() + len > kMaxBodyBytes) {
    r->body_too_large_ = true;
    return -1;
  }
  r->body_.append(at, len);
  return 0;
}

int RequestParser::on_message_complete(llhttp_t* p) {
  RequestParser* r = self(p);
  std::string_view url = r->url_;
  r->request_.path = url.substr(0, std::min(url.find('?'), url.size()));
  r->request_.method = to_method(llhttp_get_method(p));
  r->request_.keep_alive = llhttp_should_keep_alive(p) != 0;
  r->continue_pending_ = false;  // the body is already here; a late "100 Continue" would corrupt the stream
  return HPE_PAUSED;
}

}  // namespace ie::stub
