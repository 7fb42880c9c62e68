// 2-D pooling over kh×kw windows of an NHWC image, with stride and zero padding that
// takes part in the window (the course pads, then pools).
//
//   pool_max           y[b,d1,d2,ch] = max over (i,j) of Xpad[b, d1·s+i, d2·s+j, ch]
//                      arg[b,d1,d2,ch] = flat index into x of that maximum (the first one
//                      in i-then-j order on ties); NONE when the maximum is a padding zero
//   pool_avg           y[b,d1,d2,ch] = (1/(kh·kw)) · Σ over (i,j) of Xpad[b, d1·s+i, d2·s+j, ch]
//   pool_max_backward  dx[e] = Σ over the windows o with arg[o] = e of dy[o]
//   pool_avg_backward  dx[b,y,x,ch] = (1/(kh·kw)) · Σ over the windows containing (y, x) of dy
//                      both then ⊙ σ'(x) when win.dact names the activation whose output x
//                      is (a conv layer's relu before the pool): the conv's dZ in the same pass
//
//   x, dx (n, h, w, c);  y, dy, arg (n, oh, ow, c)
//
// Forward: one invocation per output element. Backward: one invocation per input
// element that gathers from the windows covering it (window rows i ≡ y + pad_top mod s),
// so no two invocations write the same element and no atomics are needed.
// Element index e = x + y · (groups in x) · 64 (a 2-D grid above 65535 workgroups).

// uses lib/activation.wgsl
// uses lib/element_index.wgsl

const WG: u32 = 64u;
const NONE: u32 = 0xffffffffu;   // arg-max of a window whose maximum is padding

struct Win {
  n: u32, h: u32, w: u32, c: u32,       // input batch, height, width, channels
  kh: u32, kw: u32, stride: u32,         // window and stride
  pad_top: u32, pad_left: u32,           // padding before the first row / column
  oh: u32, ow: u32,                      // output height and width
  count: u32,                            // forward: elements of y; backward: elements of dx
  dact: u32,                             // backward: activation code of σ'(x) (0 none, 1 relu, 2 sigmoid, 3 tanh)
}

@group(0) @binding(0) var<uniform> win: Win;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<storage, read_write> arg: array<u32>;
@group(0) @binding(4) var<storage, read> dy: array<f32>;
@group(0) @binding(5) var<storage, read> arg_in: array<u32>;
@group(0) @binding(6) var<storage, read_write> dx: array<f32>;
@group(0) @binding(7) var<storage, read> x_act: array<f32>;   // backward with dact: x, the activation output

@compute @workgroup_size(WG)
fn pool_max(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let o = element_index(gid, groups, WG);
  if (o >= win.count) { return; }
  // o = ((b·oh + d1)·ow + d2)·c + ch
  let ch = o % win.c;
  let d2 = (o / win.c) % win.ow;
  let d1 = (o / (win.c * win.ow)) % win.oh;
  let b = o / (win.c * win.ow * win.oh);
  var best = 0.0;
  var best_idx = NONE;
  var first = true;
  for (var i = 0u; i < win.kh; i++) {
    for (var j = 0u; j < win.kw; j++) {
      // unsigned: a position above/left of x wraps past h/w and reads as padding
      let yy = d1 * win.stride + i - win.pad_top;
      let xx = d2 * win.stride + j - win.pad_left;
      var v = 0.0;
      var idx = NONE;
      if (yy < win.h && xx < win.w) {
        idx = ((b * win.h + yy) * win.w + xx) * win.c + ch;
        v = x[idx];
      }
      if (first || v > best) {   // strict: the first maximum wins; NaN never replaces one
        best = v;
        best_idx = idx;
        first = false;
      }
    }
  }
  y[o] = best;
  arg[o] = best_idx;
}

@compute @workgroup_size(WG)
fn pool_avg(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let o = element_index(gid, groups, WG);
  if (o >= win.count) { return; }
  let ch = o % win.c;
  let d2 = (o / win.c) % win.ow;
  let d1 = (o / (win.c * win.ow)) % win.oh;
  let b = o / (win.c * win.ow * win.oh);
  var sum = 0.0;
  for (var i = 0u; i < win.kh; i++) {
    for (var j = 0u; j < win.kw; j++) {
      let yy = d1 * win.stride + i - win.pad_top;
      let xx = d2 * win.stride + j - win.pad_left;
      if (yy < win.h && xx < win.w) {
        sum += x[((b * win.h + yy) * win.w + xx) * win.c + ch];
      }
    }
  }
  y[o] = sum / f32(win.kh * win.kw);
}

@compute @workgroup_size(WG)
fn pool_max_backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let e = element_index(gid, groups, WG);
  if (e >= win.count) { return; }
  // e = ((b·h + yi)·w + xi)·c + ch
  let ch = e % win.c;
  let xi = (e / win.c) % win.w;
  let yi = (e / (win.c * win.w)) % win.h;
  let b = e / (win.c * win.w * win.h);
  let s = win.stride;
  let py = yi + win.pad_top;
  let px = xi + win.pad_left;
  var acc = 0.0;
  for (var i = py % s; i < win.kh && i <= py; i += s) {
    let d1 = (py - i) / s;
    if (d1 >= win.oh) { continue; }
    for (var j = px % s; j < win.kw && j <= px; j += s) {
      let d2 = (px - j) / s;
      if (d2 >= win.ow) { continue; }
      let o = ((b * win.oh + d1) * win.ow + d2) * win.c + ch;
      if (arg_in[o] == e) { acc += dy[o]; }
    }
  }
  if (win.dact != 0u) { acc *= activate_grad(x_act[e], win.dact); }
  dx[e] = acc;
}

@compute @workgroup_size(WG)
fn pool_avg_backward(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let e = element_index(gid, groups, WG);
  if (e >= win.count) { return; }
  let ch = e % win.c;
  let xi = (e / win.c) % win.w;
  let yi = (e / (win.c * win.w)) % win.h;
  let b = e / (win.c * win.w * win.h);
  let s = win.stride;
  let py = yi + win.pad_top;
  let px = xi + win.pad_left;
  var acc = 0.0;
  for (var i = py % s; i < win.kh && i <= py; i += s) {
    let d1 = (py - i) / s;
    if (d1 >= win.oh) { continue; }
    for (var j = px % s; j < win.kw && j <= px; j += s) {
      let d2 = (px - j) / s;
      if (d2 >= win.ow) { continue; }
      acc += dy[((b * win.oh + d1) * win.ow + d2) * win.c + ch];
    }
  }
  var g = acc / f32(win.kh * win.kw);
  if (win.dact != 0u) { g *= activate_grad(x_act[e], win.dact); }
  dx[e] = g;
}
