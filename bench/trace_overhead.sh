#!/usr/bin/env bash
# Tracing cost: the client's throughput with tracing on (--trace-file) against tracing off, on the roofline's
# setup (client on CPU 0 with all its threads, stub on CPU 1).
#
#   bench/trace_overhead.sh [--rounds 12] [--seconds 3] [--streaming off|on|both] [--dashboard] [--sequential]
#
# Side by side (default, needs root): each round runs the untraced and the traced client AT THE SAME TIME,
# both on CPU 0, each in its own CPU cgroup with equal weight, so each gets half the core whatever its thread
# count. Whatever the machine does during the round hits both alike, and the ratio of their rates is the
# ratio of their CPU cost per request. Which cgroup runs which variant alternates every round. Checked with
# the same binary on both sides (--aa): single rounds within ±1 %; sequential pairs on this machine range
# ±30 %.
#
# --sequential: the older method, one client at a time (untraced then traced, alternating which goes first),
# for machines without a writable cgroup. Needs many more rounds for the same confidence.
# --dashboard: the traced side also folds every pass into the live dashboard and prints plain frames
# (--dashboard plain), so the ratio is the whole -vvv cost, not just recording.
# --aa: both sides untraced (checks the method itself: the ratio must come out 1.0).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=12 seconds=3 connections=64 modes=(off on) traced_flags=() side_by_side=1 aa=0
while (($#)); do
  case "$1" in
    --rounds | --pairs) rounds=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --streaming) [[ $2 == both ]] && modes=(off on) || modes=("$2"); shift 2 ;;
    --dashboard) traced_flags=(--dashboard plain); shift ;;
    --sequential) side_by_side=0; shift ;;
    --aa) aa=1; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
source bench/common.sh
bench_start
start_roofline_stub

cgroups=()
((side_by_side)) && make_cgroups

for streaming in "${modes[@]}"; do
  : >"$work/ratios"
  : >"$work/lost"
  for ((i = 0; i < rounds; i++)); do
    traced=(--trace-file "$work/on/run.ietrace" "${traced_flags[@]}")
    ((aa)) && traced=()
    if ((side_by_side)); then
      # Alternate which cgroup holds which side, so any difference between the two groups cancels.
      g_off=${cgroups[i % 2]} g_on=${cgroups[(i + 1) % 2]}
      run_client_in "$g_off" off "$bin" >"$work/qps_off" &
      pid_off=$!
      run_client_in "$g_on" on "$bin" "${traced[@]}" >"$work/qps_on" &
      pid_on=$!
      wait "$pid_off" "$pid_on"
    elif ((i % 2 == 0)); then
      run_client_in "" off "$bin" >"$work/qps_off"
      run_client_in "" on "$bin" "${traced[@]}" >"$work/qps_on"
    else
      run_client_in "" on "$bin" "${traced[@]}" >"$work/qps_on"
      run_client_in "" off "$bin" >"$work/qps_off"
    fi
    # The run's own count ("trace: N records (M lost)"): tracing at full rate must lose nothing.
    lost=$(sed -n 's/^trace: [0-9]* records (\([0-9]*\) lost[^)]*).*/\1/p' "$work/on/err" | tail -1)
    ((aa)) && lost=0
    echo "${lost:-?}" >>"$work/lost"
    [[ "${lost:-?}" == 0 ]] || grep '^trace: [0-9]' "$work/on/err" || true  # which producer, how long, why
    awk -v a="$(cat "$work/qps_off")" -v b="$(cat "$work/qps_on")" 'BEGIN { printf "%.4f\n", (a > 0 ? b / a : 0) }' >>"$work/ratios"
  done
  printf 'streaming %-3s %d rounds (%s): traced/untraced req/s median %s (range %s..%s)\n' "$streaming" "$rounds" \
    "$( ((side_by_side)) && echo side by side || echo sequential)" "$(median <"$work/ratios")" \
    "$(sort -n "$work/ratios" | head -1)" "$(sort -n "$work/ratios" | tail -1)"
  echo "streaming $streaming: per round: $(tr '\n' ' ' <"$work/ratios")"
  echo "streaming $streaming: trace records lost per traced run: $(tr '\n' ' ' <"$work/lost")"
done
