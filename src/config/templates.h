#pragma once
// Starter configs written by `init`: commented YAML that validate-yaml accepts as is (endpoint, model and
// dataset come from environment variables with working defaults).

#include <optional>
#include <span>
#include <string_view>

namespace ie::config {

// "offline", "online" (Poisson) and "concurrency".
std::span<const std::string_view> template_names();

// The template's YAML text, or nullopt for a name not in template_names().
std::optional<std::string_view> template_text(std::string_view name);

}  // namespace ie::config
