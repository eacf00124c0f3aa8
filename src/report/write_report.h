#pragma once
// The one call that writes a finished (or interrupted) run's report directory:
//   <dir>/performance/result_summary.json   result_summary_json(), indented like Python's
//   <dir>/report.txt                        render_report_text()
//   <dir>/metrics/final_snapshot.json       final_snapshot_json()
//   <dir>/config.yaml                       the config as given (the caller passes already-redacted YAML)
// Each file is replaced atomically; invalid UTF-8 from servers (error samples) is replaced, never fatal.

#include <filesystem>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "metrics/run_metrics.h"
#include "report/run_info.h"

namespace ie::report {

// Throws ie::Error(ExitCode::setup, "cannot write <path>: <reason>") at the first file it cannot write.
void write_report(const std::filesystem::path& dir, const metrics::RunMetrics& metrics, const RunInfo& info,
                  const std::string& config_yaml);

// JSON text as the report files hold it: 2-space indent, a final newline, invalid UTF-8 replaced by U+FFFD.
std::string json_text(const nlohmann::ordered_json& json);

}  // namespace ie::report
