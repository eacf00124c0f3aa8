#include "config/redact.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace ie::config {
namespace {

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// Rewrites "a=1&api_key=xyz" to "a=1&api_key=<redacted>".
std::string redact_query(std::string_view query) {
  std::string out;
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t end = std::min(query.find('&', pos), query.size());
    std::string_view pair = query.substr(pos, end - pos);
    size_t equals = pair.find('=');
    std::string_view name = pair.substr(0, equals);
    if (equals != std::string_view::npos && is_secret_name(name)) {
      out.append(name).append("=").append(kRedacted);
    } else {
      out.append(pair);
    }
    if (end == query.size()) break;
    out.push_back('&');
    pos = end + 1;
  }
  return out;
}

}  // namespace

bool is_secret_name(std::string_view name) {
  std::string lower = lowercase(name);
  std::string_view view = lower;
  constexpr std::array kExact = {"key", "token", "password", "passwd", "sig", "signature", "apikey"};
  for (std::string_view exact : kExact) {
    if (view == exact) return true;
  }
  return view.ends_with("_key") || view.ends_with("-key") || view.ends_with("_token") ||
         view.ends_with("-token") || view.starts_with("auth") || view.starts_with("credential") ||
         view.find("secret") != std::string_view::npos || view.find("passw") != std::string_view::npos ||
         view.find("access_token") != std::string_view::npos;
}

std::string redact_url(std::string_view url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  size_t authority_start = scheme_end + 3;
  size_t authority_end = std::min(url.find_first_of("/?#", authority_start), url.size());
  std::string out(url.substr(0, authority_start));
  std::string_view authority = url.substr(authority_start, authority_end - authority_start);
  size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    out.append(kRedacted).append("@").append(authority.substr(at + 1));
  } else {
    out.append(authority);
  }
  std::string_view rest = url.substr(authority_end);
  size_t question = rest.find('?');
  if (question == std::string_view::npos) return out.append(rest);
  size_t fragment = std::min(rest.find('#', question), rest.size());
  out.append(rest.substr(0, question + 1));
  out.append(redact_query(rest.substr(question + 1, fragment - question - 1)));
  out.append(rest.substr(fragment));
  return out;
}

}  // namespace ie::config
