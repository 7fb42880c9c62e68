// The course's 1-4-1 network, computed by hand in float64 (plain JavaScript).
//
//   z_j = w1[j]·x + b1[j]          j = 1…4   (hidden pre-activations)
//   h_j = ReLU(z_j) = max(0, z_j)
//   ŷ   = Σ_j w2[j]·h_j + b2         (linear output)
//   L   = ½ (ŷ − y)²                 (squared error of one sample)
//
// Over a data set of m points the loss is the mean, L = (1/2m) Σ_i (ŷ_i − y_i)², the
// same convention as the engine's `mse`. The numbers are small enough that this chapter
// does not need the GPU; later chapters run the same algebra as WGSL kernels.

export const HIDDEN = 4;

/** The 13 parameters. Arrays are indexed 0…3 and shown 1-based, e.g. w1[1] is w1[0]. */
export interface HandParams {
  w1: number[];
  b1: number[];
  w2: number[];
  b2: number;
}

export type ParamGroup = 'w1' | 'b1' | 'w2' | 'b2';

/** One named scalar parameter: its group and 0-based index (b2 has index 0). */
export interface ParamRef {
  group: ParamGroup;
  index: number;
  /** as shown on the page: "w1[1]", "b2" */
  name: string;
}

export const PARAM_REFS: readonly ParamRef[] = [
  ...(['w1', 'b1', 'w2'] as const).flatMap((group) =>
    Array.from({ length: HIDDEN }, (_, index) => ({ group, index, name: `${group}[${index + 1}]` })),
  ),
  { group: 'b2', index: 0, name: 'b2' },
];

/** each group's slider: the range a parameter may take on the page (and from the URL) */
export const PARAM_RANGES: Readonly<Record<ParamGroup, { min: number; max: number; step: number }>> = {
  w1: { min: -3, max: 3, step: 0.05 },
  b1: { min: -15, max: 15, step: 0.1 },
  w2: { min: -5, max: 5, step: 0.05 },
  b2: { min: -20, max: 20, step: 0.1 },
};

export function getParam(p: HandParams, r: ParamRef): number {
  return r.group === 'b2' ? p.b2 : p[r.group][r.index]!;
}

export function setParam(p: HandParams, r: ParamRef, v: number): HandParams {
  if (r.group === 'b2') return { ...p, b2: v };
  const arr = p[r.group].slice();
  arr[r.index] = v;
  return { ...p, [r.group]: arr };
}

/** parameters as a flat list in PARAM_REFS order (w1, b1, w2, b2) */
export function flatten(p: HandParams): number[] {
  return [...p.w1, ...p.b1, ...p.w2, p.b2];
}

export function unflatten(v: readonly number[]): HandParams {
  if (v.length !== 3 * HIDDEN + 1) {
    throw new Error(`a 1-${HIDDEN}-1 network has ${3 * HIDDEN + 1} parameters, got ${v.length}`);
  }
  return {
    w1: v.slice(0, HIDDEN),
    b1: v.slice(HIDDEN, 2 * HIDDEN),
    w2: v.slice(2 * HIDDEN, 3 * HIDDEN),
    b2: v[3 * HIDDEN]!,
  };
}

export interface Forward {
  x: number;
  /** (4) pre-activations */
  z: number[];
  /** (4) ReLU outputs */
  h: number[];
  yhat: number;
}

export function forward(p: HandParams, x: number): Forward {
  const z = p.w1.map((w, j) => w * x + p.b1[j]!);
  const h = z.map((v) => (v > 0 ? v : 0));
  let yhat = p.b2;
  for (let j = 0; j < HIDDEN; j++) yhat += p.w2[j]! * h[j]!;
  return { x, z, h, yhat };
}

