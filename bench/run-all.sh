#!/usr/bin/env bash
# `npm run bench`: the benchmark in Node (Dawn), then in Chromium, with the same options;
# each run rewrites its own section of docs/benchmarks.md.
#   bash bench/run-all.sh [--groups=matmul,conv --sizes=256,512 --reps=5 --full …]
#   BENCH_ENVS="node"   runs Node only ("chromium": the browser only)
set -euo pipefail
cd "$(dirname "$0")/.."
export VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-/usr/lib/chromium/vk_swiftshader_icd.json}
envs=${BENCH_ENVS:-node chromium}
for e in $envs; do
  case $e in
    node) echo "== benchmark in Node (Dawn)"; npx vite-node bench/run-node.ts -- "$@" ;;
    chromium) echo "== benchmark in Chromium"; node bench/run-browser.mjs -- "$@" ;;
    *) echo "BENCH_ENVS: unknown '$e' (node, chromium)" >&2; exit 2 ;;
  esac
done
