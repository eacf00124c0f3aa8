#include "stub/responder.h"

#include <algorithm>
#include <string_view>

#include "common/clock.h"

namespace ie::stub {

namespace {

enum class Route : uint8_t { chat, completions, models, health, unknown };

Route route_of(std::string_view path) {
  // Any prefix is accepted (".../v1/chat/completions", "/openai/v1/completions"): clients differ in base
  // URLs.
  if (path.ends_with("/chat/completions")) return Route::chat;
  if (path.ends_with("/completions")) return Route::completions;
  if (path.ends_with("/models")) return Route::models;
  if (path.ends_with("/health")) return Route::health;
  return Route::unknown;
}

HttpMethod method_of(Route r) {
  return r == Route::chat || r == Route::completions ? HttpMethod::post : HttpMethod::get;
}

}  // namespace

Responder::Responder(const ServerOptions& options, uint64_t seed, unsigned thread_index, int64_t created_s)
    : options_(options),
      writer_(options.model, created_s),
      precompiled_(writer_, options.output_chars, options.chars_per_event),
      pattern_(std::max(options.output_chars, options.chars_per_event)),
      timing_(TimingDistribution{options.ttft_ms_mean, options.ttft_spread, options.itl_ms_mean,
                                 options.itl_spread, static_cast<double>(options.output_tokens_mean),
                                 options.output_tokens_spread},
              seed),
      faults_(options.faults, thread_index) {}

std::string& Responder::immediate_sink(Connection& c, uint32_t& completed) {
  if (c.pending.empty()) [[likely]] {
    ++completed;
    return c.out;
  }
  c.pending.emplace_back();
  return c.pending.back().ready_bytes;  // counted by advance() when released
}

uint32_t Responder::respond(Connection& c, int64_t now_ns) {
  const HttpRequest& req = c.parser.request();
  bool close = !req.keep_alive;
  if (close) c.closing = true;
  Route route = route_of(req.path);
  if (route != Route::unknown && req.method == method_of(route)) [[likely]] {
    if (route == Route::chat) return respond_completion(c, Api::chat, close, now_ns);
    if (route == Route::completions) return respond_completion(c, Api::completions, close, now_ns);
  }
  uint32_t completed = 0;
  std::string& out = immediate_sink(c, completed);
  if (route == Route::unknown) {
    writer_.append_error(out, 404, "no route for " + std::string(req.path), "not_found_error", close);
  } else if (req.method != method_of(route)) {
    writer_.append_error(out, 405, "method not allowed on " + std::string(req.path), "invalid_request_error",
                         close);
  } else if (route == Route::models) {
    writer_.append_models(out, close);
  } else {
    writer_.append_health(out, close);
  }
  return completed;
}

uint32_t Responder::respond_unparsable(Connection& c, RequestParser::Status status) {
  c.closing = true;
  uint32_t completed = 0;
  std::string& out = immediate_sink(c, completed);
  if (status == RequestParser::Status::too_large) {
    writer_.append_error(out, 413, "request body is larger than the stub accepts", "invalid_request_error",
                         true);
  } else {
    writer_.append_error(out, 400, std::string("malformed HTTP request: ") + c.parser.error_reason(),
                         "invalid_request_error", true);
  }
  return completed;
}

void Responder::continue_if_expected(Connection& c) {
  // With replies queued, an interim 100 would land in the middle of them; the client then sends the body
  // after its own wait instead.
  if (c.parser.take_continue_request() && c.pending.empty()) ResponseWriter::append_continue(c.out);
}

uint32_t Responder::respond_completion(Connection& c, Api api, bool close, int64_t now_ns) {
  bool want_prompt = options_.mode != Mode::max_throughput;
  if (const char* err = reader_.read(api, want_prompt, c.parser.body(), fields_)) [[unlikely]] {
    uint32_t completed = 0;
    writer_.append_error(immediate_sink(c, completed), 400, err, "invalid_request_error", close);
    return completed;
  }
  bool stream = options_.stream == StreamMode::always ||
                (options_.stream == StreamMode::follow_request && fields_.stream);
  if (faults_.is_enabled()) [[unlikely]] {
    if (FaultKind kind = faults_.next(); kind != FaultKind::none)
      return respond_fault(c, kind, api, stream, close);
  }
  if (options_.mode == Mode::variable) {
    queue_variable(c, api, stream, close, now_ns);
    return c.pending.size() == 1 ? advance(c, now_ns) : 0;
  }
  uint32_t completed = 0;
  std::string& out = immediate_sink(c, completed);
  if (options_.mode == Mode::max_throughput) {
    write_max_throughput(out, api, stream, close);
  } else {
    write_echo(out, api, stream, close);
  }
  return completed;
}

void Responder::write_max_throughput(std::string& out, Api api, bool stream, bool close) {
  uint32_t tokens = precompiled_.completion_tokens();
  if (fields_.max_tokens < 0 || fields_.max_tokens >= tokens) [[likely]] {
    out += precompiled_.get(api, stream, fields_.include_usage, close);
    return;
  }
  uint32_t cap = static_cast<uint32_t>(fields_.max_tokens);
  uint64_t chars = std::min<uint64_t>(options_.output_chars, uint64_t{cap} * options_.chars_per_event);
  PatternReply reply{api, cap, chars, options_.chars_per_event, FinishReason::length, kFixedPromptTokens};
  if (stream) {
    append_pattern_stream(out, writer_, pattern_, reply, fields_.include_usage, close);
  } else {
    append_pattern_completion(out, writer_, pattern_, reply, close);
  }
}

void Responder::write_echo(std::string& out, Api api, bool stream, bool close) {
  std::string_view text = fields_.prompt;
  uint32_t tokens = count_word_tokens(text);
  FinishReason finish = FinishReason::stop;
  if (fields_.max_tokens >= 0 && fields_.max_tokens < tokens) {
    tokens = static_cast<uint32_t>(fields_.max_tokens);
    finish = FinishReason::length;
  }
  Usage usage{fields_.prompt_tokens, tokens};
  if (!stream) {
    size_t end = 0;
    for (uint32_t i = 0; i < tokens; ++i) end = next_word_token_end(text, end);
    writer_.append_completion(out, api, text.substr(0, end), finish, usage, close);
    return;
  }
  writer_.append_stream_head(out, close);
  size_t begin = 0;
  for (uint32_t i = 0; i < tokens; ++i) {
    size_t end = next_word_token_end(text, begin);
    writer_.append_stream_token(out, api, text.substr(begin, end - begin), i == 0);
    begin = end;
  }
  writer_.append_stream_tail(out, api, finish, fields_.include_usage ? &usage : nullptr);
}

void Responder::write_unpaced(std::string& out, Api api, bool stream, bool close) {
  if (options_.mode == Mode::max_throughput) return write_max_throughput(out, api, stream, close);
  if (options_.mode == Mode::echo) return write_echo(out, api, stream, close);
  ResponseTiming timing = timing_.next();
  PatternReply reply{api,
                     timing.output_tokens,
                     uint64_t{timing.output_tokens} * options_.chars_per_event,
                     options_.chars_per_event,
                     FinishReason::stop,
                     fields_.prompt_tokens};
  if (fields_.max_tokens >= 0 && fields_.max_tokens < reply.tokens) {
    reply.tokens = static_cast<uint32_t>(fields_.max_tokens);
    reply.total_chars = uint64_t{reply.tokens} * options_.chars_per_event;
    reply.finish = FinishReason::length;
  }
  if (stream) {
    append_pattern_stream(out, writer_, pattern_, reply, fields_.include_usage, close);
  } else {
    append_pattern_completion(out, writer_, pattern_, reply, close);
  }
}

uint32_t Responder::respond_fault(Connection& c, FaultKind kind, Api api, bool stream, bool close) {
  std::atomic<uint64_t>& count = injected_[static_cast<size_t>(kind)];
  count.store(count.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  uint32_t completed = 0;
  switch (kind) {
    case FaultKind::http_500:
    case FaultKind::http_429:
    case FaultKind::http_503: {
      FaultStatus s = fault_status(kind);
      writer_.append_error(immediate_sink(c, completed), s.status,
                           "stub fault injection: " + std::string(fault_name(kind)), s.type, close);
      return completed;
    }
    case FaultKind::reset_before:
      c.closing = true;
      c.reset_on_close = true;
      immediate_sink(c, completed);  // no bytes: the entry only keeps the reset behind earlier replies
      return completed;
    case FaultKind::stall:
    case FaultKind::oversized:
      return queue_fault_parts(c, kind, api, stream, close);
    default:
      return write_damaged_reply(c, kind, api, stream, close);
  }
}

uint32_t Responder::queue_fault_parts(Connection& c, FaultKind kind, Api api, bool stream, bool close) {
  PendingResponse& p = c.pending.emplace_back();
  if (kind == FaultKind::oversized) {
    compose_oversized(oversized_, writer_, api, stream, close, options_.faults.oversized_bytes);
    p.ready_bytes = oversized_.head;
    p.fill_chars = oversized_.text_chars;
    p.fill_chunked = oversized_.chunked;
    p.held_bytes = oversized_.tail;
  } else {  // stall
    fault_scratch_.clear();
    write_unpaced(fault_scratch_, api, stream, close);
    size_t offset = stall_offset(fault_scratch_, stream);
    p.ready_bytes.assign(fault_scratch_, 0, offset);
    p.held_bytes.assign(fault_scratch_, offset);
    p.held_due_ns = options_.faults.stall_ms == 0 ? PendingResponse::kHoldForever
                                                  : now_ns() + int64_t{options_.faults.stall_ms} * 1'000'000;
  }
  // Parsing passes now_ns = 0 outside variable mode, so take the time here for the first part.
  return c.pending.size() == 1 ? advance(c, now_ns()) : 0;
}

uint32_t Responder::write_damaged_reply(Connection& c, FaultKind kind, Api api, bool stream, bool close) {
  fault_scratch_.clear();
  write_unpaced(fault_scratch_, api, stream || kind == FaultKind::bad_sse, close);
  uint32_t completed = 0;
  std::string& out = immediate_sink(c, completed);
  if (kind == FaultKind::bad_json) {
    append_bad_json(out, fault_scratch_, stream, close);
  } else if (kind == FaultKind::bad_sse) {
    append_bad_sse(out, fault_scratch_);
  } else if (kind == FaultKind::bad_chunked) {
    append_bad_chunked(out, fault_scratch_, stream, close);
    c.closing = true;
  } else {  // truncated, reset_during
    append_partial_reply(out, fault_scratch_, stream);
    c.closing = true;
    c.reset_on_close = kind == FaultKind::reset_during;
  }
  return completed;
}

FaultCounts Responder::faults_injected() const {
  FaultCounts counts{};
  for (size_t i = 0; i < kFaultKindCount; ++i) counts[i] = injected_[i].load(std::memory_order_relaxed);
  return counts;
}

void Responder::queue_variable(Connection& c, Api api, bool stream, bool close, int64_t now_ns) {
  ResponseTiming timing = timing_.next();
  PendingResponse& p = c.pending.emplace_back();
  p.timed = true;
  p.api = api;
  p.stream = stream;
  p.include_usage = fields_.include_usage;
  p.close = close;
  p.prompt_tokens = fields_.prompt_tokens;
  p.tokens_total = timing.output_tokens;
  if (fields_.max_tokens >= 0 && fields_.max_tokens < p.tokens_total) {
    p.tokens_total = static_cast<uint32_t>(fields_.max_tokens);
    p.finish = FinishReason::length;
  }
  p.first_token_due_ns = now_ns + timing.ttft_ns;
  p.itl_ns = timing.itl_ns;
}

uint32_t Responder::advance(Connection& c, int64_t now_ns) {
  uint32_t completed = 0;
  while (!c.pending.empty()) {
    PendingResponse& p = c.pending.front();
    if (p.timed) {
      if (!write_due(c.out, p, now_ns)) break;
    } else if (p.fill_chars == 0 && p.held_bytes.empty()) [[likely]] {
      c.out += p.ready_bytes;
    } else if (!write_parts(c, p, now_ns)) {
      break;
    }
    c.pending.pop_front();
    ++completed;
  }
  return completed;
}

bool Responder::write_due(std::string& out, PendingResponse& p, int64_t now_ns) {
  PatternReply reply{
      p.api,    p.tokens_total, uint64_t{p.tokens_total} * options_.chars_per_event, options_.chars_per_event,
      p.finish, p.prompt_tokens};
  if (!p.stream) {
    if (now_ns < p.first_token_due_ns + p.itl_ns * p.tokens_total) return false;
    append_pattern_completion(out, writer_, pattern_, reply, p.close);
    return true;
  }
  if (!p.head_sent) {
    // Headers leave at once, as a real server's do; only content waits for TTFT.
    writer_.append_stream_head(out, p.close);
    p.head_sent = true;
  }
  while (p.tokens_sent < p.tokens_total && now_ns >= p.first_token_due_ns + p.itl_ns * p.tokens_sent) {
    append_pattern_token(out, writer_, pattern_, reply, p.tokens_sent);
    ++p.tokens_sent;
  }
  if (p.tokens_sent < p.tokens_total || now_ns < p.first_token_due_ns) return false;
  Usage usage{p.prompt_tokens, p.tokens_total};
  writer_.append_stream_tail(out, p.api, p.finish, p.include_usage ? &usage : nullptr);
  return true;
}

bool Responder::write_parts(Connection& c, PendingResponse& p, int64_t now_ns) {
  // Enough to keep a socket busy between wake-ups, small enough that an 80 MiB reply costs 256 KiB.
  constexpr uint64_t kFillPieceChars = 256 << 10;
  if (!p.head_sent) {
    c.out += p.ready_bytes;
    p.head_sent = true;
  }
  if (p.fill_done < p.fill_chars) {
    if (c.out.size() - c.out_sent < kFillPieceChars) {
      uint64_t chars = std::min(kFillPieceChars, p.fill_chars - p.fill_done);
      append_fill_piece(c.out, pattern_, p.fill_done, chars, p.fill_chunked);
      p.fill_done += chars;
    }
    c.refill_when_drained = p.fill_done < p.fill_chars;
    if (c.refill_when_drained) return false;
  }
  if (now_ns < p.held_due_ns) return false;
  c.out += p.held_bytes;
  return true;
}

bool Responder::is_stalled_forever(const Connection& c) {
  return !c.pending.empty() && c.pending.front().held_due_ns == PendingResponse::kHoldForever &&
         c.pending.front().head_sent;
}

int64_t Responder::next_due_ns(const Connection& c) {
  if (c.pending.empty()) return Connection::kNoTimer;
  const PendingResponse& p = c.pending.front();
  if (!p.timed) {
    // Only a reply in parts stays at the head untimed: it waits for a drained socket or its held part.
    bool waits_for_time = p.fill_done == p.fill_chars && p.held_due_ns != PendingResponse::kHoldForever;
    return waits_for_time ? p.held_due_ns : Connection::kNoTimer;
  }
  if (!p.stream) return p.first_token_due_ns + p.itl_ns * p.tokens_total;
  return p.first_token_due_ns + p.itl_ns * std::min(p.tokens_sent, p.tokens_total);
}

}  // namespace ie::stub
