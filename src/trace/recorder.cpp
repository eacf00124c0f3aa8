#include "trace/recorder.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string_view>

#include "common/clock.h"
#include "common/error.h"
#include "common/single_writer.h"
#include "common/thread_name.h"
#include "trace/lifecycle.h"

namespace ie::trace {
namespace {

constexpr int64_t kStatusPeriodNs = kNsPerSec;

bool is_worker(uint16_t producer) {
  return producer < kTraceProducer;
}

// Drain order: non-workers by descending id, then workers by ascending id (see recorder.h for why).
bool drains_before(uint16_t a, uint16_t b) {
  if (is_worker(a) != is_worker(b)) return !is_worker(a);
  return is_worker(a) ? a < b : a > b;
}

// What a TraceRing can be built with: its index mask needs a power of two.
bool is_ring_capacity(size_t records) {
  return records >= 2 && std::has_single_bit(records);
}

RecorderOptions validated(RecorderOptions options) {
  if (!is_ring_capacity(options.ring_capacity))
    fail_input(fmt::format("trace ring capacity {} is not a power of two >= 2", options.ring_capacity));
  if (options.sample_one_in == 0)
    fail_input("trace sampling 1 in 0 is not valid (use 1 to trace everything)");
  if (!(options.tsc_ns_per_tick >= 0) || !std::isfinite(options.tsc_ns_per_tick))
    fail_input(fmt::format("TSC calibration {} ns per tick is not valid", options.tsc_ns_per_tick));
  if (options.drain_period.count() <= 0)
    fail_input(fmt::format("trace drain period {} us must be positive", options.drain_period.count()));
  if (options.explain_gaps_from.count() < 0)
    fail_input(
        fmt::format("trace gap threshold {} ns must not be negative", options.explain_gaps_from.count()));
  return options;
}

// Makes a finished rename durable: the directory entry, not just the file data, must reach the disk.
void sync_parent_dir(const std::string& path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;  // best effort: the data itself is already fsynced
  ::fsync(fd);
  ::close(fd);
}

// The calling thread's own accounting (~10-20 us a reading: the kernel formats the /proc files): on-CPU and
// run-queue time from /proc/thread-self/schedstat, major faults from getrusage, and the machine's steal time
// (CPU time a hypervisor took from this VM's CPUs) from /proc/stat. Unknown values stay -1.
class ThreadAccounting {
 public:
  struct Sample {
    int64_t on_cpu_ns = -1;
    int64_t waiting_ns = -1;
    int64_t major_faults = -1;
    int64_t steal_ns = -1;
  };

  // Opens this thread's schedstat: construct it on the thread it describes.
  ThreadAccounting()
      : schedstat_fd_(::open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC)),
        stat_fd_(::open("/proc/stat", O_RDONLY | O_CLOEXEC)),
        ns_per_tick_(::sysconf(_SC_CLK_TCK) > 0 ? kNsPerSec / ::sysconf(_SC_CLK_TCK) : 0) {}
  ~ThreadAccounting() {
    if (schedstat_fd_ >= 0) ::close(schedstat_fd_);
    if (stat_fd_ >= 0) ::close(stat_fd_);
  }
  ThreadAccounting(const ThreadAccounting&) = delete;
  ThreadAccounting& operator=(const ThreadAccounting&) = delete;

  Sample sample() const {
    Sample out;
    char text[256];
    // "<on-CPU ns> <run-queue wait ns> <timeslices>\n"
    std::string_view schedstat = read_proc(schedstat_fd_, text, sizeof text);
    int64_t on_cpu, waiting;
    if (number_at(schedstat, 0, on_cpu) && number_at(schedstat, 1, waiting)) {
      out.on_cpu_ns = on_cpu;
      out.waiting_ns = waiting;
    }
    rusage usage{};
    if (::getrusage(RUSAGE_THREAD, &usage) == 0) out.major_faults = usage.ru_majflt;
    // The first line: "cpu  user nice system idle iowait irq softirq steal ...", in clock ticks.
    std::string_view stat = read_proc(stat_fd_, text, sizeof text);
    int64_t steal_ticks;
    if (stat.starts_with("cpu ") && ns_per_tick_ > 0 && number_at(stat.substr(4), 7, steal_ticks))
      out.steal_ns = steal_ticks * ns_per_tick_;
    return out;
  }

 private:
  static std::string_view read_proc(int fd, char* buffer, size_t size) {
    const ssize_t n = fd >= 0 ? ::pread(fd, buffer, size, 0) : -1;
    return n > 0 ? std::string_view(buffer, static_cast<size_t>(n)) : std::string_view();
  }

