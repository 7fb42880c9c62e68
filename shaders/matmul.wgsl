// Matrix product with a fused epilogue:
//
//   C[i, j] = act( Σ_k op(A)[i, k] · op(B)[k, j]  +  bias[j] )
//
//   op(A) (M, K): A is stored (M, K), or (K, M) when TRANS_A (then op(A) = Aᵀ)
//   op(B) (K, N): B is stored (K, N), or (N, K) when TRANS_B (then op(B) = Bᵀ)
//   bias  (1, N): added to every row when dims.has_bias = 1
//   act:  dims.act = 0 linear, 1 relu, 2 sigmoid, 3 tanh (as in elementwise.wgsl)
//   C     (M, N), row-major
//
// The three uses in a dense layer:  Z = X·W + 1b      (forward)
//                                   dW = Xᵀ·dZ        (TRANS_A)
//                                   dX = dZ·Wᵀ        (TRANS_B)
//
// How it is computed. A workgroup of 16×16 invocations owns a 64×64 tile of C.
// It walks K in slices of 16: all 256 invocations copy a 64×16 slice of op(A) and a
// 16×64 slice of op(B) into workgroup memory (zeros past the matrix edges, so any
// M, N, K work), wait at a barrier, then each invocation multiplies out of workgroup
// memory into a 4×4 block of C held in registers: rows ty + 16·r and columns
// tx + 16·c, r, c = 0..3. Each value loaded from workgroup memory is used 4 times,
// each value loaded from global memory 64 times.

// The transposes change the inner loop's memory access, so each mode is its own
// compiled pipeline (override constants). The epilogue is a per-dispatch uniform:
// it runs once per output element, and one pipeline serves every activation.
override TRANS_A: bool = false;
override TRANS_B: bool = false;

const WG: u32 = 16u;          // the workgroup is WG × WG invocations
const R: u32 = 4u;            // each invocation computes an R × R block of C
const TILE: u32 = 64u;        // = WG · R: a workgroup computes a TILE × TILE tile of C
const TK: u32 = 16u;          // the K slice held in workgroup memory

struct Dims {
  M: u32,
  N: u32,
  K: u32,
  has_bias: u32,   // 1: add bias[j]
  act: u32,        // activation code
}

@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> c: array<f32>;

// tileA[k][i] = op(A)[row0 + i, k0 + k],   tileB[k][j] = op(B)[k0 + k, col0 + j]
var<workgroup> tileA: array<array<f32, TILE>, TK>;
var<workgroup> tileB: array<array<f32, TILE>, TK>;

// op(A)[i, k], zero outside the matrix
fn load_a(i: u32, k: u32) -> f32 {
  if (i >= dims.M || k >= dims.K) { return 0.0; }
  if (TRANS_A) { return a[k * dims.M + i]; }
  return a[i * dims.K + k];
}

// op(B)[k, j], zero outside the matrix
fn load_b(k: u32, j: u32) -> f32 {
  if (k >= dims.K || j >= dims.N) { return 0.0; }
  if (TRANS_B) { return b[j * dims.K + k]; }
  return b[k * dims.N + j];
}

fn activate(z: f32) -> f32 {
  switch dims.act {
    case 1u: { return max(z, 0.0); }
    case 2u: {
      if (z >= 0.0) { return 1.0 / (1.0 + exp(-z)); }
      let e = exp(z);
      return e / (1.0 + e);
    }
    case 3u: { return tanh(clamp(z, -15.0, 15.0)); }
    default: { return z; }
  }
}

@compute @workgroup_size(WG, WG)
fn matmul(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let row0 = wid.y * TILE;
  let col0 = wid.x * TILE;
  let t = lid.y * WG + lid.x;                  // 0 .. 255

  var acc: array<array<f32, R>, R>;            // starts at zero
  let slices = (dims.K + TK - 1u) / TK;
  for (var s = 0u; s < slices; s++) {
    let k0 = s * TK;
    // Copy the slices: TILE·TK = 1024 values each, 4 per invocation. Consecutive
    // invocations read consecutive addresses of the stored matrix.
    for (var e = t; e < TILE * TK; e += WG * WG) {
      if (TRANS_A) {
        tileA[e / TILE][e % TILE] = load_a(row0 + e % TILE, k0 + e / TILE);
      } else {
        tileA[e % TK][e / TK] = load_a(row0 + e / TK, k0 + e % TK);
      }
      if (TRANS_B) {
        tileB[e % TK][e / TK] = load_b(k0 + e % TK, col0 + e / TK);
      } else {
        tileB[e / TILE][e % TILE] = load_b(k0 + e / TILE, col0 + e % TILE);
      }
    }
    workgroupBarrier();

    for (var k = 0u; k < TK; k++) {
      var av: array<f32, R>;
      var bv: array<f32, R>;
      for (var r = 0u; r < R; r++) {
        av[r] = tileA[k][lid.y + r * WG];
        bv[r] = tileB[k][lid.x + r * WG];
      }
      for (var r = 0u; r < R; r++) {
        for (var q = 0u; q < R; q++) {
          acc[r][q] += av[r] * bv[q];
        }
      }
    }
    workgroupBarrier();
  }

  // Epilogue: bias, activation, store what lies inside C.
  for (var r = 0u; r < R; r++) {
    let i = row0 + lid.y + r * WG;
    if (i >= dims.M) { continue; }
    for (var q = 0u; q < R; q++) {
      let j = col0 + lid.x + q * WG;
      if (j >= dims.N) { continue; }
      var v = acc[r][q];
      if (dims.has_bias == 1u) { v += bias[j]; }
      c[i * dims.N + j] = activate(v);
    }
  }
}
