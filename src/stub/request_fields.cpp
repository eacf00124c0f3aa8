#include "stub/request_fields.h"

#include <charconv>
#include <utility>

#include "stub/token_model.h"

namespace ie::stub {

namespace od = simdjson::ondemand;

namespace {

constexpr const char* kNotJson = "request body is not valid JSON";

// Each reader leaves `out` untouched for JSON null, which clients send for "not set".
bool is_null(od::value& v) {
  od::json_type t;
  return !v.type().get(t) && t == od::json_type::null;
}

bool read_bool(od::value v, bool& out) {
  if (is_null(v)) return true;
  return !v.get_bool().get(out);
}

bool read_count(od::value v, int64_t& out) {
  if (is_null(v)) return true;
  int64_t n;
  if (v.get_int64().get(n) || n < 0) return false;
  out = n;
  return true;
}

bool read_include_usage(od::value v, bool& out) {
  if (is_null(v)) return true;
  od::object options;
  if (v.get_object().get(options)) return false;
  for (auto field_r : options) {
    od::field field;
    std::string_view key;
    if (std::move(field_r).get(field) || field.unescaped_key().get(key)) return false;
    if (key == "include_usage" && !read_bool(field.value(), out)) return false;
  }
  return true;
}

// Joins the "text" of every part of an OpenAI content array into `out`.
bool read_content_parts(od::value v, std::string& out) {
  od::array parts;
  if (v.get_array().get(parts)) return false;
  for (auto part_r : parts) {
    od::object part;
    if (part_r.get_object().get(part)) return false;
    for (auto field_r : part) {
      od::field field;
      std::string_view key;
      if (std::move(field_r).get(field) || field.unescaped_key().get(key)) return false;
      if (key != "text") continue;
      std::string_view text;
      if (field.value().get_string().get(text)) return false;
      out.append(text);
    }
  }
  return true;
}

}  // namespace

const char* RequestFieldReader::read(Api api, bool want_prompt, std::string& body, RequestFields& out) {
  out = RequestFields{};
  prompt_.clear();
  // simdjson reads in 64-byte blocks and may look past the end; reserve() only reallocates when short.
  body.reserve(body.size() + simdjson::SIMDJSON_PADDING);
  od::document doc;
  if (parser_.iterate(body.data(), body.size(), body.capacity()).get(doc)) return kNotJson;
  od::object root;
  if (doc.get_object().get(root)) return "request body must be a JSON object";
  int64_t max_completion_tokens = -1;
  int64_t max_tokens = -1;
  bool prompt_is_ids = false;
  for (auto field_r : root) {
    od::field field;
    std::string_view key;
    if (std::move(field_r).get(field) || field.unescaped_key().get(key)) return kNotJson;
    if (key == "stream") {
      if (!read_bool(field.value(), out.stream)) return "\"stream\" must be a boolean";
    } else if (key == "stream_options") {
      if (!read_include_usage(field.value(), out.include_usage)) {
        return "\"stream_options\" must be an object whose \"include_usage\" is a boolean";
      }
    } else if (key == "max_completion_tokens") {
      if (!read_count(field.value(), max_completion_tokens)) {
        return "\"max_completion_tokens\" must be a non-negative integer";
      }
    } else if (key == "max_tokens") {
      if (!read_count(field.value(), max_tokens)) return "\"max_tokens\" must be a non-negative integer";
    } else if (want_prompt && api == Api::chat && key == "messages") {
      if (const char* err = read_messages(field.value(), out)) return err;
    } else if (want_prompt && api == Api::completions && key == "prompt") {
      if (const char* err = read_prompt(field.value(), out)) return err;
      prompt_is_ids = out.prompt_tokens > 0;
    }
  }
  // After the root object the iterator must sit at the end of input; anything else is trailing content.
  if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) return kNotJson;
  out.max_tokens = max_completion_tokens >= 0 ? max_completion_tokens : max_tokens;
  if (!prompt_is_ids) out.prompt_tokens = count_words(out.prompt);
  return nullptr;
}

const char* RequestFieldReader::read_messages(od::value messages, RequestFields& out) {
  constexpr const char* kBad =
      "\"messages\" must be a list of objects with a string \"role\" and a string or list \"content\"";
  if (is_null(messages)) return nullptr;
  od::array list;
  if (messages.get_array().get(list)) return kBad;
  for (auto message_r : list) {
    od::object message;
    if (message_r.get_object().get(message)) return kBad;
    bool is_user = false;
    bool content_in_candidate = false;
    std::string_view content;  // a string content stays valid in the parser's buffer for the whole document
    candidate_.clear();
    for (auto field_r : message) {
      od::field field;
      std::string_view key;
      if (std::move(field_r).get(field) || field.unescaped_key().get(key)) return kBad;
      od::value v = field.value();
      if (key == "role") {
        std::string_view role;
        if (v.get_string().get(role)) return kBad;
        is_user = role == "user";
      } else if (key == "content" && !is_null(v)) {
        od::json_type t;
        if (v.type().get(t)) return kBad;
        if (t == od::json_type::string) {
          if (v.get_string().get(content)) return kBad;
          content_in_candidate = false;
        } else {
          if (!read_content_parts(v, candidate_)) return kBad;
          content_in_candidate = true;
        }
      }
    }
    if (!is_user) continue;
    if (content_in_candidate) {
      prompt_.swap(candidate_);
      out.prompt = prompt_;
    } else {
      out.prompt = content;
    }
  }
  return nullptr;
}

const char* RequestFieldReader::read_prompt(od::value prompt, RequestFields& out) {
  constexpr const char* kBad = "\"prompt\" must be a string, a list of strings or a list of token ids";
  od::json_type t;
  if (prompt.type().get(t)) return kBad;
  if (t == od::json_type::null) return nullptr;
  if (t == od::json_type::string) return prompt.get_string().get(out.prompt) ? kBad : nullptr;
  od::array items;
  if (prompt.get_array().get(items)) return kBad;
  uint32_t ids = 0;
  bool first = true;
  for (auto item_r : items) {
    od::value item;
    if (std::move(item_r).get(item) || item.type().get(t)) return kBad;
    if (t == od::json_type::string) {
      // A batch of prompts: the stub answers the first one.
      std::string_view text;
      if (item.get_string().get(text)) return kBad;
      if (first) out.prompt = text;
    } else if (t == od::json_type::number) {
      uint64_t id;
      if (item.get_uint64().get(id)) return kBad;
      char digits[24];
      if (!prompt_.empty()) prompt_ += ' ';
      prompt_.append(digits, std::to_chars(digits, digits + sizeof digits, id).ptr);
      ++ids;
    } else {
      return kBad;
    }
    first = false;
  }
  if (ids > 0) {
    out.prompt = prompt_;
    out.prompt_tokens = ids;
  }
  return nullptr;
}

}  // namespace ie::stub