/** Every partial derivative of L = ½(ŷ − y)² at one input x (the chain rule, node by node). */
export interface Backward extends Forward {
  y: number;
  loss: number;
  /** ∂L/∂ŷ = ŷ − y */
  dYhat: number;
  /** ∂L/∂h_j = ∂L/∂ŷ · w2[j] */
  dH: number[];
  /** ReLU'(z_j): 1 where z_j > 0, else 0 (we take 0 at the kink z = 0) */
  relu1: number[];
  /** ∂L/∂z_j = ∂L/∂h_j · ReLU'(z_j) */
  dZ: number[];
  /** the gradient with respect to every parameter */
  grad: HandParams;
  /** ∂L/∂x = Σ_j ∂L/∂z_j · w1[j] */
  dX: number;
}

export function backward(p: HandParams, x: number, y: number): Backward {
  const f = forward(p, x);
  const dYhat = f.yhat - y;
  const dH = p.w2.map((w) => dYhat * w);
  const relu1 = f.z.map((v) => (v > 0 ? 1 : 0));
  const dZ = dH.map((d, j) => d * relu1[j]!);
  const grad: HandParams = {
    w1: dZ.map((d) => d * x),
    b1: dZ.slice(),
    w2: f.h.map((h) => dYhat * h),
    b2: dYhat,
  };
  const dX = dZ.reduce((s, d, j) => s + d * p.w1[j]!, 0);
  return { ...f, y, loss: 0.5 * dYhat * dYhat, dYhat, dH, relu1, dZ, grad, dX };
}

export type Point = readonly [x: number, y: number];

/** L = (1/2m) Σ_i (ŷ_i − y_i)² */
export function datasetLoss(p: HandParams, data: readonly Point[]): number {
  let s = 0;
  for (const [x, y] of data) {
    const e = forward(p, x).yhat - y;
    s += e * e;
  }
  return s / (2 * data.length);
}

/** ∂L/∂θ of the mean loss: the average of the per-sample gradients */
export function datasetGradient(p: HandParams, data: readonly Point[]): HandParams {
  const acc = flatten(p).map(() => 0);
  for (const [x, y] of data) {
    const g = flatten(backward(p, x, y).grad);
    for (let k = 0; k < acc.length; k++) acc[k]! += g[k]!;
  }
  return unflatten(acc.map((v) => v / data.length));
}

/** one step of full-batch gradient descent: θ ← θ − lr · ∂L/∂θ */
export function gdStep(p: HandParams, data: readonly Point[], lr: number): HandParams {
  const g = flatten(datasetGradient(p, data));
  return unflatten(flatten(p).map((v, k) => v - lr * g[k]!));
}

/** x positions where a hidden unit switches on or off (z_j = 0), one per unit with w1[j] ≠ 0 */
export function kinks(p: HandParams): { unit: number; x: number }[] {
  const out: { unit: number; x: number }[] = [];
  p.w1.forEach((w, j) => {
    if (w !== 0) out.push({ unit: j, x: -p.b1[j]! / w });
  });
  return out;
}

/**
 * Units that are off (z_j ≤ 0) at every data point: ReLU'(z_j) = 0 everywhere, so
 * w1[j], b1[j] and w2[j] get zero gradient and gradient descent can never move them again.
 */
export function deadUnits(p: HandParams, data: readonly Point[]): number[] {
  const dead: number[] = [];
  for (let j = 0; j < HIDDEN; j++) {
    if (data.every(([x]) => p.w1[j]! * x + p.b1[j]! <= 0)) dead.push(j);
  }
  return dead;
}

/** The course's two 1-D data sets. */
export const DATASETS: Readonly<Record<'1' | '2', { name: string; points: readonly Point[] }>> = {
  '1': {
    name: 'Set 1 (zig-zag, 13 points)',
    points: [
      [0, 8], [1, 6], [2, 4], [3, 2], [4, 0], [5, 2], [6, 4],
      [7, 2], [8, 0], [9, 2], [10, 4], [11, 6], [12, 8],
    ],
  },
  '2': {
    name: 'Set 2 (rise, dip, rise, 11 points)',
    points: [
      [0, 0], [1, 1], [2, 2], [3, 3], [4, 2], [5, 1],
      [6, 1.5], [7, 2], [8, 2.5], [9, 3], [10, 3.5],
    ],
  },
};

export type DatasetId = keyof typeof DATASETS;
