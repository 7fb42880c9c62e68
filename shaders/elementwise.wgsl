// Elementwise kernels: one invocation per element of a row-major tensor.
//
//   bias_act      Y  = act(X + 1·b)        X, Y (M, N); b (1, N), added to every row (HAS_BIAS)
//   act_backward  dZ = dY ⊙ act'(Z)        act' written with the output Y = act(Z)
//   axpby         out = α·x + β·y          x, y, out same shape
//   scale         out = s·x
//
// Activations, chosen by the override constant ACT:
//   0 linear   y = z                          y' = 1
//   1 relu     y = max(z, 0)                  y' = 1 if y > 0, else 0
//   2 sigmoid  y = 1 / (1 + e^(−z))           y' = y·(1 − y)
//   3 tanh     y = tanh(z)                    y' = 1 − y²
//
// More than 65535 workgroups are launched as a 2-D grid; the element index is
// i = x + y · (groups in x) · 64.

// uses lib/activation.wgsl
// uses lib/element_index.wgsl

override ACT: u32 = 0u;
override HAS_BIAS: bool = false;
const WG: u32 = 64u;

struct Dims {
  count: u32,   // elements, M·N
  cols: u32,    // N, the length of a row (and of b)
}
struct Linear {
  count: u32,
  alpha: f32,
  beta: f32,
}

@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<uniform> lin: Linear;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read> y: array<f32>;
@group(0) @binding(4) var<storage, read> b: array<f32>;
@group(0) @binding(5) var<storage, read> dy: array<f32>;
@group(0) @binding(6) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG)
fn bias_act(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = element_index(gid, groups, WG);
  if (i >= dims.count) { return; }
  var z = x[i];
  if (HAS_BIAS) { z += b[i % dims.cols]; }
  out[i] = activate(z, ACT);
}

@compute @workgroup_size(WG)
fn act_backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = element_index(gid, groups, WG);
  if (i >= dims.count) { return; }
  out[i] = dy[i] * activate_grad(y[i], ACT);
}

@compute @workgroup_size(WG)
fn axpby(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = element_index(gid, groups, WG);
  if (i >= lin.count) { return; }
  out[i] = lin.alpha * x[i] + lin.beta * y[i];
}

@compute @workgroup_size(WG)
fn scale(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = element_index(gid, groups, WG);
  if (i >= lin.count) { return; }
  out[i] = lin.alpha * x[i];
}
