// Host arrays in and out of the engine: set tensors from flat or nested JS arrays,
// read tensors back as { shape, data } with float64 data on either backend.

import type { Backend, Tensor } from '../engine/backend';
import { type Shape, shapeStr, sizeOf } from '../engine/geometry';

/** a flat array in row-major order, or nested arrays whose nesting is the shape */
export type ArrayInput = ArrayLike<number> | NestedArray;
export interface NestedArray extends ReadonlyArray<number | NestedArray> {}

/** a tensor copied to the host */
export interface HostTensor {
  shape: number[];
  data: Float64Array;
}

function nestedShape(a: unknown): number[] {
  const shape: number[] = [];
  let cur = a;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = cur[0];
  }
  return shape;
}

/**
 * Row-major Float64Array of `shape` from a flat array (length must match) or nested
 * arrays (nesting must match the shape exactly). `what` names the target in errors.
 */
export function toFlat(values: ArrayInput, shape: Shape, what: string): Float64Array {
  const n = sizeOf(shape);
  const isNested = Array.isArray(values) && values.length > 0 && Array.isArray(values[0]);
  if (!isNested) {
    const flat = values as ArrayLike<number>;
    if (flat.length !== n) {
      throw new Error(`${what}: ${flat.length} values given for shape ${shapeStr(shape)} (${n} elements)`);
    }
    const out = Float64Array.from(flat);
    checkFinite(out, what);
    return out;
  }
  const got = nestedShape(values);
  if (got.length !== shape.length || got.some((d, i) => d !== shape[i])) {
    throw new Error(`${what}: nested array of shape ${shapeStr(got)} given for shape ${shapeStr(shape)}`);
  }
  const out = new Float64Array(n);
  let k = 0;
  const walk = (a: unknown, depth: number) => {
    if (depth === shape.length) {
      if (typeof a !== 'number') throw new Error(`${what}: expected a number at depth ${depth}, got ${JSON.stringify(a)}`);
      out[k++] = a;
      return;
    }
    if (!Array.isArray(a) || a.length !== shape[depth]) {
      throw new Error(`${what}: ragged nested array: expected length ${shape[depth]} at depth ${depth}`);
    }
    for (const v of a) walk(v, depth + 1);
  };
  walk(values, 0);
  checkFinite(out, what);
  return out;
}

function checkFinite(a: Float64Array, what: string): void {
  const i = a.findIndex((v) => !Number.isFinite(v));
  if (i >= 0) throw new Error(`${what}: value at flat index ${i} is ${a[i]}, not a finite number`);
}

/** copies a tensor to the host (flushes pending GPU work); data as float64 on either backend */
export async function readTensor(backend: Backend, t: Tensor): Promise<HostTensor> {
  const data = await backend.read(t);
  return { shape: [...t.shape], data: data instanceof Float64Array ? data : Float64Array.from(data) };
}

/** reads every tensor of a record, keeping the keys */
export async function readRecord(backend: Backend, rec: Readonly<Record<string, Tensor>>): Promise<Record<string, HostTensor>> {
  const out: Record<string, HostTensor> = {};
  for (const [k, t] of Object.entries(rec)) out[k] = await readTensor(backend, t);
  return out;
}
