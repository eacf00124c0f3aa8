#include "dashboard/model.h"

#include <algorithm>
#include <cmath>

namespace ie::dashboard {

namespace {

using trace::Event;
using trace::StageClass;
using trace::StageRow;

constexpr uint64_t kGapWindow = 256;  // arrivals per checkpoint: "recent" = the last 256 to 512

size_t idx(StageClass cls) {
  return static_cast<size_t>(cls);
}

Heat lag_heat(int64_t value_ns, int64_t warn_ns, int64_t critical_ns) {
  if (value_ns > critical_ns) return Heat::critical;
  if (value_ns > warn_ns) return Heat::warn;
  return Heat::none;
}

// "Lag" is how long ready work waited for the loop: timer lateness when it was sleeping (LOOP_LAG), dispatch
// delay when it was busy (LOOP_DISPATCH). A saturated loop never times out, so lateness alone would show
// nothing exactly when the loop is the bottleneck.
trace::DurationStats waited(const trace::LoopStats& loop) {
  trace::DurationStats all = loop.lag_ns;
  all.merge(loop.dispatch_ns);
  return all;
}

LagLine lag_line(uint16_t producer, const trace::LoopStats& loop) {
  LagLine line;
  line.producer = producer;
  line.dist = dist_row(waited(loop));
  line.p99_heat = lag_heat(line.dist.p99_ns, kLagP99WarnNs, kLagP99CriticalNs);
  line.max_heat = lag_heat(line.dist.max_ns, kLagMaxWarnNs, kLagMaxCriticalNs);
  return line;
}

LoopPanel loop_panel(const trace::TraceHealth& health) {
  LoopPanel panel;
  std::vector<int64_t> p99s;
  for (const auto& [id, producer] : health.producers) {
    if (!producer.loop || producer.loop->lag_ns.count() + producer.loop->dispatch_ns.count() == 0) continue;
    panel.has_data = true;
    LagLine line = lag_line(id, *producer.loop);
    if (trace::is_worker(id)) {
      p99s.push_back(line.dist.p99_ns);
      if (line.dist.p99_ns >= kHotWorkerP99Ns) ++panel.hot_workers;
      panel.workers.push_back(line);
    } else {
      panel.named.push_back(line);
    }
  }
  panel.total_workers = panel.workers.size();
  panel.fleet_p99_ns = median_ns(std::move(p99s));
  if (panel.hot_workers > panel.total_workers / 2) {
    panel.hot_heat = Heat::critical;
  } else if (panel.hot_workers > 0) {
    panel.hot_heat = Heat::warn;
  }
  // Stable: the map gave ascending ids, so equal maxima keep the lower id first.
  std::stable_sort(panel.workers.begin(), panel.workers.end(),
                   [](const LagLine& a, const LagLine& b) { return a.dist.max_ns > b.dist.max_ns; });
  if (panel.workers.size() > kTopWorkers) {
    panel.workers_not_shown = panel.workers.size() - kTopWorkers;
    panel.workers.resize(kTopWorkers);
  }
  return panel;
}

const trace::TableRow* find_row(const std::vector<trace::TableRow>& rows, std::string_view key) {
  for (const trace::TableRow& r : rows) {
    if (r.key == key) return &r;
  }
  return nullptr;
}

// The table row that measures a cause-tree leaf: its own stage, or the SSE_PARSE payload row (streaming
// only, outside the partition).
std::string_view leaf_key(Leaf leaf, bool streaming) {
  StageRow row = StageRow::schedule_lag;
  switch (leaf) {
    case Leaf::pickup_ipc:
      row = StageRow::schedule_lag;
      break;
    case Leaf::encode:
      row = StageRow::encode;
      break;
    case Leaf::tcp_acquire:
      row = StageRow::connection_wait;
      break;
    case Leaf::sse_decode:
      return "sse_parse";
    case Leaf::final_decode:
      row = StageRow::hand_off;
      break;
    case Leaf::complete_ipc:
      row = StageRow::pickup;
      break;
    case Leaf::fold:
      row = StageRow::fold;
      break;
  }
  for (const trace::StageSpec& spec : trace::stage_specs(streaming)) {
    if (spec.row == row) return spec.key;
  }
  return {};
}

void fill_tree(Model& model, const std::vector<trace::TableRow>& rows) {
  if (!model.has_requests) return;
  for (size_t i = 0; i < kLeafCount; ++i) {
    const trace::TableRow* row = find_row(rows, leaf_key(static_cast<Leaf>(i), model.streaming));
    if (row == nullptr) continue;
    TreeLeaf& leaf = model.tree[i];
    leaf.measured = true;
    leaf.mean_ns = row->stats->mean_ns();
    leaf.pct_e2e = row->pct_of_e2e;
    leaf.heat = heat_of_pct(leaf.pct_e2e);
  }
}

}  // namespace

Heat heat_of_pct(double pct) {
  if (pct >= kHeatCriticalPct) return Heat::critical;
  if (pct >= kHeatWarnPct) return Heat::warn;
  return Heat::none;
}

DistRow dist_row(const trace::DurationStats& stats) {
  return {stats.count(),           stats.mean_ns(),         stats.min_ns(),
          stats.percentile_ns(50), stats.percentile_ns(99), stats.max_ns()};
}

std::vector<BarSegment> bar_segments(std::span<const Share> shares, int cells) {
  std::vector<BarSegment> out;
  double total = 0;
  for (const Share& s : shares) total += std::max(0.0, s.pct);
  if (!(total > 0)) return out;
  double cumulative = 0;
  int previous = 0;
  for (const Share& s : shares) {
    cumulative += std::max(0.0, s.pct);
    const int boundary = static_cast<int>(std::lround(cumulative / total * cells));
    const int width = std::min(boundary, cells) - previous;
    if (width > 0) out.push_back({s.cls, width});
    previous = std::max(previous, std::min(boundary, cells));
  }
  return out;
}

int64_t median_ns(std::vector<int64_t> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t mid = values.size() / 2;
  if (values.size() % 2 == 1) return values[mid];
  return values[mid - 1] + (values[mid] - values[mid - 1]) / 2;
}

// --- DashboardFold ---

DashboardFold::DashboardFold(uint32_t sample_one_in, trace::AssemblerOptions options)
    : sample_one_in_(std::max<uint32_t>(1, sample_one_in)),
      table_({.sample_one_in = sample_one_in_}),
      assembler_(*this, options) {}

void DashboardFold::feed_pass(std::span<const trace::Record> pass) {
  assembler_.feed_pass(pass);
  count_issued(pass);
}

void DashboardFold::finish() {
  assembler_.finish();
}

void DashboardFold::on_lifecycle(const trace::Lifecycle& lifecycle) {
  table_.on_lifecycle(lifecycle);
  if (!lifecycle.counted || !lifecycle.has(Event::complete)) return;
  ++completed_;
  const int64_t complete_ns = lifecycle.at(Event::complete);
  last_complete_ns_ = std::max(last_complete_ns_, complete_ns);
  if (recent_.origin_ns() != start_ns()) recent_.reset(start_ns());
  recent_.add(complete_ns, lifecycle.has(Event::issued) ? complete_ns - lifecycle.at(Event::issued) : -1);
}

void DashboardFold::on_perf_start(int64_t ts_ns) {
  table_.on_perf_start(ts_ns);
  recent_.reset(ts_ns);
  issued_ = 0;
  completed_ = 0;
  last_issued_ns_ = 0;
  last_complete_ns_ = 0;
  older_ = {};
  newer_ = {};
  // The engine's ring is drained first in a pass, so a worker's ISSUED stamped after PERF_START can have
  // arrived one pass before the marker: count those again.
  for (const int64_t issued_ns : previous_pass_issued_ns_) {
    if (issued_ns >= ts_ns) note_issued(issued_ns);
  }
}

// ISSUED is counted as it arrives (not when its lifecycle finishes) so the header is live. Applied by
// timestamp like the assembler's perf window: a pass may hold records older than its PERF_START.
void DashboardFold::count_issued(std::span<const trace::Record> pass) {
  const trace::TraceHealth& h = assembler_.health();
  previous_pass_issued_ns_.clear();
  for (const trace::Record& record : pass) {
    trace::for_each_event(record, [&](const trace::Record& r) {
      if (r.event != static_cast<uint16_t>(Event::issued) || (r.id & trace::kWarmupIdBit) != 0) return;
      if (h.perf_start_ns && r.ts_ns < *h.perf_start_ns) return;
      if (h.perf_end_ns && r.ts_ns > *h.perf_end_ns) return;
      previous_pass_issued_ns_.push_back(r.ts_ns);
      note_issued(r.ts_ns);
    });
  }
}

void DashboardFold::note_issued(int64_t ts_ns) {
  ++issued_;
  if (issued_ == 1) older_ = newer_ = {1, ts_ns};
  last_issued_ns_ = std::max(last_issued_ns_, ts_ns);
  if (issued_ - newer_.issued >= kGapWindow) {
    older_ = newer_;
    newer_ = {issued_, last_issued_ns_};
  }
}

// TAIL: issuing went quiet for longer than the arrival rate explains. A fixed window would flicker on
// low-rate Poisson runs whose gaps exceed it.
bool DashboardFold::is_tail(int64_t now_ns) const {
  if (issued_ == 0) return false;
  int64_t quiet_ns = kTailMinQuietNs;
  if (issued_ > older_.issued) {
    const int64_t mean_gap_ns =
        (last_issued_ns_ - older_.ts_ns) / static_cast<int64_t>(issued_ - older_.issued);
    quiet_ns = std::max(quiet_ns, kTailGapFactor * mean_gap_ns);
  }
  return now_ns - last_issued_ns_ > quiet_ns;
}

int64_t DashboardFold::start_ns() const {
  const trace::TraceHealth& h = assembler_.health();
  return h.perf_start_ns ? *h.perf_start_ns : h.first_ts_ns;
}

Model DashboardFold::snapshot(int64_t now_ns) const {
  const trace::TraceHealth& h = assembler_.health();
  Model m;
  m.frozen = h.perf_end_ns.has_value();
  m.streaming = table_.streaming();
  m.coverage = table_.coverage();
  m.traced = m.coverage.folded;
  m.has_requests = m.traced > 0;

  const std::vector<trace::TableRow> rows = table_.rows();
  std::vector<Share> shares;
  for (const trace::StageSpec& spec : trace::stage_specs(m.streaming)) {
    const trace::TableRow* r = find_row(rows, spec.key);
    if (r == nullptr) continue;
    m.stages.push_back({spec.row, spec.cls, dist_row(*r->stats), r->pct_of_e2e, heat_of_pct(r->pct_of_e2e)});
    shares.push_back({spec.cls, r->pct_of_e2e});
  }
  if (const trace::TableRow* e2e = find_row(rows, "e2e")) m.e2e = dist_row(*e2e->stats);
  if (m.has_requests) m.bar = bar_segments(shares);

  const trace::Verdict v = table_.verdict();
  m.verdict.valid = v.valid;
  m.verdict.pct = v.share_pct;
  m.verdict.heat[idx(StageClass::client)] = heat_of_pct(v.share_pct[idx(StageClass::client)]);
  m.verdict.heat[idx(StageClass::backpressure)] = heat_of_pct(v.share_pct[idx(StageClass::backpressure)]);
  fill_tree(m, rows);
  m.loop = loop_panel(h);

  m.header = header(now_ns, v);
  m.recent = recent_.snapshot(h.perf_end_ns ? std::min(now_ns, *h.perf_end_ns) : now_ns, sample_one_in_);
  return m;
}

Header DashboardFold::header(int64_t now_ns, const trace::Verdict& v) const {
  const trace::TraceHealth& h = assembler_.health();
  Header hd;
  const int64_t start = start_ns();
  const int64_t end = h.perf_end_ns ? std::min(now_ns, *h.perf_end_ns) : now_ns;
  hd.uptime_ns = h.records == 0 ? 0 : std::max<int64_t>(0, end - start);
  hd.issued = issued_ * sample_one_in_;
  hd.completed = completed_ * sample_one_in_;
  for (const auto& [id, producer] : h.producers) hd.dropped_records += producer.lost();
  // The denominator stops at the last COMPLETE so the rate does not decay through the tail.
  const int64_t active_ns = last_complete_ns_ - start;
  hd.req_per_s = active_ns > 0 ? static_cast<double>(hd.completed) * 1e9 / static_cast<double>(active_ns) : 0;
  const bool backpressured = v.valid && v.share_pct[idx(StageClass::backpressure)] >= kBackpressureChipPct;
  if (h.perf_end_ns) {
    hd.status = Status::done;
  } else if (is_tail(now_ns)) {
    hd.status = backpressured ? Status::tail_backpressure : Status::tail;
  } else {
    hd.status = backpressured ? Status::backpressure : Status::live;
  }
  return hd;
}

}  // namespace ie::dashboard
