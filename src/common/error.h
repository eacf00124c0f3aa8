#pragma once
// Exit codes (the Python tool's, so scripts keep working) and the one exception type that carries them
// from setup code up to main. The hot path never throws: per-request failures are counted, not raised.

#include <stdexcept>
#include <string>

namespace ie {

enum class ExitCode : int {
  ok = 0,
  failure = 1,        // unexpected error, or a run that completed no request
  invalid_input = 2,  // bad flag, YAML key or value, dataset line
  setup = 3,          // cannot open the dataset, cannot reach the endpoint, cannot create the report dir
  execution = 4,      // the run itself failed
  interrupted = 130,  // SIGINT / SIGTERM; a report marked interrupted is still written
};

// A failure before or after the run, described in one sentence that names the file / key / value at fault.
class Error : public std::runtime_error {
 public:
  Error(ExitCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ExitCode code() const { return code_; }

 private:
  ExitCode code_;
};

[[noreturn]] inline void fail_input(const std::string& message) {
  throw Error(ExitCode::invalid_input, message);
}
[[noreturn]] inline void fail_setup(const std::string& message) {
  throw Error(ExitCode::setup, message);
}

}  // namespace ie
