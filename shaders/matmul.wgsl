// Matrix products with fused epilogues.
//
//   matmul       C[i, j] = act( Σ_k op(A)[i, k] · op(B)[k, j]  +  bias[j] )       (forward)
//                C[i, j] = ( Σ_k op(A)[i, k] · op(B)[k, j] ) · σ'(Y[i, j])         (backward, dims.dact)
//   dense_grads  [dW; db] = [X 1]ᵀ · dZ                                              (a layer's gradients)
//
//   op(A) (M, K): A is stored (M, K), or (K, M) when TRANS_A (then op(A) = Aᵀ)
//   op(B) (K, N): B is stored (K, N), or (N, K) when TRANS_B (then op(B) = Bᵀ)
//   bias  (1, N): added to every row when dims.has_bias = 1
//   act:  dims.act = 0 linear, 1 relu, 2 sigmoid, 3 tanh (lib/activation.wgsl)
//   dact: dims.dact = the activation whose derivative σ'(Z), written with its output Y
//         (M, N), multiplies the product (0: none). dX = (dZ·Wᵀ) ⊙ σ'(Y_prev) turns the
//         gradient a layer sends down into the dZ of the layer below in the same pass.
//   C     (M, N), row-major
//
// The uses in a dense layer:  Z = X·W + 1b               (forward: matmul with bias, act)
//                             dX = (dZ·Wᵀ) ⊙ σ'(Y_prev)   (TRANS_B, dact)
//                             [dW; db] = [X 1]ᵀ·dZ        (dense_grads: TRANS_A, ONES_ROW)
// dense_grads is the TRANS_A product with one more row of op(A), all ones: row M − 1 of
// the result is 1ᵀ·dZ = db, written to `db`; rows 0 … M − 2 are dW, written to `c`.
//
// How it is computed. A workgroup of WX × WY invocations owns a TM × TN tile of C
// (TM = 4·WY, TN = 4·WX); invocation (tx, ty) owns the 4×4 block of rows 4·ty … 4·ty + 3
// and columns 4·tx … 4·tx + 3, held in registers. The workgroup walks K in slices of
// TK = 16: it copies a TM×16 slice of op(A) and a 16×TN slice of op(B) into workgroup
// memory (zeros past the matrix edges, so any M, N, K work), waits at a barrier, then
// every invocation takes, for each k, 4 values of its rows and 4 of its columns (two
// vec4 reads of workgroup memory) and adds their outer product to its block: 16
// multiply-adds per 2 reads. Each value read from global memory is used TM or TN times.
//
// The same products without workgroup memory (entry points matmul_registers,
// dense_grads_registers). Invocation (gx, gy) of the whole grid owns the BM × BN block of C
// at rows BM·gy …, columns BN·gx … (BM, BN = 4, or 8 when C has more than 4 rows / columns),
// in up to four mat4x4 accumulators (registers, not an array). It walks K four at a time:
// loads the BM×4 block of op(A) at its rows and the 4 × BN block of op(B) at its columns
// straight from global memory (vec4 loads when the layout allows them, else scalar ones),
// and adds their product: with BM = BN = 8, 256 multiply-adds per 16 vec4 loads. No barrier,
// no workgroup memory. Each value of A is read N/BN times instead of N/TN — from the caches.
// On a GPU the tiled kernel above wins; on a CPU-backed adapter (SwiftShader runs a whole
// workgroup on one CPU thread, SIMD across invocations) every barrier makes the thread
// switch between all the invocations of the workgroup and workgroup memory is plain RAM,
// so the register blocks are several times faster there (product.ts picks by adapter).
// There every load of a value that differs between invocations is a per-invocation gather
// (SwiftShader runs 4 invocations as the lanes of one SIMD register): the loads, not the
// multiply-adds, cost the time, hence blocks as large as the registers allow.
// Rows past M and columns past N are clamped into the matrix (they only feed elements of
// C that are not stored); the last K mod 4 terms are added one k at a time.
//
// Host-chosen variants (override constants, one pipeline each):
//   WX, WY     tile shape: 16×16 (64×64 tiles) in general; 4×32 (128×16), 32×4 (16×128) and
//              8×8 (32×32) for skinny problems, so a 6- or 10-column C does not pay for 64
//   VEC_A/B    vec4 loads of A/B (a4, b4: the same buffers read 16 bytes at a time) when
//              the stored matrix's contiguous dimension is a multiple of 4; scalar loads
//              otherwise (bound views start at 256-byte offsets, so rows are 16-byte aligned)
//   ONES_ROW   the extra row of ones of dense_grads
//   BM, BN     register blocks only: 4 or 8 rows, 4 or 8 columns of C per invocation

