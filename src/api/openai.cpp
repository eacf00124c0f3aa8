#include "api/openai.h"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <limits>

#include "common/error.h"

namespace ie::api {
namespace {

// ---- Encoding (setup time) ----

// Appends `text` as a JSON string literal. Non-ASCII bytes pass through: the dataset loader has already
// checked that they are UTF-8.
void append_json_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (byte < 0x20) {
          out += "\\u00";
          out.push_back(kHex[byte >> 4]);
          out.push_back(kHex[byte & 0xf]);
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

void append_key(std::string& out, std::string_view key) {
  out.push_back(',');
  append_json_string(out, key);
  out.push_back(':');
}

template <typename Number>
void append_number(std::string& out, Number value) {
  char buffer[32];
  // Shortest round-trip form for doubles ("0.7", not "0.69999999999999996").
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out.append(buffer, end);
}

void append_chat_messages(std::string& out, const dataset::Sample& sample) {
  if (!sample.messages_json.empty()) {
    out += sample.messages_json;  // validated and minified by the dataset loader
    return;
  }
  out.push_back('[');
  if (!sample.system.empty()) {
    out += R"({"role":"system","content":)";
    append_json_string(out, sample.system);
    out += "},";
  }
  out += R"({"role":"user","content":)";
  append_json_string(out, sample.prompt);
  out += "}]";
}

void append_sampling(std::string& out, const config::ModelParams& params) {
  if (params.temperature) append_key(out, "temperature"), append_number(out, *params.temperature);
  if (params.top_p) append_key(out, "top_p"), append_number(out, *params.top_p);
  if (params.top_k) append_key(out, "top_k"), append_number(out, *params.top_k);
  if (params.seed) append_key(out, "seed"), append_number(out, *params.seed);
}

// ---- Decoding (hot path) ----

namespace od = simdjson::ondemand;

bool is_json_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// A loop, not find_first_not_of: that calls memchr on the set for every byte it looks at.
std::string_view trim(std::string_view text) {
  const char* begin = text.data();
  const char* end = begin + text.size();
  while (begin < end && is_json_space(*begin)) ++begin;
  while (end > begin && is_json_space(end[-1])) --end;
  return {begin, static_cast<size_t>(end - begin)};
}

// Per byte: kNeedsParser for what a plain JSON string body cannot hold as is (quote, backslash, control
// bytes), kNotAscii for UTF-8 lead and continuation bytes.
constexpr uint8_t kNeedsParser = 1;
constexpr uint8_t kNotAscii = 2;
constexpr auto kStringByteClass = [] {
  std::array<uint8_t, 256> table{};
  for (int byte = 0; byte < 0x20; ++byte) table[byte] = kNeedsParser;
  table['"'] = kNeedsParser;
  table['\\'] = kNeedsParser;
  for (int byte = 0x80; byte < 0x100; ++byte) table[byte] = kNotAscii;
  return table;
}();

int32_t clamp_tokens(int64_t count) {
  return static_cast<int32_t>(std::clamp<int64_t>(count, -1, std::numeric_limits<int32_t>::max()));
}

// What is being decoded: the API (chat or text completions) times the framing (one SSE event or a whole
// body).
enum class Mode { chat_event, chat_body, text_event, text_body };
bool is_event(Mode mode) {
  return mode == Mode::chat_event || mode == Mode::text_event;
}
bool is_text(Mode mode) {
  return mode == Mode::text_event || mode == Mode::text_body;
}

}  // namespace

std::string_view route_for(config::ApiType api_type) {
  return api_type == config::ApiType::openai_completions ? "v1/completions" : "v1/chat/completions";
}

std::string encode_body(const config::BenchmarkConfig& config, const dataset::Sample& sample) {
  const config::ModelParams& params = config.model_params;
  bool chat = config.endpoint_config.api_type == config::ApiType::openai;
  std::string out;
  out.reserve(128 + sample.prompt.size() + sample.system.size() + sample.messages_json.size());
  out += R"({"model":)";
  append_json_string(out, params.name);
  if (chat) {
    append_key(out, "messages");
    append_chat_messages(out, sample);
    append_key(out, "max_completion_tokens");
  } else {
    // The text completions API has no roles: a system prompt has nowhere to go, and a chat array no prompt.
    if (!sample.messages_json.empty()) {
      fail_input(
          "a dataset row holds a chat messages array, which api_type openai_completions cannot send; use "
          "api_type openai or a text prompt column");
    }
    append_key(out, "prompt");
    append_json_string(out, sample.prompt);
    append_key(out, "max_tokens");
  }
  append_number(out, params.max_output_tokens);
  append_key(out, "stream");
  out += params.streaming ? "true" : "false";
  // Usage in the last chunk gives server-side token counts without a tokenizer on the client.
  if (params.streaming) out += R"(,"stream_options":{"include_usage":true})";
  append_sampling(out, params);
  out.push_back('}');
  return out;
}

std::string encode_head(const net::Url& endpoint, config::ApiType api_type, bool streaming,
                        const std::string& api_key) {
  for (char c : api_key) {
    // A CR or LF would end the header early and let the rest of the key inject headers.
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      fail_input(
          "the API key contains a control character (a line break?), which an HTTP header cannot carry");
    }
  }
  std::string out = "POST " + net::join_route(endpoint, route_for(api_type)) + " HTTP/1.1\r\n";
  out += "Host: " + endpoint.host_header() + "\r\n";
  out += "Content-Type: application/json\r\n";
  out += streaming ? "Accept: text/event-stream\r\n" : "Accept: application/json\r\n";
  if (!api_key.empty()) out += "Authorization: Bearer " + api_key + "\r\n";
  return out;
}

std::string encode_tail(std::string_view body) {
  std::string out = "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  out += body;
  return out;
}

// One reusable ondemand parser and one padded copy of the input: after the first large response neither grows
// again, so decoding allocates nothing. Every walk_* function returns false after recording why (fail()).
struct ResponseDecoder::Impl {
  explicit Impl(config::ApiType type) : api_type(type) {
    // A failed pre-allocation is not fatal: iterate() allocates on demand and reports MEMALLOC itself.
    if (parser.allocate(kInitialBytes) != simdjson::SUCCESS)
      last_error = "cannot pre-allocate the JSON parser";
    grow_scratch(kInitialBytes);
  }

