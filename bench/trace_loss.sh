#!/usr/bin/env bash
# Does tracing lose records at the client's full speed? Many traced runs on the roofline's setup (client on
# CPU 0 with all its threads, stub on CPU 1), streaming off and on in turn, each a fresh process.
#
#   bench/trace_loss.sh [--runs 60] [--seconds 4]
#
# Prints every run's own account ("trace: N records (M lost), ...; rings drained at least every G ms", with
# what held the draining thread up when a gap reached 50 ms or records were lost), then a summary: runs with
# a loss, records lost, and the longest gaps between drains against what a ring holds (~0.5 s here).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=60 seconds=4 connections=64
while (($#)); do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
source bench/common.sh
bench_start
start_roofline_stub

: >"$work/lines"
for ((i = 0; i < runs; i++)); do
  streaming=$( ((i % 2)) && echo on || echo off)
  rm -rf "$work/report" "$work/t.ietrace"
  roofline_client_args "$stub_url" "$streaming" "$work/report"
  taskset -c 0 "$bin" "${client_args[@]}" --trace-file "$work/t.ietrace" >/dev/null 2>"$work/err" ||
    { cat "$work/err" >&2; exit 1; }
  line=$(grep '^trace: [0-9]' "$work/err")
  echo "run $((i + 1)) streaming $streaming: $line" | tee -a "$work/lines"
done
lossy=$(grep -vc '(0 lost)' "$work/lines" || true)
lost=$(sed -n 's/.*records (\([0-9]*\) lost.*/\1/p' "$work/lines" | awk '{s += $1} END {print s + 0}')
gaps=$(sed -n 's/.*drained at least every \([0-9]*\) ms.*/\1/p' "$work/lines" | sort -n)
echo "summary: $runs traced runs, $lossy with a loss, $lost records lost;" \
  "longest gap between drains: median $(median <<<"$gaps") ms, max $(tail -1 <<<"$gaps") ms"