// uses lib/activation.wgsl

override TRANS_A: bool = false;
override TRANS_B: bool = false;
override VEC_A: bool = false;
override VEC_B: bool = false;
override ONES_ROW: bool = false;
override WX: u32 = 16u;               // invocations along N
override WY: u32 = 16u;               // invocations along M
override BN: u32 = 4u;                // register blocks: columns per invocation (4, or 8 when C has more than 4 columns)
override BM: u32 = 4u;                // register blocks: rows per invocation (4, or 8 when C has more than 4 rows)
const TK: u32 = 16u;                  // the K slice held in workgroup memory
override TILE_A4: u32 = TK * WY;      // vec4s of an A slice: TK × TM / 4
override TILE_B4: u32 = TK * WX;      // vec4s of a B slice: TK × TN / 4

struct Dims {
  M: u32,
  N: u32,
  K: u32,
  has_bias: u32,   // 1: add bias[j]
  act: u32,        // activation code of the forward epilogue
  dact: u32,       // activation code of the backward epilogue (0: none)
}

@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> c: array<f32>;
@group(0) @binding(5) var<storage, read> a4: array<vec4<f32>>;   // = a, 4 floats at a time
@group(0) @binding(6) var<storage, read> b4: array<vec4<f32>>;   // = b, 4 floats at a time
@group(0) @binding(7) var<storage, read> y: array<f32>;          // dact: the forward output Y (M, N)
@group(0) @binding(8) var<storage, read_write> db: array<f32>;   // dense_grads: the bias gradient (1, N)

// tileA[k·WY + i/4][i % 4] = op(A)[row0 + i, k0 + k];  tileB[k·WX + j/4][j % 4] = op(B)[k0 + k, col0 + j]
var<workgroup> tileA: array<vec4<f32>, TILE_A4>;
var<workgroup> tileB: array<vec4<f32>, TILE_B4>;
// the 4×4 block of C of this invocation: acc[r][q] = C[row0 + 4·ty + r, col0 + 4·tx + q]
var<private> acc: array<vec4<f32>, 4>;

// rows of the stored op(A) (dense_grads: its last row of ones is not stored)
fn rows_a() -> u32 {
  return select(dims.M, dims.M - 1u, ONES_ROW);
}

// op(A)[i, k], zero outside the matrix
fn load_a(i: u32, k: u32) -> f32 {
  if (i >= dims.M || k >= dims.K) { return 0.0; }
  if (ONES_ROW && i == dims.M - 1u) { return 1.0; }
  if (TRANS_A) { return a[k * rows_a() + i]; }
  return a[i * dims.K + k];
}

// op(B)[k, j], zero outside the matrix
fn load_b(k: u32, j: u32) -> f32 {
  if (k >= dims.K || j >= dims.N) { return 0.0; }
  if (TRANS_B) { return b[j * dims.K + k]; }
  return b[k * dims.N + j];
}

fn put_a(k: u32, i: u32, v: f32) {
  tileA[k * WY + i / 4u][i % 4u] = v;
}
fn put_b(k: u32, j: u32, v: f32) {
  tileB[k * WX + j / 4u][j % 4u] = v;
}

