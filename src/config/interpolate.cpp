#include "config/interpolate.h"

#include <fmt/format.h>

#include <cstdlib>

#include "common/error.h"

namespace ie::config {
namespace {

bool is_name_start(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}
bool is_name_char(char c) {
  return is_name_start(c) || (c >= '0' && c <= '9');
}

size_t name_length(std::string_view text) {
  if (text.empty() || !is_name_start(text[0])) return 0;
  size_t length = 1;
  while (length < text.size() && is_name_char(text[length])) ++length;
  return length;
}

std::string lookup_required(const std::string& name, std::string_view what, const EnvLookup& lookup) {
  std::optional<std::string> value = lookup(name);
  if (!value) {
    fail_input(
        fmt::format("{}: environment variable {} is not set (write ${{{}:-default}} to give a default)", what,
                    name, name));
  }
  return *value;
}

// Resolves the "${...}" reference that starts at text[0]; returns its value and how many characters it spans.
std::pair<std::string, size_t> resolve_braced(std::string_view text, std::string_view what,
                                              const EnvLookup& lookup) {
  size_t close = text.find('}');
  if (close == std::string_view::npos) {
    fail_input(fmt::format("{}: '{}' has an unterminated ${{...}} reference", what, text));
  }
  std::string_view body = text.substr(2, close - 2);
  size_t length = name_length(body);
  std::string name(body.substr(0, length));
  std::string_view rest = body.substr(length);
  if (length == 0 || !(rest.empty() || rest.starts_with(":-"))) {
    fail_input(fmt::format("{}: '${{{}}}' is not a valid reference (use ${{NAME}} or ${{NAME:-default}})",
                           what, body));
  }
  if (rest.empty()) return {lookup_required(name, what, lookup), close + 1};
  std::optional<std::string> value = lookup(name);
  if (value && !value->empty()) return {*value, close + 1};
  return {std::string(rest.substr(2)), close + 1};
}

}  // namespace

std::optional<std::string> process_env(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

std::string interpolate_env(std::string_view text, std::string_view what, const EnvLookup& lookup) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    size_t dollar = text.find('$', pos);
    if (dollar == std::string_view::npos) dollar = text.size();
    out.append(text.substr(pos, dollar - pos));
    if (dollar == text.size()) break;
    std::string_view tail = text.substr(dollar);
    if (tail.starts_with("$$")) {
      out.push_back('$');
      pos = dollar + 2;
    } else if (tail.starts_with("${")) {
      auto [value, consumed] = resolve_braced(tail, what, lookup);
      out += value;
      pos = dollar + consumed;
    } else if (size_t length = name_length(tail.substr(1)); length > 0) {
      out += lookup_required(std::string(tail.substr(1, length)), what, lookup);
      pos = dollar + 1 + length;
    } else {
      out.push_back('$');
      pos = dollar + 1;
    }
  }
  return out;
}

}  // namespace ie::config
