// Chapter 2's computations, each on the page's backend and checked against the float64
// CPU reference:
//
//   smallBatch / smallNetwork   the 4 → 5 → 3 network on 6 examples (seeded)
//   gradientCheck               analytic gradients (the backend's backward) against
//                               central differences of the float64 loss, per parameter
//   lossPaths                   fused dZ = (Ŷ − Y)/m against the unfused −Y/(mŶ) pushed
//                               through the softmax backward, on a confidently wrong row
//   softmaxBackwardTwoWays      the vectorized Jacobian-vector product (one kernel) against
//                               a per-sample loop that builds each k × k Jacobian

import type { Backend, Tensor } from '../../../engine/backend';
import { Rng } from '../../../engine/random';
import type { ModelConfig } from '../../../nn/model';
import { NeuralNetwork } from '../../../nn/model';
import type { HiddenActivation, LossPath } from './settings';
import { centralDifference, compareArrays, type Comparison } from '../../../engine/check';
import { median } from '../../../engine/stats';
import { GRAD_ATOL, GRAD_H, GRAD_RTOL, type GradRow } from '../../cells/compare';


export const SMALL = { m: 6, nIn: 4, hidden: 5, classes: 3 } as const;

export interface Batch {
  /** (m, d), float32-representable values (both backends see the same numbers) */
  x: Float64Array;
  xShape: [number, number];
  /** one-hot (m, k) */
  y: Float64Array;
  yShape: [number, number];
  labels: number[];
}

const f32 = (v: number) => Math.fround(Math.round(v * 100) / 100);

/** m examples with d features ~ N(0, 1) (two decimals) and labels that use every class */
export function smallBatch(seed: number, m: number = SMALL.m, d: number = SMALL.nIn, k: number = SMALL.classes): Batch {
  const rng = new Rng(seed * 7919 + 17);
  const x = Float64Array.from({ length: m * d }, () => f32(rng.normal()));
  const labels = Array.from({ length: m }, (_, i) => (i < k ? i : rng.int(k)));
  rng.shuffle(labels);
  const y = new Float64Array(m * k);
  labels.forEach((c, i) => (y[i * k + c] = 1));
  return { x, xShape: [m, d], y, yShape: [m, k], labels };
}

export function smallNetwork(seed: number, activation: HiddenActivation, lossPath: LossPath, lr = 0.1): ModelConfig {
  return {
    layers: [
      { type: 'fc', nOut: SMALL.hidden, activation },
      { type: 'fc', nOut: SMALL.classes, activation: 'softmax' },
    ],
    loss: lossPath === 'fused' ? 'cross_entropy' : { type: 'cross_entropy', fused: false },
    optimizer: { type: 'sgd', lr },
    seed,
  };
}

// ── gradient check ─────────────────────────────────────────────────────────────


export interface GradCheckResult {
  rows: GradRow[];
  pass: boolean;
  /** the largest relative error over the tensors (Infinity when some analytic value is not finite) */
  worstRelErr: number;
  /** the loss on the backend, and on the float64 reference (log-sum-exp form) */
  loss: number;
  lossRef: number;
  /** smallest |Z| of the hidden pre-activation (ReLU's kink at 0: central differences need |Z| > h) */
  minAbsZ: number;
  /** the bias that makes the batch confidently wrong, when asked: class and added logit */
  wrong: { cls: number; logit: number; rows: number } | null;
  /** the loss gradient path the analytic side took */
  lossPath: LossPath;
  device: string;
}

/** the logit added to one class when the batch is made confidently wrong */
export const WRONG_LOGIT = 800;

/**
 * Analytic gradients of the 4 → 5 → 3 network's loss from `backend` (its backward, on
 * the chosen loss path), against central differences of the same loss in float64 on
 * `reference` at the same parameters. `wrong`: the output bias of one class is raised by
 * WRONG_LOGIT, so every row whose label is another class is predicted wrongly with a
 * probability of e^−800 for its true class (0 in float32 and float64 alike).
 */
