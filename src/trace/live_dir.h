#pragma once
// A private directory for a run's live trace state (status.json, and whatever a live viewer attaches to).
// It is created fresh with mkdtemp — never a predictable path another user could plant first — checked to
// be ours with mode 0700, and removed with everything in it when the owner goes away, including when an
// exception unwinds through it.

#include <string>
#include <string_view>

namespace ie::trace {

class LiveDir {
 public:
  // Creates "<default_base_dir()>/inference-endpoint-XXXXXX". Throws ie::Error(setup) naming the path and
  // the OS reason.
  LiveDir();
  // Creates "<base_dir>/inference-endpoint-XXXXXX". Throws as above.
  explicit LiveDir(const std::string& base_dir);
  // Removes the directory recursively (never throws).
  ~LiveDir();
  LiveDir(LiveDir&& other) noexcept;
  LiveDir& operator=(LiveDir&& other) noexcept;
  LiveDir(const LiveDir&) = delete;
  LiveDir& operator=(const LiveDir&) = delete;

  // The directory; empty for a moved-from LiveDir.
  const std::string& path() const { return path_; }

  // Replaces path()/name with `contents` through a temporary file and rename, so a reader sees either the
  // old file or the new one, whole. `name` is a plain file name (no '/'). Throws ie::Error(execution) naming
  // the file and the OS reason.
  void write_file_atomic(std::string_view name, std::string_view contents) const;

  // $XDG_RUNTIME_DIR when it names an existing directory we may write into, else $TMPDIR when set and
  // non-empty, else /tmp.
  static std::string default_base_dir();

 private:
  void remove() noexcept;

  std::string path_;
};

}  // namespace ie::trace