// Copies the K slice k0 … k0 + 15 of op(A) rows row0 … and op(B) columns col0 … into
// workgroup memory. t: this invocation's index, n: invocations in the workgroup.
// Consecutive invocations read consecutive addresses of the stored matrix.
fn load_slices(t: u32, n: u32, row0: u32, col0: u32, k0: u32) {
  let tm = 4u * WY;
  let tn = 4u * WX;
  if (!VEC_A) {
    for (var e = t; e < tm * TK; e += n) {
      if (TRANS_A) { put_a(e / tm, e % tm, load_a(row0 + e % tm, k0 + e / tm)); }
      else { put_a(e % TK, e / TK, load_a(row0 + e / TK, k0 + e % TK)); }
    }
  } else if (TRANS_A) {
    // stored (K, M'), M' = rows_a() a multiple of 4: 4 consecutive rows of op(A) at once
    for (var e = t; e < tm * TK / 4u; e += n) {
      let k = e / WY;
      let i = (e % WY) * 4u;
      var v = vec4<f32>(0.0);
      if (k0 + k < dims.K) {
        if (row0 + i < rows_a()) { v = a4[((k0 + k) * rows_a() + row0 + i) / 4u]; }
        else if (ONES_ROW && row0 + i == dims.M - 1u) { v = vec4<f32>(1.0, 0.0, 0.0, 0.0); }
      }
      tileA[k * WY + i / 4u] = v;
    }
  } else {
    // stored (M, K), K a multiple of 4: 4 consecutive k of one row at once
    for (var e = t; e < tm * TK / 4u; e += n) {
      let i = e / (TK / 4u);
      let k = (e % (TK / 4u)) * 4u;
      var v = vec4<f32>(0.0);
      if (row0 + i < dims.M && k0 + k < dims.K) { v = a4[((row0 + i) * dims.K + k0 + k) / 4u]; }
      for (var q = 0u; q < 4u; q++) { put_a(k + q, i, v[q]); }
    }
  }
  if (!VEC_B) {
    for (var e = t; e < tn * TK; e += n) {
      if (TRANS_B) { put_b(e % TK, e / TK, load_b(k0 + e % TK, col0 + e / TK)); }
      else { put_b(e / tn, e % tn, load_b(k0 + e / tn, col0 + e % tn)); }
    }
  } else if (TRANS_B) {
    // stored (N, K), K a multiple of 4
    for (var e = t; e < tn * TK / 4u; e += n) {
      let j = e / (TK / 4u);
      let k = (e % (TK / 4u)) * 4u;
      var v = vec4<f32>(0.0);
      if (col0 + j < dims.N && k0 + k < dims.K) { v = b4[((col0 + j) * dims.K + k0 + k) / 4u]; }
      for (var q = 0u; q < 4u; q++) { put_b(k + q, j, v[q]); }
    }
  } else {
    // stored (K, N), N a multiple of 4
    for (var e = t; e < tn * TK / 4u; e += n) {
      let k = e / WX;
      let j = (e % WX) * 4u;
      var v = vec4<f32>(0.0);
      if (k0 + k < dims.K && col0 + j < dims.N) { v = b4[((k0 + k) * dims.N + col0 + j) / 4u]; }
      tileB[k * WX + j / 4u] = v;
    }
  }
}

// acc += (op(A)·op(B)) over the whole K for this invocation's block
fn accumulate(lid: vec3u, row0: u32, col0: u32) {
  let t = lid.y * WX + lid.x;
  let n = WX * WY;
  for (var r = 0u; r < 4u; r++) { acc[r] = vec4<f32>(0.0); }
  let slices = (dims.K + TK - 1u) / TK;
  for (var s = 0u; s < slices; s++) {
    load_slices(t, n, row0, col0, s * TK);
    workgroupBarrier();
    for (var k = 0u; k < TK; k++) {
      let av = tileA[k * WY + lid.y];   // op(A) rows 4·ty … 4·ty + 3 at k
      let bv = tileB[k * WX + lid.x];   // op(B) columns 4·tx … 4·tx + 3 at k
      acc[0] += av.x * bv;
      acc[1] += av.y * bv;
      acc[2] += av.z * bv;
      acc[3] += av.w * bv;
    }
    workgroupBarrier();
  }
}