export async function gradientCheck(
  backend: Backend,
  reference: Backend,
  opts: { seed: number; activation: HiddenActivation; lossPath: LossPath; wrong: boolean },
): Promise<GradCheckResult> {
  const batch = smallBatch(opts.seed);
  const model = new NeuralNetwork(backend, smallNetwork(opts.seed, opts.activation, opts.lossPath));
  const X = backend.fromArray(batch.x, batch.xShape, 'gradcheck X');
  const Y = backend.fromArray(batch.y, batch.yShape, 'gradcheck y');
  // the float64 reference: always the stable fused loss (the function being differentiated)
  const refModel = new NeuralNetwork(reference, smallNetwork(opts.seed, opts.activation, 'fused'), { lean: false });
  const RX = reference.fromArray(batch.x, batch.xShape, 'gradcheck X (float64)');
  const RY = reference.fromArray(batch.y, batch.yShape, 'gradcheck y (float64)');
  try {
    model.build(batch.xShape);
    refModel.build(batch.xShape);
    let wrong: GradCheckResult['wrong'] = null;
    if (opts.wrong) {
      const cls = (batch.labels[0]! + 1) % SMALL.classes;
      const b = new Float64Array(SMALL.classes);
      b[cls] = WRONG_LOGIT;
      model.layers[1]!.setParameters({ b });
      wrong = { cls, logit: WRONG_LOGIT, rows: batch.labels.filter((c) => c !== cls).length };
    }
    // the reference starts from the backend's parameters exactly (float32 values on the GPU)
    const params = await model.readParameters();
    refModel.setParameters(params.map((p) => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, v.data]))));

    const lossT = model.computeLoss(X, Y);
    model.backward();
    const loss = (await backend.read(lossT))[0]!;
    backend.dispose(lossT);
    const grads = await model.readGradients();

    const objective = async (): Promise<number> => {
      const l = refModel.computeLoss(RX, RY);
      try {
        return (await reference.read(l))[0]!;
      } finally {
        reference.dispose(l);
      }
    };
    const lossRef = await objective();
    const z = reference.matmul(RX, refModel.layers[0]!.parameters.W!, { bias: refModel.layers[0]!.parameters.b! });
    const minAbsZ = Array.from(await reference.read(z)).reduce((mn, v) => Math.min(mn, Math.abs(v)), Infinity);
    reference.dispose(z);

    const rows: GradRow[] = [];
    for (let li = 0; li < refModel.layers.length; li++) {
      const layer = refModel.layers[li]!;
      for (const key of Object.keys(layer.parameters)) {
        const t: Tensor = layer.parameters[key]!;
        const base = Float64Array.from(await reference.read(t));
        const numerical = await centralDifference(
          base,
          async (v) => {
            reference.write(t, v);
            return objective();
          },
          { h: GRAD_H },
        );
        reference.write(t, base);
        const analytic = Float64Array.from(grads[li]![key]!.data);
        rows.push({ name: `${layer.name}.${key}`, shape: [...t.shape], analytic, numerical, cmp: compareArrays(analytic, numerical, GRAD_ATOL, GRAD_RTOL) });
      }
    }
    return {
      rows,
      pass: rows.every((r) => r.cmp.pass),
      worstRelErr: rows.reduce((w, r) => Math.max(w, r.cmp.relErr), 0),
      loss,
      lossRef,
      minAbsZ,
      wrong,
      lossPath: opts.lossPath,
      device: backend.kind === 'webgpu' ? backend.deviceName : 'CPU reference',
    };
  } finally {
    model.dispose();
    refModel.dispose();
    backend.dispose(X, Y);
    reference.dispose(RX, RY);
  }
}

// ── fused and unfused softmax–cross-entropy ────────────────────────────────────

