#include "trace/lifecycle.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include <fmt/format.h>

namespace ie::trace {

namespace {

constexpr uint32_t kLifecycleEvents =
    kStreamingExpected | event_bit(Event::recv_first);  // every per-request event
constexpr uint32_t kStreamMarks =
    event_bit(Event::recv_first) | event_bit(Event::response_done) | event_bit(Event::sse_parse);

bool is_lifecycle_event(uint16_t event) {
  return event <= kMaxEventId && (kLifecycleEvents & (uint32_t{1} << event)) != 0;
}

// Payloads are unsigned on the wire; a duration beyond int64 is a corrupt record, keep it finite.
int64_t payload_ns(uint64_t payload) {
  return static_cast<int64_t>(std::min<uint64_t>(payload, std::numeric_limits<int64_t>::max()));
}

}  // namespace

// --- DurationStats ---

DurationStats::DurationStats()
    : positive_(metrics::kTimeHistogramHighestNs, metrics::kDefaultSignificantDigits) {}

void DurationStats::record(int64_t value_ns) {
  const int64_t v = std::max<int64_t>(value_ns, 0);
  if (count_ == 0 || v < min_ns_) min_ns_ = v;
  max_ns_ = std::max(max_ns_, v);
  ++count_;
  sum_ns_ += v;
  if (v == 0) {
    ++zero_count_;
  } else {
    positive_.record(v);
  }
}

void DurationStats::reset() {
  positive_.reset();
  count_ = 0;
  zero_count_ = 0;
  min_ns_ = 0;
  max_ns_ = 0;
  sum_ns_ = 0;
}

void DurationStats::merge(const DurationStats& other) {
  if (other.count_ == 0) return;
  min_ns_ = count_ == 0 ? other.min_ns_ : std::min(min_ns_, other.min_ns_);
  max_ns_ = std::max(max_ns_, other.max_ns_);
  count_ += other.count_;
  zero_count_ += other.zero_count_;
  sum_ns_ += other.sum_ns_;
  positive_.merge(other.positive_);
}

double DurationStats::mean_ns() const {
  return count_ == 0 ? 0.0 : static_cast<double>(sum_ns_) / static_cast<double>(count_);
}

int64_t DurationStats::percentile_ns(double percentile) const {
  if (count_ == 0) return 0;
  if (!(percentile > 0)) return min_ns();
  if (percentile >= 100) return max_ns_;
  // Same rank rule as HdrHistogram::value_at_percentile (p * n first, then / 100), over zeros + positives.
  const double exact_rank = percentile * static_cast<double>(count_) / 100.0;
  const auto rank = std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(exact_rank)));
  if (rank <= zero_count_) return 0;
  const uint64_t positive_rank = rank - zero_count_;
  uint64_t seen = 0;
  int64_t found = positive_.max();
  bool done = false;
  positive_.for_each_bucket([&](int64_t /*lowest*/, int64_t highest, uint64_t count) {
    if (done) return;
    seen += count;
    if (seen >= positive_rank) {
      found = highest;
      done = true;
    }
  });
  return std::clamp(found, positive_.min(), positive_.max());
}

// --- health ---

void LoopStats::reset() {
  lag_ns.reset();
  dispatch_ns.reset();
  busy_ns = 0;
  iterations = 0;
  events = 0;
}

int64_t TraceHealth::perf_window_ns() const {
  const int64_t start = perf_start_ns.value_or(first_ts_ns);
  const int64_t end = perf_end_ns.value_or(last_ts_ns);
  return std::max<int64_t>(0, end - start);
}

std::string producer_name(uint16_t producer) {
  switch (producer) {
    case kEngineProducer:
      return "engine";
    case kCollectorProducer:
      return "collector";
    case kTraceProducer:
      return "trace";
    default:
      return fmt::format("worker {}", producer);
  }
}

// --- LifecycleAssembler ---

LifecycleAssembler::LifecycleAssembler(LifecycleConsumer& consumer, AssemblerOptions options)
    : consumer_(consumer), options_(options) {}

void LifecycleAssembler::feed_pass(std::span<const Record> pass) {
  for (const Record& record : pass) ingest(record);
  for (const uint64_t id : completed_in_pass_) {
    const auto it = open_.find(id);
    if (it != open_.end()) deliver(it, Ending::completed);  // absent: a second COMPLETE for one id
  }
  completed_in_pass_.clear();
  ++health_.passes;
  evict_orphans();
}

void LifecycleAssembler::finish() {
  if (finished_) return;
  finished_ = true;
  for (auto it = open_.begin(); it != open_.end();) it = deliver(it, Ending::end_of_stream);
}

