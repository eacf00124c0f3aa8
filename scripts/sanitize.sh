#!/usr/bin/env bash
# Runs the tests under the sanitizers, each mode in its own build directory (configured once, then
# incremental):
#
#   scripts/sanitize.sh address   every test binary and the integration tests under ASan + UBSan (build-asan/)
#   scripts/sanitize.sh thread    the engine, trace and dashboard tests under TSan (build-tsan2/)
#   scripts/sanitize.sh [all]     both, address first
#
# Any sanitizer report fails the run, including one from a child process (the integration and stub tests run
# the sanitized inference-endpoint of the same build directory): reports go to <build>/sanitizer-logs/ and
# are printed at the end, so a report cannot hide behind a test that only checks an exit code.
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-all}"
case "$mode" in
  address|thread|all) ;;
  *) echo "sanitize: mode must be address, thread or all, got '$mode'" >&2; exit 2 ;;
esac

bash scripts/setup.sh

# configure <build dir> <cmake args...>: every time (a few seconds), so a changed flag here takes effect;
# the build itself stays incremental.
configure() {
  local dir="$1"
  shift
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIE_BUILD_BENCH=OFF "$@" >/dev/null
}

build() {
  local dir="$1"
  shift
  ninja -C "$dir" -j2 "$@" | grep -vE '^\[[0-9]+/[0-9]+\] ' || true
  test "${PIPESTATUS[0]}" -eq 0
}

# Fails when any process of the run left a sanitizer report, and prints the reports.
check_logs() {
  local logs="$1"
  local reports=("$logs"/*)
  if [[ -e "${reports[0]}" ]]; then
    echo "sanitize: ${#reports[@]} sanitizer report(s) in $logs:" >&2
    for report in "${reports[@]}"; do
      echo "=== $report" >&2
      head -60 "$report" >&2
    done
    return 1
  fi
}

run_address() {
  local dir=build-asan
  local start=$SECONDS
  # -fno-sanitize-recover: undefined behaviour aborts the test instead of printing and passing.
  # -Wno-error=maybe-uninitialized: g++ 12 with ASan at -O2 reports false positives inside libstdc++'s
  # <regex> / std::function (tests/dashboard/render_test.cpp); they stay visible as warnings.
  configure "$dir" -DIE_SANITIZE=address,undefined \
    "-DCMAKE_CXX_FLAGS=-fno-sanitize-recover=undefined -Wno-error=maybe-uninitialized" \
    -DCMAKE_C_FLAGS=-fno-sanitize-recover=undefined
  build "$dir"
  echo "sanitize address: build took $((SECONDS - start)) s"
  local logs="$PWD/$dir/sanitizer-logs"
  rm -rf "$logs" && mkdir -p "$logs"
  # exitcode=66: a process that a sanitizer stopped never exits with a code a test may expect (1, 2, 3, 4).
  export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:exitcode=66:detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1:log_path=$logs/asan"
  export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:exitcode=66:log_path=$logs/ubsan"
  local status=0
  (cd "$dir" && ctest --output-on-failure --timeout 600 -j2) || status=1
  check_logs "$logs" || status=1
  echo "sanitize address: $( ((status == 0)) && echo clean || echo FAILED ) after $((SECONDS - start)) s"
  return "$status"
}

run_thread() {
  local dir=build-tsan2
  local start=$SECONDS
  configure "$dir" -DIE_SANITIZE=thread
  build "$dir" test_engine test_trace test_dashboard
  echo "sanitize thread: build took $((SECONDS - start)) s"
  local logs="$PWD/$dir/sanitizer-logs"
  rm -rf "$logs" && mkdir -p "$logs"
  export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:exitcode=66:log_path=$logs/tsan"
  local status=0
  (cd "$dir" && ctest --output-on-failure --timeout 600 -j2 -L '^(engine|trace|dashboard)$') || status=1
  check_logs "$logs" || status=1
  echo "sanitize thread: $( ((status == 0)) && echo clean || echo FAILED ) after $((SECONDS - start)) s"
  return "$status"
}

status=0
if [[ "$mode" == address || "$mode" == all ]]; then run_address || status=1; fi
if [[ "$mode" == thread || "$mode" == all ]]; then run_thread || status=1; fi
exit "$status"
