#include "report/request_log.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iterator>
#include <string_view>

#include "common/error.h"

namespace ie::report {
namespace {

constexpr size_t kFlushBytes = 1 << 20;

// A nullable integer field: fmt writes the number or the literal null.
struct Nullable {
  bool present;
  int64_t value;
};

Nullable relative(int64_t t_ns, int64_t origin_ns) {
  return {t_ns > 0, t_ns - origin_ns};
}

}  // namespace
}  // namespace ie::report

template <>
struct fmt::formatter<ie::report::Nullable> : fmt::formatter<std::string_view> {
  auto format(const ie::report::Nullable& n, fmt::format_context& ctx) const {
    if (!n.present) return fmt::format_to(ctx.out(), "null");
    return fmt::format_to(ctx.out(), "{}", n.value);
  }
};

namespace ie::report {

RequestLog::RequestLog(std::filesystem::path path, int64_t perf_start_ns)
    : path_(std::move(path)), partial_path_(path_.string() + ".partial"), perf_start_ns_(perf_start_ns) {
  fd_ = ::open(partial_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) fail_setup("cannot write " + partial_path_.string() + ": " + std::strerror(errno));
  buffer_.reserve(kFlushBytes + 1024);
}

RequestLog::~RequestLog() {
  try {
    close();
  } catch (...) {  // NOLINT(bugprone-empty-catch): a destructor must not throw; close() already kept the file
  }
}

void RequestLog::set_perf_start(int64_t ns) {
  perf_start_ns_ = ns;
}

void RequestLog::append(const metrics::RequestRecord& r) {
  if (fd_ < 0) return;
  const bool has_ttft = r.streamed && r.first_token_ns > 0 && r.issued_ns > 0;
  const bool has_latency = r.issued_ns > 0 && r.completed_ns > 0;
  fmt::format_to(std::back_inserter(buffer_),
                 R"({{"seq":{},"sample_index":{},"worker":{},"warmup":{},"outcome":"{}","http_status":{},)"
                 R"("finish_reason":"{}","streamed":{},"scheduled_ns":{},"issued_ns":{},"first_token_ns":{},)"
                 R"("completed_ns":{},"latency_ns":{},"ttft_ns":{},"content_chunks":{},"output_bytes":{},)"
                 R"("prompt_tokens":{},"completion_tokens":{}}})"
                 "\n",
                 r.sequence, r.sample_index, r.worker_id, r.warmup, metrics::outcome_name(r.outcome),
                 r.http_status, metrics::finish_reason_name(r.finish_reason), r.streamed,
                 relative(r.scheduled_ns, perf_start_ns_), relative(r.issued_ns, perf_start_ns_),
                 relative(r.first_token_ns, perf_start_ns_), relative(r.completed_ns, perf_start_ns_),
                 Nullable{has_latency, r.completed_ns - r.issued_ns},
                 Nullable{has_ttft, r.first_token_ns - r.issued_ns}, r.content_chunks, r.output_bytes,
                 Nullable{r.prompt_tokens >= 0, r.prompt_tokens},
                 Nullable{r.completion_tokens >= 0, r.completion_tokens});
  ++lines_;
  if (buffer_.size() >= kFlushBytes) flush();
}

void RequestLog::flush() {
  std::string_view pending = buffer_;
  while (!pending.empty() && write_error_ == 0) {
    const ssize_t n = ::write(fd_, pending.data(), pending.size());
    if (n < 0) {
      if (errno != EINTR) write_error_ = errno;
      continue;
    }
    pending.remove_prefix(static_cast<size_t>(n));
  }
  buffer_.clear();
}

void RequestLog::close() {
  if (fd_ < 0) return;
  flush();
  if (write_error_ == 0 && ::fsync(fd_) != 0) write_error_ = errno;
  if (::close(fd_) != 0 && write_error_ == 0) write_error_ = errno;
  fd_ = -1;
  if (write_error_ == 0 && ::rename(partial_path_.c_str(), path_.c_str()) != 0) write_error_ = errno;
  if (write_error_ != 0)
    fail_setup("cannot write " + partial_path_.string() + ": " + std::strerror(write_error_));
}

}  // namespace ie::report
