#!/usr/bin/env bash
# The README's second command: install what is missing, build everything, run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
cd build
ctest --output-on-failure --timeout 300 -j2 "$@"
