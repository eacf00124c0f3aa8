#include "net/http_response_parser.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <string_view>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "common/ascii.h"

namespace ie::net {
namespace {

// RFC 9110 token characters: what a header name is made of.
constexpr std::array<bool, 256> kTokenChar = [] {
  std::array<bool, 256> table{};
  for (int c = '0'; c <= '9'; ++c) table[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) table[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) table[static_cast<unsigned char>(c)] = true;
  return table;
}();

// The first byte in [data, end) that no line of a head may hold: a control byte other than HTAB (so also the
// CR and LF that end the line), or DEL. Visible characters, SP, HTAB and obs-text (0x80-0xff) are passed
// over 16 at a time: one scan both finds the line's end and checks all of its characters.
const char* find_control(const char* data, const char* end) {
#ifdef __SSE2__
  const __m128i below_space = _mm_set1_epi8(0x1f);
  const __m128i tab = _mm_set1_epi8('\t');
  const __m128i del = _mm_set1_epi8(0x7f);
  for (; end - data >= 16; data += 16) {
    __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data));
    __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(bytes, below_space), bytes);  // unsigned byte <= 0x1f
    control = _mm_andnot_si128(_mm_cmpeq_epi8(bytes, tab), control);
    control = _mm_or_si128(control, _mm_cmpeq_epi8(bytes, del));
    if (int mask = _mm_movemask_epi8(control)) return data + __builtin_ctz(static_cast<unsigned>(mask));
  }
#endif
  for (; data < end; ++data) {
    unsigned char c = static_cast<unsigned char>(*data);
    if ((c < 0x20 && c != '\t') || c == 0x7f) return data;
  }
  return end;
}

bool is_ows(char c) {
  return c == ' ' || c == '\t';
}

