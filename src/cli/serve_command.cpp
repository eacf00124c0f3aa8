// `serve`: the built-in OpenAI-compatible stub endpoint (stub/server.h). Prints exactly one line to stdout,
// "listening on http://HOST:PORT", once the port is bound, then serves until SIGINT or SIGTERM (exit 0).

#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>

#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "cli/command.h"
#include "common/error.h"
#include "stub/server.h"

namespace ie::cli {
namespace {

// Thousands of client connections need as many descriptors; the soft limit is often 1024.
void raise_open_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

std::string url_host(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;  // IPv6 literals need brackets
}

int serve(const stub::ServerOptions& options) {
  // SIGINT/SIGTERM are taken synchronously by a watcher thread; blocking them here (main may have already)
  // keeps them from interrupting the server threads, which inherit this mask.
  sigset_t termination;
  sigemptyset(&termination);
  sigaddset(&termination, SIGINT);
  sigaddset(&termination, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &termination, nullptr);
  raise_open_file_limit();

  stub::Server server(options);
  std::fputs(fmt::format("listening on http://{}:{}\n", url_host(options.host), server.port()).c_str(),
             stdout);
  std::fflush(stdout);

  std::thread watcher([&server, termination] {
    int signal = 0;
    sigwait(&termination, &signal);
    server.stop();
  });
  try {
    server.run();
  } catch (...) {
    pthread_kill(watcher.native_handle(), SIGTERM);  // wakes the watcher's sigwait so it can be joined
    watcher.join();
    throw;
  }
  // run() returns only after stop(), which only the watcher calls, so the watcher has finished.
  watcher.join();
  return 0;
}

}  // namespace

void add_serve_command(CLI::App& root, Action& action) {
  auto options = std::make_shared<stub::ServerOptions>();
  CLI::App* cmd = root.add_subcommand(
      "serve", "Run the built-in OpenAI-compatible stub endpoint (a fast fake LLM server)");
  cmd->footer(
      "For demos, tests and measuring the client's own ceiling. Serves POST /v1/chat/completions,\n"
      "POST /v1/completions, GET /v1/models and GET /health. Prints 'listening on http://HOST:PORT' when\n"
      "ready; stops on SIGINT/SIGTERM. Token model: one token = one SSE content event of --chars-per-event\n"
      "characters of a repeating a..z text (echo: one word of the prompt); max_completion_tokens /\n"
      "max_tokens cap it (finish_reason \"length\").\n\n"
      "Fault injection (--fault KIND=RATE, e.g. --fault http_503=0.1 --fault stall=0.05 --stall-ms 2000):\n"
      "only valid completion requests get faults; 'part of the reply' = the headers and half the body,\n"
      "or, streaming, the headers and the first SSE event.\n"
      "  http_500|http_429|http_503  that status with {\"error\":{\"message\",\"type\"}}; keep-alive\n"
      "  bad_json      200, JSON cut in half (streaming: one event's data), framing valid; keep-alive\n"
      "  truncated     part of the reply, then FIN: Content-Length or the missing 0-chunk promises more\n"
      "  bad_chunked   chunked body whose (second, streaming) chunk-size line is 'ZZ'; then FIN\n"
      "  bad_sse       an event stream whose last event lacks its blank line and [DONE], 0-chunk intact\n"
      "                (sent even to non-streaming requests); keep-alive\n"
      "  reset_before  RST as soon as the request arrives, no response byte\n"
      "  reset_during  part of the reply, then RST\n"
      "  stall         part of the reply, then nothing until the client closes or --stall-ms pass\n"
      "  oversized     a valid reply with --oversized-bytes characters of text in one message / event\n"
      "A fault that closes the connection drops requests pipelined behind it. In variable mode faulty\n"
      "replies are not paced.");
  cmd->add_option("--host", options->host, "Address to listen on")->capture_default_str();
  cmd->add_option("--port", options->port, "Port to listen on; 0 picks a free port (see the printed line)")
      ->capture_default_str();
  cmd->add_option("--threads", options->threads,
                  "Server threads, each with its own epoll loop and SO_REUSEPORT listener")
      ->capture_default_str();
  auto mode = std::make_shared<std::string>("max-throughput");
  cmd->add_option("--mode", *mode,
                  "max-throughput: one precompiled reply of --output-chars characters, as fast as possible;\n"
                  "variable: TTFT, inter-token gap and token count drawn per request (lognormal);\n"
                  "echo: reply with the prompt (last user message, or \"prompt\")")
      ->check(CLI::IsMember({"max-throughput", "variable", "echo"}))
      ->capture_default_str();
  auto stream = std::make_shared<std::string>("auto");
  cmd->add_option("--stream", *stream,
                  "auto: stream when the request says \"stream\": true; on / off: always / never stream")
      ->check(CLI::IsMember({"auto", "on", "off"}))
      ->capture_default_str();
  cmd->add_option("--output-chars", options->output_chars, "max-throughput: characters in every reply")
      ->capture_default_str();
  cmd->add_option("--chars-per-event", options->chars_per_event,
                  "Characters per token (SSE content event) of the pattern text")
      ->capture_default_str();
  cmd->add_option("--ttft-ms", options->ttft_ms_mean, "variable: mean time to first token, ms")
      ->capture_default_str();
  cmd->add_option("--ttft-spread", options->ttft_spread,
                  "variable: TTFT coefficient of variation (stddev / mean; 0 = always the mean)")
      ->capture_default_str();
  cmd->add_option("--itl-ms", options->itl_ms_mean,
                  "variable: mean gap between tokens, ms (drawn per request)")
      ->capture_default_str();
  cmd->add_option("--itl-spread", options->itl_spread, "variable: inter-token gap coefficient of variation")
      ->capture_default_str();
  cmd->add_option("--output-tokens", options->output_tokens_mean, "variable: mean output tokens per reply")
      ->capture_default_str();
  cmd->add_option("--output-tokens-spread", options->output_tokens_spread,
                  "variable: output token count coefficient of variation")
      ->capture_default_str();
  cmd->add_option("--seed", options->seed, "variable: random seed (server thread i uses seed + i)")
      ->capture_default_str();
  cmd->add_option("--model", options->model, "Model name reported in replies and by /v1/models")
      ->capture_default_str();
  cmd->add_flag("--stats", options->stats,
                "Print req/s, MB/s and the faults injected so far to stderr once per second");
  auto fault_specs = std::make_shared<std::vector<std::string>>();
  cmd->add_option(
         "--fault", *fault_specs,
         "KIND=RATE: give that fraction (0..1) of completion requests a fault; repeatable, the rates\n"
         "add up to at most 1. Kinds (see the footer): http_500, http_429, http_503, bad_json,\n"
         "truncated, bad_chunked, bad_sse, reset_before, reset_during, stall, oversized")
      ->type_name("KIND=RATE")
      ->take_all();
  cmd->add_option("--fault-seed", options->faults.seed,
                  "Seed of the fault choice; server thread i's sequence is fixed by (seed, i, request order)")
      ->capture_default_str();
  cmd->add_option("--fault-after", options->faults.after_requests,
                  "Inject nothing into the first N completion requests of each server thread")
      ->capture_default_str();
  cmd->add_option("--stall-ms", options->faults.stall_ms,
                  "stall: resume the reply after this many ms; 0 = never (until the client closes)")
      ->capture_default_str();
  cmd->add_option("--oversized-bytes", options->faults.oversized_bytes,
                  "oversized: characters of text in the reply, so its body exceeds this many bytes")
      ->capture_default_str();
  cmd->callback([&action, options, mode, stream, fault_specs] {
    for (const std::string& spec : *fault_specs)
      options->faults.rates.push_back(stub::parse_fault_spec(spec));
    options->mode = *mode == "variable" ? stub::Mode::variable
                    : *mode == "echo"   ? stub::Mode::echo
                                        : stub::Mode::max_throughput;
    options->stream = *stream == "on"    ? stub::StreamMode::always
                      : *stream == "off" ? stub::StreamMode::never
                                         : stub::StreamMode::follow_request;
    action = [options] { return serve(*options); };
  });
}

}  // namespace ie::cli
