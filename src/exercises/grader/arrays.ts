// Between the grader's plain float64 arrays and the student's np arrays.

import { NDArray, np } from '../np';

/** a row-major float64 array and its shape */
export interface Arr {
  data: Float64Array;
  shape: number[];
}

export function arr(data: ArrayLike<number>, shape: readonly number[]): Arr {
  return { data: Float64Array.from(data), shape: [...shape] };
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** a fresh np array holding a copy of a (no np operation is counted) */
export function toNp(a: Arr): NDArray {
  return new NDArray(Float64Array.from(a.data), a.shape);
}

/** the student's value as a plain array, or why it is not one */
export function fromStudent(v: unknown): Arr | string {
  if (v instanceof NDArray) return { data: Float64Array.from(v.data), shape: [...v.shape] };
  if (typeof v === 'number') return { data: Float64Array.of(v), shape: [] };
  if (Array.isArray(v)) {
    try {
      return fromStudent(np.array(v));
    } catch {
      return 'a JavaScript array that is not a rectangular array of numbers';
    }
  }
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  return `a ${typeof v} (${String(v).slice(0, 40)}), not an np array`;
}

export function shapeText(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/** the multi-index of flat index i in a row-major array of this shape */
export function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d]!;
    i = Math.floor(i / shape[d]!);
  }
  return idx;
}