std::string_view trim_ows(std::string_view text) {
  while (!text.empty() && is_ows(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_ows(text.back())) text.remove_suffix(1);
  return text;
}

// Calls visit(token) for each comma-separated element of a list-valued header, whitespace trimmed.
template <typename Visit>
void for_each_list_token(std::string_view value, Visit&& visit) {
  while (true) {
    size_t comma = value.find(',');
    visit(trim_ows(value.substr(0, comma)));
    if (comma == std::string_view::npos) return;
    value.remove_prefix(comma + 1);
  }
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = static_cast<char>(c | 0x20);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

void HttpResponseFramer::reset() {
  state_ = State::between;
  error_ = nullptr;
  partial_.clear();
  partial_taken_ = false;
  start_response();
}

void HttpResponseFramer::start_response() {
  head_bytes_ = 0;
  remaining_ = 0;
  status_ = 0;
  http_1_1_ = false;
  event_stream_ = false;
  has_content_length_ = false;
  has_transfer_encoding_ = false;
  chunked_ = false;
  connection_close_ = false;
  connection_keep_alive_ = false;
  keep_alive_ = false;
  content_length_ = 0;
}

bool HttpResponseFramer::fail(const char* reason) {
  state_ = State::failed;
  error_ = reason;
  keep_alive_ = false;
  return false;
}

bool HttpResponseFramer::take_line(const char*& data, const char* end, const char** line, size_t* size) {
  if (partial_taken_) {
    partial_.clear();
    partial_taken_ = false;
  }
  if (data == end) return false;
  // A line split across reads is gathered in partial_ up to its CR; the CR itself may end a read, and then
  // partial_ ends in it.
  if (!partial_.empty() && partial_.back() == '\r') {
    if (*data != '\n') return fail("a CR in a line is not followed by LF");
    ++data;
    partial_.pop_back();
    partial_taken_ = true;
    *line = partial_.data();
    *size = partial_.size();
    return true;
  }
  const char* stop = find_control(data, end);
  const size_t length = static_cast<size_t>(stop - data);
  if (partial_.size() + length > kMaxHeadBytes) return fail("a header or chunk line is longer than 64 KiB");
  if (stop == end || (*stop == '\r' && stop + 1 == end)) {  // the line goes on in the next read
    partial_.append(data, static_cast<size_t>(end - data));
    data = end;
    return false;
  }
  if (*stop != '\r')
    return fail(*stop == '\n' ? "a line ends in LF without CR" : "a control character in a line");
  if (stop[1] != '\n') return fail("a CR in a line is not followed by LF");
  if (partial_.empty()) {
    *line = data;
    *size = length;
  } else {
    partial_.append(data, length);
    partial_taken_ = true;
    *line = partial_.data();
    *size = partial_.size();
  }
  data = stop + 2;
  return true;
}

bool HttpResponseFramer::parse_head(const char*& data, const char* end) {
  const char* line = nullptr;
  size_t size = 0;
  while (take_line(data, end, &line, &size)) {
    head_bytes_ += size + 2;
    if (head_bytes_ > kMaxHeadBytes) return fail("the response head is longer than 64 KiB");
    if (state_ == State::status_line) {
      if (!parse_status_line(line, size)) return false;
      state_ = State::header_line;
    } else if (size == 0) {
      return true;
    } else if (!parse_header_line(line, size)) {
      return false;
    }
  }
  return false;
}

bool HttpResponseFramer::parse_status_line(const char* line, size_t size) {
  // HTTP/1.x SP 3DIGIT [SP reason-phrase]
  if (size < 12 || std::memcmp(line, "HTTP/1.", 7) != 0 || (line[7] != '0' && line[7] != '1') ||
      line[8] != ' ') {
    return fail("the status line does not start with HTTP/1.0 or HTTP/1.1");
  }
  int status = 0;
  for (int i = 9; i < 12; ++i) {
    if (line[i] < '0' || line[i] > '9') return fail("the status code is not three digits");
    status = status * 10 + (line[i] - '0');
  }
  if (status < 100 || (size > 12 && line[12] != ' ')) return fail("the status code is not three digits");
  status_ = status;
  http_1_1_ = line[7] == '1';
  return true;
}

bool HttpResponseFramer::split_field_line(const char* line, size_t size, std::string_view* name,
                                          std::string_view* value) {
  if (is_ows(line[0])) return fail("a folded header line (obs-fold)");
  const char* colon = static_cast<const char*>(std::memchr(line, ':', size));
  if (colon == nullptr || colon == line) return fail("a header line without a name and a colon");
  *name = std::string_view(line, static_cast<size_t>(colon - line));
  for (char c : *name) {
    if (!kTokenChar[static_cast<unsigned char>(c)]) return fail("invalid character in a header name");
  }
  std::string_view raw_value(colon + 1, size - name->size() - 1);
  *value = trim_ows(raw_value);
  return true;
}

bool HttpResponseFramer::parse_header_line(const char* line, size_t size) {
  std::string_view name;
  std::string_view value;
  if (!split_field_line(line, size, &name, &value)) return false;
  // Only the headers that frame the response or say what it holds matter; the name's length picks the
  // candidate before any comparison.
  switch (name.size()) {
    case 10:
      if (equals_ascii_lowercase(name, "connection")) {
        for_each_list_token(value, [this](std::string_view token) {
          if (equals_ascii_lowercase(token, "close")) connection_close_ = true;
          if (equals_ascii_lowercase(token, "keep-alive")) connection_keep_alive_ = true;
        });
      }
      break;
    case 12:
      if (equals_ascii_lowercase(name, "content-type"))
        event_stream_ = contains_ascii_lowercase(value, "text/event-stream");
      break;
    case 14:
      if (equals_ascii_lowercase(name, "content-length")) {
        if (has_content_length_) return fail("more than one Content-Length header");
        if (value.empty()) return fail("an empty Content-Length");
        uint64_t length = 0;
        for (char c : value) {
          if (c < '0' || c > '9') return fail("invalid character in Content-Length");
          if (length > (UINT64_MAX - 9) / 10) return fail("Content-Length overflows");
          length = length * 10 + static_cast<uint64_t>(c - '0');
        }
        has_content_length_ = true;
        content_length_ = length;
      }
      break;
    case 17:
      if (equals_ascii_lowercase(name, "transfer-encoding")) {
        // Chunked framing applies only when chunked is the last coding; another last coding is read to the
        // end of the connection (RFC 9112, section 6.3).
        has_transfer_encoding_ = true;
        // Empty list elements are ignored (RFC 9110, section 5.6.1), also across repeated headers.
        for_each_list_token(value, [this](std::string_view token) {
          if (!token.empty()) chunked_ = equals_ascii_lowercase(token, "chunked");
        });
      }
      break;
    default:
      break;
  }
  return true;
}

bool HttpResponseFramer::choose_body() {
  if (has_content_length_ && has_transfer_encoding_)
    return fail("both Content-Length and Transfer-Encoding (the body's length is ambiguous)");
  bool until_close = false;
  if (status_ == 204 || status_ == 304) {
    state_ = State::ended;
  } else if (has_transfer_encoding_) {
    until_close = !chunked_;
    state_ = chunked_ ? State::chunk_size : State::body_until_close;
  } else if (has_content_length_) {
    remaining_ = content_length_;
    state_ = remaining_ > 0 ? State::body_length : State::ended;
  } else {
    until_close = true;
    state_ = State::body_until_close;
  }
  // "close" wins over "keep-alive" whatever the version (RFC 9112, section 9.3); llhttp lets an HTTP/1.0
  // "keep-alive" win.
  keep_alive_ = !until_close && !connection_close_ && (http_1_1_ || connection_keep_alive_);
  return true;
}

bool HttpResponseFramer::parse_chunk_size(const char* line, size_t size) {
  // 1*HEXDIG [ ";" chunk-ext ], no whitespace. Extensions are skipped after a check of their characters.
  size_t i = 0;
  uint64_t chunk = 0;
  for (; i < size; ++i) {
    int digit = hex_digit(line[i]);
    if (digit < 0) break;
    if (chunk >> 59) return fail("a chunk size overflows");
    chunk = chunk << 4 | static_cast<uint64_t>(digit);
  }
  if (i == 0) return fail("invalid chunk size");
  if (i < size) {
    if (line[i] != ';') return fail("invalid chunk size");
    for (; i < size; ++i) {
      char c = line[i];
      if (!kTokenChar[static_cast<unsigned char>(c)] && c != ';' && c != '=')
        return fail("invalid character in a chunk extension");
    }
  }
  remaining_ = chunk;
  state_ = chunk > 0 ? State::chunk_data : State::trailer_line;
  return true;
}

HttpResponseFramer::Step HttpResponseFramer::next(const char*& data, const char* end) {
  const char* line = nullptr;
  size_t size = 0;
  while (true) {
    switch (state_) {
      case State::between:
        while (data < end && (*data == '\r' || *data == '\n')) ++data;
        if (data == end) return Step::need_more;
        start_response();
        state_ = State::status_line;
        break;
      case State::status_line:
      case State::header_line:
        if (!parse_head(data, end)) return state_ == State::failed ? Step::error : Step::need_more;
        if (status_ < 200) {  // an interim response: the final one follows
          if (status_ == 101) {
            fail("101 Switching Protocols: the server left HTTP/1.1");
            return Step::error;
          }
          state_ = State::between;
          break;
        }
        return choose_body() ? Step::headers : Step::error;
      case State::body_length:
      case State::chunk_data: {
        if (data == end) return Step::need_more;
        size_t piece = static_cast<size_t>(std::min<uint64_t>(remaining_, static_cast<uint64_t>(end - data)));
        body_data = data;
        body_size = piece;
        data += piece;
        remaining_ -= piece;
        if (remaining_ == 0) {
          if (state_ == State::body_length) {
            state_ = State::ended;
          } else if (end - data >= 2 && data[0] == '\r' && data[1] == '\n') {  // the usual case, at once
            data += 2;
            state_ = State::chunk_size;
          } else {
            state_ = State::chunk_data_cr;
          }
        }
        return Step::body;
      }
      case State::body_until_close:
        if (data == end) return Step::need_more;
        body_data = data;
        body_size = static_cast<size_t>(end - data);
        data = end;
        return Step::body;
      case State::chunk_size:
        if (!take_line(data, end, &line, &size))
          return state_ == State::failed ? Step::error : Step::need_more;
        if (!parse_chunk_size(line, size)) return Step::error;
        break;
      case State::chunk_data_cr:
      case State::chunk_data_lf: {
        if (data == end) return Step::need_more;
        bool cr = state_ == State::chunk_data_cr;
        if (*data != (cr ? '\r' : '\n')) {
          fail("a chunk's data is not followed by CR LF");
          return Step::error;
        }
        ++data;
        state_ = cr ? State::chunk_data_lf : State::chunk_size;
        break;
      }
      case State::trailer_line:
        if (!take_line(data, end, &line, &size))
          return state_ == State::failed ? Step::error : Step::need_more;
        if (size == 0) {
          state_ = State::ended;
          break;
        }
        {  // trailer fields are checked like headers and otherwise ignored: they cannot change the framing
          std::string_view name;
          std::string_view value;
          if (!split_field_line(line, size, &name, &value)) return Step::error;
        }
        break;
      case State::ended:
        state_ = keep_alive_ ? State::between : State::closed;
        return Step::complete;
      case State::closed:  // the connection ends with this response: anything after it is not ours to read
        data = end;
        return Step::need_more;
      case State::failed:
        return Step::error;
    }
  }
}

HttpResponseFramer::Step HttpResponseFramer::finish() {
  switch (state_) {
    case State::between:
    case State::closed:
      return Step::need_more;
    case State::body_until_close:
      state_ = State::closed;
      return Step::complete;
    case State::failed:
      return Step::error;
    default:
      fail("the connection closed inside a response");
      return Step::error;
  }
}

}  // namespace ie::net