  DecodeStatus decode(std::string_view data, Mode mode, Delta& out, ChunkShape* shape);

  void load_scratch(std::string_view json);
  [[gnu::cold]] void grow_scratch(size_t bytes);
  bool walk_root(od::object root, Mode mode, Delta& out);
  bool walk_choices(od::value value, Mode mode, Delta& out);
  bool walk_choice(od::object choice, Mode mode, Delta& out);
  bool walk_message(od::value value, Delta& out);
  bool walk_usage(od::value value, Delta& out);
  // `token`, when given, receives the string's raw JSON (quotes included) for ChunkShape.
  bool read_text(od::value value, const char* what, std::string_view* text,
                 std::string_view* token = nullptr);
  bool read_tokens(od::value value, const char* what, int32_t* tokens);
  [[gnu::cold]] bool fail(const char* reason);
  [[gnu::cold]] bool fail_json(simdjson::error_code error);
  [[gnu::cold]] bool fail_server(od::value error);

  static constexpr size_t kInitialBytes = 64 << 10;

  config::ApiType api_type;
  od::parser parser;
  std::unique_ptr<char[]> scratch;
  size_t scratch_bytes = 0;  // usable bytes, not counting SIMDJSON_PADDING
  DecodeStatus failure = DecodeStatus::malformed;
  std::string last_error;
  // Set by walk_root for the {"object":"error","message":...} shape some servers use for errors.
  bool is_error_object = false;
  std::string_view error_message;
  // The raw string literal (in scratch) that the Delta's text came from; empty when there was none.
  std::string_view text_token;
};

void ResponseDecoder::Impl::grow_scratch(size_t bytes) {
  scratch_bytes = std::max(bytes, scratch_bytes * 2);
  scratch = std::make_unique<char[]>(scratch_bytes + simdjson::SIMDJSON_PADDING);
}

void ResponseDecoder::Impl::load_scratch(std::string_view json) {
  if (json.size() > scratch_bytes) [[unlikely]] {
    grow_scratch(json.size());
  }
  std::memcpy(scratch.get(), json.data(), json.size());
  // simdjson reads up to SIMDJSON_PADDING bytes past the end; zeros there can never look like JSON.
  std::memset(scratch.get() + json.size(), 0, simdjson::SIMDJSON_PADDING);
}

bool ResponseDecoder::Impl::fail(const char* reason) {
  failure = DecodeStatus::malformed;
  last_error = reason;
  return false;
}

bool ResponseDecoder::Impl::fail_json(simdjson::error_code error) {
  failure = DecodeStatus::malformed;
  last_error = std::string("invalid JSON: ") + simdjson::error_message(error);
  return false;
}

// {"error": {"message": "...", ...}} or {"error": "..."}: the server refused the request.
bool ResponseDecoder::Impl::fail_server(od::value error) {
  failure = DecodeStatus::server_error;
  last_error = "server error";
  std::string_view message;
  od::object fields;
  if (error.get_string().get(message) != simdjson::SUCCESS &&
      (error.get_object().get(fields) != simdjson::SUCCESS ||
       fields.find_field_unordered("message").get_string().get(message) != simdjson::SUCCESS)) {
    message = {};
  }
  if (!message.empty()) last_error = message;  // an empty message would leave the report's sample blank
  return false;
}

bool ResponseDecoder::Impl::read_text(od::value value, const char* what, std::string_view* text,
                                      std::string_view* token) {
  // The raw token runs to the next token, so it may end in whitespace after the closing quote.
  const std::string_view raw = value.raw_json_token();
  if (raw.empty() || raw.front() != '"') {
    od::json_type type;
    if (auto error = value.type().get(type)) return fail_json(error);
    return type == od::json_type::null ? true : fail(what);
  }
  const std::string_view literal = raw.substr(0, raw.find_last_of('"') + 1);
  if (token) *token = literal;
  // Stage 1 has already checked the whole document's UTF-8 and unescaped control bytes, so a string without
  // a backslash is its own text: no need to copy it out through the unescaper.
  if (literal.size() >= 2 && std::memchr(literal.data(), '\\', literal.size()) == nullptr) {
    *text = literal.substr(1, literal.size() - 2);
    return true;
  }
  if (auto error = value.get_string().get(*text)) return fail_json(error);
  return true;
}

bool ResponseDecoder::Impl::read_tokens(od::value value, const char* what, int32_t* tokens) {
  int64_t count = 0;
  if (value.get_int64().get(count) == simdjson::SUCCESS) [[likely]] {
    *tokens = clamp_tokens(count);
    return true;
  }
  od::json_type type;
  if (auto error = value.type().get(type)) return fail_json(error);
  return type == od::json_type::null ? true : fail(what);
}

bool ResponseDecoder::Impl::walk_usage(od::value value, Delta& out) {
  od::json_type type;
  if (auto error = value.type().get(type)) return fail_json(error);
  if (type == od::json_type::null) return true;
  od::object usage;
  if (value.get_object().get(usage) != simdjson::SUCCESS) return fail("usage is not an object");
  for (auto result : usage) {
    od::field field;
    if (auto error = std::move(result).get(field)) return fail_json(error);
    if (field.key() == "prompt_tokens") {
      if (!read_tokens(field.value(), "usage.prompt_tokens is not an integer", &out.prompt_tokens))
        return false;
    } else if (field.key() == "completion_tokens") {
      if (!read_tokens(field.value(), "usage.completion_tokens is not an integer", &out.completion_tokens)) {
        return false;
      }
    }
  }
  return true;
}

// delta (streaming) or message (body) of a chat choice.
bool ResponseDecoder::Impl::walk_message(od::value value, Delta& out) {
  od::json_type type;
  if (auto error = value.type().get(type)) return fail_json(error);
  if (type == od::json_type::null) return true;
  od::object message;
  if (value.get_object().get(message) != simdjson::SUCCESS) return fail("delta/message is not an object");
  std::string_view reasoning_content;
  std::string_view reasoning;
  for (auto result : message) {
    od::field field;
    if (auto error = std::move(result).get(field)) return fail_json(error);
    od::raw_json_string key = field.key();
    if (key == "content") {
      if (!read_text(field.value(), "content is not a string", &out.content, &text_token)) return false;
    } else if (key == "reasoning_content") {
      if (!read_text(field.value(), "reasoning_content is not a string", &reasoning_content)) return false;
    } else if (key == "reasoning") {
      if (!read_text(field.value(), "reasoning is not a string", &reasoning)) return false;
    } else if (key == "tool_calls") {
      od::json_type calls_type;
      if (auto error = field.value().type().get(calls_type)) return fail_json(error);
      if (calls_type == od::json_type::null) continue;
      od::array calls;
      bool empty = true;
      if (field.value().get_array().get(calls) != simdjson::SUCCESS || calls.is_empty().get(empty)) {
        return fail("tool_calls is not an array");
      }
      out.has_tool_calls = !empty;
    }
  }
  // Some servers send the same text under both names during the rename from reasoning_content to reasoning:
  // counting it once keeps output bytes honest.
  out.reasoning_bytes = static_cast<uint32_t>(std::max(reasoning_content.size(), reasoning.size()));
  out.content_bytes = static_cast<uint32_t>(out.content.size());
  return true;
}

bool ResponseDecoder::Impl::walk_choice(od::object choice, Mode mode, Delta& out) {
  bool has_payload = false;  // delta / message (chat) or text (completions) seen
  for (auto result : choice) {
    od::field field;
    if (auto error = std::move(result).get(field)) return fail_json(error);
    od::raw_json_string key = field.key();
    if (key == "finish_reason") {
      std::string_view reason;
      if (!read_text(field.value(), "finish_reason is not a string", &reason)) return false;
      if (!reason.empty()) out.finish_reason = metrics::parse_finish_reason(reason);
    } else if (is_text(mode) && key == "text") {
      if (!read_text(field.value(), "text is not a string", &out.content, &text_token)) return false;
      out.content_bytes = static_cast<uint32_t>(out.content.size());
      has_payload = true;
    } else if ((mode == Mode::chat_event && key == "delta") ||
               (mode == Mode::chat_body && key == "message")) {
      if (!walk_message(field.value(), out)) return false;
      has_payload = true;
    }
  }
  if (!is_event(mode) && !has_payload) {
    return fail(is_text(mode) ? "choices[0] has no text" : "choices[0] has no message");
  }
  return true;
}

bool ResponseDecoder::Impl::walk_choices(od::value value, Mode mode, Delta& out) {
  od::array choices;
  if (value.get_array().get(choices) != simdjson::SUCCESS) return fail("choices is not an array");
  // Only choices[0] matters (we never ask for n > 1); the parent's iteration skips the rest.
  for (auto result : choices) {
    od::value first;
    if (auto error = std::move(result).get(first)) return fail_json(error);
    od::object choice;
    if (first.get_object().get(choice) != simdjson::SUCCESS) return fail("choices[0] is not an object");
    return walk_choice(choice, mode, out);
  }
  if (!is_event(mode)) return fail("choices is empty");
  return true;  // the usage-only chunk at the end of a stream has "choices": []
}

bool ResponseDecoder::Impl::walk_root(od::object root, Mode mode, Delta& out) {
  bool has_choices = false;
  bool has_usage = false;
  is_error_object = false;
  error_message = {};
  for (auto result : root) {
    od::field field;
    if (auto error = std::move(result).get(field)) return fail_json(error);
    od::raw_json_string key = field.key();
    if (key == "choices") {
      if (!walk_choices(field.value(), mode, out)) return false;
      has_choices = true;
    } else if (key == "usage") {
      if (!walk_usage(field.value(), out)) return false;
      has_usage = true;
    } else if (key == "error") {
      od::json_type type;
      if (auto error = field.value().type().get(type)) return fail_json(error);
      if (type != od::json_type::null) return fail_server(field.value());
    } else if (key == "object") {
      std::string_view object;
      is_error_object = field.value().get_string().get(object) == simdjson::SUCCESS && object == "error";
    } else if (key == "message") {
      if (field.value().get_string().get(error_message) != simdjson::SUCCESS) error_message = {};
    }
  }
  if (is_error_object) [[unlikely]] {
    failure = DecodeStatus::server_error;
    last_error = error_message.empty() ? "server error" : std::string(error_message);
    return false;
  }
  if (!has_choices && !(is_event(mode) && has_usage)) return fail("no choices");
  return true;
}

namespace {
// A plain text chunk: nothing but its text is set, so every chunk of its shape decodes to the same Delta
// with another text.
bool is_plain_text(const Delta& delta) {
  return !delta.done && delta.reasoning_bytes == 0 && !delta.has_tool_calls &&
         delta.finish_reason == metrics::FinishReason::none && delta.prompt_tokens < 0 &&
         delta.completion_tokens < 0;
}
}  // namespace

DecodeStatus ResponseDecoder::Impl::decode(std::string_view data, Mode mode, Delta& out, ChunkShape* shape) {
  out = Delta{};
  std::string_view json = trim(data);
  if (is_event(mode) && json == "[DONE]") {
    out.done = true;
    return DecodeStatus::ok;
  }
  if (shape && shape->match(json, &out.content)) {
    out.content_bytes = static_cast<uint32_t>(out.content.size());
    return DecodeStatus::ok;
  }
  if (json.empty()) {
    if (!is_event(mode)) return fail("empty body"), failure;
    return DecodeStatus::ok;  // an event with an empty data line carries nothing
  }
  load_scratch(json);
  text_token = {};
  od::document document;
  if (auto error = parser.iterate(scratch.get(), json.size(), scratch_bytes + simdjson::SIMDJSON_PADDING)
                       .get(document)) {
    return fail_json(error), failure;
  }
  od::object root;
  if (auto error = document.get_object().get(root)) {
    return (error == simdjson::INCORRECT_TYPE ? fail("not a JSON object") : fail_json(error)), failure;
  }
  if (!walk_root(root, mode, out)) return failure;
  // The object must be the whole input: "{...} garbage" is a broken stream, not a chunk.
  if (document.current_location().error() == simdjson::SUCCESS)
    return fail("text after the JSON object"), failure;
  if (shape && !text_token.empty() && is_plain_text(out)) {
    size_t begin = static_cast<size_t>(text_token.data() - scratch.get());
    shape->learn(json, begin, begin + text_token.size());
  }
  return DecodeStatus::ok;
}

bool ChunkShape::match(std::string_view json, std::string_view* text) {
  size_t ends = prefix_.size() + suffix_.size();
  if (prefix_.empty() || json.size() < ends ||
      std::memcmp(json.data(), prefix_.data(), prefix_.size()) != 0 ||
      std::memcmp(json.data() + json.size() - suffix_.size(), suffix_.data(), suffix_.size()) != 0) {
    return false;
  }
  std::string_view between = json.substr(prefix_.size(), json.size() - ends);
  // A quote or backslash may end the string early or need unescaping, a control byte is invalid JSON: the
  // parser decides those. Bytes from 0x80 must be valid UTF-8, as the parser would insist. No early exit:
  // texts are short and a branch per byte costs more than the table.
  uint8_t seen = 0;
  for (char c : between) seen |= kStringByteClass[static_cast<unsigned char>(c)];
  if (seen & kNeedsParser) return false;
  if ((seen & kNotAscii) && !simdjson::validate_utf8(between.data(), between.size())) return false;
  *text = between;
  ++matched_;
  return true;
}

void ChunkShape::learn(std::string_view json, size_t text_begin, size_t text_end) {
  // Long chunks are rare and would make every stream hold kilobytes: those are simply parsed.
  constexpr size_t kMaxShapeBytes = 2048;
  if (json.size() - (text_end - text_begin) > kMaxShapeBytes) {
    forget();
    return;
  }
  prefix_.assign(json.data(), text_begin + 1);
  suffix_.assign(json.data() + text_end - 1, json.size() - text_end + 1);
}

ResponseDecoder::ResponseDecoder(config::ApiType api_type) : impl_(std::make_unique<Impl>(api_type)) {}
ResponseDecoder::~ResponseDecoder() = default;
ResponseDecoder::ResponseDecoder(ResponseDecoder&&) noexcept = default;
ResponseDecoder& ResponseDecoder::operator=(ResponseDecoder&&) noexcept = default;

DecodeStatus ResponseDecoder::decode_event(std::string_view data, Delta& out, ChunkShape* shape) {
  Mode mode = impl_->api_type == config::ApiType::openai ? Mode::chat_event : Mode::text_event;
  return impl_->decode(data, mode, out, shape);
}

DecodeStatus ResponseDecoder::decode_body(std::string_view body, Delta& out) {
  Mode mode = impl_->api_type == config::ApiType::openai ? Mode::chat_body : Mode::text_body;
  return impl_->decode(body, mode, out, nullptr);
}

const std::string& ResponseDecoder::last_error() const {
  return impl_->last_error;
}

}  // namespace ie::api
