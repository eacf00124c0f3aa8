#pragma once
// Endpoint URLs as users type them: http://host[:port][/base/path]. https:// is parsed (TLS support comes
// with the engine's TLS transport).

#include <cstdint>
#include <string>
#include <string_view>

namespace ie::net {

struct Url {
  std::string scheme;     // "http" or "https"
  std::string host;       // host name or IP literal, without brackets
  uint16_t port = 0;      // explicit port, or 80 / 443 by scheme
  std::string base_path;  // path without a trailing slash, "" for the root
  bool is_tls() const { return scheme == "https"; }
  std::string host_header() const;  // "host" or "host:port" when the port is not the scheme's default
  std::string to_string() const;    // scheme://host:port/base_path, never with userinfo
};

// Parses an endpoint URL. Throws ie::Error(invalid_input) naming the URL and what is wrong with it
// (missing scheme, unsupported scheme, empty host, bad port, userinfo present, query or fragment present).
Url parse_url(std::string_view text);

// base_path + "/" + route, e.g. ("/proxy", "v1/chat/completions") -> "/proxy/v1/chat/completions".
// A base path that already ends with the route (users often paste the full URL) is kept as it is, and a base
// path ending in "/v1" (the OpenAI SDK convention) does not get a second "v1".
std::string join_route(const Url& url, std::string_view route);

}  // namespace ie::net