void LifecycleAssembler::ingest(const Record& record) {
  ++health_.records;
  // Per record (a bundle is one record, with one seq); the events it carries are taken one by one below.
  if (record.event == static_cast<uint16_t>(Event::trace_drops)) {
    // Written by the recorder on behalf of `producer`: its seq is not part of that producer's sequence.
    note_ts(record.ts_ns);
    ProducerHealth& from = producer(record.producer);
    from.drops_reported = std::max(from.drops_reported, record.payload);
    return;
  }
  ProducerHealth& from = producer(record.producer);
  ++from.records;
  account_seq(from, record.seq);
  for_each_event(record, [&](const Record& one) { ingest_event(from, one); });
}

void LifecycleAssembler::note_ts(int64_t ts_ns) {
  if (health_.first_ts_ns == 0 || ts_ns < health_.first_ts_ns) health_.first_ts_ns = ts_ns;
  health_.last_ts_ns = std::max(health_.last_ts_ns, ts_ns);
}

void LifecycleAssembler::ingest_event(ProducerHealth& from, const Record& record) {
  note_ts(record.ts_ns);
  const auto event = static_cast<Event>(record.event);
  const bool is_marker = event == Event::perf_start || event == Event::perf_end;
  if (!is_marker && health_.perf_end_ns && record.ts_ns > *health_.perf_end_ns) ++health_.records_after_end;

  switch (event) {
    case Event::perf_start:
      start_perf_window(record.ts_ns);
      return;
    case Event::perf_end:
      if (!health_.perf_end_ns) {  // the first one wins, as in the seed
        health_.perf_end_ns = record.ts_ns;
        perf_end_pass_ = health_.passes;
      }
      return;
    case Event::loop_lag:
    case Event::loop_busy:
    case Event::loop_dispatch:
      fold_loop(from, record);
      return;
    default:
      break;
  }
  if (is_lifecycle_event(record.event)) {
    add_event(record);
  } else {
    ++health_.unknown_events;
  }
}

void LifecycleAssembler::account_seq(ProducerHealth& p, uint32_t seq) {
  if (!p.seq_started) {
    p.seq_started = true;
    p.lost_seq_gap += seq;  // seq starts at 0: everything before the first delivered record was lost
    p.next_seq = seq + 1;
    return;
  }
  const uint32_t gap = seq - p.next_seq;  // modulo 2^32, like seq itself
  if (gap == 0) {
    ++p.next_seq;
  } else if (gap < 0x8000'0000u) {
    p.lost_seq_gap += gap;
    p.next_seq = seq + 1;
  } else {
    ++p.seq_regressions;  // behind the expectation: a duplicate or a reordering, not a loss
  }
}

void LifecycleAssembler::start_perf_window(int64_t ts_ns) {
  health_.perf_start_ns = ts_ns;
  health_.perf_end_ns.reset();
  perf_end_pass_.reset();
  health_.records_after_end = 0;
  for (auto& [id, p] : health_.producers) {
    if (p.loop) p.loop->reset();
  }
  consumer_.on_perf_start(ts_ns);
}

bool LifecycleAssembler::in_window(int64_t ts_ns) const {
  return (!health_.perf_start_ns || ts_ns >= *health_.perf_start_ns) &&
         (!health_.perf_end_ns || ts_ns <= *health_.perf_end_ns);
}

void LifecycleAssembler::fold_loop(ProducerHealth& p, const Record& record) {
  if (!in_window(record.ts_ns)) return;
  LoopStats& loop = p.loop ? *p.loop : p.loop.emplace();
  switch (static_cast<Event>(record.event)) {
    case Event::loop_lag:
      loop.lag_ns.record(payload_ns(record.payload));
      break;
    case Event::loop_dispatch:
      loop.dispatch_ns.record(payload_ns(record.payload));
      break;
    default:  // loop_busy
      loop.busy_ns += payload_ns(record.payload);
      ++loop.iterations;
      loop.events += record.id;
      break;
  }
}

