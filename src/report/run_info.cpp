#include "report/run_info.h"

#include "common/version.h"

namespace ie::report {

std::string_view run_state_name(RunState state) {
  switch (state) {
    case RunState::complete:
      return "complete";
    case RunState::interrupted:
      return "interrupted";
    case RunState::failed:
      return "failed";
  }
  return "failed";
}

std::string_view build_git_sha() {
#ifdef IE_GIT_SHA
  return IE_GIT_SHA;
#else
  return "unknown";
#endif
}

std::string_view build_version() {
#ifdef IE_VERSION
  return IE_VERSION;
#else
  return kVersion;
#endif
}

std::string scrub_secrets(std::string_view text, const RunInfo& info) {
  std::string out(text);
  if (info.config == nullptr) return out;
  const std::string& key = info.config->endpoint_config.api_key;
  if (key.empty()) return out;
  constexpr std::string_view kRedacted = "<redacted>";
  for (size_t at = out.find(key); at != std::string::npos; at = out.find(key, at + kRedacted.size())) {
    out.replace(at, key.size(), kRedacted);
  }
  return out;
}

}  // namespace ie::report
