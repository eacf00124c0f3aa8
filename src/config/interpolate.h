#pragma once
// Environment-variable references inside YAML string values, resolved before a value is converted to its type
// (so `target_qps: ${QPS:-10}` works).

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace ie::config {

// Returns the value of an environment variable, or nullopt when it is unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// Reads the process environment (getenv).
std::optional<std::string> process_env(const std::string& name);

// Replaces ${NAME}, ${NAME:-default} (default also used when NAME is set but empty) and $NAME, where NAME is
// [A-Za-z_][A-Za-z0-9_]*; "$$" is a literal "$", and a "$" not followed by a name or "{" stays as it is. The
// default text is taken literally up to the first "}". Throws ie::Error(invalid_input) "<what>: ..." naming
// the variable when it is unset without a default, or when a "${" reference is malformed or unterminated.
std::string interpolate_env(std::string_view text, std::string_view what,
                            const EnvLookup& lookup = process_env);

}  // namespace ie::config