void LifecycleAssembler::add_event(const Record& record) {
  if (cached_open_ == nullptr || cached_open_id_ != record.id) {
    auto [it, inserted] = open_.try_emplace(record.id);
    if (inserted) {
      it->second.lifecycle.id = record.id;
      it->second.lifecycle.warmup = (record.id & kWarmupIdBit) != 0;
    }
    cached_open_ = &it->second;
    cached_open_id_ = record.id;
  }
  Open& open = *cached_open_;
  Lifecycle& lc = open.lifecycle;
  open.last_ts_ns = std::max(open.last_ts_ns, record.ts_ns);
  int64_t& slot = lc.ts_ns[record.event];
  if (slot != 0) {
    ++health_.duplicate_events;
    return;
  }
  slot = record.ts_ns;
  if (is_worker(record.producer) && lc.worker < 0) lc.worker = record.producer;
  switch (static_cast<Event>(record.event)) {
    case Event::complete:
      lc.outcome = record.payload;
      completed_in_pass_.push_back(record.id);
      break;
    case Event::sse_parse:
      lc.sse_parse_ns = payload_ns(record.payload);
      break;
    default:
      break;
  }
}

void LifecycleAssembler::classify(Lifecycle& lc) const {
  uint32_t present = 0;
  int64_t last_ts = std::numeric_limits<int64_t>::min();
  for (size_t e = 0; e < kEventSlots; ++e) {
    if (lc.ts_ns[e] == 0) continue;
    present |= uint32_t{1} << e;
    last_ts = std::max(last_ts, lc.ts_ns[e]);
  }
  lc.streaming = options_.mode == LifecycleMode::streaming ||
                 (options_.mode == LifecycleMode::detect && (present & kStreamMarks) != 0);
  const uint32_t expected = lc.streaming ? kStreamingExpected : kOfflineExpected;
  lc.complete = lc.ending == Ending::completed && (present & expected) == expected;
  // A lifecycle belongs to the window its last record falls in. Not its ISSUED: a Poisson ISSUED is the
  // scheduled time and may sit a hair before the PERF_START stamp while the request is a perf request.
  lc.counted = !lc.warmup && present != 0 && in_window(last_ts);
}

LifecycleAssembler::OpenMap::iterator LifecycleAssembler::deliver(OpenMap::iterator it, Ending ending) {
  Lifecycle& lc = it->second.lifecycle;
  lc.ending = ending;
  classify(lc);
  switch (ending) {
    case Ending::completed:
      ++health_.lifecycles_completed;
      break;
    case Ending::orphaned:
      ++health_.lifecycles_orphaned;
      break;
    case Ending::end_of_stream:
      ++health_.lifecycles_unfinished;
      break;
  }
  consumer_.on_lifecycle(lc);
  cached_open_ = nullptr;
  return open_.erase(it);
}

void LifecycleAssembler::evict_orphans() {
  if (perf_end_pass_ && health_.passes > *perf_end_pass_ + options_.passes_after_end) {
    for (auto it = open_.begin(); it != open_.end();) it = deliver(it, Ending::orphaned);
  } else if (health_.last_ts_ns >= next_sweep_ts_ns_) {
    // A sweep is O(open); running it every half timeout of trace time keeps it rare and the ages exact
    // to within that half.
    const int64_t now = health_.last_ts_ns;
    for (auto it = open_.begin(); it != open_.end();) {
      const Open& open = it->second;
      const int64_t idle_ns = now - open.last_ts_ns;
      const bool handed_off = open.lifecycle.has(Event::queued) || open.lifecycle.has(Event::main_received);
      if (idle_ns > options_.max_idle_ns || (handed_off && idle_ns > options_.handoff_timeout_ns)) {
        it = deliver(it, Ending::orphaned);
      } else {
        ++it;
      }
    }
    const int64_t interval = std::min(options_.handoff_timeout_ns, options_.max_idle_ns) / 2;
    next_sweep_ts_ns_ = now + std::max<int64_t>(1, interval);
  }
  if (open_.size() > options_.max_open) evict_oldest();
}

void LifecycleAssembler::evict_oldest() {
  // Down to three quarters of the cap, so a steady overflow costs one O(open) pass per max_open / 4 opens.
  const size_t keep = options_.max_open - options_.max_open / 4;
  const size_t evict = open_.size() - keep;
  std::vector<std::pair<int64_t, uint64_t>> by_age;
  by_age.reserve(open_.size());
  for (const auto& [id, open] : open_) by_age.emplace_back(open.last_ts_ns, id);
  std::nth_element(by_age.begin(), by_age.begin() + static_cast<std::ptrdiff_t>(evict), by_age.end());
  for (size_t i = 0; i < evict; ++i) deliver(open_.find(by_age[i].second), Ending::orphaned);
}

ProducerHealth& LifecycleAssembler::producer(uint16_t id) {
  // Records come in runs per producer, so one cached entry avoids most map lookups.
  if (cached_producer_ == nullptr || cached_producer_id_ != id) {
    cached_producer_ = &health_.producers[id];
    cached_producer_id_ = id;
  }
  return *cached_producer_;
}

}  // namespace ie::trace
