#pragma once
// The one frozen description of a benchmark run. Flags and YAML both become a BenchmarkConfig, checked once
// by validate(); every later layer receives it as const& and never re-reads flags.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ie::config {

enum class TestType { offline, online };
enum class LoadPatternType { max_throughput, poisson, concurrency };
enum class ApiType { openai, openai_completions };
enum class StreamingMode { automatic, on, off };

struct DatasetConfig {
  std::string path;
  std::string name;                 // defaults to the file stem
  std::string prompt_column;        // parser.prompt: source column renamed to "prompt"; empty = auto-detect
  std::string system_column;        // parser.system: source column renamed to "system"; empty = none / auto
  std::optional<uint64_t> samples;  // use only the first N rows
};

struct ModelParams {
  std::string name;                   // sent as "model"
  uint32_t max_output_tokens = 1024;  // max_completion_tokens (chat) / max_tokens (completions)
  StreamingMode streaming_mode = StreamingMode::automatic;
  bool streaming = false;  // resolved from streaming_mode and the test type by resolve()
  std::optional<double> temperature;
  std::optional<double> top_p;
  std::optional<int64_t> top_k;
  std::optional<int64_t> seed;
};

struct RuntimeSettings {
  // Wall-clock length of the performance phase: issuing stops when it elapses, then in-flight requests drain.
  // 0 = not timed (the run ends when n_samples have been issued and answered).
  uint64_t duration_ms = 0;
  uint64_t max_duration_ms =
      0;  // hard cap: in-flight requests are abandoned (counted) at this point; 0 = none
  std::optional<uint64_t>
      n_samples;  // how many requests to issue; default one pass over the dataset if untimed
  uint64_t scheduler_random_seed = 42;
  uint64_t dataloader_random_seed = 42;
  uint64_t drain_timeout_ms = 240'000;  // bound on waiting for in-flight requests after issuing stops
};

struct LoadPattern {
  LoadPatternType type = LoadPatternType::max_throughput;
  double target_qps = 0;            // poisson: required, > 0
  uint32_t target_concurrency = 0;  // concurrency: required, > 0
};

struct ClientSettings {
  int32_t workers = -1;                    // -1 = one per core
  int32_t max_connections = -1;            // -1 = derived from the port/fd budget and the load pattern
  uint32_t max_concurrent_connects = 128;  // connects in flight at once, across all workers
  uint64_t max_idle_time_ms = 4'000;       // idle pooled connections older than this are closed, not reused
  uint64_t request_timeout_ms = 0;         // issue -> complete response; 0 = none (as in the Python tool)
  uint64_t stall_timeout_ms = 0;           // no byte from the server for this long; 0 = none
};

struct WarmupSettings {
  bool enabled = false;
  std::optional<uint64_t> n_requests;  // default: one pass over the dataset
};

struct EndpointConfig {
  std::vector<std::string> endpoints;  // base URLs, http:// (https:// later); the API route is appended
  std::string api_key;                 // secret: never logged, never written (config.yaml shows it redacted)
  ApiType api_type = ApiType::openai;
};

struct OutputSettings {
  std::string report_dir;       // empty = ./reports/<name>_<YYYYmmdd_HHMMSS>
  bool write_requests = false;  // per-request metrics/requests.jsonl (with output text)
  int verbosity = 0;            // -v = 1, -vv = 2
  bool progress = true;         // live progress line (TTY) or periodic lines (non-TTY)
  std::string trace_file;  // record a lifecycle trace here; -vvv defaults it to <report dir>/trace.ietrace
  uint32_t trace_sample_one_in = 1;  // trace 1 request in N (decided per request, every hop agrees)
  uint32_t trace_period_ms = 5;      // how often the recorder drains the trace rings
  std::string dashboard = "auto";  // -vvv screen: auto (tty on a terminal, else plain), tty, plain, json, off
};

struct BenchmarkConfig {
  std::string name;  // default "<type>_benchmark"
  TestType type = TestType::offline;
  ModelParams model_params;
  std::vector<DatasetConfig> datasets;  // exactly one performance dataset
  RuntimeSettings runtime;
  LoadPattern load_pattern;
  ClientSettings client;
  WarmupSettings warmup;
  EndpointConfig endpoint_config;
  OutputSettings output;
  // Where each value came from, for messages only: YAML dotted key ("settings.load_pattern.target_qps",
  // "datasets[0].path", "endpoint_config.endpoints[1]") -> "file.yaml:12" or the flag that set it
  // ("--workers"). Keys absent here hold their defaults.
  std::map<std::string, std::string> origins;
};

}  // namespace ie::config
