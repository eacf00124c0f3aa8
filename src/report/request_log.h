#pragma once
// metrics/requests.jsonl: one JSON object per RequestRecord, in arrival order, for offline analysis. Written
// on the collector thread while the run goes on, into "<path>.partial", and renamed to <path> by close() (or
// by the destructor), so an interrupted run still leaves a complete file of whole lines.
//
// Line fields: seq, sample_index, worker, warmup, outcome, http_status, finish_reason, streamed,
// scheduled_ns, issued_ns, first_token_ns, completed_ns (ns relative to the perf start; null when the event
// did not happen), latency_ns, ttft_ns (null when not applicable), content_chunks, output_bytes,
// prompt_tokens, completion_tokens (null when the server did not say).

#include <cstdint>
#include <filesystem>
#include <string>

#include "metrics/request_record.h"

namespace ie::report {

class RequestLog {
 public:
  // Creates "<path>.partial"; throws ie::Error(ExitCode::setup, "cannot write <path>.partial: <reason>").
  RequestLog(std::filesystem::path path, int64_t perf_start_ns);
  ~RequestLog();  // closes (renames) if close() was not called; never throws
  RequestLog(const RequestLog&) = delete;
  RequestLog& operator=(const RequestLog&) = delete;

  void set_perf_start(int64_t ns);  // origin of the relative times of records appended from now on
  // Buffers one line; writes in ~1 MiB blocks. A write failure is remembered and reported by close().
  void append(const metrics::RequestRecord& record);
  // Flushes, fsyncs and renames to the final path. Throws ie::Error(ExitCode::setup) if any write failed (the
  // .partial file is then left in place). Idempotent.
  void close();

  uint64_t lines() const { return lines_; }

 private:
  void flush();

  std::filesystem::path path_;
  std::filesystem::path partial_path_;
  int fd_ = -1;
  int64_t perf_start_ns_;
  std::string buffer_;
  uint64_t lines_ = 0;
  int write_error_ = 0;  // errno of the first failed write; 0 = none
};

}  // namespace ie::report