@compute @workgroup_size(WX, WY)
fn matmul(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let row0 = wid.y * 4u * WY;
  let col0 = wid.x * 4u * WX;
  accumulate(lid, row0, col0);
  // Epilogue: bias and activation (forward) or σ'(Y) (backward); store what lies inside C.
  for (var r = 0u; r < 4u; r++) {
    let i = row0 + 4u * lid.y + r;
    if (i >= dims.M) { break; }
    for (var q = 0u; q < 4u; q++) {
      let j = col0 + 4u * lid.x + q;
      if (j >= dims.N) { break; }
      var v = acc[r][q];
      if (dims.has_bias == 1u) { v += bias[j]; }
      v = activate(v, dims.act);
      if (dims.dact != 0u) { v *= activate_grad(y[i * dims.N + j], dims.dact); }
      c[i * dims.N + j] = v;
    }
  }
}

@compute @workgroup_size(WX, WY)
fn dense_grads(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let row0 = wid.y * 4u * WY;
  let col0 = wid.x * 4u * WX;
  accumulate(lid, row0, col0);
  for (var r = 0u; r < 4u; r++) {
    let i = row0 + 4u * lid.y + r;
    if (i >= dims.M) { break; }
    for (var q = 0u; q < 4u; q++) {
      let j = col0 + 4u * lid.x + q;
      if (j >= dims.N) { break; }
      if (i == dims.M - 1u) { db[j] = acc[r][q]; }      // 1ᵀ·dZ
      else { c[i * dims.N + j] = acc[r][q]; }           // Xᵀ·dZ
    }
  }
}

// ── register blocks: no workgroup memory ─────────────────────────────────────────────
// Invocation (gx, gy) owns rows i0 = BM·gy … i0 + BM − 1 and columns j0 = BN·gx … j0 + BN − 1
// of C (BM, BN = 4, or 8 as two groups of 4). Where each of its rows of op(A) and columns of op(B)
// starts in memory is worked out once, before the K loop (rows past M and columns past N
// clamped into the matrix: they only feed elements of C that are not stored), so the loop
// is loads and multiply-adds only, no bounds checks.

// Per-row offsets of op(A), in floats: stored (M, K) → where row i0 + r starts;
// stored (K, M') → the column i0 + r (clamped to M' − 1: dense_grads' row of ones is not stored).
fn a_offsets(i0: u32) -> vec4<u32> {
  let last = select(dims.M - 1u, max(rows_a(), 1u) - 1u, ONES_ROW);
  let r = min(vec4<u32>(i0, i0 + 1u, i0 + 2u, i0 + 3u), vec4<u32>(last));
  if (TRANS_A) { return r; }
  return r * dims.K;
}

// Per-column offsets of op(B), in floats: stored (K, N) → column j + q; stored (N, K) → where row j + q starts.
fn b_offsets(j: u32) -> vec4<u32> {
  let q = min(vec4<u32>(j, j + 1u, j + 2u, j + 3u), vec4<u32>(dims.N - 1u));
  if (TRANS_B) { return q * dims.K; }
  return q;
}