  // The index-th of the space-separated numbers `text` starts with.
  static bool number_at(std::string_view text, int index, int64_t& out) {
    const char* at = text.data();
    const char* end = at + text.size();
    for (int field = 0; field <= index; ++field) {
      while (at < end && *at == ' ') ++at;
      auto parsed = std::from_chars(at, end, out);
      if (parsed.ec != std::errc()) return false;
      at = parsed.ptr;
    }
    return true;
  }

  int schedstat_fd_;
  int stat_fd_;
  int64_t ns_per_tick_;
};

int64_t delta_or_unknown(int64_t later, int64_t earlier) {
  return later < 0 || earlier < 0 ? -1 : later - earlier;
}

std::string explain(const DrainGap& gap) {
  std::string accounted;
  auto add = [&](std::string part) { accounted += (accounted.empty() ? "" : ", ") + part; };
  if (gap.on_cpu_ns >= 0) add(fmt::format("on a CPU {} ms", gap.on_cpu_ns / kNsPerMs));
  if (gap.waiting_for_cpu_ns >= 0)
    add(fmt::format("waiting for one {} ms", gap.waiting_for_cpu_ns / kNsPerMs));
  if (gap.major_faults >= 0) add(fmt::format("{} major page faults", gap.major_faults));
  if (gap.steal_ns >= 0)
    add(fmt::format("the host took {} ms of this machine's CPUs", gap.steal_ns / kNsPerMs));
  std::string parts = gap.pass_ns >= 0 ? fmt::format("in its pass {} ms", gap.pass_ns / kNsPerMs) : "";
  if (!accounted.empty()) {
    if (!parts.empty()) parts += "; ";
    if (gap.accounted_ns >= 0)
      parts += fmt::format("in the {} ms to the next pass: ", gap.accounted_ns / kNsPerMs);
    parts += accounted;
  }
  return parts.empty() ? "" : " (draining thread: " + parts + ")";
}

}  // namespace

std::string describe(const RecorderStats& stats) {
  uint64_t dropped = 0;
  std::string who;  // which rings overflowed: the first thing to know about a loss
  for (const ProducerTotals& producer : stats.producers) {
    if (producer.dropped == 0) continue;
    dropped += producer.dropped;
    who += fmt::format("{}{} from {}", who.empty() ? ": " : ", ", producer.dropped,
                       producer_name(producer.producer));
  }
  std::string line = fmt::format("{} records ({} lost{}), {:.1f} MB", stats.records_written, dropped, who,
                                 static_cast<double>(stats.bytes_written) / 1e6);
  const DrainGap& gap = stats.longest_drain_gap;
  if (gap.gap_ns > 0) {  // 0: the recorder thread never ran (only the final pass)
    line += fmt::format("; rings drained at least every {} ms", gap.gap_ns / kNsPerMs);
    if (dropped > 0 || gap.gap_ns >= std::chrono::nanoseconds(kNotableDrainGap).count()) line += explain(gap);
  }
  return line;
}

Recorder::Recorder(RecorderOptions options) : options_(validated(std::move(options))) {
  if (!options_.file_path.empty()) {
    TraceHeader header;
    header.sample_one_in = options_.sample_one_in;
    header.metadata_json = options_.metadata_json;
    header.tsc_ns_per_tick = options_.tsc_ns_per_tick;
    take_clock_anchor(header.anchor_monotonic_ns, header.anchor_realtime_ns);
    writer_ = std::make_unique<TraceWriter>(partial_path(), header);
  }
}

Recorder::~Recorder() {
  if (finished_) return;
  try {
    finish(true);
  } catch (...) {
    // Destructors run on error paths: the first error is the one to report, not this one.
  }
}

Emitter Recorder::add_producer(uint16_t producer, size_t ring_capacity) {
  if (started_ || finished_) throw std::logic_error("Recorder::add_producer after start()");
  if (ring_capacity == 0) ring_capacity = options_.ring_capacity;
  if (!is_ring_capacity(ring_capacity))
    throw std::logic_error(
        fmt::format("Recorder::add_producer: capacity {} is not a power of two", ring_capacity));
  for (const auto& p : producers_)
    if (p->id == producer)
      throw std::logic_error(fmt::format("Recorder::add_producer: {} added twice", producer));
  // Kept in drain order, so a pass (including a final pass without start()) is one loop over the vector.
  auto at = std::find_if(producers_.begin(), producers_.end(),
                         [&](const auto& p) { return drains_before(producer, p->id); });
  at = producers_.insert(at, std::make_unique<Producer>(producer, ring_capacity));
  return Emitter(&(*at)->ring, producer);
}

void Recorder::add_listener(Listener listener) {
  if (started_ || finished_) throw std::logic_error("Recorder::add_listener after start()");
  listeners_.push_back(std::move(listener));
}

