#include "engine/engine.h"

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <memory>
#include <set>
#include <thread>
#include <vector>

#include "api/openai.h"
#include "common/clock.h"
#include "common/error.h"
#include "common/thread_name.h"
#include "engine/collector.h"
#include "engine/worker.h"
#include "net/socket.h"
#include "trace/recorder.h"

namespace ie::engine {
namespace {

constexpr size_t kRingCapacity = 1 << 16;
constexpr int64_t kTickNs = 20 * kNsPerMs;
constexpr int64_t kProgressEveryNs = 100 * kNsPerMs;
constexpr int kReachabilityTimeoutMs = 5000;
constexpr uint32_t kDefaultMaxConnections = 1024;

load::Pattern pattern_of(config::LoadPatternType type) {
  switch (type) {
    case config::LoadPatternType::poisson:
      return load::Pattern::poisson;
    case config::LoadPatternType::concurrency:
      return load::Pattern::concurrency;
    case config::LoadPatternType::max_throughput:
      break;
  }
  return load::Pattern::max_throughput;
}

std::vector<Endpoint> prepare_endpoints(const config::BenchmarkConfig& config, const EngineHooks& hooks) {
  std::vector<Endpoint> endpoints;
  for (const std::string& text : config.endpoint_config.endpoints) {
    Endpoint endpoint;
    endpoint.url = net::parse_url(text);
    if (endpoint.url.is_tls()) {
      fail_input("endpoint " + endpoint.url.to_string() +
                 ": https is not supported yet; use an http:// endpoint");
    }
    endpoint.address = net::resolve(endpoint.url);
    std::string reason = net::check_reachable(endpoint.address, kReachabilityTimeoutMs);
    if (!reason.empty()) {
      fail_setup("cannot connect to endpoint " + endpoint.url.to_string() + " (" + endpoint.address.text +
                 "): " + reason);
    }
    endpoint.head = api::encode_head(endpoint.url, config.endpoint_config.api_type,
                                     config.model_params.streaming, config.endpoint_config.api_key);
    if (hooks.log)
      hooks.log("endpoint " + endpoint.url.to_string() + " reachable at " + endpoint.address.text);
    endpoints.push_back(std::move(endpoint));
  }
  return endpoints;
}

uint32_t choose_workers(const config::BenchmarkConfig& config) {
  uint32_t workers = config.client.workers > 0 ? static_cast<uint32_t>(config.client.workers)
                                               : std::max(1u, std::thread::hardware_concurrency());
  if (config.load_pattern.type == config::LoadPatternType::concurrency) {
    workers = std::min(workers, config.load_pattern.target_concurrency);  // every worker keeps >= 1 in flight
  }
  return std::max(1u, workers);
}

uint32_t choose_max_connections(const config::BenchmarkConfig& config, uint32_t destinations,
                                const EngineHooks& hooks) {
  std::string why;
  uint32_t budget = net::connection_budget(destinations, &why);
  uint32_t wanted = config.client.max_connections > 0 ? static_cast<uint32_t>(config.client.max_connections)
                                                      : kDefaultMaxConnections;
  if (config.load_pattern.type == config::LoadPatternType::concurrency) {
    wanted = config.load_pattern.target_concurrency;
  }
  if (wanted > budget) {
    if (config.load_pattern.type == config::LoadPatternType::concurrency) {
      fail_input("--concurrency " + std::to_string(wanted) +
                 " needs that many connections, but this process can "
                 "hold only " +
                 std::to_string(budget) + " (" + why + ")");
    }
    if (hooks.log) {
      hooks.log("max connections lowered from " + std::to_string(wanted) + " to " + std::to_string(budget) +
                ": limited by the " + why);
    }
    wanted = budget;
  }
  return std::max(1u, wanted);
}

uint64_t perf_total_requests(const config::BenchmarkConfig& config, const dataset::Dataset& dataset) {
  if (config.runtime.n_samples) return *config.runtime.n_samples;
  if (config.runtime.duration_ms > 0) return 0;  // timed: unbounded count
  return dataset.size();
}

// Everything that lives for the duration of one run.
struct Run {
  RunPlan plan;
  std::vector<std::unique_ptr<SpscRing<metrics::RequestRecord>>> rings;
  std::vector<std::unique_ptr<Worker>> workers;
  std::vector<std::thread> threads;
  ErrorNotes errors;
  PhaseControl control;
  const load::PhasePlan* phase = nullptr;
  bool phase_is_warmup = false;
  std::atomic<uint32_t> generation{0};
  std::atomic<uint32_t> finished{0};
  std::atomic<bool> shutting_down{false};
};

void worker_thread(Run& run, Worker& worker) {
  name_this_thread("ie-worker-" + std::to_string(worker.id()));
  for (uint32_t seen = 0;;) {
    run.generation.wait(seen, std::memory_order_acquire);
    // Acquire pairs with the engine's release increment: phase and phase_is_warmup are set before it.
    seen = run.generation.load(std::memory_order_acquire);
    if (run.shutting_down.load(std::memory_order_relaxed)) return;
    worker.run_phase(*run.phase, run.phase_is_warmup, run.control);
    run.finished.fetch_add(1, std::memory_order_release);
  }
}

uint32_t sum_gauge(const Run& run, std::atomic<uint32_t> PoolGauges::*gauge) {
  uint32_t total = 0;
  for (const auto& worker : run.workers) total += (worker->gauges().*gauge).load(std::memory_order_relaxed);
  return total;
}

struct PhaseOutcome {
  int signal = 0;          // the first termination signal seen, 0 = none
  bool abandoned = false;  // in-flight requests were given up
  std::string reason;
};

// Runs one phase on every worker and waits for it, reacting to signals and deadlines. The engine thread does
// nothing else, so its 20 ms tick costs the workers nothing.
PhaseOutcome drive_phase(Run& run, const load::PhasePlan& phase, bool warmup, int64_t hard_deadline_ns,
                         int64_t drain_timeout_ns, const Collector& collector, const EngineHooks& hooks) {
  run.control.stop_issuing.store(false);
  run.control.abandon.store(false);
  run.control.done_issuing.store(0);
  run.finished.store(0);
  run.phase = &phase;
  run.phase_is_warmup = warmup;
  run.generation.fetch_add(1, std::memory_order_release);
  run.generation.notify_all();

  PhaseOutcome outcome;
  int64_t drain_deadline_ns = 0;
  int64_t last_progress_ns = 0;
  uint32_t workers = static_cast<uint32_t>(run.workers.size());
  auto tick = [&](bool final) {
    if (!hooks.progress) return;
    ProgressTick t;
    t.warmup = warmup;
    t.succeeded = warmup ? collector.warmup_finished() : collector.succeeded();
    t.failed = warmup ? 0 : collector.failed();
    t.expected_total = phase.total_requests;
    t.elapsed_ns = now_ns() - phase.start_ns;
    t.planned_ns = phase.issue_deadline_ns ? phase.issue_deadline_ns - phase.start_ns : 0;
    t.in_flight = sum_gauge(run, &PoolGauges::busy);
    t.open_connections = sum_gauge(run, &PoolGauges::open);
    t.connecting = sum_gauge(run, &PoolGauges::connecting);
    t.draining = drain_deadline_ns != 0;
    t.interrupted = outcome.signal != 0;
    t.final = final;
    if (!warmup) t.latencies = collector.live_latencies();
    hooks.progress(t);
  };

  while (run.finished.load(std::memory_order_acquire) < workers) {
    int signal = wait_termination_signal(kTickNs);
    int64_t now = now_ns();
    if (signal > 0) {
      if (outcome.signal == 0) {
        outcome.signal = signal;
        outcome.reason = std::string("interrupted by ") + (signal == SIGINT ? "SIGINT" : "SIGTERM");
        run.control.stop_issuing.store(true);
        drain_deadline_ns = now + std::min<int64_t>(drain_timeout_ns, 10 * kNsPerSec);
        if (hooks.log)
          hooks.log("stopping: no new requests; waiting for in-flight ones (Ctrl-C again to abandon them)");
      } else if (!run.control.abandon.load()) {
        run.control.abandon.store(true);
        outcome.abandoned = true;
        outcome.reason += "; in-flight requests abandoned at the second signal";
      }
    }
    if (hard_deadline_ns != 0 && now >= hard_deadline_ns && !run.control.abandon.load()) {
      run.control.abandon.store(true);
      outcome.abandoned = true;
      if (outcome.reason.empty()) outcome.reason = "max duration reached";
    }
    if (drain_deadline_ns == 0 && run.control.done_issuing.load(std::memory_order_relaxed) == workers) {
      drain_deadline_ns = now + drain_timeout_ns;
    }
    if (drain_deadline_ns != 0 && now >= drain_deadline_ns && !run.control.abandon.load()) {
      run.control.abandon.store(true);
      outcome.abandoned = true;
      outcome.reason = outcome.reason.empty()
                           ? "drain timeout: in-flight requests abandoned"
                           : outcome.reason + "; in-flight requests abandoned at the drain bound";
    }
    if (now - last_progress_ns >= kProgressEveryNs) {
      last_progress_ns = now;
      tick(false);
    }
  }
  tick(true);
  return outcome;
}

}  // namespace

namespace {
sigset_t termination_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}
}  // namespace