// op(A)[i0 + r, k … k + 3] as column r (k + 3 < K); oa from a_offsets
fn a_block(k: u32, oa: vec4<u32>) -> mat4x4<f32> {
  if (VEC_A && TRANS_A) {
    // one vec4 = 4 rows of op(A) at one k (M' a multiple of 4, i0 too: the 4 rows are oa.x …)
    let m4 = rows_a() / 4u;
    let i4 = oa.x / 4u;
    return transpose(mat4x4<f32>(a4[k * m4 + i4], a4[(k + 1u) * m4 + i4], a4[(k + 2u) * m4 + i4], a4[(k + 3u) * m4 + i4]));
  }
  if (VEC_A) {
    // one vec4 = 4 consecutive k of one row (K a multiple of 4)
    let o = (oa + vec4<u32>(k)) / 4u;
    return mat4x4<f32>(a4[o.x], a4[o.y], a4[o.z], a4[o.w]);
  }
  if (TRANS_A) {
    let m = rows_a();
    let r0 = k * m;
    return transpose(mat4x4<f32>(
      vec4<f32>(a[r0 + oa.x], a[r0 + oa.y], a[r0 + oa.z], a[r0 + oa.w]),
      vec4<f32>(a[r0 + m + oa.x], a[r0 + m + oa.y], a[r0 + m + oa.z], a[r0 + m + oa.w]),
      vec4<f32>(a[r0 + 2u * m + oa.x], a[r0 + 2u * m + oa.y], a[r0 + 2u * m + oa.z], a[r0 + 2u * m + oa.w]),
      vec4<f32>(a[r0 + 3u * m + oa.x], a[r0 + 3u * m + oa.y], a[r0 + 3u * m + oa.z], a[r0 + 3u * m + oa.w]),
    ));
  }
  let o = oa + vec4<u32>(k);
  return mat4x4<f32>(
    vec4<f32>(a[o.x], a[o.x + 1u], a[o.x + 2u], a[o.x + 3u]),
    vec4<f32>(a[o.y], a[o.y + 1u], a[o.y + 2u], a[o.y + 3u]),
    vec4<f32>(a[o.z], a[o.z + 1u], a[o.z + 2u], a[o.z + 3u]),
    vec4<f32>(a[o.w], a[o.w + 1u], a[o.w + 2u], a[o.w + 3u]),
  );
}

// op(A)[i0 + r, k] as component r (one k, scalar loads)
fn a_column(k: u32, oa: vec4<u32>) -> vec4<f32> {
  if (TRANS_A) {
    let o = vec4<u32>(k * rows_a()) + oa;
    return vec4<f32>(a[o.x], a[o.y], a[o.z], a[o.w]);
  }
  let o = oa + vec4<u32>(k);
  return vec4<f32>(a[o.x], a[o.y], a[o.z], a[o.w]);
}

// op(B)[k + t, j … j + 3] as column t (k + 3 < K); ob from b_offsets(j)
fn b_block(k: u32, ob: vec4<u32>) -> mat4x4<f32> {
  if (VEC_B && TRANS_B) {
    // one vec4 = one column of op(B) at 4 consecutive k (K a multiple of 4)
    let o = (ob + vec4<u32>(k)) / 4u;
    return transpose(mat4x4<f32>(b4[o.x], b4[o.y], b4[o.z], b4[o.w]));
  }
  if (VEC_B) {
    // one vec4 = 4 consecutive columns of one row (N a multiple of 4, j too)
    let n4 = dims.N / 4u;
    let j4 = ob.x / 4u;
    return mat4x4<f32>(b4[k * n4 + j4], b4[(k + 1u) * n4 + j4], b4[(k + 2u) * n4 + j4], b4[(k + 3u) * n4 + j4]);
  }
  return mat4x4<f32>(b_row(k, ob), b_row(k + 1u, ob), b_row(k + 2u, ob), b_row(k + 3u, ob));
}

// op(B)[k, j … j + 3] (one k, scalar loads)
fn b_row(k: u32, ob: vec4<u32>) -> vec4<f32> {
  var o: vec4<u32>;
  if (TRANS_B) { o = ob + vec4<u32>(k); } else { o = ob + vec4<u32>(k * dims.N); }
  return vec4<f32>(b[o.x], b[o.y], b[o.z], b[o.w]);
}

// dense_grads: rows i0 + r that are row M − 1, the row of ones
fn ones_rows(i0: u32) -> vec4<bool> {
  return vec4<u32>(i0, i0 + 1u, i0 + 2u, i0 + 3u) == vec4<u32>(dims.M - 1u);
}

// The BM × BN block of op(A)·op(B) at rows i0 …, columns j0 …, as four 4×4 quarters,
// each a mat4x4 whose column r is (part of) a row of C:
//   c00: rows i0 … i0 + 3,     columns j0 … j0 + 3     c01: rows i0 … i0 + 3,     columns j0 + 4 … j0 + 7 (BN = 8)
//   c10: rows i0 + 4 … i0 + 7, columns j0 … j0 + 3     c11: rows i0 + 4 … i0 + 7, columns j0 + 4 … j0 + 7
// With xa = a_block (column r: op(A)[i0 + r, k … k + 3]) and yb = b_block (column t:
// op(B)[k + t, j0 … j0 + 3]), the matrix product yb·xa has column r = Σ_t op(A)[i0 + r, k + t]·op(B)[k + t, j0 …],
// so one step of K by 4 is c00 += yb·xa: 64 multiply-adds for 16 + 16 loaded floats. With
// BM = BN = 8 the 32 + 32 floats of a step feed 256 multiply-adds, 4 per float (4 × 4: 2).
struct Block {
  c00: mat4x4<f32>,
  c01: mat4x4<f32>,
  c10: mat4x4<f32>,
  c11: mat4x4<f32>,
}

