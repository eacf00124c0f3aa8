#!/usr/bin/env bash
# The Python inference-endpoint's own end-to-end roofline recipe (its issue #328), through our full CLI against
# our stub, so the numbers compare with its published table. Each case: mean ± stdev over --reps repetitions.
#
#   bench/python_recipe.sh [--reps 3] [--quick]
#
# Cases (streaming off and on): offline burst of N requests; concurrency 1k / 4k / 16k for 10 s (cap 12 s);
# the largest Poisson target QPS sustained at >= 95 % (binary search over 10k steps, 10 s each).
# Stub: max-throughput, 160-character replies in events of 10 characters, as in the Python recipe.
# --quick: 1 rep, shorter runs, for a smoke check.
set -euo pipefail
cd "$(dirname "$0")/.."
reps=3 burst=2000000 seconds=10 cap_ms=12000
while (($#)); do
  case "$1" in
    --reps) reps=$2; shift 2 ;;
    --quick) reps=1 burst=200000 seconds=3 cap_ms=4000; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
source bench/common.sh
bench_start
start_stub --threads 1 --output-chars 160 --chars-per-event 10
url=$stub_url

run() {  # prints "qps failed complete" from one run
  rm -rf "$work/r"
  "$bin" benchmark "$@" --endpoints "$url" --model max-tp --dataset data/demo_prompts.jsonl --workers 1 \
    --no-progress --report-dir "$work/r" >/dev/null 2>"$work/err" || true
  python3 - "$work/r/performance/result_summary.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
print(f"{s['qps'] or 0:.0f} {s['n_samples_failed']} {s['n_samples_issued']}")
PY
}

stats() {  # mean ± stdev of the first column
  python3 -c '
import statistics, sys
v = [float(l.split()[0]) for l in sys.stdin if l.strip()]
sd = statistics.stdev(v) if len(v) > 1 else 0.0
print(f"{statistics.mean(v):9.0f} ± {sd:7.0f}  (n={len(v)})")'
}

printf '%-40s %s\n' "case" "QPS mean ± stdev"
for streaming in off on; do
  for ((i = 0; i < reps; i++)); do
    run offline --streaming "$streaming" --num-samples "$burst" --max-connections 1024
  done >"$work/burst"
  printf '%-40s %s\n' "offline burst $burst, streaming $streaming" "$(stats <"$work/burst")"
  for c in 1000 4000 16000; do
    for ((i = 0; i < reps; i++)); do
      run online --streaming "$streaming" --load-pattern concurrency --concurrency "$c" --duration "${seconds}s" \
        --runtime.max-duration-ms "$cap_ms"
    done >"$work/conc"
    printf '%-40s %s\n' "concurrency $c, streaming $streaming" "$(stats <"$work/conc")"
  done
  # Largest sustained Poisson rate: binary search on multiples of 10k QPS.
  lo=0 hi=25
  while ((hi - lo > 1)); do
    mid=$(((lo + hi) / 2)) target=$((mid * 10000))
    read -r qps _ _ < <(run online --streaming "$streaming" --load-pattern poisson --target-qps "$target" \
      --duration "${seconds}s" --runtime.max-duration-ms "$cap_ms")
    if python3 -c "import sys; sys.exit(0 if $qps >= 0.95 * $target else 1)"; then lo=$mid; else hi=$mid; fi
  done
  best=$((lo * 10000))
  for ((i = 0; i < reps; i++)); do
    if ((best > 0)); then
      run online --streaming "$streaming" --load-pattern poisson --target-qps "$best" --duration "${seconds}s" \
        --runtime.max-duration-ms "$cap_ms"
    else echo 0; fi
  done >"$work/poisson"
  printf '%-40s %s\n' "poisson max sustained ($best target), streaming $streaming" "$(stats <"$work/poisson")"
done
