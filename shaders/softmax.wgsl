// Row softmax (max-shifted) and its Jacobian-vector product.
//
//   softmax           σ[i, j] = e^(x[i, j] − m_i) / Σ_k e^(x[i, k] − m_i),   m_i = max_k x[i, k]
//                     Subtracting the row maximum changes nothing mathematically and
//                     keeps every exponent ≤ 0, so e^(…) never overflows.
//   softmax_backward  dZ[i, j] = σ[i, j] · (dY[i, j] − Σ_k dY[i, k] · σ[i, k])
//                     the product of the row's Jacobian diag(σ) − σσᵀ with dY,
//                     for every row at once (no loop over the batch).
//
// X, σ, dY, dZ are (M, N) row-major. One invocation per row: rows are short (one
// value per class). Above 65535 workgroups the host launches a 2-D grid and the row
// is i = x + y · (groups in x) · 64.

// uses lib/element_index.wgsl

const WG: u32 = 64u;

struct Dims {
  rows: u32,   // M
  cols: u32,   // N
}

@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> sigma: array<f32>;
@group(0) @binding(3) var<storage, read> dy: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG)
fn softmax(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = element_index(gid, groups, WG);
  if (i >= dims.rows) { return; }
  let start = i * dims.cols;
  var m = x[start];
  for (var j = 1u; j < dims.cols; j++) { m = max(m, x[start + j]); }
  var total = 0.0;
  for (var j = 0u; j < dims.cols; j++) {
    let e = exp(x[start + j] - m);
    out[start + j] = e;
    total += e;
  }
  let inv = 1.0 / total;
  for (var j = 0u; j < dims.cols; j++) { out[start + j] *= inv; }
}

@compute @workgroup_size(WG)
fn softmax_backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = element_index(gid, groups, WG);
  if (i >= dims.rows) { return; }
  let start = i * dims.cols;
  var dot = 0.0;                                   // Σ_k dY_k σ_k
  for (var k = 0u; k < dims.cols; k++) { dot += dy[start + k] * sigma[start + k]; }
  for (var j = 0u; j < dims.cols; j++) {
    out[start + j] = sigma[start + j] * (dy[start + j] - dot);
  }
}
