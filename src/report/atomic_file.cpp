#include "report/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>

#include "common/error.h"

namespace ie::report {
namespace {

[[noreturn]] void fail_write(const std::filesystem::path& path, int error) {
  fail_setup("cannot write " + path.string() + ": " + std::strerror(error));
}

// Writes everything, retrying short writes and EINTR; returns 0 or the errno of the failure.
int write_all(int fd, std::string_view content) {
  while (!content.empty()) {
    const ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    content.remove_prefix(static_cast<size_t>(n));
  }
  return 0;
}

// Makes the rename itself durable; best effort, because some filesystems refuse fsync on directories.
void sync_directory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fsync(fd);
  ::close(fd);
}

// A dot-prefixed name keeps the temp file out of casual listings; pid + counter make it unique per writer,
// and O_EXCL makes sure it is ours. Unlike mkstemp (always 0600) this lets the umask decide the permissions.
int create_temp_beside(const std::filesystem::path& path, std::string& temp) {
  static std::atomic<uint64_t> counter{0};  // relaxed: only uniqueness matters, it publishes nothing
  const std::string stem = "." + path.filename().string() + ".tmp." + std::to_string(::getpid()) + ".";
  for (int attempt = 0; attempt < 16; ++attempt) {
    temp = (path.parent_path() / (stem + std::to_string(counter.fetch_add(1, std::memory_order_relaxed))))
               .string();
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0 || errno != EEXIST) return fd;
  }
  return -1;
}

}  // namespace

void write_file_atomically(const std::filesystem::path& path, std::string_view content) {
  std::string temp;
  const int fd = create_temp_beside(path, temp);
  if (fd < 0) fail_write(path, errno);

  int error = write_all(fd, content);
  if (error == 0 && ::fsync(fd) != 0) error = errno;
  if (::close(fd) != 0 && error == 0) error = errno;
  if (error == 0 && ::rename(temp.c_str(), path.c_str()) != 0) error = errno;
  if (error != 0) {
    ::unlink(temp.c_str());
    fail_write(path, error);
  }
  sync_directory(path.parent_path());
}

void prepare_report_dir(const std::filesystem::path& dir) {
  for (const char* sub : {"performance", "metrics"}) {
    std::error_code ec;
    std::filesystem::create_directories(dir / sub, ec);
    if (ec) fail_setup("cannot write " + (dir / sub).string() + ": " + ec.message());
  }
  // access(W_OK) would say yes to root on a read-only mount; creating a file is the honest check.
  std::string probe = (dir / ".write-check.XXXXXX").string();
  const int fd = ::mkstemp(probe.data());
  if (fd < 0) fail_write(dir, errno);
  ::close(fd);
  ::unlink(probe.c_str());
}

}  // namespace ie::report
