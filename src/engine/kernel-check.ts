// The device check: the same matrix products on the chosen backend and on the float64
// CPU reference, compared element by element with |x − ref| ≤ atol + rtol·|ref|.
//
//   case "small":  C (4, 5) = ReLU(A (4, 3) · B (3, 5) + 1·bias (1, 5))  — drawn on the page
//   case "odd":    C (33, 29) = A (33, 47) · B (47, 29)                  — sizes that straddle tiles

import type { Activation, Backend } from './backend';
import { compareArrays } from './check';
import { Rng } from './random';

export const CHECK_ATOL = 1e-5;
export const CHECK_RTOL = 1e-5;

export interface CheckCase {
  id: string;
  /** e.g. "ReLU(A·B + 1·bias)" */
  expr: string;
  m: number;
  k: number;
  n: number;
  activation: Activation;
  a: Float64Array;
  b: Float64Array;
  bias: Float64Array | null;
  /** result on the backend under test (float32 on the GPU) */
  got: Float32Array | Float64Array;
  /** float64 reference */
  ref: Float64Array;
  maxAbsErr: number;
  /** "C[i, j]: got … ref … |diff| …" for the first few elements out of tolerance */
  mismatches: string[];
  pass: boolean;
  /** wall time of the backend's run including readback, ms */
  ms: number;
}

export interface KernelCheckResult {
  backendKind: Backend['kind'];
  deviceName: string;
  cases: CheckCase[];
  pass: boolean;
}

function randomArray(rng: Rng, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round(rng.range(-2, 2) * 100) / 100; // two decimals: readable on the page
  return out;
}

export function compare(got: ArrayLike<number>, ref: ArrayLike<number>, cols: number, atol = CHECK_ATOL, rtol = CHECK_RTOL) {
  if (got.length !== ref.length) throw new Error(`kernel check: result has ${got.length} elements, reference ${ref.length}`);
  const cmp = compareArrays(got, ref, atol, rtol, { show: 5 });
  const mismatches = cmp.first.map(
    ({ index: i, got: g, ref: r, diff }) => `C[${Math.floor(i / cols)}, ${i % cols}]: got ${g} ref ${r} |diff| ${diff.toExponential(2)}`,
  );
  return { maxAbsErr: cmp.maxAbs, mismatches, pass: cmp.pass };
}

async function runCase(
  backend: Backend,
  reference: Backend,
  spec: { id: string; expr: string; m: number; k: number; n: number; activation: Activation; withBias: boolean },
  rng: Rng,
): Promise<CheckCase> {
  const { m, k, n, activation, withBias } = spec;
  const a = randomArray(rng, m * k);
  const b = randomArray(rng, k * n);
  const bias = withBias ? randomArray(rng, n) : null;

  const run = async (be: Backend) => {
    const ta = be.fromArray(a, [m, k], 'check A');
    const tb = be.fromArray(b, [k, n], 'check B');
    const tbias = bias ? be.fromArray(bias, [1, n], 'check bias') : undefined;
    try {
      const tc = be.matmul(ta, tb, { bias: tbias, activation });
      try {
        return await be.read(tc);
      } finally {
        be.dispose(tc);
      }
    } finally {
      be.dispose(ta, tb, tbias);
    }
  };

  const t0 = performance.now();
  const got = await run(backend);
  const ms = performance.now() - t0;
  const ref = Float64Array.from(await run(reference));
  return { ...spec, a, b, bias, got, ref, ms, ...compare(got, ref, n) };
}

/** Run both cases on `backend` and on the CPU `reference`. */
export async function runKernelCheck(backend: Backend, reference: Backend, seed = 1): Promise<KernelCheckResult> {
  const rng = new Rng(seed);
  const cases = [
    await runCase(backend, reference, { id: 'small', expr: 'ReLU(A·B + 1·bias)', m: 4, k: 3, n: 5, activation: 'relu', withBias: true }, rng),
    await runCase(backend, reference, { id: 'odd', expr: 'A·B', m: 33, k: 47, n: 29, activation: 'linear', withBias: false }, rng),
  ];
  return { backendKind: backend.kind, deviceName: backend.deviceName, cases, pass: cases.every((c) => c.pass) };
}
