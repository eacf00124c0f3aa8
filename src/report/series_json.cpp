#include "report/series_json.h"

#include <cstdint>
#include <string>

namespace ie::report {
namespace {

using Json = nlohmann::ordered_json;

Json number(double value, bool integral) {
  if (integral) return static_cast<int64_t>(value);
  return value;
}

Json percentiles_json(const metrics::SeriesSummary& s) {
  Json out = Json::object();
  for (size_t i = 0; i < metrics::kPercentileCount; ++i) {
    out[std::string(metrics::kPercentileKeys[i])] = s.percentiles[i];
  }
  return out;
}

Json early_stopping_json(const metrics::SeriesSummary& s) {
  Json out = Json::object();
  for (size_t i = 0; i < s.early_stopping.size() && i < metrics::kEarlyStoppingCount; ++i) {
    const auto& e = s.early_stopping[i];
    out[std::string(metrics::kPercentileKeys[i])] = e.sufficient ? Json(e.value) : Json(nullptr);
  }
  return out;
}

Json histogram_json(const metrics::SeriesSummary& s) {
  Json buckets = Json::array();
  Json counts = Json::array();
  for (const auto& b : s.histogram) {
    buckets.push_back(Json::array({b.lowest, b.highest}));
    counts.push_back(b.count);
  }
  return Json{{"buckets", std::move(buckets)}, {"counts", std::move(counts)}};
}

}  // namespace

Json series_json(const metrics::SeriesSummary& s, SeriesShape shape) {
  Json out = Json::object();
  if (s.empty()) return out;
  if (shape == SeriesShape::with_count) out["count"] = s.count;
  out["total"] = number(s.total, s.integral);
  out["min"] = number(s.min, s.integral);
  out["max"] = number(s.max, s.integral);
  out["median"] = s.median;
  out["avg"] = s.avg;
  out["std_dev"] = s.std_dev;
  out["percentiles"] = percentiles_json(s);
  if (!s.early_stopping.empty()) out["early_stopping_percentiles"] = early_stopping_json(s);
  out["histogram"] = histogram_json(s);
  return out;
}

Json itl_json(const metrics::ItlSummary& itl) {
  Json out = Json::object();
  if (itl.count == 0) return out;
  out["count"] = itl.count;
  out["mean_ns"] = itl.mean_ns;
  out["min_ns"] = itl.min_ns;
  out["p50_ns"] = itl.p50_ns;
  out["p90_ns"] = itl.p90_ns;
  out["p99_ns"] = itl.p99_ns;
  out["p999_ns"] = itl.p999_ns;
  out["max_ns"] = itl.max_ns;
  out["clamped"] = itl.clamped;
  return out;
}

Json optional_json(const std::optional<double>& value) {
  return value ? Json(*value) : Json(nullptr);
}

}  // namespace ie::report
