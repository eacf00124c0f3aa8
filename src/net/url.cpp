#include "net/url.h"

#include <charconv>

#include "common/error.h"

namespace ie::net {
namespace {

[[noreturn]] void fail_url(std::string_view text, std::string_view problem) {
  fail_input("endpoint URL '" + std::string(text) + "': " + std::string(problem));
}

uint16_t default_port(std::string_view scheme) {
  return scheme == "https" ? 443 : 80;
}

bool is_ipv6_literal(std::string_view host) {
  return host.find(':') != std::string_view::npos;
}

// Host names are letters, digits, '-', '.' and '_' (RFC 1123 plus the '_' some service names use); IPv6
// literals are hex digits, ':' and '.' (for embedded IPv4) with an optional "%zone".
bool is_host_char(char c, bool ipv6) {
  bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  if (ipv6) return alnum || c == ':' || c == '.' || c == '%';
  return alnum || c == '-' || c == '.' || c == '_';
}

std::string lower_ascii(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Splits "scheme://rest" and returns the lower-cased scheme; rest receives what follows "://".
std::string take_scheme(std::string_view text, std::string_view* rest) {
  size_t sep = text.find("://");
  if (sep == std::string_view::npos || sep == 0) {
    fail_url(text, "missing scheme: write it as http://host:port or https://host:port");
  }
  std::string scheme = lower_ascii(text.substr(0, sep));
  if (scheme != "http" && scheme != "https") {
    fail_url(text, "unsupported scheme '" + scheme + "': only http:// and https:// are supported");
  }
  *rest = text.substr(sep + 3);
  return scheme;
}

uint16_t parse_port(std::string_view text, std::string_view digits) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || value == 0 ||
      value > 65535) {
    fail_url(text, "bad port '" + std::string(digits) + "': expected a number from 1 to 65535");
  }
  return static_cast<uint16_t>(value);
}

// Fills host and port from "host", "host:port", "[v6]" or "[v6]:port".
void parse_authority(std::string_view text, std::string_view authority, Url* url) {
  std::string_view port_text;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) fail_url(text, "IPv6 address is missing its closing ']'");
    url->host = std::string(authority.substr(1, close - 1));
    if (!url->host.empty() && !is_ipv6_literal(url->host)) {
      fail_url(text, "brackets are only for IPv6 addresses such as [::1]");
    }
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') fail_url(text, "unexpected text after the IPv6 address");
      has_port = true;
      port_text = after.substr(1);
    }
  } else {
    size_t colon = authority.find(':');
    url->host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      has_port = true;
      port_text = authority.substr(colon + 1);
    }
  }
  if (url->host.empty()) fail_url(text, "missing host");
  bool ipv6 = is_ipv6_literal(url->host);
  for (char c : url->host) {
    if (!is_host_char(c, ipv6)) fail_url(text, "host '" + url->host + "' contains an invalid character");
  }
  url->port = has_port ? parse_port(text, port_text) : default_port(url->scheme);
}

}  // namespace

Url parse_url(std::string_view text) {
  Url url;
  std::string_view rest;
  url.scheme = take_scheme(text, &rest);
  if (rest.find_first_of("?#") != std::string_view::npos) {
    fail_url(text, "query strings and fragments are not supported: give only scheme, host, port and path");
  }
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (authority.find('@') != std::string_view::npos) {
    fail_url(text, "credentials in the URL are not supported: do not embed user:password@, pass --api-key");
  }
  parse_authority(text, authority, &url);
  if (slash != std::string_view::npos) {
    std::string_view path = rest.substr(slash);
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    url.base_path = std::string(path);
  }
  return url;
}

std::string Url::host_header() const {
  std::string out = is_ipv6_literal(host) ? "[" + host + "]" : host;
  if (port != default_port(scheme)) out += ":" + std::to_string(port);
  return out;
}

std::string Url::to_string() const {
  std::string bracketed = is_ipv6_literal(host) ? "[" + host + "]" : host;
  return scheme + "://" + bracketed + ":" + std::to_string(port) + base_path;
}

std::string join_route(const Url& url, std::string_view route) {
  while (!route.empty() && route.front() == '/') route.remove_prefix(1);
  std::string suffix = "/" + std::string(route);
  // Users often paste the full URL ("http://h:8000/v1/chat/completions"); match at a segment boundary so
  // "/xv1/chat/completions" is not mistaken for it.
  if (url.base_path.size() >= suffix.size() &&
      std::string_view(url.base_path).substr(url.base_path.size() - suffix.size()) == suffix) {
    return url.base_path;
  }
  // OpenAI SDKs take base URLs ending in "/v1"; the route starts with "v1/" too. Do not say it twice.
  if (route.rfind("v1/", 0) == 0 && url.base_path.size() >= 3 &&
      std::string_view(url.base_path).substr(url.base_path.size() - 3) == "/v1") {
    return url.base_path + suffix.substr(3);
  }
  return url.base_path + suffix;
}

}  // namespace ie::net
