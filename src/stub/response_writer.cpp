#include "stub/response_writer.h"

#include <charconv>

namespace ie::stub {

namespace {

// JSON string escaping: quote, backslash and control characters; everything else (UTF-8 included) verbatim.
bool needs_escape(unsigned char c) {
  return c < 0x20 || c == '"' || c == '\\';
}

size_t escaped_size(unsigned char c) {
  if (!needs_escape(c)) return 1;
  switch (c) {
    case '"':
    case '\\':
    case '\b':
    case '\f':
    case '\n':
    case '\r':
    case '\t':
      return 2;
    default:
      return 6;  // \u00XX
  }
}

size_t json_escaped_size(std::string_view s) {
  size_t n = s.size();
  for (char c : s) n += escaped_size(static_cast<unsigned char>(c)) - 1;
  return n;
}

void append_escaped_char(std::string& out, unsigned char c) {
  static constexpr char kHex[] = "0123456789abcdef";
  switch (c) {
    case '"':
      out += "\\\"";
      return;
    case '\\':
      out += "\\\\";
      return;
    case '\b':
      out += "\\b";
      return;
    case '\f':
      out += "\\f";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\r':
      out += "\\r";
      return;
    case '\t':
      out += "\\t";
      return;
    default: {
      const char u[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
      out.append(u, 6);
    }
  }
}

void append_json_escaped(std::string& out, std::string_view s) {
  size_t run_start = 0;  // copy unescaped runs in one append: the common case is no escape at all
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (!needs_escape(c)) continue;
    out.append(s.data() + run_start, i - run_start);
    append_escaped_char(out, c);
    run_start = i + 1;
  }
  out.append(s.data() + run_start, s.size() - run_start);
}

// A piece of an SSE event or body whose size must be known before it is written (chunk and Content-Length
// framing both announce sizes up front): plain bytes, or text that is escaped on the way out.
struct Escaped {
  std::string_view text;
};
size_t piece_size(std::string_view s) {
  return s.size();
}
size_t piece_size(Escaped e) {
  return json_escaped_size(e.text);
}
void append_piece(std::string& out, std::string_view s) {
  out.append(s);
}
void append_piece(std::string& out, Escaped e) {
  append_json_escaped(out, e.text);
}

template <int Base>
void append_number(std::string& out, uint64_t v) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof buf, v, Base);
  out.append(buf, res.ptr);
}

// One HTTP chunk holding one SSE event "data: <pieces>\n\n".
template <class... Pieces>
void append_sse_chunk(std::string& out, const Pieces&... pieces) {
  constexpr std::string_view kData = "data: ";
  constexpr std::string_view kEnd = "\n\n\r\n";
  size_t size = kData.size() + 2 + (piece_size(pieces) + ...);
  append_number<16>(out, size);
  out += "\r\n";
  out += kData;
  (append_piece(out, pieces), ...);
  out += kEnd;
}

std::string_view status_line(int status) {
  switch (status) {
    case 200:
      return "HTTP/1.1 200 OK\r\n";
    case 400:
      return "HTTP/1.1 400 Bad Request\r\n";
    case 404:
      return "HTTP/1.1 404 Not Found\r\n";
    case 405:
      return "HTTP/1.1 405 Method Not Allowed\r\n";
    case 413:
      return "HTTP/1.1 413 Content Too Large\r\n";
    case 429:
      return "HTTP/1.1 429 Too Many Requests\r\n";
    case 503:
      return "HTTP/1.1 503 Service Unavailable\r\n";
    default:
      return "HTTP/1.1 500 Internal Server Error\r\n";
  }
}

void append_json_headers(std::string& out, int status, size_t content_length, bool close) {
  out += status_line(status);
  out += "Content-Type: application/json\r\nContent-Length: ";
  append_number<10>(out, content_length);
  out += close ? "\r\nConnection: close\r\n\r\n" : "\r\n\r\n";
}

// "usage":{...} formatted into caller storage, so its length is known before framing.
std::string_view format_usage(char (&buf)[128], Usage u) {
  char* p = buf;
  auto put = [&p](std::string_view s) {
    for (char c : s) *p++ = c;
  };
  auto num = [&p, &buf](uint64_t v) { p = std::to_chars(p, buf + sizeof buf, v).ptr; };
  put("\"usage\":{\"prompt_tokens\":");
  num(u.prompt_tokens);
  put(",\"completion_tokens\":");
  num(u.completion_tokens);
  put(",\"total_tokens\":");
  num(uint64_t{u.prompt_tokens} + u.completion_tokens);
  put("}");
  return {buf, static_cast<size_t>(p - buf)};
}

std::string_view finish_name(FinishReason f) {
  return f == FinishReason::length ? "length" : "stop";
}

}  // namespace

ResponseWriter::ResponseWriter(std::string_view model, int64_t created_s) {
  std::string escaped_model;
  append_json_escaped(escaped_model, model);
  std::string created = std::to_string(created_s);
  auto head = [&](std::string_view id, std::string_view object) {
    return "{\"id\":\"" + std::string(id) + "\",\"object\":\"" + std::string(object) +
           "\",\"created\":" + created + ",\"model\":\"" + escaped_model + "\",\"choices\":[";
  };
  Fragments& chat = fragments_[static_cast<int>(Api::chat)];
  chat.chunk_head = head("chatcmpl-stub", "chat.completion.chunk");
  chat.token_prefix = "{\"index\":0,\"delta\":{\"content\":\"";
  chat.first_token_prefix = "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"";
  chat.token_suffix = "\"},\"finish_reason\":null}]}";
  chat.completion_prefix = head("chatcmpl-stub", "chat.completion") +
                           "{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"";
  Fragments& text = fragments_[static_cast<int>(Api::completions)];
  text.chunk_head = head("cmpl-stub", "text_completion");
  text.token_prefix = "{\"index\":0,\"text\":\"";
  text.first_token_prefix = text.token_prefix;
  text.token_suffix = "\",\"finish_reason\":null}]}";
  text.completion_prefix = text.chunk_head + text.token_prefix;
  models_body_ = "{\"object\":\"list\",\"data\":[{\"id\":\"" + escaped_model +
                 "\",\"object\":\"model\",\"created\":" + created +
                 ",\"owned_by\":\"inference-endpoint-stub\"}]}";
}

