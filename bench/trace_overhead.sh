#!/usr/bin/env bash
# Tracing cost as paired A/B runs: each untraced run is followed at once by a traced twin (--trace-file), both
# pinned like bench/roofline.sh (client CPU 0 with its collector and recorder threads, stub CPU 1). On a noisy
# machine many short pairs and the median of their ratios beat a few long runs.
#
#   bench/trace_overhead.sh [--pairs 15] [--seconds 3]
set -euo pipefail
cd "$(dirname "$0")/.."
pairs=15 seconds=3
while (($#)); do
  case "$1" in
    --pairs) pairs=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
bash scripts/build.sh inference-endpoint
bin=$PWD/build/inference-endpoint
work=$(mktemp -d)
stub_pid=
trap 'kill $stub_pid 2>/dev/null; rm -rf "$work"' EXIT
source scripts/stub.sh
start_stub taskset -c 1 -- --threads 1 --mode max-throughput --output-chars 160 --chars-per-event 10

run_once() {  # args: streaming(on|off) traced(0|1); prints "req_per_s cpu_us_per_request"
  local extra=()
  (($2)) && extra=(--trace-file "$work/run.ietrace")
  rm -rf "$work/r"
  /usr/bin/time -f "%U %S" -o "$work/time" taskset -c 0 "$bin" benchmark offline --endpoints "$stub_url" \
    --model m --dataset data/demo_prompts.jsonl --streaming "$1" --workers 1 --max-connections 64 \
    --duration "${seconds}s" --no-progress --report-dir "$work/r" "${extra[@]}" >/dev/null 2>&1
  python3 - "$work/r/performance/result_summary.json" "$work/time" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
user, system = map(float, open(sys.argv[2]).read().split()[-2:])
print(s["qps"], (user + system) * 1e6 / s["n_samples_completed"])
PY
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

for streaming in off on; do
  : >"$work/ratios"
  for ((i = 0; i < pairs; i++)); do
    read -r qps_off cpu_off < <(run_once "$streaming" 0)
    read -r qps_on cpu_on < <(run_once "$streaming" 1)
    awk -v a="$qps_off" -v b="$qps_on" -v c="$cpu_off" -v d="$cpu_on" 'BEGIN { printf "%.4f %.4f\n", b / a, d / c }' >>"$work/ratios"
  done
  printf 'streaming %-3s %d pairs: traced/untraced req/s median %s (range %s..%s), CPU per request median %s\n' \
    "$streaming" "$pairs" "$(cut -d' ' -f1 "$work/ratios" | median)" "$(cut -d' ' -f1 "$work/ratios" | sort -n | head -1)" \
    "$(cut -d' ' -f1 "$work/ratios" | sort -n | tail -1)" "$(cut -d' ' -f2 "$work/ratios" | median)"
done