// xa with the columns of dense_grads' row of ones set to 1
fn with_ones(xa: mat4x4<f32>, ones: vec4<bool>) -> mat4x4<f32> {
  if (!ONES_ROW) { return xa; }
  return mat4x4<f32>(select(xa[0], vec4<f32>(1.0), ones.x), select(xa[1], vec4<f32>(1.0), ones.y),
                     select(xa[2], vec4<f32>(1.0), ones.z), select(xa[3], vec4<f32>(1.0), ones.w));
}

// yb·xaᵀ for column vectors: column r is xa[r]·yb (one k of a quarter)
fn outer(yb: vec4<f32>, xa: vec4<f32>) -> mat4x4<f32> {
  return mat4x4<f32>(xa.x * yb, xa.y * yb, xa.z * yb, xa.w * yb);
}

fn block_product(i0: u32, j0: u32) -> Block {
  let oa0 = a_offsets(i0);
  let oa1 = a_offsets(i0 + 4u);
  let ob0 = b_offsets(j0);
  let ob1 = b_offsets(j0 + 4u);
  let ones0 = ones_rows(i0);
  let ones1 = ones_rows(i0 + 4u);
  var c00 = mat4x4<f32>();
  var c01 = mat4x4<f32>();
  var c10 = mat4x4<f32>();
  var c11 = mat4x4<f32>();
  let k4 = dims.K & ~3u;
  for (var k = 0u; k < k4; k += 4u) {
    let xa0 = with_ones(a_block(k, oa0), ones0);   // xa0[r][t] = op(A)[i0 + r, k + t]
    let yb0 = b_block(k, ob0);                     // yb0[t] = op(B)[k + t, j0 … j0 + 3]
    c00 += yb0 * xa0;
    var xa1 = mat4x4<f32>();
    if (BM == 8u) {
      xa1 = with_ones(a_block(k, oa1), ones1);     // rows i0 + 4 … i0 + 7
      c10 += yb0 * xa1;
    }
    if (BN == 8u) {
      let yb1 = b_block(k, ob1);                   // columns j0 + 4 … j0 + 7
      c01 += yb1 * xa0;
      if (BM == 8u) { c11 += yb1 * xa1; }
    }
  }
  // the last K mod 4 terms, one k at a time
  for (var k = k4; k < dims.K; k++) {
    var xa0 = a_column(k, oa0);   // xa0[r] = op(A)[i0 + r, k]
    if (ONES_ROW) { xa0 = select(xa0, vec4<f32>(1.0), ones0); }
    let yb0 = b_row(k, ob0);      // op(B)[k, j0 … j0 + 3]
    c00 += outer(yb0, xa0);
    var xa1 = vec4<f32>();
    if (BM == 8u) {
      xa1 = a_column(k, oa1);
      if (ONES_ROW) { xa1 = select(xa1, vec4<f32>(1.0), ones1); }
      c10 += outer(yb0, xa1);
    }
    if (BN == 8u) {
      let yb1 = b_row(k, ob1);
      c01 += outer(yb1, xa0);
      if (BM == 8u) { c11 += outer(yb1, xa1); }
    }
  }
  return Block(c00, c01, c10, c11);
}

// ── their epilogue, one row of a quarter (4 columns of C) at a time, as vec4 ──────────
// σ and σ' with activate4 and activate_grad4 (lib/activation.wgsl), on 4 values at once.

