#include "config/templates.h"

#include <array>
#include <string>

namespace ie::config {
namespace {

// Templates are kept as text so their comments survive; each is tested to load and validate with its
// environment defaults. They share the model/dataset head and the client/endpoint tail.

constexpr std::string_view kModelAndDataset = R"(model_params:
  name: "${MODEL:-your-org/your-model}"   # sent as "model"
  max_new_tokens: 1024
  streaming: auto                   # auto | on | off (auto: off for offline, on for online)
  # temperature: 0.0
  # seed: 1

datasets:
  - path: "${DATASET:-datasets/prompts.jsonl}"   # JSONL, one object per line
    type: performance
    # parser: {prompt: text_input}   # source column to use as the prompt
    # samples: 1000                  # use only the first N rows

)";

constexpr std::string_view kClientAndEndpoint = R"(  client:
    num_workers: -1                  # -1 = one per core
    max_connections: -1              # -1 = derived from the port budget and the load pattern
    max_concurrent_warmup_connects: 128
    max_idle_time: 4                 # seconds; idle pooled connections older than this are closed
    request_timeout: 0               # seconds from send to complete response; 0 = no limit
    stall_timeout: 0                 # seconds without a byte from the server; 0 = no limit
  warmup:
    enabled: false                   # an untracked warmup phase before the measured one
    # n_requests: 100                # default: one pass over the dataset
  drain:
    performance_timeout_s: 240       # seconds to wait for in-flight requests after issuing stops

endpoint_config:
  endpoints:
    - "${ENDPOINT:-http://127.0.0.1:8000}"   # base URL; /v1/chat/completions is appended
  api_key: "${OPENAI_API_KEY:-}"           # sent as "Authorization: Bearer ..."; written redacted
  api_type: openai                          # openai (chat) | openai_completions

# report_dir: reports/my_run        # default: reports/<name>_<timestamp>
)";

constexpr std::string_view kOfflineHead =
    R"(# Offline benchmark: send every request as fast as the client can.
# Check it:  inference-endpoint validate-yaml -c offline_template.yaml
# Run it:    inference-endpoint benchmark from-config -c offline_template.yaml
name: offline_benchmark
type: offline

)";

constexpr std::string_view kOfflineSettings = R"(settings:
  runtime:
    min_duration_ms: 0               # 0 = one pass over the dataset; "10m" keeps issuing for ten minutes
    max_duration_ms: 0               # hard cap that abandons in-flight requests; 0 = none
    # n_samples_to_issue: 10000      # cap on the number of requests
    scheduler_random_seed: 42
    dataloader_random_seed: 42
  load_pattern:
    type: max_throughput
)";

constexpr std::string_view kOnlineHead =
    R"(# Online benchmark: requests arrive as a Poisson process at target_qps.
# Check it:  inference-endpoint validate-yaml -c online_template.yaml
# Run it:    inference-endpoint benchmark from-config -c online_template.yaml
name: online_benchmark
type: online

)";

constexpr std::string_view kOnlineSettings = R"(settings:
  runtime:
    min_duration_ms: 60s             # issue for one minute, then drain in-flight requests
    max_duration_ms: 0               # hard cap that abandons in-flight requests; 0 = none
    scheduler_random_seed: 42        # seeds the Poisson arrival times
    dataloader_random_seed: 42
  load_pattern:
    type: poisson
    target_qps: ${TARGET_QPS:-10}    # mean requests per second
)";

constexpr std::string_view kConcurrencyHead =
    R"(# Concurrency benchmark: keep target_concurrency requests in flight at all times.
# Check it:  inference-endpoint validate-yaml -c concurrency_template.yaml
# Run it:    inference-endpoint benchmark from-config -c concurrency_template.yaml
name: concurrency_benchmark
type: online

)";

constexpr std::string_view kConcurrencySettings = R"(settings:
  runtime:
    min_duration_ms: 60s             # issue for one minute, then drain in-flight requests
    max_duration_ms: 0               # hard cap that abandons in-flight requests; 0 = none
    scheduler_random_seed: 42
    dataloader_random_seed: 42
  load_pattern:
    type: concurrency
    target_concurrency: ${CONCURRENCY:-32}   # requests kept in flight
)";

std::string assemble(std::string_view head, std::string_view settings) {
  std::string text(head);
  text += kModelAndDataset;
  text += settings;
  text += kClientAndEndpoint;
  return text;
}

constexpr std::array<std::string_view, 3> kNames = {"offline", "online", "concurrency"};

const std::array<std::string, 3>& texts() {
  static const std::array<std::string, 3> assembled = {assemble(kOfflineHead, kOfflineSettings),
                                                       assemble(kOnlineHead, kOnlineSettings),
                                                       assemble(kConcurrencyHead, kConcurrencySettings)};
  return assembled;
}

}  // namespace

std::span<const std::string_view> template_names() {
  return kNames;
}

std::optional<std::string_view> template_text(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return texts()[i];
  }
  return std::nullopt;
}

}  // namespace ie::config
