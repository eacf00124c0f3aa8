#pragma once
// Keeping secrets out of everything we print or write: config.yaml, messages, logs.

#include <string>
#include <string_view>

namespace ie::config {

inline constexpr std::string_view kRedacted = "<redacted>";

// True for names that usually hold secrets: api_key, password, *_key, *_token, key, token, auth*, signature,
// sig, credential*, and anything containing "secret" or "passw" (case-insensitive).
bool is_secret_name(std::string_view name);

// The URL with any userinfo ("user:pass@") replaced by "<redacted>@" and the value of every query parameter
// whose name is_secret_name replaced by "<redacted>". Text that is not a URL comes back unchanged.
std::string redact_url(std::string_view url);

}  // namespace ie::config
