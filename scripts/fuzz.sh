#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan, see fuzz/) in build-fz/, replays the saved crash
# reproducers in fuzz/regressions/<target>/, then fuzzes each target for N seconds on a fresh copy of its seed
# corpus. Stops at the first crash and prints where the crashing input was saved.
#
#   scripts/fuzz.sh [--seconds N] [--seed S] [target...]   N defaults to 60; targets default to all of them
#
# --seed fixes libFuzzer's random seed (default: a new one each run, which is what exploration wants).
# CI runs the smoke mode with a fixed seed, so a rerun of the same commit explores the same inputs and gives
# the same verdict: scripts/fuzz.sh --seconds 10 --seed 1
set -euo pipefail
cd "$(dirname "$0")/.."

all_targets=(http_response_parser sse_decoder chunk_decoder dataset yaml_config)
seconds=60
seed=
targets=()
while (($# > 0)); do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --seconds=*) seconds="${1#*=}"; shift ;;
    --seed) seed="$2"; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *)
      if [[ ! -f "fuzz/fuzz_$1.cpp" ]]; then
        echo "fuzz: unknown target '$1' (targets: ${all_targets[*]})" >&2
        exit 2
      fi
      targets+=("$1"); shift ;;
  esac
done
((${#targets[@]} > 0)) || targets=("${all_targets[@]}")
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "fuzz: --seconds needs a whole number, got '$seconds'" >&2; exit 2; }
[[ -z "$seed" || "$seed" =~ ^[0-9]+$ ]] || { echo "fuzz: --seed needs a whole number, got '$seed'" >&2; exit 2; }

bash scripts/setup.sh --with-fuzz
build=build-fz
if [[ ! -f "$build/build.ninja" ]]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
    -DCMAKE_C_COMPILER=clang -DIE_FUZZ=ON -DIE_BUILD_TESTS=OFF -DIE_BUILD_BENCH=OFF >/dev/null
fi
build_start=$SECONDS
# Only the fuzz targets: the rest of the project is built (with g++) by scripts/build.sh.
ninja -C "$build" -j2 "${targets[@]/#/fuzz_}" | grep -vE '^\[[0-9]+/[0-9]+\] ' || true
test "${PIPESTATUS[0]}" -eq 0
echo "fuzz: build took $((SECONDS - build_start)) s"

# A report from the sanitizers is a crash; a leak found by LeakSanitizer at exit is one too.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"

work="$build/fuzz-work"
status=0
for target in "${targets[@]}"; do
  binary="$build/fuzz/fuzz_$target"
  artifacts="$build/fuzz-artifacts/$target"
  mkdir -p "$artifacts"

  # Every reproducer that once crashed must pass before new inputs are tried.
  regressions=(fuzz/regressions/"$target"/*)
  if [[ -e "${regressions[0]}" ]]; then
    if ! "$binary" "${regressions[@]}" >"$artifacts/regressions.log" 2>&1; then
      echo "fuzz $target: a saved regression fails again:" >&2
      tail -40 "$artifacts/regressions.log" >&2
      exit 1
    fi
  fi

  rm -rf "${work:?}/$target"
  mkdir -p "$work/$target"
  cp fuzz/corpus/"$target"/* "$work/$target/"
  seeds=$(find "$work/$target" -type f | wc -l)
  flags=()
  if [[ -f "fuzz/dict/$target.dict" ]]; then flags+=("-dict=fuzz/dict/$target.dict"); fi
  if [[ -n "$seed" ]]; then flags+=("-seed=$seed"); fi
  log="$artifacts/fuzz.log"
  # -timeout: an input that takes 10 s is a hang, which is a finding too.
  set +e
  "$binary" "$work/$target" "${flags[@]}" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$artifacts/" >"$log" 2>&1
  rc=$?
  set -e

  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  execs=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
  corpus=$(find "$work/$target" -type f | wc -l)
  crashes=0
  if ((rc != 0)); then crashes=1; fi
  printf 'fuzz %-22s %3ss: runs %9s, exec/s %6s, cov %5s, corpus %4s (seeds %s), crashes %s\n' "$target" \
    "$seconds" "${runs:-?}" "${execs:-?}" "${cov:-?}" "$corpus" "$seeds" "$crashes"
  if ((rc != 0)); then
    echo "fuzz $target: crashed (exit $rc); log $log; input: $(grep -oE "Test unit written to .*" "$log" | \
      sed 's/Test unit written to //' || echo '?')" >&2
    grep -E 'ERROR|INVARIANT|SUMMARY|runtime error' "$log" | head -10 >&2
    echo "Minimise with: $binary -minimize_crash=1 -runs=100000 <input>; keep it in fuzz/regressions/$target/" >&2
    status=1
    break
  fi
done
exit "$status"
