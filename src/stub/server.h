#pragma once
// The built-in OpenAI-compatible stub endpoint ("inference-endpoint serve"): the README demo's endpoint, the
// integration tests' oracle, and the yardstick for the client's own ceiling, so it must never be the
// bottleneck.
//
// Routes: POST .../chat/completions and POST .../completions (any path ending so), GET .../models, GET
// .../health; anything else gets a 404 JSON error, a known path with the wrong method 405, a body that is not
// valid JSON 400 {"error":{"message":..,"type":"invalid_request_error"}}.
// Modes (the token model is documented in stub/token_model.h):
//  - max_throughput: precompiled pattern replies, one memcpy per request, no per-request allocation;
//  - variable: TTFT / ITL / token count sampled per request (stub/variable_timing.h), paced by per-thread
//    timers; the first content event of a request is written no earlier than TTFT after its last byte
//    arrived;
//  - echo: the prompt comes back as the output, one event per word token.
// HTTP/1.1 keep-alive with pipelining (answers in request order), "Connection: close", request bodies of any
// framing; one epoll thread per `threads`, each with its own SO_REUSEPORT listener when threads > 1.
// Fault injection (ServerOptions::faults; stub/fault_plan.h, stub/fault_writer.h): a configured fraction of
// valid completion requests get a broken reply instead; models, health and invalid requests never do.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "stub/fault_plan.h"

namespace ie::stub {

enum class Mode : uint8_t { max_throughput, variable, echo };
enum class StreamMode : uint8_t { follow_request, always, never };  // whether replies stream

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;  // 0 = the kernel picks a free port; see Server::port()
  unsigned threads = 1;
  Mode mode = Mode::max_throughput;
  StreamMode stream = StreamMode::follow_request;
  // max_throughput: reply length; every mode: characters per content event of the pattern text.
  uint32_t output_chars = 160;
  uint32_t chars_per_event = 10;
  // variable: lognormal means and coefficients of variation (0 = always the mean).
  double ttft_ms_mean = 50;
  double ttft_spread = 0.2;
  double itl_ms_mean = 10;
  double itl_spread = 0.2;
  uint32_t output_tokens_mean = 100;
  double output_tokens_spread = 0.3;
  uint64_t seed = 42;  // worker i draws from seed + i
  bool stats = false;  // print req/s and MB/s to stderr once per second while running
  std::string model = "stub-model";
  FaultOptions faults;  // none by default
};

// Totals over all worker threads; safe to read while the server runs.
struct ServerCounters {
  uint64_t requests = 0;          // responses completed
  uint64_t bytes_out = 0;         // bytes accepted by send()
  uint64_t connections = 0;       // connections accepted
  FaultCounts faults_injected{};  // per kind; a faulty reply counts in `requests` too once written
};

class Worker;

class Server {
 public:
  // Validates the options (ie::Error invalid_input), then binds and listens (ie::Error setup naming host:port
  // and the OS reason). The port is bound when this returns, so clients may connect before run().
  explicit Server(ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  uint16_t port() const { return port_; }
  const ServerOptions& options() const { return options_; }

  // Serves until stop(): worker 0 runs on the calling thread, the others on threads of their own. Call once.
  void run();
  // Makes run() return soon after; callable from any thread and from a signal handler (one write to an
  // eventfd). Connections still open are closed when their worker exits.
  void stop();
  ServerCounters counters() const;

 private:
  void print_stats_until_stopped() const;

  ServerOptions options_;
  uint16_t port_ = 0;
  int stop_fd_ = -1;
  std::vector<int> listen_fds_;
  std::vector<std::unique_ptr<Worker>> workers_;
};

}  // namespace ie::stub
