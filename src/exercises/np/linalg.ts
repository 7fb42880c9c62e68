// Matrix products with numpy's rules.
// matmul: A (…, n, k) @ B (…, k, m) → (…, n, m), the leading (batch) axes broadcast;
// a 1-D A is a row (1, k) and a 1-D B a column (k, 1), their added axis removed after.

import { broadcastShapes, broadcastStrides } from './broadcast';
import { ArrayInput, NDArray, ShapeError, advance, alloc, asarray, fmtShape, gather, normAxis, sizeOf, stridesOf } from './ndarray';
import { sum } from './reduce';
import { transpose } from './shape';

/** C[b] += A[b] · B[b] for contiguous row-major blocks: A (n,k) at ao, B (k,m) at bo, C (n,m) at co */
function gemm(A: Float64Array, ao: number, B: Float64Array, bo: number, C: Float64Array, co: number, n: number, k: number, m: number): void {
  for (let i = 0; i < n; i++) {
    const ci = co + i * m;
    for (let p = 0; p < k; p++) {
      const aip = A[ao + i * k + p];
      const bp = bo + p * m;
      for (let j = 0; j < m; j++) C[ci + j] += aip * B[bp + j];
    }
  }
}

export function matmul(x: ArrayInput, y: ArrayInput): NDArray {
  const a = asarray(x, 'matmul');
  const b = asarray(y, 'matmul');
  if (a.ndim === 0 || b.ndim === 0) throw new ShapeError(`matmul: an operand is 0-dimensional (shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}): use np.multiply for a scalar`);
  const as = a.ndim === 1 ? [1, a.shape[0]] : a.shape;
  const bs = b.ndim === 1 ? [b.shape[0], 1] : b.shape;
  const n = as[as.length - 2];
  const k = as[as.length - 1];
  const k2 = bs[bs.length - 2];
  const m = bs[bs.length - 1];
  if (k !== k2) throw new ShapeError(`matmul: shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)} do not align: ${k} ≠ ${k2}`);
  const batch = broadcastShapes('matmul', as.slice(0, -2), bs.slice(0, -2));
  const outShape = [...batch, n, m];
  const out = alloc(outShape, 'matmul');
  const nb = sizeOf(batch);
  const sa = broadcastStrides(as.slice(0, -2), batch);
  const sb = broadcastStrides(bs.slice(0, -2), batch);
  const idx = new Array<number>(batch.length).fill(0);
  const off = [0, 0];
  for (let t = 0; t < nb; t++) {
    gemm(a.data, off[0] * n * k, b.data, off[1] * k * m, out.data, t * n * m, n, k, m);
    advance(idx, batch, off, [sa, sb]);
  }
  let shape = outShape;
  if (a.ndim === 1) shape = shape.filter((_, i) => i !== shape.length - 2);
  if (b.ndim === 1) shape = shape.slice(0, -1);
  return new NDArray(out.data, shape);
}

/**
 * numpy's dot: scalars multiply; 1-D·1-D is the inner product; N-D·M-D sums over the last
 * axis of a and the second-to-last of b: dot(a, b)[i,j,k,m] = Σ_p a[i,j,p]·b[k,p,m]
 */
export function dot(x: ArrayInput, y: ArrayInput): NDArray {
  const a = asarray(x, 'dot');
  const b = asarray(y, 'dot');
  if (a.ndim === 0 || b.ndim === 0) {
    const s = a.ndim === 0 ? a.data[0] : b.data[0];
    const other = a.ndim === 0 ? b : a;
    return new NDArray(other.data.map((v) => v * s), other.shape);
  }
  const k = a.shape[a.ndim - 1];
  const kb = b.shape[Math.max(0, b.ndim - 2)];
  if (k !== kb) throw new ShapeError(`dot: shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)} do not align: ${k} ≠ ${kb}`);
  if (b.ndim <= 2) return matmul(a, b);
  // b (…, k, m) → (k, … · m) so that a (…, k) · it is one matrix product
  const perm = b.shape.map((_, i) => i).filter((i) => i !== b.ndim - 2);
  const bt = transpose(b, [b.ndim - 2, ...perm]);
  const rest = perm.map((i) => b.shape[i]);
  const prod = matmul(new NDArray(a.data, [a.size / k, k]), new NDArray(bt.data, [k, sizeOf(rest)]));
  return new NDArray(prod.data, [...a.shape.slice(0, -1), ...rest]);
}

/** numpy's outer: out[i, j] = a.flat[i] · b.flat[j] */
export function outer(x: ArrayInput, y: ArrayInput): NDArray {
  const a = asarray(x, 'outer');
  const b = asarray(y, 'outer');
  return matmul(new NDArray(a.data, [a.size, 1]), new NDArray(b.data, [1, b.size]));
}

/** numpy's diagonal: d[…, i] = a[…, i, i + offset, …] over axis1, axis2 (moved last) */
export function diagonal(x: ArrayInput, offset = 0, axis1 = 0, axis2 = 1): NDArray {
  const a = asarray(x, 'diagonal');
  if (a.ndim < 2) throw new ShapeError(`diagonal: needs at least 2 dimensions, got shape ${fmtShape(a.shape)}`);
  const p = normAxis(axis1, a.ndim, 'diagonal');
  const q = normAxis(axis2, a.ndim, 'diagonal');
  if (p === q) throw new ShapeError('diagonal: axis1 and axis2 cannot be the same');
  const st = stridesOf(a.shape);
  const rest = a.shape.map((_, i) => i).filter((i) => i !== p && i !== q);
  const len = Math.max(0, offset >= 0 ? Math.min(a.shape[p], a.shape[q] - offset) : Math.min(a.shape[p] + offset, a.shape[q]));
  const start = offset >= 0 ? offset * st[q] : -offset * st[p];
  return gather(
    a.data,
    len > 0 ? start : 0,
    [...rest.map((i) => a.shape[i]), len],
    [...rest.map((i) => st[i]), st[p] + st[q]],
    'diagonal',
  );
}

/** numpy's trace: the sum of the diagonal (over the first two axes) */
export function trace(x: ArrayInput, offset = 0, axis1 = 0, axis2 = 1): NDArray {
  return sum(diagonal(x, offset, axis1, axis2), -1);
}
