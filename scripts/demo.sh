#!/usr/bin/env bash
# The README's first command: build, start the built-in stub endpoint (variable latency, streaming), run a
# 10-second Poisson benchmark with the bundled dataset, print the result, stop the stub.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh inference-endpoint
bin=build/inference-endpoint

work=$(mktemp -d)
stub_pid=
trap 'kill $stub_pid 2>/dev/null; rm -rf "$work"' EXIT
source scripts/stub.sh
start_stub --mode variable --ttft-ms 40 --ttft-spread 0.3 --itl-ms 4 --itl-spread 0.3 \
  --output-tokens 64 --output-tokens-spread 0.4 --threads 1 || exit 3
url=$stub_url

"$bin" benchmark online --endpoints "$url" --model demo-model --dataset data/demo_prompts.jsonl \
  --load-pattern poisson --target-qps 400 --duration 10s --workers 1 \
  --report-dir "${REPORT_DIR:-reports/demo}" "$@"
