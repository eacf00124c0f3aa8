# Sourced by the bench scripts (run from the repository root): what every measurement here shares.

# Builds the binary, sets $bin and $work (a scratch directory), and on exit stops the stub ($stub_pid) and
# removes $work. Also sources scripts/stub.sh (start_stub).
bench_start() {
  bash scripts/build.sh inference-endpoint
  bin=$PWD/build/inference-endpoint
  work=$(mktemp -d)
  stub_pid=
  trap 'kill $stub_pid 2>/dev/null; rm -rf "$work"' EXIT
  source scripts/stub.sh
}

# Median of the numbers on stdin, one per line.
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# One offline run of our client pinned to CPU 0 (one worker, $connections connections, $seconds seconds);
# prints "req_per_s cpu_us_per_req user_us_per_req" (CPU = user + system time of the whole client process).
#   run_pinned_client URL STREAMING(on|off) [extra benchmark flags...]
run_pinned_client() {
  local dir="$work/report" url=$1 streaming=$2
  shift 2
  rm -rf "$dir"
  /usr/bin/time -f "%U %S" -o "$work/time" taskset -c 0 "$bin" benchmark offline --endpoints "$url" --model m \
    --dataset data/demo_prompts.jsonl --streaming "$streaming" --workers 1 --max-connections "$connections" "$@" \
    --duration "${seconds}s" --no-progress --report-dir "$dir" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; echo "0 0 0"; return 0; }
  python3 - "$dir/performance/result_summary.json" "$work/time" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
user, system = map(float, open(sys.argv[2]).read().split()[-2:])
n = s["n_samples_completed"]
print(f'{s["qps"]:.0f} {(user + system) * 1e6 / n:.2f} {user * 1e6 / n:.2f}')
PY
}
