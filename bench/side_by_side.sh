#!/usr/bin/env bash
# Two variants of the client measured at the same time (the method of bench/trace_overhead.sh, for any
# pair): each round starts A and B together on CPU 0, each in its own CPU cgroup with equal weight, against
# one stub on CPU 1, and prints B's req/s over A's; which cgroup holds which variant alternates every round.
# Needs root (cgroups).
#
#   bench/side_by_side.sh [--rounds 12] [--seconds 3] [--streaming off|on] [--bin-a PATH] [--bin-b PATH]
#                         "VARIANT A FLAGS" "VARIANT B FLAGS"
#
# --bin-a / --bin-b run that variant with another build (default: this tree's, rebuilt): build the other
# commit in a git worktree and pass its build/inference-endpoint. {work} in the flags becomes a scratch
# directory of that variant, e.g.
#   bench/side_by_side.sh "--trace-file {work}/t.ietrace" "--trace-file {work}/t.ietrace --trace-period-ms 5"
set -euo pipefail
cd "$(dirname "$0")/.."
count=12 seconds=3 streaming=off connections=64
source bench/common.sh
parse_ab_options --rounds "bench/side_by_side.sh [options] \"A FLAGS\" \"B FLAGS\"" "$@"
rounds=$count
bench_start
bin_a=${bin_a:-$bin} bin_b=${bin_b:-$bin}
start_roofline_stub
cgroups=()
make_cgroups

read -ra flags_a <<<"${variant_a//\{work\}/$work/a}"
read -ra flags_b <<<"${variant_b//\{work\}/$work/b}"
: >"$work/ratios"
for ((i = 0; i < rounds; i++)); do
  run_client_in "${cgroups[i % 2]}" a "$bin_a" "${flags_a[@]}" >"$work/qps_a" &
  pid_a=$!
  run_client_in "${cgroups[(i + 1) % 2]}" b "$bin_b" "${flags_b[@]}" >"$work/qps_b" &
  pid_b=$!
  wait "$pid_a" "$pid_b"
  awk -v a="$(cat "$work/qps_a")" -v b="$(cat "$work/qps_b")" 'BEGIN { printf "%.4f\n", (a > 0 ? b / a : 0) }' \
    >>"$work/ratios"
done
echo "A: ${bin_a} $variant_a"
echo "B: ${bin_b} $variant_b"
echo "streaming $streaming, $rounds rounds: B/A req/s median $(median <"$work/ratios")" \
  "(range $(sort -n "$work/ratios" | head -1)..$(sort -n "$work/ratios" | tail -1)); per round: $(tr '\n' ' ' <"$work/ratios")"