void Recorder::start() {
  if (started_ || finished_) throw std::logic_error("Recorder::start called twice");
  started_ = true;
  write_status("running");
  if (writer_ != nullptr)
    for (const auto& p : producers_) writer_->expect_producer(p->id);
  thread_ = std::thread([this] {
    name_this_thread("ie-trace-drain");
    run();
  });
  status_thread_ = std::thread([this] {
    name_this_thread("ie-trace-status");
    refresh_status();
  });
}

void Recorder::run() noexcept {
  const timespec period = to_timespec(std::chrono::nanoseconds(options_.drain_period).count());
  const ThreadAccounting accounting;
  const int64_t explain_from_ns = options_.explain_gaps_from.count();
  int64_t last_start_ns = now_ns();
  // The accounting as last read, and when: a gap is explained from the difference since then.
  ThreadAccounting::Sample base = accounting.sample();
  int64_t base_ns = last_start_ns;
  uint32_t passes_since_base = 0;
  auto rebase = [&](const ThreadAccounting::Sample& sample, int64_t at_ns) {
    base = sample;
    base_ns = at_ns;
    passes_since_base = 0;
  };
  int64_t longest_ns = 0;
  int64_t last_pass_ns = 0;
  // Relaxed: the flag carries no data; finish() synchronises with this thread through join().
  while (!stop_.load(std::memory_order_relaxed)) {
    // How long the rings went undrained: the period plus however late this thread ran, and why.
    const int64_t start_ns = now_ns();
    const int64_t gap_ns = start_ns - last_start_ns;
    if (gap_ns > longest_ns) {
      longest_ns = gap_ns;
      DrainGap gap;
      gap.gap_ns = gap_ns;
      gap.pass_ns = last_pass_ns;
      if (gap_ns >= explain_from_ns) {
        const ThreadAccounting::Sample now = accounting.sample();
        gap.accounted_ns = start_ns - base_ns;
        gap.on_cpu_ns = delta_or_unknown(now.on_cpu_ns, base.on_cpu_ns);
        gap.waiting_for_cpu_ns = delta_or_unknown(now.waiting_ns, base.waiting_ns);
        gap.major_faults = delta_or_unknown(now.major_faults, base.major_faults);
        gap.steal_ns = delta_or_unknown(now.steal_ns, base.steal_ns);
        rebase(now, start_ns);
      }
      std::lock_guard lock(gap_mutex_);
      longest_drain_gap_ = gap;
    }
    if (++passes_since_base >= kAccountingPasses) rebase(accounting.sample(), start_ns);
    last_start_ns = start_ns;
    run_pass();
    last_pass_ns = now_ns() - start_ns;
    // Sleep, never spin: on a 2-core box the recorder must not steal a core from the workers. A pass at
    // 1.5 M records/s and 5 ms is ~7,500 records, well within one sweep and a fraction of a ring.
    ::clock_nanosleep(CLOCK_MONOTONIC, 0, &period, nullptr);
  }
}

// On its own thread: a file system call can block for a long time (an ext4 journal commit flushing another
// file's data was seen to take over 100 ms), and the draining thread must never wait on one.
void Recorder::refresh_status() noexcept {
  std::unique_lock lock(status_mutex_);
  while (!status_cv_.wait_for(lock, std::chrono::nanoseconds(kStatusPeriodNs),
                              [this] { return status_stop_; })) {
    lock.unlock();
    write_status("running");
    lock.lock();
  }
}

void Recorder::run_pass() {
  const uint64_t pass = passes_.load(std::memory_order_relaxed);
  passes_.store(pass + 1, std::memory_order_relaxed);
  // The file encodes records where they lie in the rings; only live listeners need the pass gathered (that
  // copy was a fifth of the recorder's work and doubled the memory it streams through the client's cache).
  const bool gather = !listeners_.empty();
  pass_records_.clear();
  if (writer_ != nullptr) writer_->begin_pass(pass);
  auto deliver = [&](std::span<const Record> records) {
    if (writer_ != nullptr) writer_->add_records(records);
    if (gather) pass_records_.insert(pass_records_.end(), records.begin(), records.end());
  };
  size_t delivered = 0;
  int64_t noticed_ns = 0;
  for (const auto& p : producers_) {
    size_t n = p->ring.drain_runs(deliver);
    single_writer_add(p->written, n);  // stats() reads it from other threads as a gauge
    delivered += n;
    uint64_t dropped = p->ring.dropped();
    if (dropped > p->dropped_reported) [[unlikely]] {
      if (noticed_ns == 0) noticed_ns = now_ns();
      const Record drops{noticed_ns, 0, dropped, static_cast<uint16_t>(Event::trace_drops), p->id, 0};
      deliver({&drops, 1});
      p->dropped_reported = dropped;
      ++delivered;
    }
  }
  if (writer_ != nullptr) {
    if (!writer_->end_pass()) set_file_error(writer_->error());
    bytes_written_.store(writer_->bytes_written(), std::memory_order_relaxed);
  }
  if (!pass_records_.empty())
    for (const Listener& listener : listeners_) listener(pass_records_);
  records_written_.fetch_add(delivered, std::memory_order_relaxed);
}

