// Losses over a batch of m rows, and their gradients. Y are one-hot labels (m, k)
// (or any target distribution), all tensors row-major.
//
//   ce_loss             L = −(1/m) Σ_i Σ_k y_ik · ln ŷ_ik        ŷ probabilities (terms with y = 0 skipped)
//   ce_backward         dL/dŷ = −y / (m · max(ŷ, 2⁻¹²⁶))          the unfused path: fragile as ŷ → 0
//                       0 where y = 0 (the term is absent from L: no −0/0 = NaN where a
//                       non-target ŷ underflowed). Where a target's ŷ is below the smallest
//                       normal float 2⁻¹²⁶ (underflowed: its logit is ~87 below the row's
//                       largest), −y/(m·ŷ) is not representable: ŷ is clamped there, so the
//                       gradient stays finite (and too small), while ce_loss gives +∞ for
//                       that row, which stops a training run with the cause named. The fused
//                       softmax_ce has no such limit.
//
//   softmax_ce          fused softmax + cross-entropy on logits Z (m, k):
//                       lse_i = m_i + ln Σ_k e^(z_ik − m_i),  m_i = max_k z_ik   (log-sum-exp)
//                       probs_ik = e^(z_ik − lse_i)
//                       L = −(1/m) Σ_i Σ_k y_ik · (z_ik − lse_i)   (= −(1/m) Σ y ln probs, never ln 0)
//   softmax_ce_backward dL/dZ = (probs − y) / m                   the softmax Jacobian and −y/ŷ cancel
//   softmax_ce_grad     softmax_ce and softmax_ce_backward in one pass: loss, probs and
//                       grad = dL/dZ, so the loss costs one dispatch per training step
//
//   mse_loss            L = (1/2m) Σ_i Σ_j (ŷ_ij − y_ij)²
//   mse_backward        dL/dŷ = (ŷ − y) / m
//
// The losses run as ONE workgroup of 256 invocations: invocation t takes rows (or
// elements) t, t + 256, t + 512, …, then the 256 partial sums are added pairwise in
// workgroup memory. One dispatch, and the loss stays on the GPU until it is read.
// The gradients are elementwise, one invocation per element.

// uses lib/element_index.wgsl
// uses lib/workgroup_sum.wgsl

const WG: u32 = 256u;    // invocations of the reducing kernels
const EW: u32 = 64u;     // invocations per workgroup of the elementwise kernels
const TINY: f32 = 1.1754943508e-38;   // 2⁻¹²⁶, the smallest normal float32
const INF_BITS: u32 = 0x7f800000u;    // +∞ (stored as bits: no float arithmetic on ∞)

struct Dims {
  rows: u32,     // m
  cols: u32,     // k
}

@group(0) @binding(0) var<uniform> dims: Dims;
@group(0) @binding(1) var<storage, read> yhat: array<f32>;     // probabilities ŷ, or predictions (mse)
@group(0) @binding(2) var<storage, read> logits: array<f32>;   // Z
@group(0) @binding(3) var<storage, read> y: array<f32>;        // targets
@group(0) @binding(4) var<storage, read_write> loss: array<f32>;   // (1)
@group(0) @binding(5) var<storage, read_write> probs: array<f32>;  // (m, k)
@group(0) @binding(6) var<storage, read_write> grad: array<f32>;   // (m, k)

@compute @workgroup_size(WG)
fn ce_loss(@builtin(local_invocation_index) t: u32) {
  let count = dims.rows * dims.cols;
  var s = 0.0;
  var under = 0.0;   // 1 when a target's ŷ underflowed (below 2⁻¹²⁶): ln ŷ = −∞, L = +∞
  for (var e = t; e < count; e += WG) {
    if (y[e] != 0.0) {
      if (yhat[e] < TINY) { under = 1.0; } else { s += y[e] * log(yhat[e]); }
    }
  }
  let total = workgroup_sum(t, s, WG);
  workgroupBarrier();   // every invocation has read the first sum before the memory is reused
  let underflows = workgroup_sum(t, under, WG);
  // +∞ from its bits (dims.cols & 0 keeps it a run-time value: a constant ∞ is refused)
  let inf = bitcast<f32>(INF_BITS | (dims.cols & 0u));
  if (t == 0u) { loss[0] = select(-total / f32(dims.rows), inf, underflows > 0.0); }
}

@compute @workgroup_size(EW)
fn ce_backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let e = element_index(gid, groups, EW);
  if (e >= dims.rows * dims.cols) { return; }
  let t = y[e];
  grad[e] = select(-t / (f32(dims.rows) * max(yhat[e], TINY)), 0.0, t == 0.0);
}

@compute @workgroup_size(WG)
fn softmax_ce(@builtin(local_invocation_index) t: u32) {
  var s = 0.0;                                  // Σ y·(z − lse) over this invocation's rows
  for (var i = t; i < dims.rows; i += WG) {
    let start = i * dims.cols;
    var m = logits[start];
    for (var j = 1u; j < dims.cols; j++) { m = max(m, logits[start + j]); }
    var total = 0.0;
    for (var j = 0u; j < dims.cols; j++) { total += exp(logits[start + j] - m); }
    // z − lse computed as (z − m) − ln Σ: z − m is exact for nearby values, so large
    // logits (|z| ~ 1000, where f32 steps are 6e-5) lose no precision here
    let log_total = log(total);
    for (var j = 0u; j < dims.cols; j++) {
      let shifted = (logits[start + j] - m) - log_total;    // ln probs_ij
      probs[start + j] = exp(shifted);
      s += y[start + j] * shifted;
    }
  }
  let total = workgroup_sum(t, s, WG);
  if (t == 0u) { loss[0] = -total / f32(dims.rows); }
}

@compute @workgroup_size(WG)
fn softmax_ce_grad(@builtin(local_invocation_index) t: u32) {
  var s = 0.0;
  for (var i = t; i < dims.rows; i += WG) {
    let start = i * dims.cols;
    var m = logits[start];
    for (var j = 1u; j < dims.cols; j++) { m = max(m, logits[start + j]); }
    var total = 0.0;
    for (var j = 0u; j < dims.cols; j++) { total += exp(logits[start + j] - m); }
    let log_total = log(total);
    for (var j = 0u; j < dims.cols; j++) {
      let shifted = (logits[start + j] - m) - log_total;    // ln probs_ij
      let p = exp(shifted);
      probs[start + j] = p;
      grad[start + j] = (p - y[start + j]) / f32(dims.rows);
      s += y[start + j] * shifted;
    }
  }
  let total = workgroup_sum(t, s, WG);
  if (t == 0u) { loss[0] = -total / f32(dims.rows); }
}

@compute @workgroup_size(EW)
fn softmax_ce_backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let e = element_index(gid, groups, EW);
  if (e >= dims.rows * dims.cols) { return; }
  grad[e] = (yhat[e] - y[e]) / f32(dims.rows);
}

@compute @workgroup_size(WG)
fn mse_loss(@builtin(local_invocation_index) t: u32) {
  let count = dims.rows * dims.cols;
  var s = 0.0;
  for (var e = t; e < count; e += WG) {
    let d = yhat[e] - y[e];
    s += d * d;
  }
  let total = workgroup_sum(t, s, WG);
  if (t == 0u) { loss[0] = total / (2.0 * f32(dims.rows)); }
}

@compute @workgroup_size(EW)
fn mse_backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let e = element_index(gid, groups, EW);
  if (e >= dims.rows * dims.cols) { return; }
  grad[e] = (yhat[e] - y[e]) / f32(dims.rows);
}
