#pragma once
// Files a reader may find at any moment, so they are either absent, the previous version, or complete:
// written to a temp file in the same directory, fsync'ed, then renamed over the target.

#include <filesystem>
#include <string_view>

namespace ie::report {

// Replaces `path` with `content` atomically. On failure the previous file (if any) is untouched, no temp file
// is left behind, and ie::Error(ExitCode::setup, "cannot write <path>: <reason>") is thrown.
void write_file_atomically(const std::filesystem::path& path, std::string_view content);

// Creates `dir` with its performance/ and metrics/ subdirectories and checks that files can be created there.
// Throws ie::Error(ExitCode::setup, "cannot write <dir>: <reason>") otherwise. Call before the run starts, so
// a bad --report-dir fails in seconds, not after an hour of benchmarking.
void prepare_report_dir(const std::filesystem::path& dir);

}  // namespace ie::report
