#include "trace/live_dir.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

#include "common/error.h"

namespace ie::trace {
namespace {

bool is_usable_dir(const char* path) {
  struct stat st;
  return path != nullptr && path[0] == '/' && ::stat(path, &st) == 0 && S_ISDIR(st.st_mode) &&
         ::access(path, W_OK | X_OK) == 0;
}

[[noreturn]] void fail_write(const std::string& path, const char* what, int error) {
  throw Error(ExitCode::execution,
              fmt::format("cannot write {}: {} failed: {}", path, what, std::strerror(error)));
}

}  // namespace

std::string LiveDir::default_base_dir() {
  const char* xdg = std::getenv("XDG_RUNTIME_DIR");
  if (is_usable_dir(xdg)) return xdg;
  const char* tmp = std::getenv("TMPDIR");
  if (tmp != nullptr && tmp[0] != '\0') return tmp;
  return "/tmp";
}

LiveDir::LiveDir() : LiveDir(default_base_dir()) {}

LiveDir::LiveDir(const std::string& base_dir) {
  std::string pattern = base_dir;
  if (pattern.empty() || pattern.back() != '/') pattern += '/';
  pattern += "inference-endpoint-XXXXXX";
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  if (::mkdtemp(name.data()) == nullptr)
    fail_setup(fmt::format("cannot create a live trace directory {}: {}", pattern, std::strerror(errno)));
  path_ = name.data();
  // mkdtemp promises 0700 and a fresh directory; check rather than trust, since everything written here
  // (status, and later live rings) must be private to this user.
  struct stat st {};
  if (::lstat(path_.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != ::geteuid() ||
      (st.st_mode & 07777) != 0700) {
    std::string path = path_;
    remove();
    fail_setup(fmt::format("live trace directory {} is not a private directory (mode {:o})", path,
                           static_cast<unsigned>(st.st_mode & 07777)));
  }
}

LiveDir::~LiveDir() {
  remove();
}

LiveDir::LiveDir(LiveDir&& other) noexcept : path_(std::move(other.path_)) {
  other.path_.clear();
}

LiveDir& LiveDir::operator=(LiveDir&& other) noexcept {
  if (this != &other) {
    remove();
    path_ = std::move(other.path_);
    other.path_.clear();
  }
  return *this;
}

void LiveDir::remove() noexcept {
  if (path_.empty()) return;
  std::error_code ignored;  // nothing useful to do about a leftover temp dir while unwinding
  std::filesystem::remove_all(path_, ignored);
  path_.clear();
}

void LiveDir::write_file_atomic(std::string_view name, std::string_view contents) const {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string_view::npos)
    throw Error(ExitCode::execution, fmt::format("live file name '{}' is not a plain file name", name));
  std::string target = fmt::format("{}/{}", path_, name);
  std::string tmp = target + ".XXXXXX";
  int fd = ::mkostemp(tmp.data(), O_CLOEXEC);
  if (fd < 0) fail_write(target, "mkostemp", errno);
  size_t done = 0;
  while (done < contents.size()) {
    ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int error = n < 0 ? errno : EIO;
      ::close(fd);
      ::unlink(tmp.c_str());
      fail_write(target, "write", error);
    }
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), target.c_str()) != 0) {
    int error = errno;
    ::unlink(tmp.c_str());
    fail_write(target, "rename", error);
  }
}

}  // namespace ie::trace
