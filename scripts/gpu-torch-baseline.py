#!/usr/bin/env python3
"""PyTorch fp32 baseline for the GPU run (scripts/gpu-bench-run.sh), on the same GPU as
our benchmark, and the ratios between the two.

    python3 gpu-torch-baseline.py --ours ours.json --out torch.json [--data DIR] [--quick]

Workloads (the same as bench/workloads.ts, same shapes and layout semantics):
  matmul      C = A·B, square sizes 256 … 4096, fp32 with TF32 off
              (torch.backends.cuda.matmul.allow_tf32 = False, cudnn.allow_tf32 = False)
  lenet-step  one LeNet training step at batch 64: conv 5×5×6 same + relu, maxpool 2×2/2,
              conv 5×5×16 valid + relu, maxpool 2×2/2, fc 120 relu, fc 84 relu, fc 10,
              softmax–cross-entropy, SGD lr 0.05 (no momentum)
  mnist-epoch one epoch over MNIST's 60000 training images at batch 64, each batch copied
              from host memory to the GPU as ours uploads it; the mean loss read once at
              the end

Timing: CUDA events around each sample, warm-up runs first, the median of the samples
(as bench/harness.ts: the median, in ms per run). The ratios printed are PyTorch time ÷
our time (above 1: ours is faster) with the adapter's and the GPU's names beside them.
"""

import argparse
import gzip
import json
import os
import statistics
import struct
import sys
import time


def load_mnist(data_dir):
    """(images (60000, 1, 28, 28) float32 in [0, 1], labels (60000,) int64) as numpy arrays"""
    import numpy as np

    def read(name):
        path = os.path.join(data_dir, name)
        with gzip.open(path, 'rb') if path.endswith('.gz') else open(path, 'rb') as f:
            return f.read()

    raw = read('train-images-idx3-ubyte.gz')
    magic, n, rows, cols = struct.unpack('>IIII', raw[:16])
    if magic != 2051:
        raise ValueError(f'train-images: magic {magic}, expected 2051')
    images = np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(n, 1, rows, cols).astype(np.float32) / 255.0
    raw = read('train-labels-idx1-ubyte.gz')
    magic, m = struct.unpack('>II', raw[:8])
    if magic != 2049 or m != n:
        raise ValueError(f'train-labels: magic {magic}, {m} labels for {n} images')
    labels = np.frombuffer(raw, dtype=np.uint8, offset=8).astype(np.int64)
    return images, labels


def timed(torch, fn, warmup, reps, inner=1):
    """median ms of one call of fn, timed with CUDA events over `inner` calls per sample"""
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    samples = []
    for _ in range(reps):
        start = torch.cuda.Event(enable_timing=True)
        end = torch.cuda.Event(enable_timing=True)
        start.record()
        for _ in range(inner):
            fn()
        end.record()
        end.synchronize()
        samples.append(start.elapsed_time(end) / inner)
    return statistics.median(samples), samples


