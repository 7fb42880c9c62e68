#!/usr/bin/env bash
# The GPU run, in one command, on a machine with an NVIDIA GPU, Python and PyTorch but no
# Node, no Vulkan loader and no network (docs/gpu-machine.md). Packed as run.sh by
# scripts/gpu-bench-pack.sh, beside what it unpacks:
#
#   bash out/gpu-pack/run.sh [bench options…]
#
# 1. unpacks node, dawn.node and Debian's libvulkan1 into a scratch folder (nothing is
#    installed system-wide: the loader is found through LD_LIBRARY_PATH)
# 2. finds the NVIDIA Vulkan driver (VK_DRIVER_FILES) and prints the adapter first; stops
#    on a software adapter unless ALLOW_SOFTWARE=1 (a test of the run on a machine without a GPU)
# 3. runs our benchmark (matmul up to 4096, LeNet's convolutions, the LeNet step, the full
#    MNIST epoch: bench/suite.ts FULL on a GPU) beside TF.js and jax-js on the same device,
# 4. then PyTorch's fp32 baseline (TF32 off) on the same GPU, and prints the ratios last,
#    with the adapter named.
# Everything is written to $OUT (default ./gpu-results): ours.log, ours.json, ours.md,
# torch.log, torch.json.
#
# Environment: OUT, ALLOW_SOFTWARE=1, BENCH_TIMEOUT (s, default 360), TORCH_TIMEOUT (s,
# default 180), SKIP_TORCH=1, BENCH_GROUPS (default matmul,conv,lenet). Extra arguments go to the
# benchmark (e.g. --sizes=256,4096 --contenders=ours,jax).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${OUT:-$PWD/gpu-results}
mkdir -p "$out"
work=$(mktemp -d "${TMPDIR:-/tmp}/gpu-bench.XXXXXX")
log() { echo "[gpu-run] $*"; }

# ── 1. unpack ────────────────────────────────────────────────────────────────────────
log "unpacking into $work"
xz -dc "$here/node.xz" > "$work/node" && chmod +x "$work/node" || { log "node.xz did not unpack"; exit 1; }
xz -dc "$here/dawn.node.xz" > "$work/dawn.node" || { log "dawn.node.xz did not unpack"; exit 1; }
xz -dc "$here/bench-node.mjs.xz" > "$work/bench-node.mjs" || { log "bench-node.mjs.xz did not unpack"; exit 1; }
# Debian's Vulkan loader from the pack, found through LD_LIBRARY_PATH (Dawn loads
# libvulkan.so.1 by name): nothing installed system-wide, no root needed
deb=$(ls "$here"/libvulkan1_*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || { log "no libvulkan1 .deb in the pack"; exit 1; }
mkdir -p "$work/vulkan"
if command -v dpkg-deb >/dev/null; then
  dpkg-deb -x "$deb" "$work/vulkan"
else
  # a .deb is an ar archive; its data.tar.* holds the files
  (cd "$work/vulkan" && ar x "$deb" && tar -xf data.tar.* && rm -f data.tar.* control.tar.* debian-binary)
fi
lib=$(dirname "$(find "$work/vulkan" -name 'libvulkan.so.1*' | head -1)")
export LD_LIBRARY_PATH="$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
log "Vulkan loader from $(basename "$deb") ($lib)"
export DAWN_NODE="$work/dawn.node"
# MNIST for the epoch: bench-node.mjs reads public/data/… under the current folder
mkdir -p "$work/public/data"
cp -r "$here/data/." "$work/public/data/"
cd "$work"
"$work/node" --version >/dev/null || { log "the unpacked node does not run here"; exit 1; }

# ── 2. the adapter ───────────────────────────────────────────────────────────────────
probe() { "$work/node" "$work/bench-node.mjs" --probe ${ALLOW_SOFTWARE:+--allow-software}; }
if [ -z "${VK_DRIVER_FILES:-}${VK_ICD_FILENAMES:-}" ]; then
  probe_out=$(probe 2>&1); rc=$?
  if [ $rc -ne 0 ]; then
    # Dawn found no (hardware) adapter through the loader's default search: name the driver
    for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json \
               /etc/vulkan/icd.d/nvidia_icd.json /usr/local/share/vulkan/icd.d/nvidia_icd.json; do
      if [ -f "$icd" ]; then export VK_DRIVER_FILES="$icd"; log "VK_DRIVER_FILES=$icd"; break; fi
    done
  fi
fi
probe_out=$(probe 2>&1); rc=$?
echo "$probe_out"
if [ $rc -ne 0 ]; then
  log "stopped: no GPU adapter (exit $rc). Vulkan ICDs found:"
  ls /usr/local/nvidia/share/vulkan/icd.d /usr/share/vulkan/icd.d /etc/vulkan/icd.d 2>/dev/null
  command -v nvidia-smi >/dev/null && nvidia-smi -L
  exit 1
fi
adapter=$(sed -n 's/^adapter: //p' <<<"$probe_out")

# ── 3. our benchmark (with TF.js and jax-js on the same device) ──────────────────────
log "our benchmark on: $adapter"
timeout "${BENCH_TIMEOUT:-360}" "$work/node" "$work/bench-node.mjs" --out="$out/ours.md" \
  --json="$out/ours.json" --groups="${BENCH_GROUPS:-matmul,conv,lenet}" "$@" 2>&1 | tee "$out/ours.log"
bench_rc=${PIPESTATUS[0]}
[ "$bench_rc" -eq 0 ] || log "our benchmark ended with exit $bench_rc (124: BENCH_TIMEOUT); its log is in $out/ours.log"
ours_json=()
if [ -f "$out/ours.json" ]; then ours_json=(--ours "$out/ours.json"); else log "no ours.json: no ratios"; fi

# ── 4. PyTorch fp32 on the same GPU, then the ratios ─────────────────────────────────
if [ -n "${SKIP_TORCH:-}" ]; then log "SKIP_TORCH set: no PyTorch baseline"; exit "$bench_rc"; fi
if ! python3 -c 'import torch' 2>/dev/null; then log "no PyTorch here: no baseline"; exit "$bench_rc"; fi
log "PyTorch fp32 baseline (TF32 off)"
timeout "${TORCH_TIMEOUT:-180}" python3 "$here/gpu-torch-baseline.py" --data "$work/public/data/mnist" \
  --out "$out/torch.json" "${ours_json[@]}" 2>&1 | tee "$out/torch.log"
log "adapter: $adapter; results in $out"
