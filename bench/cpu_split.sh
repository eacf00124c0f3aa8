#!/usr/bin/env bash
# Where a change moves the client's CPU, thread by thread: runs the pinned client (as bench/roofline.sh:
# client on CPU 0 with all its threads, stub on CPU 1) under `perf record -e cpu-clock`, alternating two
# variants --runs times each, and prints CPU ns per completed request for every thread (named ie-worker-N,
# ie-collector, ie-trace-drain, ie-trace-io, ...) split into user space, vDSO (clock reads) and kernel,
# averaged over the runs, then the worker symbols that moved most. Alternating and averaging is what makes
# a few-percent difference visible on this noisy machine; a single pair is not enough.
#
#   bench/cpu_split.sh [--runs 4] [--seconds 4] [--streaming off|on] [--bin-a PATH] [--bin-b PATH]
#                      "VARIANT A FLAGS" "VARIANT B FLAGS"
#
# --bin-a / --bin-b run that variant with another build of the binary (default: this tree's, rebuilt), to
# compare two commits: build the other one in a git worktree and pass its build/inference-endpoint.
#
# In the flags, {work} is replaced by a scratch directory, e.g.
#   bench/cpu_split.sh "" "--trace-file {work}/t.ietrace"
#   bench/cpu_split.sh "--trace-file {work}/t.ietrace --trace-period-ms 1" "--trace-file {work}/t.ietrace"
set -euo pipefail
cd "$(dirname "$0")/.."
count=4 seconds=4 streaming=off connections=64
source bench/common.sh
parse_ab_options --runs "bench/cpu_split.sh [--runs N] [--seconds S] [--streaming off|on] [--bin-a PATH] [--bin-b PATH] FLAGS_A FLAGS_B" "$@"
runs=$count
command -v perf >/dev/null || { echo "cpu_split: needs perf (apt-get install linux-perf)" >&2; exit 3; }
bench_start
start_roofline_stub
variants=("${variant_a//\{work\}/$work}" "${variant_b//\{work\}/$work}")
binaries=("${bin_a:-$bin}" "${bin_b:-$bin}")
for ((i = 0; i < runs; i++)); do
  for v in 0 1; do
    rm -rf "$work/r$v-$i"
    roofline_client_args "$stub_url" "$streaming" "$work/r$v-$i"
    # shellcheck disable=SC2086
    perf record -q -e cpu-clock -F 10000 -o "$work/p$v-$i.data" -- taskset -c 0 "${binaries[$v]}" \
      "${client_args[@]}" ${variants[$v]} >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 4; }
  done
done
python3 - "$work" "$runs" "${variants[@]}" "${binaries[@]}" <<'PY'
import collections, json, subprocess, sys
work, runs, names = sys.argv[1], int(sys.argv[2]), sys.argv[3:5]
def role(comm):
    return 'worker' if comm.startswith('ie-worker') else comm if comm.startswith('ie-') else 'other'
def load(v):
    cls, sym = collections.Counter(), collections.Counter()
    for i in range(runs):
        done = json.load(open(f'{work}/r{v}-{i}/performance/result_summary.json'))['n_samples_completed']
        ns = 1e9 / 10000 / done / runs  # one sample = 100 us of CPU
        out = subprocess.run(['perf', 'script', '-i', f'{work}/p{v}-{i}.data', '-F', 'comm,ip,sym,dso'],
                             capture_output=True, text=True).stdout
        for line in out.splitlines():
            parts = line.split(None, 2)  # comm (our names have no spaces), ip, "symbol (dso)"
            if len(parts) < 3: continue
            comm, rest = parts[0], parts[2]
            s, dso = rest.rsplit('(', 1) if '(' in rest else (rest, '')
            kind = 'kernel' if 'kernel' in dso else 'vdso' if 'vdso' in dso else 'user'
            cls[(role(comm), kind)] += ns
            if role(comm) == 'worker': sym[(s.strip(), kind)] += ns
    return cls, sym
(a, sa), (b, sb) = load(0), load(1)
print(f'CPU ns per completed request, mean of {runs} runs each: A = "{names[0]}", B = "{names[1]}"')
if len(sys.argv) > 5: print(f'binaries: A = {sys.argv[5]}, B = {sys.argv[6]}')
for r in sorted({k[0] for k in a} | {k[0] for k in b}):
    cells = '  '.join(f'{k} {a[(r, k)]:6.0f} -> {b[(r, k)]:6.0f}' for k in ('user', 'vdso', 'kernel'))
    print(f'  {r:16s} {cells}')
ta, tb = sum(a.values()), sum(b.values())
print(f'  {"total":16s} {ta:6.0f} -> {tb:6.0f} ns ({100 * (tb / ta - 1):+.1f} %)')
print('worker symbols that moved most (ns per request, A -> B):')
moved = sorted(((sb[k] - sa[k], k) for k in set(sa) | set(sb)), key=lambda x: -abs(x[0]))
for d, (s, kind) in moved[:12]:
    print(f'  {d:+7.1f}  {sa[(s, kind)]:7.1f} -> {sb[(s, kind)]:7.1f}  {kind:6s} {s[:80]}')
PY
