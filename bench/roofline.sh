#!/usr/bin/env bash
# Client roofline on this machine: our client at max throughput against a fixed-response server, next to wrk
# against the same server, on the same pinned cores, side by side in one run. Prints a table of medians.
#
#   bench/roofline.sh [--reps 3] [--seconds 10] [--connections 64] [--trace]
#
# --trace adds our client with every request traced (--trace-file) next to each of our stub runs, interleaved
# rep by rep, and prints the traced / untraced throughput ratio.
#
# Layout: server pinned to CPU 1, client (ours: one worker; wrk: -t1) pinned to CPU 0. Servers: our stub
# (non-streaming and streaming) and nginx serving a fixed JSON body (an independent server, non-streaming).
# Client CPU per request = (user + system time of the client process) / completed requests.
set -euo pipefail
cd "$(dirname "$0")/.."
reps=3 seconds=10 connections=64 trace=0
while (($#)); do
  case "$1" in
    --trace) trace=1; shift ;;
    --reps) reps=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
bash scripts/setup.sh
command -v nginx >/dev/null || { apt-get install -y -qq nginx-light >/dev/null 2>&1 || true; }
bash scripts/build.sh inference-endpoint
bin=$PWD/build/inference-endpoint
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

source scripts/stub.sh
source bench/common.sh
stop_servers() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; pids=(); }

start_nginx() {
  local port=18080
  mkdir -p "$work/nginx"
  printf '%s' '{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcd"},"finish_reason":"stop"}],"usage":{"prompt_tokens":10,"completion_tokens":16,"total_tokens":26}}' >"$work/nginx/body.json"
  cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log /dev/null crit;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$port reuseport backlog=4096;
    location / { default_type application/json; return 200 '$(cat "$work/nginx/body.json")'; }
  }
}
CONF
  taskset -c 1 nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" &
  pids+=($!)
  until curl -s -o /dev/null "http://127.0.0.1:$port/"; do sleep 0.05; done
  curl -s -X POST -d '{}' "http://127.0.0.1:$port/v1/chat/completions" | grep -q chat.completion ||
    { echo "roofline: nginx does not serve the fixed body" >&2; return 1; }
  url="http://127.0.0.1:$port"
}


run_wrk() {  # args: url [stream true|false]; same output format. wrk reads SSE bodies without parsing events.
  local lua="$work/post.lua"
  cat >"$lua" <<LUA
wrk.method = "POST"
wrk.body = '{"model":"m","messages":[{"role":"user","content":"Summarize the trade-offs of connection pooling in HTTP clients."}],"max_completion_tokens":1024,"stream":${2:-false}}'
wrk.headers["Content-Type"] = "application/json"
LUA
  /usr/bin/time -f "%U %S" -o "$work/time" taskset -c 0 wrk -t1 -c"$connections" -d"${seconds}s" -s "$lua" \
    "$1/v1/chat/completions" >"$work/wrk" 2>&1
  python3 - "$work/wrk" "$work/time" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
n = int(re.search(r"(\d+) requests in", text).group(1))
user, system = map(float, open(sys.argv[2]).read().split()[-2:])
print(f"{rps:.0f} {(user + system) * 1e6 / n:.2f} {user * 1e6 / n:.2f}")
PY
}



echo "roofline: $reps reps x ${seconds}s, $connections connections, client on CPU 0, server on CPU 1" >&2
start_roofline_stub
pids+=("$stub_pid")
for ((i = 0; i < reps; i++)); do
  run_wrk "$stub_url" >>"$work/wrk_stub.runs"
  run_pinned_client "$stub_url" off >>"$work/ours_stub.runs"
  ((trace)) && run_pinned_client "$stub_url" off --trace-file "$work/trace.ietrace" >>"$work/ours_stub_traced.runs"
done
for ((i = 0; i < reps; i++)); do
  run_wrk "$stub_url" true >>"$work/wrk_stub_sse.runs"
  run_pinned_client "$stub_url" on >>"$work/ours_stub_sse.runs"
  ((trace)) && run_pinned_client "$stub_url" on --trace-file "$work/trace.ietrace" >>"$work/ours_stub_sse_traced.runs"
done
stop_servers
if command -v nginx >/dev/null; then
  start_nginx
  for ((i = 0; i < reps; i++)); do
    run_wrk "$url" >>"$work/wrk_nginx.runs"
    run_pinned_client "$url" off >>"$work/ours_nginx.runs"
  done
  stop_servers
fi

printf '%-34s %12s %14s %14s\n' "case (median of $reps)" "req/s" "CPU us/req" "user us/req"
for name in wrk_stub ours_stub ours_stub_traced wrk_stub_sse ours_stub_sse ours_stub_sse_traced wrk_nginx ours_nginx; do
  [[ -f "$work/$name.runs" ]] || continue
  printf '%-34s %12s %14s %14s\n' "$name" "$(cut -d' ' -f1 "$work/$name.runs" | median)" \
    "$(cut -d' ' -f2 "$work/$name.runs" | median)" "$(cut -d' ' -f3 "$work/$name.runs" | median)"
done
if ((trace)); then
  # Each traced run ran right after its untraced twin: the median of the per-rep ratios cancels most drift.
  for name in ours_stub ours_stub_sse; do
    ratios=$(paste -d' ' "$work/$name.runs" "$work/${name}_traced.runs" | awk '{ printf "%.4f\n", $4 / $1 }')
    cpu=$(paste -d' ' "$work/$name.runs" "$work/${name}_traced.runs" | awk '{ printf "%.4f\n", $5 / $2 }')
    printf '%-34s traced/untraced: req/s %s (median of per-rep ratios: %s), CPU per request %s\n' "$name" \
      "$(echo "$ratios" | median)" "$(echo $ratios)" "$(echo "$cpu" | median)"
  done
fi