export interface LossPathsResult {
  /** the logits (m, k): row 0 is confidently wrong by `gap` */
  z: Float64Array;
  y: Float64Array;
  shape: [number, number];
  /** the true class of row 0 */
  trueClass: number;
  fused: { loss: number; dz: Float64Array; cmp: Comparison };
  unfused: { loss: number; dz: Float64Array; cmp: Comparison; pTrue: number };
  /** float64 reference of the fused path */
  ref: { loss: number; dz: Float64Array; pTrue: number };
  /** the unfused path in float64 (it underflows later, at a gap near 745) */
  unfused64: { dz: Float64Array; cmp: Comparison };
}

export const LOSS_ATOL = 1e-6;
export const LOSS_RTOL = 1e-4;

/**
 * Logits Z (4, 3): rows 1–3 ~ N(0, 1); row 0 puts `gap` on class 0 while its label is
 * class 1, so ŷ_true ≈ e^−gap. Both paths run on `backend` and on the float64 reference.
 */
export async function lossPaths(backend: Backend, reference: Backend, gap: number, seed: number): Promise<LossPathsResult> {
  const m = 4;
  const k = 3;
  const rng = new Rng(seed * 31 + 5);
  const z = Float64Array.from({ length: m * k }, () => Math.fround(Math.round(rng.normal() * 100) / 100));
  z[0] = Math.fround(gap);
  z[1] = 0;
  z[2] = Math.fround(-1);
  const labels = [1, rng.int(k), rng.int(k), rng.int(k)];
  const y = new Float64Array(m * k);
  labels.forEach((c, i) => (y[i * k + c] = 1));

  const run = async (be: Backend) => {
    const Z = be.fromArray(z, [m, k], 'logits Z');
    const Y = be.fromArray(y, [m, k], 'labels y');
    const out: Tensor[] = [];
    try {
      const f = be.softmaxCrossEntropy(Z, Y, { grad: true });
      out.push(f.loss, f.probs, f.dz!);
      const P = be.softmax(Z);
      const L = be.crossEntropy(P, Y);
      const dP = be.crossEntropyBackward(P, Y);
      const dZ = be.softmaxBackward(dP, P);
      out.push(P, L, dP, dZ);
      const [fl, , fdz, p, ul, , udz] = await Promise.all(out.map((t) => be.read(t)));
      return {
        fused: { loss: fl![0]!, dz: Float64Array.from(fdz!) },
        unfused: { loss: ul![0]!, dz: Float64Array.from(udz!), pTrue: p![labels[0]!]! },
      };
    } finally {
      be.dispose(Z, Y, ...out);
    }
  };
  const got = await run(backend);
  const ref = await run(reference);
  return {
    z,
    y,
    shape: [m, k],
    trueClass: labels[0]!,
    fused: { ...got.fused, cmp: compareArrays(got.fused.dz, ref.fused.dz, LOSS_ATOL, LOSS_RTOL) },
    unfused: { ...got.unfused, cmp: compareArrays(got.unfused.dz, ref.fused.dz, LOSS_ATOL, LOSS_RTOL) },
    ref: { loss: ref.fused.loss, dz: ref.fused.dz, pTrue: ref.unfused.pTrue },
    unfused64: { dz: ref.unfused.dz, cmp: compareArrays(ref.unfused.dz, ref.fused.dz, LOSS_ATOL, LOSS_RTOL) },
  };
}

// ── softmax backward: vectorized against a per-sample loop ─────────────────────

export interface JvpRun {
  ms: number;
  dispatches: number;
  readbacks: number;
  cmp: Comparison;
}

export interface JvpResult {
  rows: number;
  classes: number;
  vectorized: JvpRun;
  loop: JvpRun | null;
}

export const JVP_CLASSES = 10;
/** timed runs per method; the table shows the median */
export const JVP_REPS = { vectorized: 5, loop: 3 } as const;

/**
 * σ = softmax(Z) and dY for (rows, 10); dZ = σ ⊙ (dY − (dY ⊙ σ)·11ᵀ) once as the
 * backend's one kernel, and (when `loop`) once per row as a student's loop would:
 *   J_i = diag(σ_i) − σ_iᵀσ_i  (k × k),   dz_i = dy_i · J_i   (J_i is symmetric)
 * with each row's tensors made, used, read back and freed in turn. Both are timed after
 * one warm-up (pipelines compiled) and compared with the float64 reference.
 */
