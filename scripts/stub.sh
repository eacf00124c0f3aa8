# Sourced by the demo and bench scripts: starts the built stub endpoint in the background and waits for it.
#
#   start_stub [PREFIX... --] [serve flags...]   e.g.  start_stub taskset -c 1 -- --mode echo
#
# Needs $bin (the inference-endpoint binary) and $work (a scratch directory). Sets stub_pid and stub_url, and
# waits on the server's own "listening on URL" line, which it prints once the socket listens.
start_stub() {
  local prefix=()
  if [[ " $* " == *" -- "* ]]; then
    while [[ "$1" != "--" ]]; do prefix+=("$1"); shift; done
    shift
  fi
  "${prefix[@]}" "$bin" serve --port 0 "$@" >"$work/stub.out" 2>/dev/null &
  stub_pid=$!
  until grep -q '^listening on ' "$work/stub.out" 2>/dev/null; do
    kill -0 "$stub_pid" 2>/dev/null || { echo "the stub server did not start" >&2; return 3; }
    sleep 0.05
  done
  stub_url=$(sed -n 's/^listening on //p' "$work/stub.out")
}
