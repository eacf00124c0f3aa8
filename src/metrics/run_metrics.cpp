#include "metrics/run_metrics.h"

namespace ie::metrics {

std::string_view token_count_source_name(TokenCountSource source) {
  switch (source) {
    case TokenCountSource::unknown:
      return "unknown";
    case TokenCountSource::server_usage:
      return "server_usage";
    case TokenCountSource::content_chunks:
      return "content_chunks";
    case TokenCountSource::mixed:
      return "mixed";
  }
  return "unknown";
}

}  // namespace ie::metrics