export async function softmaxBackwardTwoWays(backend: Backend, reference: Backend, rows: number, loop: boolean, seed: number): Promise<JvpResult> {
  const k = JVP_CLASSES;
  const rng = new Rng(seed * 101 + 3);
  const z = Float64Array.from({ length: rows * k }, () => rng.normal() * 2);
  const dy = Float64Array.from({ length: rows * k }, () => rng.normal());
  // σ in float32 on the host: both paths and the reference start from the same numbers
  const Z = backend.fromArray(z, [rows, k], 'jvp Z');
  const S = backend.softmax(Z);
  const sigma = Float64Array.from(await backend.read(S));
  backend.dispose(Z);
  const DY = backend.fromArray(dy, [rows, k], 'jvp dY');

  const RS = reference.fromArray(sigma, [rows, k]);
  const RDY = reference.fromArray(dy, [rows, k]);
  const RDZ = reference.softmaxBackward(RDY, RS);
  const ref = Float64Array.from(await reference.read(RDZ));
  reference.dispose(RS, RDY, RDZ);

  // counts and numbers from the first run; the time is the median of `reps` runs, so one
  // slow run (a busy machine, a garbage collection) does not decide the comparison
  const measure = async (fn: () => Promise<Float64Array>, reps: number): Promise<JvpRun> => {
    const d0 = backend.stats.dispatches;
    const r0 = backend.stats.readbacks;
    const times: number[] = [];
    let t0 = performance.now();
    const out = await fn();
    times.push(performance.now() - t0);
    const dispatches = backend.stats.dispatches - d0;
    const readbacks = backend.stats.readbacks - r0;
    for (let i = 1; i < reps; i++) {
      t0 = performance.now();
      await fn();
      times.push(performance.now() - t0);
    }
    return { ms: median(times), dispatches, readbacks, cmp: compareArrays(out, ref, LOSS_ATOL, LOSS_RTOL) };
  };

  const vectorizedOnce = async () => {
    const dz = backend.softmaxBackward(DY, S);
    try {
      return Float64Array.from(await backend.read(dz));
    } finally {
      backend.dispose(dz);
    }
  };

  const row = async (i: number, out: Float64Array) => {
    const s = sigma.subarray(i * k, (i + 1) * k);
    const diag = new Float64Array(k * k);
    for (let j = 0; j < k; j++) diag[j * k + j] = s[j]!;
    const si = backend.fromArray(s, [1, k], `σ row ${i}`);
    const dyi = backend.fromArray(dy.subarray(i * k, (i + 1) * k), [1, k], `dY row ${i}`);
    const D = backend.fromArray(diag, [k, k], `diag(σ) row ${i}`);
    const outer = backend.matmul(si, si, { transA: true }); // σ_iᵀσ_i (k, k)
    const J = backend.axpby(1, D, -1, outer); // diag(σ_i) − σ_iᵀσ_i
    const dzi = backend.matmul(dyi, J); // (1, k)
    try {
      out.set(await backend.read(dzi), i * k);
    } finally {
      backend.dispose(si, dyi, D, outer, J, dzi);
    }
  };
  const loopOnce = async () => {
    const out = new Float64Array(rows * k);
    for (let i = 0; i < rows; i++) await row(i, out);
    return out;
  };

  try {
    await vectorizedOnce(); // warm-up: compile the pipeline
    const vectorized = await measure(vectorizedOnce, JVP_REPS.vectorized);
    let looped: JvpRun | null = null;
    if (loop) {
      await row(0, new Float64Array(rows * k)); // warm-up
      looped = await measure(loopOnce, JVP_REPS.loop);
    }
    return { rows, classes: k, vectorized, loop: looped };
  } finally {
    backend.dispose(S, DY);
  }
}
