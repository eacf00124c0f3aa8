// Fuzzes config::load_config_text (yaml-cpp underneath, then the schema walk and ${VAR} interpolation), and
// resolve_and_validate on whatever loads.
//
// Invariants checked, beyond "no crash, no sanitizer report":
// - Errors: only ie::Error(invalid_input), from loading and from validation, and a load error names the
//   source ("fuzz.yaml"). A yaml-cpp exception escaping, or any other exception, is a finding.
// - Round trip: a config that loads is written back by to_yaml, and that text loads again without error
//   and writes to the same text (to_yaml is a fixed point after one round).
// - Determinism: loading the same text twice gives the same to_yaml text and the same warnings.

#include <cstdlib>
#include <string>
#include <vector>

#include "common/error.h"
#include "config/validate.h"
#include "config/yaml_loader.h"
#include "config/yaml_writer.h"
#include "fuzz_input.h"

namespace {

constexpr const char* kTarget = "fuzz_yaml_config";
constexpr const char* kSource = "fuzz.yaml";

struct Loaded {
  bool ok = false;
  std::string yaml;  // to_yaml of the result when ok, the error text otherwise
  std::vector<std::string> warnings;
  ie::config::BenchmarkConfig config;
};

Loaded load(std::string_view text) {
  Loaded out;
  try {
    out.config = ie::config::load_config_text(text, kSource, &out.warnings);
    out.ok = true;
    out.yaml = ie::config::to_yaml(out.config);
  } catch (const ie::Error& error) {
    if (error.code() != ie::ExitCode::invalid_input)
      ie::fuzz::violated(kTarget, std::string("a load error that is not invalid_input: ") + error.what());
    out.yaml = error.what();
    if (out.yaml.find(kSource) == std::string::npos)
      ie::fuzz::violated(kTarget, "a load error that does not name the source: " + out.yaml);
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Variables the seed configs and the fuzzer's ${...} can resolve; others are unset and must be reported.
  setenv("IE_FUZZ_HOST", "http://127.0.0.1:8000", 1);
  setenv("IE_FUZZ_EMPTY", "", 1);
  setenv("IE_FUZZ_DOLLAR", "$x${y}", 1);
  unsetenv("IE_FUZZ_UNSET");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The whole input is YAML: options and splits do not apply (the loader takes the text in one piece).
  std::string_view text(reinterpret_cast<const char*>(data), size);
  Loaded first = load(text);
  Loaded again = load(text);
  if (first.ok != again.ok || first.yaml != again.yaml || first.warnings != again.warnings)
    ie::fuzz::violated(kTarget, "loading the same text twice differs");
  if (!first.ok) return 0;

  Loaded reloaded = load(first.yaml);
  if (!reloaded.ok)
    ie::fuzz::violated(kTarget,
                       "to_yaml output does not load: " + reloaded.yaml + "\n--- text:\n" + first.yaml);
  if (reloaded.yaml != first.yaml) {
    ie::fuzz::violated(kTarget, "to_yaml is not a fixed point:\n--- first:\n" + first.yaml + "--- second:\n" +
                                    reloaded.yaml);
  }

  try {
    ie::config::resolve_and_validate(first.config);
  } catch (const ie::Error& error) {
    if (error.code() != ie::ExitCode::invalid_input)
      ie::fuzz::violated(kTarget,
                         std::string("a validation error that is not invalid_input: ") + error.what());
  }
  return 0;
}
