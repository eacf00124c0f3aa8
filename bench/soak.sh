#!/usr/bin/env bash
# Load held over time: does the client's memory stay flat and does it leak file descriptors?
#
#   bench/soak.sh [--minutes 10] [--qps 1000] [--connections 16000] [--connections-seconds 60] [--every 10]
#                 [--only connections|poisson]
#
# Two runs against the stub, each sampled every --every seconds from /proc (RSS, open fds, threads):
#   1. --connections concurrent streaming requests held open for --connections-seconds: the pool at its
#      largest (replies take 4 s and carry 2 tokens, so the 2 cores go to holding connections, not to tokens). A process here cannot raise its open-file limit
#      above 20,000, so 16k is the most that fits beside the stub's own 16k sockets.
#   2. a --minutes Poisson run at --qps, streaming (~1 s replies of 40 tokens; a pool of 4 x qps connections,
#      so the replies never run out of connections).
# Prints one line per sample and a verdict per run: RSS growth from the first quarter of the run to its end,
# the part of it the exact latency series explain (8 values of 8 bytes per completed request, kept for the
# report's exact percentiles), what is left over, and the fd count at the end against the pool size.
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=10 qps=1000 connections=16000 connections_seconds=60 every=10 only=
while (($#)); do
  case "$1" in
    --minutes) minutes=$2; shift 2 ;;
    --qps) qps=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --connections-seconds) connections_seconds=$2; shift 2 ;;
    --every) every=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
source bench/common.sh
bench_start
ulimit -n "$(ulimit -Hn)"

# Samples the client ($1 = pid) until it exits; one line per sample to stdout and to $work/samples.
sample() {
  local pid=$1 start=$SECONDS
  : >"$work/samples"
  while kill -0 "$pid" 2>/dev/null; do
    local rss fds threads
    rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null) || break
    threads=$(awk '/^Threads/ {print $2}' "/proc/$pid/status" 2>/dev/null) || break
    fds=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)
    [[ -n "$rss" ]] || break
    printf '  t=%4ds  rss=%7.1f MB  fds=%6d  threads=%3d\n' $((SECONDS - start)) "$(awk -v kb="$rss" 'BEGIN { print kb / 1024 }')" "$fds" "$threads" |
      tee -a "$work/samples"
    sleep "$every"
  done
}

verdict() {
  python3 - "$work/samples" "$1" "$work/client.out" <<'PY'
import re, sys
rows = [tuple(float(x) for x in re.findall(r"rss=\s*([\d.]+).*fds=\s*(\d+)", line)[0]) for line in open(sys.argv[1])]
label = sys.argv[2]
completed = int(re.search(r"(\d+) succeeded", open(sys.argv[3]).read()).group(1))
if len(rows) < 4:
    print(f"{label}: too few samples ({len(rows)})"); sys.exit()
quarter, last = rows[len(rows) // 4], rows[-1]
series_mb = completed * 0.75 * 64 / 1e6  # the completions after the first quarter, 64 bytes each
growth = last[0] - quarter[0]
print(f"{label}: RSS {quarter[0]:.1f} MB at the first quarter -> {last[0]:.1f} MB at the end ({growth:+.1f} MB); "
      f"exact series of the {completed * 3 // 4} later completions ~{series_mb:.1f} MB; "
      f"unexplained {growth - series_mb:+.1f} MB; fds {quarter[1]:.0f} -> {last[1]:.0f}, peak {max(r[1] for r in rows):.0f}")
PY
}

run_client() {
  "$bin" benchmark online --endpoints "$stub_url" --model m --dataset data/demo_prompts.jsonl --workers 1 \
    --no-progress --report-dir "$work/report" "$@" >"$work/client.out" 2>"$work/client.err" &
  local pid=$!
  sample "$pid"
  wait "$pid" || { echo "client failed:" >&2; cat "$work/client.err" >&2; exit 1; }
  grep -E '^(State|Requests|QPS)' "$work/client.out" | sed 's/^/  /'
}

if [[ "$only" != poisson ]]; then
  start_stub -- --threads 1 --mode variable --ttft-ms 4000 --ttft-spread 0.1 --output-tokens 2 --seed 7
  echo "== $connections connections held for ${connections_seconds}s (concurrency run, streaming) =="
  run_client --load-pattern concurrency --concurrency "$connections" --duration "${connections_seconds}s"
  verdict "connections"
  kill "$stub_pid"
  wait "$stub_pid" 2>/dev/null || true
fi

if [[ "$only" != connections ]]; then
  start_stub -- --threads 1 --mode variable --ttft-ms 200 --itl-ms 20 --output-tokens 40 --seed 7
  echo "== Poisson ${qps} QPS for ${minutes} min (streaming) =="
  run_client --load-pattern poisson --target-qps "$qps" --max-connections "$((qps * 4))" \
    --duration "$((minutes * 60))s"
  verdict "poisson"
fi
