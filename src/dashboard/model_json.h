#pragma once
// The dashboard model as one JSON object (`--dashboard json`: one line per interval, for CI logs and tools).
// Times in ns, shares in percent; the same numbers the text frame shows.

#include <nlohmann/json_fwd.hpp>

#include "dashboard/model.h"

namespace ie::dashboard {

nlohmann::json to_json(const Model& model);

}  // namespace ie::dashboard
