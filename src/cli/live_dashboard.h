#pragma once
// The -vvv screen during a run. The recorder thread folds every pass into the dashboard model (a mutex
// guards the fold; folding a pass takes microseconds); a drawing thread renders a frame a few times a second
// — on a terminal into the alternate screen, otherwise as periodic plain frames — so the workers never wait
// on it. At the end the final frame goes to the normal screen, followed by "trace finished".

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <thread>

#include "dashboard/model.h"

namespace ie::trace {
class Recorder;
}

namespace ie::cli {

class LiveDashboard {
 public:
  enum class Mode { tty, plain, json };  // json: one JSON object per line per interval, the last one final

  // sample_one_in: the run's --trace-sample, so the header's counts and rates are scaled back up.
  LiveDashboard(Mode mode, uint32_t sample_one_in);
  // Restores the terminal if finish() was not reached (an error unwinding).
  ~LiveDashboard();
  LiveDashboard(const LiveDashboard&) = delete;
  LiveDashboard& operator=(const LiveDashboard&) = delete;

  // Before the recorder starts: every pass it sweeps is folded here.
  void attach(trace::Recorder& recorder);
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
  void emit_interval(bool final);
  void stop_drawing();

  const Mode mode_;
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
