#include "dashboard/model_json.h"

#include <nlohmann/json.hpp>

#include <string>

#include "dashboard/render.h"
#include "trace/lifecycle.h"

namespace ie::dashboard {
namespace {

using nlohmann::json;

json dist_json(const DistRow& d) {
  return {{"n", d.n},           {"avg_ns", d.avg_ns}, {"min_ns", d.min_ns},
          {"p50_ns", d.p50_ns}, {"p99_ns", d.p99_ns}, {"max_ns", d.max_ns}};
}

std::string_view status_name(Status status) {
  switch (status) {
    case Status::live:
      return "LIVE";
    case Status::tail:
      return "TAIL";
    case Status::backpressure:
      return "BACKPRESSURE";
    case Status::tail_backpressure:
      return "TAIL + BACKPRESSURE";
    case Status::done:
      return "DONE";
  }
  return "LIVE";
}

}  // namespace

json to_json(const Model& m) {
  json out;
  out["status"] = status_name(m.header.status);
  out["uptime_ns"] = m.header.uptime_ns;
  out["req_per_s"] = m.header.req_per_s;
  out["issued"] = m.header.issued;
  out["completed"] = m.header.completed;
  out["dropped_records"] = m.header.dropped_records;
  if (m.header.tok_per_s) out["tok_per_s"] = *m.header.tok_per_s;
  if (m.recent.valid) {
    out["recent"] = {{"window_s", m.recent.window_s},
                     {"req_per_s", m.recent.req_per_s},
                     {"p99_e2e_ns", m.recent.p99_e2e_ns},
                     {"req_per_s_by_second", m.recent.req_per_s_by_second},
                     {"p99_e2e_ns_by_second", m.recent.p99_e2e_by_second_ns}};
  }
  out["frozen"] = m.frozen;
  out["layout"] = m.streaming ? "streaming" : "offline";
  out["traced"] = m.traced;
  out["not_traced"] = {{"failed", m.coverage.failed},
                       {"missing_events", m.coverage.incomplete},
                       {"out_of_order", m.coverage.out_of_order},
                       {"without_complete", m.coverage.orphaned}};
  json stages = json::array();
  for (const StageLine& s : m.stages) {
    json row = dist_json(s.dist);
    row["stage"] = stage_label(s.row, m.streaming);
    row["class"] = trace::stage_class_name(s.cls);
    row["pct_e2e"] = s.pct_e2e;
    stages.push_back(std::move(row));
  }
  out["stages"] = std::move(stages);
  out["e2e"] = dist_json(m.e2e);
  if (m.verdict.valid) {
    out["verdict_pct"] = {
        {"client", m.verdict.pct[static_cast<size_t>(trace::StageClass::client)]},
        {"server", m.verdict.pct[static_cast<size_t>(trace::StageClass::server)]},
        {"backpressure", m.verdict.pct[static_cast<size_t>(trace::StageClass::backpressure)]}};
  }
  json workers = json::array();
  for (const LagLine& l : m.loop.workers) {
    json row = dist_json(l.dist);
    row["worker"] = l.producer;
    workers.push_back(std::move(row));
  }
  out["loop"] = {{"fleet_p99_ns", m.loop.fleet_p99_ns},
                 {"hot_workers", m.loop.hot_workers},
                 {"workers", m.loop.total_workers},
                 {"top_workers", std::move(workers)}};
  if (m.loadgen) {
    const Loadgen& g = *m.loadgen;
    json loadgen = {{"final", g.final},         {"stopping", g.stopping}, {"issued", g.issued},
                    {"completed", g.completed}, {"errors", g.errors},     {"duration_ns", g.duration_ns}};
    if (g.connections) {
      loadgen["connections"] = {{"open", g.connections->open},
                                {"busy", g.connections->busy},
                                {"connecting", g.connections->connecting},
                                {"idle", g.connections->idle()}};
    }
    loadgen["latency"] = {
        {"ttft", dist_json(g.ttft)}, {"tpot", dist_json(g.tpot)}, {"e2e", dist_json(g.e2e)}};
    out["loadgen"] = std::move(loadgen);
  }
  return out;
}

}  // namespace ie::dashboard