void block_termination_signals() {
  const sigset_t termination = termination_signals();
  pthread_sigmask(SIG_BLOCK, &termination, nullptr);
}

int wait_termination_signal(int64_t timeout_ns) {
  const sigset_t termination = termination_signals();
  const timespec wait = to_timespec(std::max<int64_t>(0, timeout_ns));
  const int signal = sigtimedwait(&termination, nullptr, &wait);
  return signal > 0 ? signal : 0;
}

EngineResult run_engine(const config::BenchmarkConfig& config, const dataset::Dataset& dataset,
                        const EngineHooks& hooks) {
  Run run;
  run.plan.endpoints = prepare_endpoints(config, hooks);
  run.plan.api_type = config.endpoint_config.api_type;
  run.plan.tails.reserve(dataset.size());
  for (size_t i = 0; i < dataset.size(); ++i) {
    run.plan.tails.push_back(api::encode_tail(api::encode_body(config, dataset.at(i))));
  }

  std::set<std::string> destinations;
  for (const auto& endpoint : run.plan.endpoints) destinations.insert(endpoint.address.text);
  uint32_t workers = choose_workers(config);
  uint32_t max_connections =
      choose_max_connections(config, static_cast<uint32_t>(destinations.size()), hooks);
  workers = std::min(workers, max_connections);
  run.plan.worker_count = workers;
  run.plan.connections_per_worker = (max_connections + workers - 1) / workers;
  run.plan.connects_in_flight_per_worker = std::max(1u, config.client.max_concurrent_connects / workers);
  run.plan.max_idle_ns = static_cast<int64_t>(config.client.max_idle_time_ms) * kNsPerMs;
  run.plan.request_timeout_ns = static_cast<int64_t>(config.client.request_timeout_ms) * kNsPerMs;
  run.plan.stall_timeout_ns = static_cast<int64_t>(config.client.stall_timeout_ms) * kNsPerMs;

  uint64_t perf_total = perf_total_requests(config, dataset);
  uint32_t rows = static_cast<uint32_t>(dataset.size());
  dataset::SampleOrder perf_order(rows, config.runtime.dataloader_random_seed, perf_total);
  uint64_t warmup_total = config.warmup.n_requests.value_or(dataset.size());
  dataset::SampleOrder warmup_order(rows, config.runtime.dataloader_random_seed + 1, warmup_total);

  std::vector<SpscRing<metrics::RequestRecord>*> ring_views;
  for (uint32_t i = 0; i < workers; ++i) {
    run.rings.push_back(std::make_unique<SpscRing<metrics::RequestRecord>>(kRingCapacity));
    ring_views.push_back(run.rings.back().get());
    run.workers.push_back(
        std::make_unique<Worker>(run.plan, static_cast<uint16_t>(i), *run.rings.back(), run.errors));
  }
  metrics::RunAggregate aggregate(config.model_params.streaming);
  Collector collector(ring_views, aggregate, hooks.on_record);
  trace::Emitter engine_trace;
  if (hooks.trace_recorder != nullptr) {
    trace::Recorder& recorder = *hooks.trace_recorder;
    for (uint32_t i = 0; i < workers; ++i)
      run.workers[i]->enable_trace(recorder.add_producer(static_cast<uint16_t>(i)), hooks.trace_sample_one_in,
                                   recorder.tsc_ns_per_tick());
    // The collector runs SCHED_IDLE: on a saturated core it folds a backlog in one burst while the recorder
    // waits its turn, two records per request. Room for a full request ring of backlog per worker, twice.
    const size_t collector_ring = std::bit_ceil(size_t{4} * kRingCapacity * workers);
    collector.enable_trace(recorder.add_producer(trace::kCollectorProducer, collector_ring),
                           hooks.trace_sample_one_in);
    engine_trace = recorder.add_producer(trace::kEngineProducer, 1 << 10);  // a few records a run
    recorder.start();
  }
  collector.start();
  for (auto& worker : run.workers) run.threads.emplace_back(worker_thread, std::ref(run), std::ref(*worker));

  EngineResult result;
  result.workers = workers;
  result.max_connections = max_connections;
  int64_t drain_timeout_ns = static_cast<int64_t>(config.runtime.drain_timeout_ms) * kNsPerMs;
  load::Pattern pattern = pattern_of(config.load_pattern.type);
  PhaseOutcome outcome;

  if (config.warmup.enabled && warmup_total > 0) {
    load::PhasePlan warmup;
    warmup.pattern = pattern;
    warmup.total_requests = warmup_total;
    warmup.target_qps = config.load_pattern.target_qps;
    warmup.concurrency = config.load_pattern.target_concurrency;
    warmup.seed = config.runtime.scheduler_random_seed + 1;
    warmup.start_ns = now_ns();
    run.plan.order = &warmup_order;
    outcome = drive_phase(run, warmup, true, 0, drain_timeout_ns, collector, hooks);
  }

  if (outcome.signal == 0) {
    load::PhasePlan perf;
    perf.pattern = pattern;
    perf.total_requests = perf_total;
    perf.target_qps = config.load_pattern.target_qps;
    perf.concurrency = config.load_pattern.target_concurrency;
    perf.seed = config.runtime.scheduler_random_seed;
    perf.start_ns = now_ns();
    if (config.runtime.duration_ms > 0) {
      perf.issue_deadline_ns = perf.start_ns + static_cast<int64_t>(config.runtime.duration_ms) * kNsPerMs;
    }
    int64_t hard_deadline_ns =
        config.runtime.max_duration_ms > 0
            ? perf.start_ns + static_cast<int64_t>(config.runtime.max_duration_ms) * kNsPerMs
            : 0;
    run.plan.order = &perf_order;
    result.perf_start_ns = perf.start_ns;
    collector.set_perf_start(perf.start_ns);
    engine_trace.emit(trace::Event::perf_start, 0, perf.start_ns);
    outcome = drive_phase(run, perf, false, hard_deadline_ns, drain_timeout_ns, collector, hooks);
  }
  result.end_ns = now_ns();

  run.shutting_down.store(true);
  run.generation.fetch_add(1, std::memory_order_release);
  run.generation.notify_all();
  for (auto& thread : run.threads) thread.join();
  collector.stop();
  // After the last COMPLETE: consumers freeze on it. Its time is when every result had been folded.
  engine_trace.emit(trace::Event::perf_end, 0, now_ns());

  for (auto& worker : run.workers) {
    aggregate.merge_itl(worker->inter_token_ns());
    worker->close_all();
  }
  for (auto& note : run.errors.take()) aggregate.note_error(note.outcome, note.http_status, note.message);
  aggregate.set_perf_start(result.perf_start_ns);
  result.metrics = aggregate.finish(result.end_ns);
  result.interrupt_signal = outcome.signal;
  result.stop_reason = outcome.reason;
  return result;
}

}  // namespace ie::engine
