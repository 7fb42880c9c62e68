// Reductions.
//
//   sum_rows       s[j] = Σ_i x[i, j]               X (M, N) → (1, N): the bias gradient Σ_rows dZ
//   argmax_rows    idx[i] = argmax_j x[i, j]        X (M, N) → (M) u32; the first maximum on ties
//   count_correct  n = #{ i : argmax_j x[i, j] = argmax_j y[i, j] }    → (1) f32
//   all_finite     1 if no element of x nor of y is NaN or ±∞, else 0  → (1) f32
//                  (x: e.g. a model's parameter arena, y: its loss — one dispatch for both)
//
// sum_rows: one workgroup of GROUP_SIZE invocations per column j; invocation t adds rows
// t, t + GROUP_SIZE, …, then group_sum adds the partial sums (lib/group_sum.wgsl: subgroupAdd
// on a device with subgroups, else pairwise in workgroup memory).
// count_correct and all_finite: one workgroup of 256 that strides over the input.
// argmax_rows: one invocation per row.

// uses lib/element_index.wgsl
// uses lib/group_sum.wgsl
// uses lib/workgroup_sum.wgsl

override GROUP_SIZE: u32 = 64u;   // sum_rows (a power of two)
const WG: u32 = 64u;              // argmax_rows
const WG_ONE: u32 = 256u;         // the single-workgroup kernels

struct Dims {
  rows: u32,   // M (all_finite: the element count of x)
  cols: u32,   // N (all_finite: the element count of y, 0 for none)
}

@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> y: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<storage, read_write> idx: array<u32>;

@compute @workgroup_size(GROUP_SIZE)
fn sum_rows(@builtin(local_invocation_index) t: u32, @builtin(workgroup_id) wid: vec3u,
            @builtin(num_workgroups) groups: vec3u) {
  let j = wid.x + wid.y * groups.x;           // this workgroup's column
  var s = 0.0;
  if (j < dims.cols) {
    for (var i = t; i < dims.rows; i += GROUP_SIZE) { s += x[i * dims.cols + j]; }
  }
  let total = group_sum(t, s);
  if (t == 0u && j < dims.cols) { out[j] = total; }
}

@compute @workgroup_size(WG)
fn argmax_rows(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = element_index(gid, groups, WG);
  if (i >= dims.rows) { return; }
  let start = i * dims.cols;
  var best = 0u;
  for (var j = 1u; j < dims.cols; j++) {
    if (x[start + j] > x[start + best]) { best = j; }   // strict: the first maximum wins; NaN never does
  }
  idx[i] = best;
}

@compute @workgroup_size(WG_ONE)
fn count_correct(@builtin(local_invocation_index) t: u32) {
  var n = 0.0;
  for (var i = t; i < dims.rows; i += WG_ONE) {
    let start = i * dims.cols;
    var bx = 0u;   // argmax of the scores row
    var by = 0u;   // argmax of the label row
    for (var j = 1u; j < dims.cols; j++) {
      if (x[start + j] > x[start + bx]) { bx = j; }
      if (y[start + j] > y[start + by]) { by = j; }
    }
    if (bx == by) { n += 1.0; }
  }
  let total = workgroup_sum(t, n, WG_ONE);
  if (t == 0u) { out[0] = total; }
}

@compute @workgroup_size(WG_ONE)
fn all_finite(@builtin(local_invocation_index) t: u32) {
  // A float is NaN or ±∞ exactly when its 8 exponent bits are all ones. Testing the
  // bits, not x != x, because a shader compiler may assume floats are finite (WGSL leaves
  // NaN arithmetic to the implementation: max, min, clamp and comparisons may turn a NaN
  // into a finite number, so no float operation touches the values here).
  var bad = 0.0;
  for (var e = t; e < dims.rows; e += WG_ONE) {
    if ((bitcast<u32>(x[e]) & 0x7f800000u) == 0x7f800000u) { bad = 1.0; }
  }
  for (var e = t; e < dims.cols; e += WG_ONE) {
    if ((bitcast<u32>(y[e]) & 0x7f800000u) == 0x7f800000u) { bad = 1.0; }
  }
  let total = workgroup_sum(t, bad, WG_ONE);
  if (t == 0u) { out[0] = select(1.0, 0.0, total > 0.0); }
}
