// Parameter updates, in place, one invocation per parameter element.
//
//   sgd           p ← p − lr·g
//   sgd_momentum  v ← μ·v − lr·g ;  p ← p + v
//   adam          m ← β1·m + (1 − β1)·g
//                 v ← β2·v + (1 − β2)·g²
//                 p ← p − lr · m̂ / (√v̂ + ε),   m̂ = m / (1 − β1^t),  v̂ = v / (1 − β2^t)
//
// The bias corrections c1 = 1 − β1^t and c2 = 1 − β2^t are computed on the host in
// double precision (t is the 1-based step count) and passed in.

// uses lib/element_index.wgsl

const WG: u32 = 64u;

struct Sgd {
  count: u32,
  lr: f32,
  momentum: f32,
}
struct Adam {
  count: u32,
  lr: f32,
  beta1: f32,
  beta2: f32,
  eps: f32,
  c1: f32,     // 1 − β1^t
  c2: f32,     // 1 − β2^t
}

@group(0) @binding(0) var<uniform> sgd_params: Sgd;
@group(0) @binding(1) var<uniform> adam_params: Adam;
@group(0) @binding(2) var<storage, read_write> p: array<f32>;
@group(0) @binding(3) var<storage, read> g: array<f32>;
@group(0) @binding(4) var<storage, read_write> m: array<f32>;
@group(0) @binding(5) var<storage, read_write> v: array<f32>;   // velocity (sgd), second moment (adam)

@compute @workgroup_size(WG)
fn sgd(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = element_index(gid, groups, WG);
  if (i >= sgd_params.count) { return; }
  p[i] -= sgd_params.lr * g[i];
}

@compute @workgroup_size(WG)
fn sgd_momentum(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = element_index(gid, groups, WG);
  if (i >= sgd_params.count) { return; }
  let vel = sgd_params.momentum * v[i] - sgd_params.lr * g[i];
  v[i] = vel;
  p[i] += vel;
}

@compute @workgroup_size(WG)
fn adam(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = element_index(gid, groups, WG);
  if (i >= adam_params.count) { return; }
  let h = adam_params;
  let gi = g[i];
  let mi = h.beta1 * m[i] + (1.0 - h.beta1) * gi;
  let vi = h.beta2 * v[i] + (1.0 - h.beta2) * gi * gi;
  m[i] = mi;
  v[i] = vi;
  p[i] -= h.lr * (mi / h.c1) / (sqrt(vi / h.c2) + h.eps);
}