def lenet(torch):
    nn = torch.nn
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2, 2),
        nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10),
    )


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--ours', help='our figures (bench-node.mjs --json=FILE)')
    ap.add_argument('--out', default='torch.json', help='where to write the PyTorch figures')
    ap.add_argument('--data', default='public/data/mnist', help="MNIST's idx files (.gz)")
    ap.add_argument('--sizes', default='256,512,1024,2048,4096')
    ap.add_argument('--quick', action='store_true', help='few samples (a test of the script)')
    args = ap.parse_args()

    import torch

    if not torch.cuda.is_available():
        print('PyTorch sees no CUDA device: no baseline', file=sys.stderr)
        return 2
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cudnn.benchmark = True
    dev = torch.device('cuda')
    gpu_name = torch.cuda.get_device_name(0)
    reps, warmup = (5, 2) if args.quick else (20, 5)
    print(f'PyTorch {torch.__version__}, CUDA {torch.version.cuda}, cuDNN {torch.backends.cudnn.version()}, on {gpu_name} (fp32, TF32 off)')
    results = {}

    g = torch.Generator(device=dev).manual_seed(1)
    for s in [int(v) for v in args.sizes.split(',') if v]:
        a = torch.rand(s, s, device=dev, generator=g) * 2 - 1
        b = torch.rand(s, s, device=dev, generator=g) * 2 - 1
        # short products: several per sample, so a sample lasts well above the timer's resolution
        inner = max(1, min(200, (2048 // s) ** 3))
        ms, samples = timed(torch, lambda: torch.mm(a, b), warmup, reps, inner)
        flops = 2 * s ** 3
        results[f'mm{s}'] = {'title': f'{s}×{s}×{s}', 'ms': ms, 'samples': samples, 'flops': flops}
        print(f'matmul {s}³: {ms:.3f} ms, {flops / ms / 1e6:.0f} GFLOP/s')

    torch.manual_seed(43)
    model = lenet(torch).to(dev)
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0)
    loss_fn = torch.nn.CrossEntropyLoss()
    x = torch.rand(64, 1, 28, 28, device=dev, generator=g)
    y = torch.randint(0, 10, (64,), device=dev, generator=g)

    def step(xb, yb):
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        return loss.detach()

    ms, samples = timed(torch, lambda: step(x, y), warmup, reps, inner=10)
    results['lenet-step'] = {'title': 'LeNet training step, batch 64, SGD', 'ms': ms, 'samples': samples}
    print(f'LeNet step, batch 64: {ms:.3f} ms')

    try:
        images, labels = load_mnist(args.data)
    except (OSError, ValueError) as e:
        print(f'MNIST not read from {args.data} ({e}): no epoch', file=sys.stderr)
        images = None
    if images is not None:
        xs = torch.from_numpy(images)
        ys = torch.from_numpy(labels)
        batches = [(i, min(64, len(xs) - i)) for i in range(0, len(xs), 64)]

        def epoch():
            total = torch.zeros((), device=dev)
            for i, m in batches:
                total += step(xs[i:i + m].to(dev), ys[i:i + m].to(dev))
            return float(total) / len(batches)

        epoch()  # warm-up
        samples = []
        for _ in range(1 if args.quick else 3):
            torch.cuda.synchronize()
            t0 = time.perf_counter()
            epoch()  # ends with the loss read (a sync)
            samples.append((time.perf_counter() - t0) * 1000)
        ms = statistics.median(samples)
        results['mnist-epoch'] = {'title': 'MNIST epoch (60000 samples, batch 64)', 'ms': ms, 'samples': samples}
        print(f'MNIST epoch: {ms / 1000:.2f} s')

    with open(args.out, 'w') as f:
        json.dump({'gpu': gpu_name, 'torch': torch.__version__, 'tf32': False, 'results': results}, f, indent=1)
    print(f'wrote {args.out}')

    if args.ours:
        print_ratios(args.ours, gpu_name, results)
    return 0


def print_ratios(ours_path, gpu_name, torch_results):
    """the summary table: ours vs PyTorch on the same GPU, in the same run"""
    with open(ours_path) as f:
        ours = json.load(f)
    print()
    print(f'Ours: adapter {ours["adapter"]} ({ours["environment"]}); PyTorch: {gpu_name}')
    print(f'{"workload":<40} {"ours":>12} {"PyTorch":>12} {"ours ÷ PyTorch":>15}   (PyTorch time ÷ our time; above 1: ours faster)')
    for w in ours['workloads']:
        t = torch_results.get(w['id'])
        o = next((c for c in w['contenders'] if c['key'] == 'ours'), None)
        if not t or not o or o['ms'] is None:
            continue
        print(f'{w["title"][:40]:<40} {fmt(o["ms"]):>12} {fmt(t["ms"]):>12} {t["ms"] / o["ms"]:>14.2f}×')
    for w in ours['workloads']:
        row = {c['key']: c['ms'] for c in w['contenders']}
        if w['id'] in ('mm1024', 'mm2048', 'mm4096', 'lenet-step', 'mnist-epoch') and row.get('ours'):
            peers = ', '.join(f'{k} {row[k] / row["ours"]:.2f}×' for k in ('tfjs', 'jax') if row.get(k))
            print(f'  {w["title"]}: ours ÷ peers (same adapter): {peers or "-"}')


def fmt(ms):
    return f'{ms / 1000:.2f} s' if ms >= 1000 else f'{ms:.3f} ms'


if __name__ == '__main__':
    sys.exit(main())