namespace {
constexpr std::string_view kFinishKey = "\"finish_reason\":\"";
constexpr std::string_view kFinishEnd = "\"}],";
std::string_view content_end(Api api) {
  return api == Api::chat ? "\"}," : "\",";
}
}  // namespace

void ResponseWriter::append_completion(std::string& out, Api api, std::string_view text, FinishReason finish,
                                       Usage usage, bool close) const {
  append_completion_head(out, api, json_escaped_size(text), finish, usage, close);
  append_json_escaped(out, text);
  append_completion_tail(out, api, finish, usage);
}

size_t ResponseWriter::completion_tail_size(Api api, FinishReason finish, Usage usage) const {
  char usage_buf[128];
  return content_end(api).size() + kFinishKey.size() + finish_name(finish).size() + kFinishEnd.size() +
         format_usage(usage_buf, usage).size() + 1;
}

void ResponseWriter::append_completion_head(std::string& out, Api api, uint64_t text_bytes,
                                            FinishReason finish, Usage usage, bool close) const {
  const Fragments& f = fragments_[static_cast<int>(api)];
  append_json_headers(
      out, 200, f.completion_prefix.size() + text_bytes + completion_tail_size(api, finish, usage), close);
  out += f.completion_prefix;
}

void ResponseWriter::append_completion_tail(std::string& out, Api api, FinishReason finish,
                                            Usage usage) const {
  char usage_buf[128];
  out += content_end(api);
  out += kFinishKey;
  out += finish_name(finish);
  out += kFinishEnd;
  out += format_usage(usage_buf, usage);
  out += '}';
}

void ResponseWriter::append_stream_head(std::string& out, bool close) const {
  out +=
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
      "Transfer-Encoding: chunked\r\n";
  out += close ? "Connection: close\r\n\r\n" : "\r\n";
}

void ResponseWriter::append_stream_token(std::string& out, Api api, std::string_view text, bool first) const {
  const Fragments& f = fragments_[static_cast<int>(api)];
  append_sse_chunk(out, std::string_view(f.chunk_head),
                   std::string_view(first ? f.first_token_prefix : f.token_prefix), Escaped{text},
                   std::string_view(f.token_suffix));
}

void ResponseWriter::append_stream_token_open(std::string& out, Api api, bool first) const {
  const Fragments& f = fragments_[static_cast<int>(api)];
  std::string_view prefix = first ? f.first_token_prefix : f.token_prefix;
  append_number<16>(out, 6 + f.chunk_head.size() + prefix.size());
  out += "\r\ndata: ";
  out += f.chunk_head;
  out += prefix;
  out += "\r\n";
}

void ResponseWriter::append_stream_token_close(std::string& out, Api api) const {
  const Fragments& f = fragments_[static_cast<int>(api)];
  append_number<16>(out, f.token_suffix.size() + 2);
  out += "\r\n";
  out += f.token_suffix;
  out += "\n\n\r\n";
}

void ResponseWriter::append_stream_tail(std::string& out, Api api, FinishReason finish,
                                        const Usage* usage) const {
  const Fragments& f = fragments_[static_cast<int>(api)];
  std::string_view open = api == Api::chat ? "{\"index\":0,\"delta\":{},\"finish_reason\":\""
                                           : "{\"index\":0,\"text\":\"\",\"finish_reason\":\"";
  append_sse_chunk(out, std::string_view(f.chunk_head), open, finish_name(finish), std::string_view("\"}]}"));
  if (usage != nullptr) {
    char usage_buf[128];
    append_sse_chunk(out, std::string_view(f.chunk_head), std::string_view("],"),
                     format_usage(usage_buf, *usage), std::string_view("}"));
  }
  out += "e\r\ndata: [DONE]\n\n\r\n0\r\n\r\n";
}

void ResponseWriter::append_json_response(std::string& out, int status, std::string_view body,
                                          bool close) const {
  append_json_headers(out, status, body.size(), close);
  out += body;
}

void ResponseWriter::append_error(std::string& out, int status, std::string_view message,
                                  std::string_view type, bool close) const {
  constexpr std::string_view kOpen = "{\"error\":{\"message\":\"";
  constexpr std::string_view kType = "\",\"type\":\"";
  constexpr std::string_view kClose = "\"}}";
  size_t size = kOpen.size() + json_escaped_size(message) + kType.size() + type.size() + kClose.size();
  append_json_headers(out, status, size, close);
  out += kOpen;
  append_json_escaped(out, message);
  out += kType;
  out += type;
  out += kClose;
}

void ResponseWriter::append_models(std::string& out, bool close) const {
  append_json_response(out, 200, models_body_, close);
}

void ResponseWriter::append_health(std::string& out, bool close) const {
  append_json_response(out, 200, "{\"status\":\"ok\"}", close);
}

void ResponseWriter::append_continue(std::string& out) {
  out += "HTTP/1.1 100 Continue\r\n\r\n";
}

}  // namespace ie::stub
