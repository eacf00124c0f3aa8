#include "cli/live_dashboard.h"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <sys/ioctl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <span>
#include <string>

#include "common/clock.h"
#include "common/thread_name.h"
#include "dashboard/model_json.h"
#include "dashboard/render.h"
#include "trace/recorder.h"

namespace ie::cli {
namespace {

constexpr auto kTtyRefresh = std::chrono::milliseconds(300);  // the seed's 0.3 s
constexpr auto kPlainRefresh = std::chrono::seconds(5);       // log-friendly

constexpr const char* kEnterAlternateScreen = "\x1b[?1049h\x1b[?25l";  // and hide the cursor
constexpr const char* kLeaveAlternateScreen = "\x1b[?25h\x1b[?1049l";

// Home, then every line followed by clear-to-end-of-line, then clear below: redraws without flicker.
std::string for_redraw(const std::string& frame, bool clear_first) {
  std::string out = clear_first ? "\x1b[2J\x1b[H" : "\x1b[H";
  size_t begin = 0;
  while (begin < frame.size()) {
    size_t end = frame.find('\n', begin);
    if (end == std::string::npos) end = frame.size();
    out.append(frame, begin, end - begin);
    out += "\x1b[K\n";
    begin = end + 1;
  }
  out += "\x1b[J";
  return out;
}

}  // namespace

LiveDashboard::LiveDashboard(Mode mode, uint32_t sample_one_in, LiveDashboardOptions options)
    : mode_(mode), options_(std::move(options)), fold_(sample_one_in) {}

LiveDashboard::~LiveDashboard() {
  stop_drawing();
}

void LiveDashboard::attach(trace::Recorder& recorder) {
  recorder.add_listener([this](std::span<const trace::Record> pass) { feed_pass(pass); });
}

void LiveDashboard::feed_pass(std::span<const trace::Record> pass) {
  std::lock_guard lock(fold_mutex_);
  fold_.feed_pass(pass);
}

void LiveDashboard::start() {
  if (mode_ == Mode::tty) {
    std::fputs(kEnterAlternateScreen, stdout);
    std::fflush(stdout);
    on_alternate_screen_ = true;
  }
  thread_ = std::thread([this] { draw_loop(); });
}

void LiveDashboard::set_loadgen(const dashboard::Loadgen& loadgen) {
  std::lock_guard lock(fold_mutex_);
  // The final metrics know no connection count (the pool is closed by then): keep the last one seen.
  std::optional<dashboard::ConnectionCounts> connections = loadgen_ ? loadgen_->connections : std::nullopt;
  loadgen_ = loadgen;
  if (!loadgen_->connections) loadgen_->connections = connections;
}

dashboard::Model LiveDashboard::snapshot() {
  dashboard::Model model;
  {
    std::lock_guard lock(fold_mutex_);
    model = fold_.snapshot(options_.clock ? options_.clock() : now_ns());
    model.loadgen = loadgen_;
  }
  if (model.loadgen && model.loadgen->output_tokens && model.loadgen->duration_ns > 0)
    model.header.tok_per_s =
        *model.loadgen->output_tokens * 1e9 / static_cast<double>(model.loadgen->duration_ns);
  return model;
}

std::string LiveDashboard::frame(bool color) {
  dashboard::RenderOptions options;
  options.color = color;
  return dashboard::render(snapshot(), options);
}

// One interval's output in the chosen mode.
void LiveDashboard::emit_interval(bool final) {
  switch (mode_) {
    case Mode::tty:
      if (final) {
        std::fputs(frame(options_.color).c_str(), stdout);  // the normal screen scrolls: print it whole
      } else {
        std::fputs(redraw(frame(options_.color)).c_str(), stdout);
      }
      break;
    case Mode::plain:
      if (!final) fmt::print("\n");
      fmt::print("{}", frame(false));
      break;
    case Mode::json: {
      nlohmann::json line = dashboard::to_json(snapshot());
      line["final"] = final;
      fmt::print("{}\n", line.dump());
      break;
    }
  }
  if (final && mode_ != Mode::json) fmt::print("trace finished\n");
  std::fflush(stdout);
}

// The frame fitted to the terminal's size now; one row is left free, as a newline on the last row would
// scroll the alternate screen.
std::string LiveDashboard::redraw(const std::string& frame) {
  winsize size{};
  const bool known = ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0 && size.ws_row > 0;
  // Not the last column: after a glyph there the cursor waits to wrap, and erase-to-end-of-line would
  // erase that glyph.
  const int columns = known ? size.ws_col - 1 : 0;
  const int rows = known ? size.ws_row - 1 : 0;
  const bool resized = columns != screen_columns_ || rows != screen_rows_;  // clear: no stale cells
  screen_columns_ = columns;
  screen_rows_ = rows;
  return for_redraw(dashboard::fit_to_screen(frame, columns, rows), resized);
}

void LiveDashboard::draw_loop() {
  name_this_thread("ie-dashboard");
  const auto period =
      mode_ == Mode::tty ? std::chrono::nanoseconds(kTtyRefresh) : std::chrono::nanoseconds(kPlainRefresh);
  std::unique_lock lock(wake_mutex_);
  while (!wake_.wait_for(lock, period, [this] { return stopping_; })) {
    lock.unlock();
    emit_interval(false);
    lock.lock();
  }
}

void LiveDashboard::stop_drawing() {
  {
    std::lock_guard lock(wake_mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (on_alternate_screen_) {
    std::fputs(kLeaveAlternateScreen, stdout);
    std::fflush(stdout);
    on_alternate_screen_ = false;
  }
}

void LiveDashboard::finish() {
  if (finished_) return;
  finished_ = true;
  stop_drawing();
  {
    std::lock_guard lock(fold_mutex_);
    fold_.finish();
  }
  emit_interval(true);
}

}  // namespace ie::cli
