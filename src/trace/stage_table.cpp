#include "trace/stage_table.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace ie::trace {

namespace {

using SC = StageClass;
using SR = StageRow;

// Rows both layouts share; the two layouts differ only in how the response is cut.
constexpr StageSpec kScheduleLag{SR::schedule_lag, Event::issued,  Event::worker_received,
                                 SC::backpressure, "schedule_lag", "schedule lag"};
constexpr StageSpec kEncode{SR::encode, Event::worker_received, Event::encoded, SC::client, "encode",
                            "encode"};
constexpr StageSpec kConnectionWait{SR::connection_wait, Event::encoded,    Event::conn_acquired,
                                    SC::backpressure,    "connection_wait", "connection wait"};
constexpr StageSpec kWrite{SR::write, Event::conn_acquired, Event::written, SC::client, "write", "write"};
constexpr StageSpec kServerHeaders{SR::server_headers, Event::written,      Event::response_headers,
                                   SC::server,         "server_to_headers", "server to headers"};
constexpr StageSpec kPickup{SR::pickup, Event::queued,      Event::main_received,
                            SC::client, "collector_pickup", "collector pickup"};
constexpr StageSpec kFold{SR::fold, Event::main_received, Event::complete, SC::client, "fold", "fold"};

constexpr StageSpec kStreamingStages[] = {
    kScheduleLag,
    kEncode,
    kConnectionWait,
    kWrite,
    kServerHeaders,
    {SR::response_start, Event::response_headers, Event::response_bytes, SC::server, "headers_to_first_chunk",
     "headers to first chunk"},
    {SR::stream, Event::response_bytes, Event::response_done, SC::server, "first_to_last_chunk",
     "first to last chunk"},
    {SR::hand_off, Event::response_done, Event::queued, SC::client, "hand_off", "hand-off"},
    kPickup,
    kFold,
};

constexpr StageSpec kOfflineStages[] = {
    kScheduleLag,
    kEncode,
    kConnectionWait,
    kWrite,
    kServerHeaders,
    {SR::response_start, Event::response_headers, Event::response_bytes, SC::server, "headers_to_response",
     "headers to response"},
    {SR::hand_off, Event::response_bytes, Event::queued, SC::client, "hand_off", "hand-off"},
    kPickup,
    kFold,
};

size_t index(StageRow row) {
  return static_cast<size_t>(row);
}
size_t index(StageClass cls) {
  return static_cast<size_t>(cls);
}

// --- number formatting (exact integer arithmetic: no binary-float rounding surprises in golden text) ---

// ns as milliseconds with 3 decimals, rounded half up to the microsecond.
std::string format_ms(int64_t ns) {
  const bool negative = ns < 0;
  const uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(ns) : static_cast<uint64_t>(ns);
  const uint64_t us = (magnitude + 500) / 1000;
  return fmt::format("{}{}.{:03}", negative ? "-" : "", us / 1000, us % 1000);
}
std::string format_ms(double ns) {
  return format_ms(static_cast<int64_t>(std::llround(ns)));
}
// ns as seconds with 3 decimals: the same digits as milliseconds of a thousand times less.
std::string format_s(int64_t ns) {
  return format_ms(ns / 1000);
}

std::string format_count(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  out.reserve(digits.size() + digits.size() / 3);
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string format_pct(double pct) {
  return fmt::format("{:.1f}%", pct);
}

// Shares to tenths of a percent that add up to exactly 100.0 on screen (largest remainder), so the
// displayed verdict never reads 99.9 or 100.1.
std::array<int64_t, kStageClassCount> tenths_summing_to_1000(
    const std::array<double, kStageClassCount>& pct) {
  std::array<int64_t, kStageClassCount> out{};
  std::array<double, kStageClassCount> remainder{};
  int64_t total = 0;
  for (size_t i = 0; i < kStageClassCount; ++i) {
    const double tenths = pct[i] * 10.0;
    out[i] = static_cast<int64_t>(std::floor(tenths));
    remainder[i] = tenths - static_cast<double>(out[i]);
    total += out[i];
  }
  while (total < 1000) {
    const auto largest = std::max_element(remainder.begin(), remainder.end()) - remainder.begin();
    ++out[static_cast<size_t>(largest)];
    remainder[static_cast<size_t>(largest)] = -1;
    ++total;
  }
  return out;
}

// --- aligned plain-text columns ---

enum class Align : uint8_t { left, right };
struct Column {
  std::string_view title;
  Align align;
};

// Two-space indent, two spaces between columns, each as wide as its widest cell; no trailing spaces.
void append_columns(std::string& out, std::span<const Column> columns,
                    const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width(columns.size());
  for (size_t c = 0; c < columns.size(); ++c) width[c] = columns[c].title.size();
  for (const auto& row : rows) {
    for (size_t c = 0; c < columns.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  auto append_line = [&](auto cell_at) {
    std::string line = "  ";
    for (size_t c = 0; c < columns.size(); ++c) {
      if (c != 0) line += "  ";
      const std::string_view cell = cell_at(c);
      const std::string pad(width[c] - cell.size(), ' ');
      line += columns[c].align == Align::left ? std::string(cell) + pad : pad + std::string(cell);
    }
    line.erase(line.find_last_not_of(' ') + 1);
    out += line;
    out += '\n';
  };
  append_line([&](size_t c) { return columns[c].title; });
  for (const auto& row : rows) append_line([&](size_t c) { return std::string_view(row[c]); });
}

std::string coverage_line(const StageTable& table) {
  const Coverage& c = table.coverage();
  std::string line =
      fmt::format("coverage: {} complete of {} seen", format_count(c.folded), format_count(c.seen));
  std::vector<std::string> left_out;
  if (c.failed != 0) left_out.push_back(fmt::format("{} failed", format_count(c.failed)));
  if (c.incomplete != 0) left_out.push_back(fmt::format("{} missing events", format_count(c.incomplete)));
  if (c.orphaned != 0) left_out.push_back(fmt::format("{} without COMPLETE", format_count(c.orphaned)));
  if (c.out_of_order != 0) left_out.push_back(fmt::format("{} out of order", format_count(c.out_of_order)));
  if (!left_out.empty()) line += fmt::format(" ({})", fmt::join(left_out, ", "));
  if (table.sample_one_in() > 1) {
    line += fmt::format("; sampled 1 in {}, ~{} requests", table.sample_one_in(),
                        format_count(c.seen * table.sample_one_in()));
  }
  return line;
}

void append_lifecycle(std::string& out, const StageTable& table) {
  out += fmt::format("REQUEST LIFECYCLE (ms), {}\n", table.streaming() ? "streaming" : "offline");
  out += coverage_line(table) + "\n";
  if (table.coverage().folded == 0) {
    out += "  no complete request in the perf window\n";
    return;
  }
  static constexpr Column kColumns[] = {
      {"stage", Align::left}, {"class", Align::left}, {"N", Align::right},
      {"avg", Align::right},  {"min", Align::right},  {"p50", Align::right},
      {"p99", Align::right},  {"max", Align::right},  {"%E2E", Align::right}};
  std::vector<std::vector<std::string>> cells;
  for (const TableRow& row : table.rows()) {
    const DurationStats& s = *row.stats;
    cells.push_back({std::string(row.label), row.cls ? std::string(stage_class_name(*row.cls)) : "",
                     format_count(s.count()), format_ms(s.mean_ns()), format_ms(s.min_ns()),
                     format_ms(s.percentile_ns(50)), format_ms(s.percentile_ns(99)), format_ms(s.max_ns()),
                     format_pct(row.pct_of_e2e)});
  }
  append_columns(out, kColumns, cells);

  const Verdict verdict = table.verdict();
  if (!verdict.valid) {
    out += "verdict: n/a (every folded request took 0 ns)\n";
    return;
  }
  const auto tenths = tenths_summing_to_1000(verdict.share_pct);
  out += "verdict:";
  for (size_t c = 0; c < kStageClassCount; ++c) {
    out += fmt::format("{} {} {}.{}%", c == 0 ? "" : ",", stage_class_name(static_cast<StageClass>(c)),
                       tenths[c] / 10, tenths[c] % 10);
  }
  if (table.streaming()) out += " (sse parse counted as client)";
  out += "\n";
}

void append_loop(std::string& out, const TraceHealth& health) {
  const int64_t window_ns = health.perf_window_ns();
  out += fmt::format("EVENT LOOP (ms), perf window {} s\n", format_s(window_ns));
  static constexpr Column kColumns[] = {{"producer", Align::left},      {"records", Align::right},
                                        {"lost", Align::right},         {"lag N", Align::right},
                                        {"lag p50", Align::right},      {"lag p99", Align::right},
                                        {"lag max", Align::right},      {"busy %", Align::right},
                                        {"dispatch p99", Align::right}, {"dispatch max", Align::right}};
  std::vector<std::vector<std::string>> cells;
  for (const auto& [id, p] : health.producers) {
    std::vector<std::string> row = {producer_name(id), format_count(p.records), format_count(p.lost())};
    if (p.loop) {
      const LoopStats& loop = *p.loop;
      row.push_back(format_count(loop.lag_ns.count()));
      row.push_back(format_ms(loop.lag_ns.percentile_ns(50)));
      row.push_back(format_ms(loop.lag_ns.percentile_ns(99)));
      row.push_back(format_ms(loop.lag_ns.max_ns()));
      row.push_back(window_ns > 0 ? format_pct(100.0 * static_cast<double>(loop.busy_ns) /
                                               static_cast<double>(window_ns))
                                  : "-");
      row.push_back(format_ms(loop.dispatch_ns.percentile_ns(99)));
      row.push_back(format_ms(loop.dispatch_ns.max_ns()));
    } else {
      row.resize(std::size(kColumns), "-");
    }
    cells.push_back(std::move(row));
  }
  append_columns(out, kColumns, cells);
}

nlohmann::json stats_json(const DurationStats& s) {
  return {{"n", s.count()},
          {"avg_ns", s.mean_ns()},
          {"min_ns", s.min_ns()},
          {"p50_ns", s.percentile_ns(50)},
          {"p99_ns", s.percentile_ns(99)},
          {"max_ns", s.max_ns()}};
}

nlohmann::json rows_json(const StageTable& table) {
  nlohmann::json rows = nlohmann::json::array();
  for (const TableRow& row : table.rows()) {
    nlohmann::json r = stats_json(*row.stats);
    r["key"] = row.key;
    r["label"] = row.label;
    r["class"] = row.cls ? nlohmann::json(stage_class_name(*row.cls)) : nlohmann::json(nullptr);
    r["begin"] = row.begin ? nlohmann::json(event_name(*row.begin)) : nlohmann::json(nullptr);
    r["end"] = row.end ? nlohmann::json(event_name(*row.end)) : nlohmann::json(nullptr);
    r["in_partition"] = row.in_partition;
    r["pct_e2e"] = row.pct_of_e2e;
    rows.push_back(std::move(r));
  }
  return rows;
}

nlohmann::json verdict_json(const Verdict& v) {
  nlohmann::json out = {{"valid", v.valid}, {"sse_parse_capped", v.sse_parse_capped}};
  for (size_t i = 0; i < kStageClassCount; ++i) {
    out[fmt::format("{}_pct", stage_class_name(static_cast<StageClass>(i)))] = v.share_pct[i];
  }
  return out;
}

nlohmann::json producers_json(const TraceHealth& health) {
  nlohmann::json producers = nlohmann::json::array();
  const int64_t window_ns = health.perf_window_ns();
  for (const auto& [id, p] : health.producers) {
    nlohmann::json j = {{"producer", id},
                        {"name", producer_name(id)},
                        {"records", p.records},
                        {"lost", p.lost()},
                        {"lost_seq_gap", p.lost_seq_gap},
                        {"drops_reported", p.drops_reported},
                        {"seq_regressions", p.seq_regressions}};
    if (p.loop) {
      j["loop_lag"] = stats_json(p.loop->lag_ns);
      j["loop_dispatch"] = stats_json(p.loop->dispatch_ns);
      j["busy_ns"] = p.loop->busy_ns;
      j["iterations"] = p.loop->iterations;
      j["busy_pct"] =
          window_ns > 0 ? 100.0 * static_cast<double>(p.loop->busy_ns) / static_cast<double>(window_ns) : 0.0;
    }
    producers.push_back(std::move(j));
  }
  return producers;
}

}  // namespace

std::string_view stage_class_name(StageClass cls) {
  switch (cls) {
    case StageClass::client:
      return "client";
    case StageClass::server:
      return "server";
    case StageClass::backpressure:
      return "backpressure";
  }
  return "unknown";
}

std::span<const StageSpec> stage_specs(bool streaming) {
  if (streaming) return kStreamingStages;
  return kOfflineStages;
}

StagePartition partition(const Lifecycle& lc) {
  StagePartition p;
  if (!lc.complete) return p;
  p.valid = true;
  p.streaming = lc.streaming;
  p.monotonic = true;
  for (const StageSpec& spec : stage_specs(lc.streaming)) {
    Stage& stage = p.stages[p.stage_count++];
    stage.spec = &spec;
    stage.begin_ns = lc.at(spec.begin);
    stage.end_ns = lc.at(spec.end);
    if (stage.duration_ns() < 0) p.monotonic = false;
    p.class_ns[index(spec.cls)] += stage.duration_ns();
  }
  p.e2e_ns = lc.at(Event::complete) - lc.at(Event::issued);
  if (lc.streaming) {
    p.sse_parse_ns = lc.sse_parse_ns;
    const int64_t window_ns = lc.at(Event::response_done) - lc.at(Event::response_headers);
    p.sse_parse_carved_ns = std::clamp<int64_t>(lc.sse_parse_ns, 0, std::max<int64_t>(window_ns, 0));
    p.class_ns[index(StageClass::server)] -= p.sse_parse_carved_ns;
    p.class_ns[index(StageClass::client)] += p.sse_parse_carved_ns;
  }
  if (lc.has(Event::recv_first)) p.ttft_ns = lc.at(Event::recv_first) - lc.at(Event::issued);
  return p;
}

// --- StageTable ---

StageTable::StageTable(StageTableOptions options) : options_(options) {}

void StageTable::on_lifecycle(const Lifecycle& lc) {
  if (!lc.counted) return;
  ++coverage_.seen;
  if (lc.ending != Ending::completed) {
    ++coverage_.orphaned;
  } else if (!lc.ok()) {
    ++coverage_.failed;
  } else if (!lc.complete) {
    ++coverage_.incomplete;
  } else {
    const StagePartition p = partition(lc);
    if (!p.monotonic) {
      ++coverage_.out_of_order;
    } else {
      ++coverage_.folded;
      fold(p);
    }
  }
}

void StageTable::fold(const StagePartition& p) {
  for (const Stage& stage : p.view()) {
    Row& row = stages_[index(stage.spec->row)];
    row.stats.record(stage.duration_ns());
    row.e2e_sum_ns += p.e2e_ns;
  }
  e2e_.stats.record(p.e2e_ns);
  e2e_.e2e_sum_ns += p.e2e_ns;
  if (p.streaming) {
    sse_parse_.stats.record(p.sse_parse_ns);
    sse_parse_.e2e_sum_ns += p.e2e_ns;
    if (p.sse_parse_carved_ns < p.sse_parse_ns) ++sse_parse_capped_;
  }
  if (p.ttft_ns) {
    ttft_.stats.record(*p.ttft_ns);
    ttft_.e2e_sum_ns += p.e2e_ns;
  }
  for (size_t c = 0; c < kStageClassCount; ++c) class_sum_ns_[c] += p.class_ns[c];
}

void StageTable::on_perf_start(int64_t /*ts_ns*/) {
  for (Row& row : stages_) {
    row.stats.reset();
    row.e2e_sum_ns = 0;
  }
  for (Row* row : {&e2e_, &sse_parse_, &ttft_}) {
    row->stats.reset();
    row->e2e_sum_ns = 0;
  }
  class_sum_ns_ = {};
  coverage_ = {};
  sse_parse_capped_ = 0;
}

bool StageTable::streaming() const {
  return stages_[index(StageRow::stream)].stats.count() > 0;
}

TableRow StageTable::make_row(const Row& row, std::string_view key, std::string_view label,
                              std::optional<StageClass> cls, std::optional<Event> begin,
                              std::optional<Event> end, bool in_partition) {
  TableRow out{key, label, cls, begin, end, in_partition, &row.stats, 0.0};
  if (row.e2e_sum_ns > 0) {
    out.pct_of_e2e = 100.0 * static_cast<double>(row.stats.sum_ns()) / static_cast<double>(row.e2e_sum_ns);
  }
  return out;
}

std::vector<TableRow> StageTable::rows() const {
  std::vector<TableRow> out;
  for (const StageSpec& spec : stage_specs(streaming())) {
    out.push_back(
        make_row(stages_[index(spec.row)], spec.key, spec.label, spec.cls, spec.begin, spec.end, true));
  }
  out.push_back(make_row(e2e_, "e2e", "E2E", std::nullopt, Event::issued, Event::complete, false));
  if (streaming()) {
    out.push_back(make_row(sse_parse_, "sse_parse", "sse parse (client cpu)", StageClass::client,
                           std::nullopt, std::nullopt, false));
  }
  if (ttft_.stats.count() > 0) {
    out.push_back(make_row(ttft_, "ttft", "ttft", std::nullopt, Event::issued, Event::recv_first, false));
  }
  return out;
}

Verdict StageTable::verdict() const {
  Verdict v;
  v.sse_parse_capped = sse_parse_capped_;
  __int128 total = 0;
  for (const __int128 sum : class_sum_ns_) total += sum;
  if (coverage_.folded == 0 || total <= 0) return v;
  v.valid = true;
  for (size_t c = 0; c < kStageClassCount; ++c) {
    v.share_pct[c] = static_cast<double>(static_cast<long double>(class_sum_ns_[c]) * 100.0L /
                                         static_cast<long double>(total));
  }
  return v;
}

// --- output ---

std::string render_stage_table(const StageTable& table, const TraceHealth& health) {
  std::string out;
  append_lifecycle(out, table);
  out += "\n";
  append_loop(out, health);
  uint64_t lost = 0;
  for (const auto& [id, p] : health.producers) lost += p.lost();
  out += fmt::format(
      "\ntrace: records {}, passes {}, lost {}, after PERF_END {}; lifecycles: completed {}, orphaned {}, "
      "unfinished {}\n",
      format_count(health.records), format_count(health.passes), format_count(lost),
      format_count(health.records_after_end), format_count(health.lifecycles_completed),
      format_count(health.lifecycles_orphaned), format_count(health.lifecycles_unfinished));
  return out;
}

nlohmann::json to_json(const StageTable& table, const TraceHealth& health) {
  const Coverage& c = table.coverage();
  return {
      {"layout", table.streaming() ? "streaming" : "offline"},
      {"sample_one_in", table.sample_one_in()},
      {"coverage",
       {{"seen", c.seen},
        {"complete", c.folded},
        {"failed", c.failed},
        {"incomplete", c.incomplete},
        {"orphaned", c.orphaned},
        {"out_of_order", c.out_of_order},
        {"estimated_requests", c.seen * table.sample_one_in()}}},
      {"stages", rows_json(table)},
      {"verdict", verdict_json(table.verdict())},
      {"loop", {{"perf_window_ns", health.perf_window_ns()}, {"producers", producers_json(health)}}},
      {"trace",
       {{"records", health.records},
        {"passes", health.passes},
        {"records_after_end", health.records_after_end},
        {"lifecycles_completed", health.lifecycles_completed},
        {"lifecycles_orphaned", health.lifecycles_orphaned},
        {"lifecycles_unfinished", health.lifecycles_unfinished},
        {"duplicate_events", health.duplicate_events},
        {"unknown_events", health.unknown_events}}},
  };
}

}  // namespace ie::trace
