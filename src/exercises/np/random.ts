// np.random with a seed: the same seed gives the same numbers (not numpy's numbers: the
// generator is xoshiro128**, seeded through splitmix32). Normals by Box–Muller.

import { NDArray, alloc, describe } from './ndarray';

let s0 = 0;
let s1 = 0;
let s2 = 0;
let s3 = 0;
let spare: number | null = null;

function seedState(n: number): void {
  let z = n >>> 0;
  const next = () => {
    z = (z + 0x9e3779b9) | 0;
    let t = z ^ (z >>> 16);
    t = Math.imul(t, 0x21f0aaad);
    t ^= t >>> 15;
    t = Math.imul(t, 0x735a2d97);
    return (t ^ (t >>> 15)) >>> 0;
  };
  s0 = next();
  s1 = next();
  s2 = next();
  s3 = next();
  spare = null;
}
seedState((Math.random() * 2 ** 32) >>> 0);

function u32(): number {
  const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
  const t = s1 << 9;
  s2 ^= s0;
  s3 ^= s1;
  s1 ^= s2;
  s0 ^= s3;
  s2 ^= t;
  s3 = rotl(s3, 11);
  return r;
}
function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
/** uniform in [0, 1) with 53 random bits */
function uniform01(): number {
  return ((u32() >>> 5) * 67108864 + (u32() >>> 6)) / 9007199254740992;
}
function gauss(): number {
  if (spare !== null) {
    const v = spare;
    spare = null;
    return v;
  }
  let u = 0;
  while (u === 0) u = uniform01();
  const v = uniform01();
  const r = Math.sqrt(-2 * Math.log(u));
  spare = r * Math.sin(2 * Math.PI * v);
  return r * Math.cos(2 * Math.PI * v);
}

type ShapeArg = number | number[] | null | undefined;

function filled(shape: ShapeArg, where: string, f: () => number): NDArray {
  const out = alloc(shape == null ? [] : shape, `random.${where}`);
  for (let i = 0; i < out.size; i++) out.data[i] = f();
  return out;
}

/** randn(2, 3) or randn([2, 3]) */
function dims(args: (number | number[])[]): number[] {
  return args.length === 1 && Array.isArray(args[0]) ? args[0] : (args as number[]);
}

export const random = {
  seed(n: number): void {
    if (typeof n !== 'number' || !Number.isFinite(n)) throw new TypeError(`random.seed: the seed is a number, not ${describe(n)}`);
    seedState(n);
  },
  /** standard normal samples of the given shape */
  randn(...shape: (number | number[])[]): NDArray {
    return filled(dims(shape), 'randn', gauss);
  },
  /** uniform samples in [0, 1) of the given shape */
  rand(...shape: (number | number[])[]): NDArray {
    return filled(dims(shape), 'rand', uniform01);
  },
  normal(loc = 0, scale = 1, size?: ShapeArg): NDArray {
    return filled(size, 'normal', () => loc + scale * gauss());
  },
  uniform(low = 0, high = 1, size?: ShapeArg): NDArray {
    return filled(size, 'uniform', () => low + (high - low) * uniform01());
  },
  /** integers in [low, high) (in [0, low) without high), as floats */
  randint(low: number, high?: number | null, size?: ShapeArg): NDArray {
    const [lo, hi] = high == null ? [0, low] : [low, high];
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || hi <= lo) throw new RangeError(`random.randint: needs integers low < high, got ${lo} and ${hi}`);
    return filled(size, 'randint', () => lo + Math.floor(uniform01() * (hi - lo)));
  },
  /** 0 … n−1 in a random order */
  permutation(n: number): NDArray {
    const out = filled([n], 'permutation', () => 0);
    for (let i = 0; i < n; i++) out.data[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(uniform01() * (i + 1));
      const t = out.data[i];
      out.data[i] = out.data[j];
      out.data[j] = t;
    }
    return out;
  },
};
