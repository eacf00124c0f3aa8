#include "report/write_report.h"

#include "report/atomic_file.h"
#include "report/report_text.h"
#include "report/result_summary.h"
#include "report/snapshot.h"

namespace ie::report {

std::string json_text(const nlohmann::ordered_json& json) {
  // error_handler_t::replace: a server's error body can be any bytes; a strict dump would throw mid-report.
  return json.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

void write_report(const std::filesystem::path& dir, const metrics::RunMetrics& metrics, const RunInfo& info,
                  const std::string& config_yaml) {
  prepare_report_dir(dir);
  // The machine-read summary first: if the disk fills up, it is the file most worth having.
  write_file_atomically(dir / "performance" / "result_summary.json",
                        json_text(result_summary_json(metrics, info)));
  write_file_atomically(dir / "report.txt", render_report_text(metrics, info));
  write_file_atomically(dir / "metrics" / "final_snapshot.json",
                        json_text(final_snapshot_json(metrics, info)));
  write_file_atomically(dir / "config.yaml", config_yaml);
}

}  // namespace ie::report