// c[o …] = v.x, v.y, … : the first min(count, 4) of them
fn put_row(o: u32, count: u32, v: vec4<f32>) {
  c[o] = v.x;
  if (count > 1u) { c[o + 1u] = v.y; }
  if (count > 2u) { c[o + 2u] = v.z; }
  if (count > 3u) { c[o + 3u] = v.w; }
}

// C[i, j … j + 3] = act(v + bias[j …]) or v ⊙ σ'(Y[i, j …]); nothing past row M − 1 or column N − 1
fn store_row(i: u32, j: u32, v: vec4<f32>) {
  if (i >= dims.M || j >= dims.N) { return; }
  let js = min(vec4<u32>(j, j + 1u, j + 2u, j + 3u), vec4<u32>(dims.N - 1u));   // loads stay inside
  var w = v;
  if (dims.has_bias == 1u) { w += vec4<f32>(bias[js.x], bias[js.y], bias[js.z], bias[js.w]); }
  w = activate4(w, dims.act);
  if (dims.dact != 0u) {
    let o = i * dims.N;
    w *= activate_grad4(vec4<f32>(y[o + js.x], y[o + js.y], y[o + js.z], y[o + js.w]), dims.dact);
  }
  put_row(i * dims.N + j, dims.N - j, w);
}

// dense_grads: row i of [dW; db] at columns j …: row M − 1 (the row of ones) → db, the others → dW
fn store_grad_row(i: u32, j: u32, v: vec4<f32>) {
  if (i >= dims.M || j >= dims.N) { return; }
  if (i + 1u < dims.M) {
    put_row(i * dims.N + j, dims.N - j, v);   // Xᵀ·dZ
    return;
  }
  db[j] = v.x;                                // 1ᵀ·dZ
  if (j + 1u < dims.N) { db[j + 1u] = v.y; }
  if (j + 2u < dims.N) { db[j + 2u] = v.z; }
  if (j + 3u < dims.N) { db[j + 3u] = v.w; }
}

// row r of the block (r < BM) as columns j0 … j0 + 3 and j0 + 4 … j0 + 7 (selects, not a
// dynamic index into the accumulators)
fn block_row(p: Block, r: u32) -> mat2x4<f32> {
  var row = mat2x4<f32>(p.c00[0], p.c01[0]);
  if (r == 1u) { row = mat2x4<f32>(p.c00[1], p.c01[1]); }
  if (r == 2u) { row = mat2x4<f32>(p.c00[2], p.c01[2]); }
  if (r == 3u) { row = mat2x4<f32>(p.c00[3], p.c01[3]); }
  if (r == 4u) { row = mat2x4<f32>(p.c10[0], p.c11[0]); }
  if (r == 5u) { row = mat2x4<f32>(p.c10[1], p.c11[1]); }
  if (r == 6u) { row = mat2x4<f32>(p.c10[2], p.c11[2]); }
  if (r == 7u) { row = mat2x4<f32>(p.c10[3], p.c11[3]); }
  return row;
}

@compute @workgroup_size(WX, WY)
fn matmul_registers(@builtin(global_invocation_id) gid: vec3u) {
  let i0 = BM * gid.y;
  let j0 = BN * gid.x;
  if (i0 >= dims.M || j0 >= dims.N) { return; }
  let p = block_product(i0, j0);
  // the same epilogue as matmul: bias and activation, or σ'(Y); store what lies inside C
  for (var r = 0u; r < BM; r++) {
    let row = block_row(p, r);
    store_row(i0 + r, j0, row[0]);
    if (BN == 8u) { store_row(i0 + r, j0 + 4u, row[1]); }
  }
}

@compute @workgroup_size(WX, WY)
fn dense_grads_registers(@builtin(global_invocation_id) gid: vec3u) {
  let i0 = BM * gid.y;
  let j0 = BN * gid.x;
  if (i0 >= dims.M || j0 >= dims.N) { return; }
  let p = block_product(i0, j0);
  for (var r = 0u; r < BM; r++) {
    let row = block_row(p, r);
    store_grad_row(i0 + r, j0, row[0]);
    if (BN == 8u) { store_grad_row(i0 + r, j0 + 4u, row[1]); }
  }
}
