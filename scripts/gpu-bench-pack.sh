#!/usr/bin/env bash
# Packs what the GPU machine needs for the one-command run (docs/gpu-machine.md) into
# out/gpu-pack/ (ignored by git: /out/ in .gitignore):
#
#   bash scripts/gpu-bench-pack.sh            → out/gpu-pack/ (about 40 MiB)
#   bash scripts/gpu-bench-pack.sh --test     … then unpacks and runs it here, on SwiftShader,
#                                              as far as a machine without a GPU allows
#
#   bench-node.mjs.xz   the Node benchmark as one ES module, every import inlined (bench/bundle.mjs)
#   node.xz             this machine's node binary (the GPU machine has none)
#   dawn.node.xz        Dawn's native module (node_modules/webgpu/dist/linux-x64/dawn.node)
#   libvulkan1_*.deb    Debian's Vulkan loader (apt-get download libvulkan1), unpacked there
#   data/               MNIST's idx files and the manifest, for the full epoch
#   run.sh              scripts/gpu-bench-run.sh: the run itself, in one command
#   gpu-torch-baseline.py  PyTorch's fp32 baseline and the ratios
#
# On the GPU machine: bash out/gpu-pack/run.sh   (results in $OUT, default ./gpu-results)
set -euo pipefail
cd "$(dirname "$0")/.."
pack=out/gpu-pack
arch=${PACK_ARCH:-amd64}
[ "$(uname -m)" = x86_64 ] || echo "[pack] warning: this machine is $(uname -m); node and dawn.node must be x86-64 builds for the GPU machine" >&2

rm -rf "$pack"
mkdir -p "$pack/data/mnist"
echo "[pack] bundling the benchmark (bench/bundle.mjs)"
node bench/bundle.mjs >/dev/null
xz -9 -T0 -c out/bench/bench-node.mjs > "$pack/bench-node.mjs.xz"
echo "[pack] node $(node --version) ($(command -v node))"
xz -9 -T0 -c "$(readlink -f "$(command -v node)")" > "$pack/node.xz"
dawn=node_modules/webgpu/dist/linux-x64/dawn.node
[ -f "$dawn" ] || { echo "[pack] $dawn missing (npm install)" >&2; exit 1; }
xz -9 -T0 -c "$dawn" > "$pack/dawn.node.xz"
echo "[pack] libvulkan1 for $arch (apt-get download)"
(cd "$pack" && apt-get download -q "libvulkan1:$arch" >/dev/null) || {
  echo "[pack] apt-get download libvulkan1 failed: run apt-get update, or copy libvulkan1_*_$arch.deb into $pack" >&2
  exit 1
}
[ -f public/data/mnist/train-images-idx3-ubyte.gz ] || node scripts/prepare-data.mjs
cp public/data/manifest.json "$pack/data/"
cp public/data/mnist/*.gz "$pack/data/mnist/"
cp scripts/gpu-bench-run.sh "$pack/run.sh"
cp scripts/gpu-torch-baseline.py "$pack/"
du -sh "$pack"/* | sed 's/^/[pack] /'
echo "[pack] total $(du -sh "$pack" | cut -f1) in $pack; on the GPU machine: bash $pack/run.sh"

if [ "${1:-}" = --test ]; then
  # the run up to where a GPU is needed: unpacked and run with the unpacked node, on
  # SwiftShader (ALLOW_SOFTWARE=1), a few small workloads; PyTorch's script compiled
  echo "[pack] test: the run on this machine's software adapter"
  python3 -m py_compile "$pack/gpu-torch-baseline.py"
  bash -n "$pack/run.sh"
  result=$(mktemp -d)
  OUT="$result" ALLOW_SOFTWARE=1 SKIP_TORCH=1 VK_ICD_FILENAMES=${VK_ICD_FILENAMES:-/usr/lib/chromium/vk_swiftshader_icd.json} \
    bash "$pack/run.sh" --sizes=256 --epoch=128 --contenders=ours,jax --reps=2
  test -s "$result/ours.json" && test -s "$result/ours.md"
  node -e 'const r = require(process.argv[1]); if (!r.adapter || !r.workloads.some((w) => w.id === "mnist-epoch")) process.exit(1); console.log(`[pack] test: ours.json from ${r.adapter}, ${r.workloads.length} workloads`)' "$result/ours.json"
  echo "[pack] test passed; results in $result"
fi
