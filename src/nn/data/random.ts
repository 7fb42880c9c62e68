// Seeds for the data code. Every split, shuffle and toy set draws from the project's
// one generator (engine/random.ts); the seed of a sub-stream (an epoch, a class, a
// test set) is derived from the user's seed by hashing, so streams do not overlap.

import { Rng } from '../../engine/random';

/** A 32-bit hash of (seed, ...keys): murmur3's finalizer applied after each key. */
export function mixSeed(seed: number, ...keys: number[]): number {
  let h = seed >>> 0;
  for (const k of keys) {
    h = (h ^ Math.imul(k >>> 0, 0x9e3779b1)) >>> 0;
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b) >>> 0;
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h ^= h >>> 16;
  }
  return h >>> 0;
}

export function rngFor(seed: number, ...keys: number[]): Rng {
  return new Rng(mixSeed(seed, ...keys));
}

/** A seeded permutation of 0…n−1 (Fisher–Yates). */
export function permutation(n: number, seed: number, ...keys: number[]): Uint32Array {
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  const rng = rngFor(seed, ...keys);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}
