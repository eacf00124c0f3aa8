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

# The stub every pinned measurement runs against: one thread on CPU 1, answering at once with 160
# characters (16 SSE events when streaming), so the client on CPU 0 is the bottleneck.
start_roofline_stub() {
  start_stub taskset -c 1 -- --threads 1 --mode max-throughput --output-chars 160 --chars-per-event 10
}

# The client run every pinned measurement makes: offline, one worker, $connections connections, $seconds s,
# the bundled prompts. Sets the array client_args (after the binary) for URL, STREAMING and REPORT_DIR.
#   roofline_client_args URL STREAMING REPORT_DIR
roofline_client_args() {
  client_args=(benchmark offline --endpoints "$1" --model m --dataset data/demo_prompts.jsonl --streaming "$2"
    --workers 1 --max-connections "$connections" --duration "${seconds}s" --no-progress --report-dir "$3")
}

# The options of the scripts that compare two variants A and B: --seconds, --streaming, --bin-a, --bin-b
# and COUNT_OPTION (e.g. --runs) into $count; the two variants' flags are left in $variant_a and $variant_b.
# Set the defaults of count, seconds and streaming before calling.
#   parse_ab_options COUNT_OPTION USAGE "$@"
parse_ab_options() {
  local count_option=$1 usage=$2
  shift 2
  bin_a= bin_b=
  while (($# > 2)); do
    case "$1" in
      "$count_option") count=$2; shift 2 ;;
      --seconds) seconds=$2; shift 2 ;;
      --streaming) streaming=$2; shift 2 ;;
      --bin-a) bin_a=$2; shift 2 ;;
      --bin-b) bin_b=$2; shift 2 ;;
      *) echo "unknown option $1" >&2; exit 2 ;;
    esac
  done
  (($# == 2)) || { echo "usage: $usage" >&2; exit 2; }
  variant_a=$1 variant_b=$2
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
  roofline_client_args "$url" "$streaming" "$dir"
  /usr/bin/time -f "%U %S" -o "$work/time" taskset -c 0 "$bin" "${client_args[@]}" "$@" >/dev/null 2>"$work/err" ||
    { cat "$work/err" >&2; echo "0 0 0"; return 0; }
  python3 - "$dir/performance/result_summary.json" "$work/time" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
user, system = map(float, open(sys.argv[2]).read().split()[-2:])
n = s["n_samples_completed"]
print(f'{s["qps"]:.0f} {(user + system) * 1e6 / n:.2f} {user * 1e6 / n:.2f}')
PY
}

# Side-by-side runs: two sibling CPU cgroups with equal weight (v2, or v1's cpu controller), set in
# $cgroups and removed on exit. Clients started in them at the same time on one CPU get half of it each,
# whatever their thread counts. Needs root; exits 2 with a message otherwise.
make_cgroups() {
  local root
  if [[ -w /sys/fs/cgroup/cgroup.subtree_control ]] && grep -qw cpu /sys/fs/cgroup/cgroup.controllers; then
    root=/sys/fs/cgroup
    echo +cpu >"$root/cgroup.subtree_control"
    for g in a b; do mkdir -p "$root/ie-bench-$g" && echo 100 >"$root/ie-bench-$g/cpu.weight"; done
  elif [[ -w /sys/fs/cgroup/cpu/cpu.shares ]]; then
    root=/sys/fs/cgroup/cpu
    for g in a b; do mkdir -p "$root/ie-bench-$g" && echo 1024 >"$root/ie-bench-$g/cpu.shares"; done
  else
    echo "side-by-side runs need a writable CPU cgroup (run as root), or use --sequential" >&2
    exit 2
  fi
  cgroups=("$root/ie-bench-a" "$root/ie-bench-b")
  trap 'kill $stub_pid 2>/dev/null; rm -rf "$work"; rmdir "${cgroups[@]}" 2>/dev/null || true' EXIT
}

# One offline client run on CPU 0 inside cgroup GROUP (empty: none), with binary BIN, report under
# $work/SIDE; prints its req/s (0 if it failed, with its stderr on ours). Needs $stub_url, $streaming,
# $connections, $seconds.
#   run_client_in GROUP SIDE BIN [extra benchmark flags...]
run_client_in() {
  local group=$1 side=$2 client=$3
  shift 3
  rm -rf "${work:?}/$side"
  mkdir -p "$work/$side"
  local enter=()
  [[ -n $group ]] && enter=(sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$group")
  roofline_client_args "$stub_url" "$streaming" "$work/$side/report"
  "${enter[@]}" taskset -c 0 "$client" "${client_args[@]}" "$@" >/dev/null 2>"$work/$side/err" ||
    { cat "$work/$side/err" >&2; echo 0; return 0; }
  python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["qps"])' \
    "$work/$side/report/performance/result_summary.json"
}
