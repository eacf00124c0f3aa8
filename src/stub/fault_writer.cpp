#include "stub/fault_writer.h"

#include <charconv>

namespace ie::stub {

namespace {

// The replies parsed here are the stub's own output, so their shape is known: headers end at the first
// blank line, and every chunk is "<hex size>\r\n<data>\r\n".
size_t head_end(std::string_view reply) {
  return reply.find("\r\n\r\n") + 4;
}

struct ChunkSpan {
  size_t data_begin;
  size_t data_end;
  size_t end;  // after the CRLF that follows the data
};

ChunkSpan chunk_at(std::string_view reply, size_t pos) {
  size_t size = 0;
  std::from_chars(reply.data() + pos, reply.data() + reply.size(), size, 16);
  size_t data_begin = reply.find("\r\n", pos) + 2;
  return ChunkSpan{data_begin, data_begin + size, data_begin + size + 2};
}

void append_chunk(std::string& out, std::string_view data) {
  char size[16];
  auto res = std::to_chars(size, size + sizeof size, data.size(), 16);
  out.append(size, res.ptr);
  out += "\r\n";
  out += data;
  out += "\r\n";
}

void append_json_head(std::string& out, std::string_view framing, bool close) {
  out += "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n";
  out += framing;
  out += close ? "\r\nConnection: close\r\n\r\n" : "\r\n\r\n";
}

constexpr std::string_view kDoneAndEnd = "e\r\ndata: [DONE]\n\n\r\n0\r\n\r\n";

}  // namespace

FaultStatus fault_status(FaultKind http_kind) {
  switch (http_kind) {
    case FaultKind::http_429:
      return {429, "rate_limit_exceeded"};
    case FaultKind::http_503:
      return {503, "service_unavailable"};
    default:
      return {500, "server_error"};
  }
}

void append_bad_json(std::string& out, std::string_view reply, bool stream, bool close) {
  size_t body = head_end(reply);
  if (!stream) {
    std::string_view half = reply.substr(body, (reply.size() - body) / 2);
    char length[24];
    auto res = std::to_chars(length, length + sizeof length, half.size());
    append_json_head(out, "Content-Length: " + std::string(length, res.ptr), close);
    out += half;
    return;
  }
  ChunkSpan first = chunk_at(reply, body);
  constexpr size_t kDataPrefix = 6;  // "data: "
  constexpr size_t kEventEnd = 2;    // "\n\n"
  std::string_view json = reply.substr(first.data_begin + kDataPrefix,
                                       first.data_end - first.data_begin - kDataPrefix - kEventEnd);
  out.append(reply.substr(0, body));
  append_chunk(out, "data: " + std::string(json.substr(0, json.size() / 2)) + "\n\n");
  out += kDoneAndEnd;
}

void append_partial_reply(std::string& out, std::string_view reply, bool stream) {
  size_t body = head_end(reply);
  size_t end = stream ? chunk_at(reply, body).end : body + (reply.size() - body) / 2;
  out.append(reply.substr(0, end));
}

void append_bad_chunked(std::string& out, std::string_view reply, bool stream, bool close) {
  constexpr std::string_view kBadSizeLine = "ZZ\r\n";
  size_t body = head_end(reply);
  if (!stream) {
    append_json_head(out, "Transfer-Encoding: chunked", close);
    out += kBadSizeLine;
    out.append(reply.substr(body));
    out += "\r\n0\r\n\r\n";
    return;
  }
  ChunkSpan first = chunk_at(reply, body);
  ChunkSpan second = chunk_at(reply, first.end);
  out.append(reply.substr(0, first.end));
  out += kBadSizeLine;
  out.append(reply.substr(second.data_begin));
}

void append_bad_sse(std::string& out, std::string_view stream_reply) {
  ChunkSpan first = chunk_at(stream_reply, head_end(stream_reply));
  ChunkSpan second = chunk_at(stream_reply, first.end);
  out.append(stream_reply.substr(0, first.end));
  append_chunk(out, stream_reply.substr(second.data_begin, second.data_end - second.data_begin - 2));
  out += "0\r\n\r\n";
}

size_t stall_offset(std::string_view reply, bool stream) {
  size_t body = head_end(reply);
  return stream ? chunk_at(reply, body).end : body;
}

void compose_oversized(OversizedReply& reply, const ResponseWriter& writer, Api api, bool stream, bool close,
                       uint64_t text_chars) {
  // One token's worth of usage: the text is one event when streamed, so one "token" by the stub's model.
  Usage usage{kFixedPromptTokens, 1};
  reply.head.clear();
  reply.tail.clear();
  reply.text_chars = text_chars;
  reply.chunked = stream;
  if (!stream) {
    writer.append_completion_head(reply.head, api, text_chars, FinishReason::length, usage, close);
    writer.append_completion_tail(reply.tail, api, FinishReason::length, usage);
    return;
  }
  writer.append_stream_head(reply.head, close);
  writer.append_stream_token_open(reply.head, api, true);
  writer.append_stream_token_close(reply.tail, api);
  writer.append_stream_tail(reply.tail, api, FinishReason::length, nullptr);
}

void append_fill_piece(std::string& out, PatternText& pattern, uint64_t begin_char, uint64_t chars,
                       bool chunked) {
  std::string_view text = pattern.slice(begin_char, begin_char + chars);
  if (chunked) {
    append_chunk(out, text);
  } else {
    out += text;
  }
}

}  // namespace ie::stub
