#pragma once

#include <string_view>

namespace ie {

inline constexpr std::string_view kVersion = "0.1.0";

}  // namespace ie