void Recorder::finish(bool interrupted) {
  if (finished_) return;
  finished_ = true;
  if (status_thread_.joinable()) {
    {
      std::lock_guard lock(status_mutex_);
      status_stop_ = true;
    }
    status_cv_.notify_one();
    status_thread_.join();
  }
  if (thread_.joinable()) {
    // join() makes the thread's consumer-side state ours, so the final pass below may drain the rings here.
    stop_.store(true, std::memory_order_relaxed);
    thread_.join();
  }
  run_pass();
  finish_file(interrupted);
  write_status(interrupted ? "interrupted" : "finished");
  RecorderStats final_stats = stats();
  if (!final_stats.file_error.empty())
    throw Error(ExitCode::execution, fmt::format("trace file not written: {}", final_stats.file_error));
}

void Recorder::finish_file(bool interrupted) {
  if (writer_ == nullptr) return;
  TraceFooter footer;
  take_clock_anchor(footer.end_monotonic_ns, footer.end_realtime_ns);
  footer.interrupted = interrupted;
  footer.passes = passes_.load(std::memory_order_relaxed);
  footer.producers = totals();
  bool ok = writer_->finish(footer);
  bytes_written_.store(writer_->bytes_written(), std::memory_order_relaxed);
  if (!ok) set_file_error(writer_->error());
  writer_.reset();
  if (!stats().file_error.empty()) {
    set_file_error(fmt::format("{} (what was recorded is in {})", stats().file_error, partial_path()));
    return;
  }
  if (::rename(partial_path().c_str(), options_.file_path.c_str()) != 0) {
    set_file_error(
        fmt::format("cannot rename {} to {}: {}", partial_path(), options_.file_path, std::strerror(errno)));
    return;
  }
  sync_parent_dir(options_.file_path);
}

std::vector<ProducerTotals> Recorder::totals() const {
  std::vector<ProducerTotals> out;
  for (const auto& p : producers_) {
    ProducerTotals t;
    t.producer = p->id;
    t.written = p->written.load(std::memory_order_relaxed);
    t.dropped = p->ring.dropped();
    t.emitted = t.written + t.dropped;
    out.push_back(t);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.producer < b.producer; });
  return out;
}

RecorderStats Recorder::stats() const {
  RecorderStats s;
  s.producers = totals();
  s.passes = passes_.load(std::memory_order_relaxed);
  s.records_written = records_written_.load(std::memory_order_relaxed);
  s.bytes_written = bytes_written_.load(std::memory_order_relaxed);
  {
    std::lock_guard lock(gap_mutex_);
    s.longest_drain_gap = longest_drain_gap_;
  }
  std::lock_guard lock(error_mutex_);
  s.file_error = file_error_;
  return s;
}

void Recorder::set_file_error(std::string error) {
  std::lock_guard lock(error_mutex_);
  // The first failure explains the rest; a later call only refines it with where the data went.
  if (file_error_.empty() || error.starts_with(file_error_)) file_error_ = std::move(error);
}

void Recorder::write_status(const char* state) noexcept {
  try {
    RecorderStats s = stats();
    nlohmann::json producers = nlohmann::json::array();
    for (const ProducerTotals& p : s.producers)
      producers.push_back(
          {{"producer", p.producer}, {"emitted", p.emitted}, {"written", p.written}, {"dropped", p.dropped}});
    nlohmann::json status = {
        {"pid", ::getpid()},
        {"state", state},
        {"trace_file",
         options_.file_path.empty() ? nlohmann::json(nullptr) : nlohmann::json(options_.file_path)},
        {"updated_monotonic_ns", now_ns()},
        {"passes", s.passes},
        {"records_written", s.records_written},
        {"bytes_written", s.bytes_written},
        {"longest_drain_gap_ms", static_cast<double>(s.longest_drain_gap.gap_ns) / 1e6},
        {"producers", std::move(producers)},
    };
    live_dir_.write_file_atomic("status.json", status.dump(2) + "\n");
  } catch (...) {
    // status.json is a convenience for live viewers; failing to refresh it must not stop the recording.
  }
}

}  // namespace ie::trace
