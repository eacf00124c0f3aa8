#pragma once
// The -vvv screen during a run. The recorder thread folds every pass into the dashboard model (a mutex
// guards the fold; folding a pass takes microseconds); a drawing thread renders a frame a few times a second
// — on a terminal into the alternate screen, otherwise as periodic plain frames — so the workers never wait
// on it. At the end the final frame goes to the normal screen, followed by "trace finished".
//
// On a terminal every frame is fitted to the terminal's current size (read each frame, so a resize shows
// at the next redraw, and the screen is cleared once when the size changes): lines cut at the right edge,
// the rows that do not fit replaced by a note, never wrapped or scrolled.

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <thread>

#include "dashboard/model.h"
#include "trace/record.h"

namespace ie::trace {
class Recorder;
}

namespace ie::cli {

struct LiveDashboardOptions {
  bool color = true;  // tty mode only; the other modes are plain text
  // "Now" for each frame, on the records' clock (CLOCK_MONOTONIC). A replay maps wall time to trace time.
  std::function<int64_t()> clock = nullptr;  // null: now_ns()
};

class LiveDashboard {
 public:
  enum class Mode { tty, plain, json };  // json: one JSON object per line per interval, the last one final

  // sample_one_in: the run's --trace-sample, so the header's counts and rates are scaled back up.
  LiveDashboard(Mode mode, uint32_t sample_one_in, LiveDashboardOptions options = {});
  // Restores the terminal if finish() was not reached (an error unwinding).
  ~LiveDashboard();
  LiveDashboard(const LiveDashboard&) = delete;
  LiveDashboard& operator=(const LiveDashboard&) = delete;

  // Before the recorder starts: every pass it sweeps is folded here (through feed_pass).
  void attach(trace::Recorder& recorder);
  // One pass of records, from any one thread at a time (the recorder, or a replay).
  void feed_pass(std::span<const trace::Record> pass);
  void start();
  // Any thread: the client's own numbers for the LOADGEN panel (live counts, then the final metrics).
  void set_loadgen(const dashboard::Loadgen& loadgen);
  // After the recorder has finished (every pass delivered): stops drawing, leaves the alternate screen and
  // prints the final frame.
  void finish();

 private:
  void draw_loop();
  dashboard::Model snapshot();
  std::string frame(bool color);
  std::string redraw(const std::string& frame);
  void emit_interval(bool final);
  void stop_drawing();

  const Mode mode_;
  const LiveDashboardOptions options_;
  int screen_columns_ = 0;  // tty: the terminal's size at the last frame (0 = unknown)
  int screen_rows_ = 0;
  std::mutex fold_mutex_;
  dashboard::DashboardFold fold_;
  std::optional<dashboard::Loadgen> loadgen_;  // guarded by fold_mutex_
  std::thread thread_;
  std::mutex wake_mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool on_alternate_screen_ = false;
  bool finished_ = false;
};

}  // namespace ie::cli
