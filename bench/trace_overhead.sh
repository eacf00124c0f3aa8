#!/usr/bin/env bash
# Tracing cost as paired A/B runs: each untraced run is followed at once by a traced twin (--trace-file), both
# pinned like bench/roofline.sh (client CPU 0 with its collector and recorder threads, stub CPU 1). On a noisy
# machine many short pairs and the median of their ratios beat a few long runs.
#
#   bench/trace_overhead.sh [--pairs 15] [--seconds 3] [--dashboard]
#
# --dashboard: the traced twin also folds every pass into the live dashboard and prints plain frames
# (--dashboard plain), so the ratio is the whole -vvv cost, not just recording.
set -euo pipefail
cd "$(dirname "$0")/.."
pairs=15 seconds=3 connections=64 traced_flags=()
while (($#)); do
  case "$1" in
    --pairs) pairs=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --dashboard) traced_flags=(--dashboard plain); shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
source bench/common.sh
bench_start
start_stub taskset -c 1 -- --threads 1 --mode max-throughput --output-chars 160 --chars-per-event 10



for streaming in off on; do
  : >"$work/ratios"
  : >"$work/lost"
  for ((i = 0; i < pairs; i++)); do
    read -r qps_off cpu_off _ < <(run_pinned_client "$stub_url" "$streaming")
    read -r qps_on cpu_on _ < <(run_pinned_client "$stub_url" "$streaming" --trace-file "$work/run.ietrace" "${traced_flags[@]}")
    # The run's own count ("trace: N records (M lost)"): tracing at full rate must lose nothing.
    lost=$(sed -n 's/^trace: [0-9]* records (\([0-9]*\) lost[^)]*).*/\1/p' "$work/err" | tail -1)
    echo "${lost:-?}" >>"$work/lost"
    [[ "${lost:-?}" == 0 ]] || grep '^trace: ' "$work/err" || true  # which producer, how long undrained
    awk -v a="$qps_off" -v b="$qps_on" -v c="$cpu_off" -v d="$cpu_on" 'BEGIN { printf "%.4f %.4f\n", b / a, d / c }' >>"$work/ratios"
  done
  printf 'streaming %-3s %d pairs: traced/untraced req/s median %s (range %s..%s), CPU per request median %s\n' \
    "$streaming" "$pairs" "$(cut -d' ' -f1 "$work/ratios" | median)" "$(cut -d' ' -f1 "$work/ratios" | sort -n | head -1)" \
    "$(cut -d' ' -f1 "$work/ratios" | sort -n | tail -1)" "$(cut -d' ' -f2 "$work/ratios" | median)"
  echo "streaming $streaming: trace records lost per traced run: $(tr '\n' ' ' <"$work/lost")"
done
