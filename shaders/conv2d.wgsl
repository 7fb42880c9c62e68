// Convolution without unrolling: im2col's index map inside the kernels.
//
//   conv2d_implicit            Z = act( cols · W' + 1·b ),  cols = im2col(X) never stored
//   conv2d_implicit_registers  the same, in register blocks without workgroup memory (software adapters)
//   conv2d_backward            [dW; db] = [colsᵀ; 1ᵀ] · dZ   and   dX = col2im( dZ · W'ᵀ ) ⊙ σ'(Y_prev),
//                              both in one dispatch
//   conv2d_weight_grad_reduce  [dW; db] = Σ_c partial_c, when the rows were split in chunks
//
//   x, dx (n, h, w, c) NHWC;  W (kh, kw, c, f) = W' (K, f) with K = kh·kw·c;  b (1, f)
//   z, dz (n, oh, ow, f) = (R, f) with R = n·oh·ow rows
//   cols[r, k] = Xpad[b, d1·s + i, d2·s + j, ch]   for r = (b·oh + d1)·ow + d2, k = (i·kw + j)·c + ch
//
// conv2d_implicit is the tiled product of matmul.wgsl (read that first) with one change:
// its A-slice loader computes each element of cols from X on the fly (an "implicit GEMM"),
// so the (R, K) matrix im2col.wgsl would write — 25× the size of X for a 5×5 window —
// never exists. W' is read 4 floats at a time when f is a multiple of 4 (VEC_B).
//
// conv2d_backward runs two independent jobs side by side, told apart by the workgroup:
//   workgroups [0, weight_groups)  the parameter gradients. Workgroup g owns element
//       o = g mod (K + 1)·f of [dW; db] (row k = K is db: cols has an implicit column of
//       ones) and chunk c = g div (K + 1)·f of the rows: its invocations add
//       cols[r, k]·dZ[r, fo] over r in the chunk, reading X through the im2col map, and
//       group_sum adds their partial sums. Splitting the rows in `split` chunks gives a
//       layer with few weights (LeNet's first conv: 156) enough workgroups to fill a GPU;
//       with split > 1 the chunks' sums go to `partial` and conv2d_weight_grad_reduce adds
//       them, chunk by chunk (a fixed order: the same result every run).
//   the workgroups after them      dX[b, y, x, ch] = Σ over the window positions (i, j) and
//       output pixels (d1, d2) with d1·s + i = y + pad_top, d2·s + j = x + pad_left of
//       Σ_fo dZ[b, d1, d2, fo] · W[i, j, ch, fo] — col2im of dZ·W'ᵀ with the product done
//       inside the gather, one invocation per element of dX (no atomics, a fixed order).
//       The sums over fo read dZ and W 4 floats at a time when f is a multiple of 4 (VEC_F).
//       With dact the result is multiplied by σ'(Y_prev) (Y_prev: the activation output
//       that was this conv's input), giving the layer below its dZ directly.
// group_sum comes from lib/group_sum.wgsl (subgroup operations where the device has them,
// else workgroup memory).

// uses lib/activation.wgsl
// uses lib/element_index.wgsl
// uses lib/group_sum.wgsl

override VEC_B: bool = false;
override VEC_F: bool = false;
override WX: u32 = 16u;
override WY: u32 = 16u;
const TK: u32 = 16u;
override TILE_A4: u32 = TK * WY;
override TILE_B4: u32 = TK * WX;
override GROUP_SIZE: u32 = 64u;       // conv2d_backward, conv2d_weight_grad_reduce (a power of two)

struct Conv {
  n: u32, h: u32, w: u32, c: u32,       // input batch, height, width, channels
  kh: u32, kw: u32, stride: u32,         // window and stride
  pad_top: u32, pad_left: u32,           // padding before the first row / column
  oh: u32, ow: u32,                      // output height and width
  f: u32,                                // filters (output channels)
  has_bias: u32,                         // conv2d_implicit: 1 adds b
  act: u32,                              // conv2d_implicit: activation code (0 linear, 1 relu, 2 sigmoid, 3 tanh)
  dact: u32,                             // conv2d_backward: activation code of σ'(Y_prev) (0: none)
  count: u32,                            // conv2d_backward: elements of dx (0: no dX)
  split: u32,                            // conv2d_backward: chunks the rows are split in
  chunk: u32,                            // conv2d_backward: rows per chunk
  weight_groups: u32,                    // conv2d_backward: (K + 1)·f·split workgroups of parameter gradients
}

@group(0) @binding(0) var<uniform> cv: Conv;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> wt: array<f32>;
@group(0) @binding(3) var<storage, read> wt4: array<vec4<f32>>;   // = wt, 4 floats at a time
@group(0) @binding(4) var<storage, read> bias: array<f32>;
@group(0) @binding(5) var<storage, read_write> z: array<f32>;
@group(0) @binding(6) var<storage, read> dz4: array<vec4<f32>>;   // dZ, 4 floats at a time
@group(0) @binding(7) var<storage, read> y: array<f32>;           // Y_prev, the shape of dx
@group(0) @binding(8) var<storage, read_write> dx: array<f32>;
@group(0) @binding(9) var<storage, read_write> dw: array<f32>;       // (K, f)
@group(0) @binding(10) var<storage, read_write> db: array<f32>;       // (1, f)
@group(0) @binding(11) var<storage, read_write> partial: array<f32>;  // (split, (K + 1)·f) chunk sums

// conv2d_backward reads dZ and W only through their vec4 bindings (8 storage buffers per
// entry point is WebGPU's guaranteed limit): element i is component i % 4 of vec4 i / 4
fn dz_at(i: u32) -> f32 {
  return dz4[i / 4u][i % 4u];
}
fn wt_at(i: u32) -> f32 {
  return wt4[i / 4u][i % 4u];
}

var<workgroup> tileA: array<vec4<f32>, TILE_A4>;
var<workgroup> tileB: array<vec4<f32>, TILE_B4>;
var<private> acc: array<vec4<f32>, 4>;

// cols[r, k]: X through the im2col index map, 0 in the padding and outside the matrix
fn load_cols(r: u32, k: u32) -> f32 {
  let kk = cv.kh * cv.kw * cv.c;
  if (r >= cv.n * cv.oh * cv.ow || k >= kk) { return 0.0; }
  let ch = k % cv.c;
  let j = (k / cv.c) % cv.kw;
  let i = k / (cv.c * cv.kw);
  let d2 = r % cv.ow;
  let d1 = (r / cv.ow) % cv.oh;
  let b = r / (cv.ow * cv.oh);
  // unsigned: a position above/left of x wraps past h/w and reads as padding
  let yy = d1 * cv.stride + i - cv.pad_top;
  let xx = d2 * cv.stride + j - cv.pad_left;
  if (yy >= cv.h || xx >= cv.w) { return 0.0; }
  return x[((b * cv.h + yy) * cv.w + xx) * cv.c + ch];
}

fn put_a(k: u32, i: u32, v: f32) {
  tileA[k * WY + i / 4u][i % 4u] = v;
}
fn put_b(k: u32, j: u32, v: f32) {
  tileB[k * WX + j / 4u][j % 4u] = v;
}

@compute @workgroup_size(WX, WY)
fn conv2d_implicit(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let tm = 4u * WY;
  let tn = 4u * WX;
  let row0 = wid.y * tm;
  let col0 = wid.x * tn;
  let t = lid.y * WX + lid.x;
  let n = WX * WY;
  let kk = cv.kh * cv.kw * cv.c;
  let rows = cv.n * cv.oh * cv.ow;
  for (var r = 0u; r < 4u; r++) { acc[r] = vec4<f32>(0.0); }
  let slices = (kk + TK - 1u) / TK;
  for (var s = 0u; s < slices; s++) {
    let k0 = s * TK;
    // A slice: TM rows of cols, gathered from X (consecutive k: consecutive channels of a pixel)
    for (var e = t; e < tm * TK; e += n) {
      put_a(e % TK, e / TK, load_cols(row0 + e / TK, k0 + e % TK));
    }
    // B slice: W' (K, f) rows k0 …, columns col0 …
    if (VEC_B) {
      for (var e = t; e < tn * TK / 4u; e += n) {
        let k = e / WX;
        let j = (e % WX) * 4u;
        var v = vec4<f32>(0.0);
        if (k0 + k < kk && col0 + j < cv.f) { v = wt4[((k0 + k) * cv.f + col0 + j) / 4u]; }
        tileB[k * WX + j / 4u] = v;
      }
    } else {
      for (var e = t; e < tn * TK; e += n) {
        let k = e / tn;
        let j = e % tn;
        var v = 0.0;
        if (k0 + k < kk && col0 + j < cv.f) { v = wt[(k0 + k) * cv.f + col0 + j]; }
        put_b(k, j, v);
      }
    }
    workgroupBarrier();
    for (var k = 0u; k < TK; k++) {
      let av = tileA[k * WY + lid.y];
      let bv = tileB[k * WX + lid.x];
      acc[0] += av.x * bv;
      acc[1] += av.y * bv;
      acc[2] += av.z * bv;
      acc[3] += av.w * bv;
    }
    workgroupBarrier();
  }
  for (var r = 0u; r < 4u; r++) {
    let i = row0 + 4u * lid.y + r;
    if (i >= rows) { break; }
    for (var q = 0u; q < 4u; q++) {
      let j = col0 + 4u * lid.x + q;
      if (j >= cv.f) { break; }
      var v = acc[r][q];
      if (cv.has_bias == 1u) { v += bias[j]; }
      z[i * cv.f + j] = activate(v, cv.act);
    }
  }
}

// ── conv2d_implicit_registers: the same product without workgroup memory ───────────────
// The register-block scheme of matmul.wgsl's matmul_registers (read that first), with op(A)
// = cols gathered from X. Invocation (gx, gy) of the whole grid owns rows
// i0 = BM·gy … i0 + BM − 1 of Z (output pixels) and columns j0 = BN·gx … j0 + BN − 1
// (filters), BM, BN = 4 or 8. Where each of its pixels' windows starts in X is worked out
// once; the K loop then walks the window (i, j) and the channels ch, so k = (i·kw + j)·c + ch
// runs in order and each step is BM gathers of X, BN / 4 loads of a row of W', and
// BM·BN multiply-adds. Rows past n·oh·ow and columns past f are clamped into the matrices
// (they feed only elements of Z that are not stored). Chosen where matmul is 'registers'
// (software adapters: product.ts).
override BM: u32 = 8u;                 // output pixels per invocation (4 or 8)
override BN: u32 = 8u;                 // filters per invocation (4 or 8)

// the top-left corner in Xpad of the windows of output rows r … r + 3 (clamped to the last
// row), as unsigned Xpad coordinates (py, px) and the offset of the image in x
struct Corners {
  py: vec4<u32>,
  px: vec4<u32>,
  image: vec4<u32>,
}

fn corners(r: u32) -> Corners {
  let rr = min(vec4<u32>(r, r + 1u, r + 2u, r + 3u), vec4<u32>(cv.n * cv.oh * cv.ow - 1u));
  let d2 = rr % cv.ow;
  let d1 = (rr / cv.ow) % cv.oh;
  let b = rr / (cv.ow * cv.oh);
  return Corners(d1 * cv.stride, d2 * cv.stride, b * cv.h * cv.w * cv.c);
}

// where X[b, py + i − pad_top, px + j − pad_left, 0] of each row lies in x, and whether it
// lies in X at all (unsigned: a position above or left of X wraps past h / w: padding)
struct Taps {
  offset: vec4<u32>,
  inside: vec4<bool>,
}

fn taps(q: Corners, i: u32, j: u32) -> Taps {
  let yy = q.py + vec4<u32>(i - cv.pad_top);
  let xx = q.px + vec4<u32>(j - cv.pad_left);
  let inside = (yy < vec4<u32>(cv.h)) & (xx < vec4<u32>(cv.w));
  let offset = select(vec4<u32>(0u), q.image + (yy * cv.w + xx) * cv.c, inside);
  return Taps(offset, inside);
}

// cols[r … r + 3, k] for channel ch of the taps: 0 in the padding
fn tap_values(t: Taps, ch: u32) -> vec4<f32> {
  let v = vec4<f32>(x[t.offset.x + ch], x[t.offset.y + ch], x[t.offset.z + ch], x[t.offset.w + ch]);
  return select(vec4<f32>(0.0), v, t.inside);
}

// W'[k, j … j + 3] (columns past f clamped)
fn w_row(k: u32, j: u32) -> vec4<f32> {
  if (VEC_B) { return wt4[(k * cv.f + j) / 4u]; }   // f a multiple of 4, j too
  let q = min(vec4<u32>(j, j + 1u, j + 2u, j + 3u), vec4<u32>(cv.f - 1u)) + vec4<u32>(k * cv.f);
  return vec4<f32>(wt[q.x], wt[q.y], wt[q.z], wt[q.w]);
}

// yb·xaᵀ for column vectors: column r is xa[r]·yb (row r of Z, 4 filters)
fn outer(yb: vec4<f32>, xa: vec4<f32>) -> mat4x4<f32> {
  return mat4x4<f32>(xa.x * yb, xa.y * yb, xa.z * yb, xa.w * yb);
}

// Z[i, j … j + 3] = act(v + b[j …]); nothing past the last row or filter
fn store_pixel(i: u32, j: u32, v: vec4<f32>) {
  if (i >= cv.n * cv.oh * cv.ow) { return; }
  for (var q = 0u; q < 4u; q++) {
    if (j + q >= cv.f) { return; }
    var s = v[q];
    if (cv.has_bias == 1u) { s += bias[j + q]; }
    z[i * cv.f + j + q] = activate(s, cv.act);
  }
}

@compute @workgroup_size(WX, WY)
fn conv2d_implicit_registers(@builtin(global_invocation_id) gid: vec3u) {
  let i0 = BM * gid.y;
  let j0 = BN * gid.x;
  if (i0 >= cv.n * cv.oh * cv.ow || j0 >= cv.f) { return; }
  // c00: rows i0 … i0 + 3, filters j0 … j0 + 3;  c01: filters j0 + 4 … (BN = 8)
  // c10, c11: rows i0 + 4 … i0 + 7 (BM = 8);  column r of each = one row of Z
  var c00 = mat4x4<f32>();
  var c01 = mat4x4<f32>();
  var c10 = mat4x4<f32>();
  var c11 = mat4x4<f32>();
  let q0 = corners(i0);
  let q1 = corners(i0 + 4u);
  for (var i = 0u; i < cv.kh; i++) {
    for (var j = 0u; j < cv.kw; j++) {
      let t0 = taps(q0, i, j);
      let t1 = taps(q1, i, j);
      let k0 = (i * cv.kw + j) * cv.c;
      for (var ch = 0u; ch < cv.c; ch++) {
        let xa0 = tap_values(t0, ch);      // cols[i0 + r, k0 + ch]
        let yb0 = w_row(k0 + ch, j0);      // W'[k0 + ch, j0 … j0 + 3]
        c00 += outer(yb0, xa0);
        var xa1 = vec4<f32>();
        if (BM == 8u) {
          xa1 = tap_values(t1, ch);
          c10 += outer(yb0, xa1);
        }
        if (BN == 8u) {
          let yb1 = w_row(k0 + ch, j0 + 4u);
          c01 += outer(yb1, xa0);
          if (BM == 8u) { c11 += outer(yb1, xa1); }
        }
      }
    }
  }
  for (var r = 0u; r < 4u; r++) {
    store_pixel(i0 + r, j0, c00[r]);
    if (BN == 8u) { store_pixel(i0 + r, j0 + 4u, c01[r]); }
    if (BM == 8u) {
      store_pixel(i0 + 4u + r, j0, c10[r]);
      if (BN == 8u) { store_pixel(i0 + 4u + r, j0 + 4u, c11[r]); }
    }
  }
}

// Σ over the rows r of chunk c of cols[r, k]·dZ[r, fo] (k = K: of dZ[r, fo]), added up by
// the whole workgroup; o = k·f + fo
fn weight_grad_chunk(o: u32, c: u32, t: u32) -> f32 {
  let kk = cv.kh * cv.kw * cv.c;
  let fo = o % cv.f;
  let k = o / cv.f;
  let r0 = c * cv.chunk;
  let r1 = min(r0 + cv.chunk, cv.n * cv.oh * cv.ow);
  var s = 0.0;
  if (k < kk) {
    // k = (i·kw + j)·c + ch
    let ch = k % cv.c;
    let j = (k / cv.c) % cv.kw;
    let i = k / (cv.c * cv.kw);
    for (var r = r0 + t; r < r1; r += GROUP_SIZE) {
      // r = (b·oh + d1)·ow + d2
      let d2 = r % cv.ow;
      let d1 = (r / cv.ow) % cv.oh;
      let b = r / (cv.ow * cv.oh);
      let yy = d1 * cv.stride + i - cv.pad_top;
      let xx = d2 * cv.stride + j - cv.pad_left;
      if (yy < cv.h && xx < cv.w) {
        s += x[((b * cv.h + yy) * cv.w + xx) * cv.c + ch] * dz_at(r * cv.f + fo);
      }
    }
  } else {
    for (var r = r0 + t; r < r1; r += GROUP_SIZE) { s += dz_at(r * cv.f + fo); }
  }
  return group_sum(t, s);
}

// dX[e] ⊙ σ'(Y_prev[e]), e = ((b·h + yi)·w + xi)·c + ch
fn backward_data(e: u32) -> f32 {
  let ch = e % cv.c;
  let xi = (e / cv.c) % cv.w;
  let yi = (e / (cv.c * cv.w)) % cv.h;
  let b = e / (cv.c * cv.w * cv.h);
  let s = cv.stride;
  let py = yi + cv.pad_top;               // row in Xpad
  let px = xi + cv.pad_left;              // column in Xpad
  var total = 0.0;
  // window row i with d1·s + i = py: i runs over py mod s, + s, … while i ≤ py and i < kh
  for (var i = py % s; i < cv.kh && i <= py; i += s) {
    let d1 = (py - i) / s;
    if (d1 >= cv.oh) { continue; }
    for (var j = px % s; j < cv.kw && j <= px; j += s) {
      let d2 = (px - j) / s;
      if (d2 >= cv.ow) { continue; }
      let zrow = ((b * cv.oh + d1) * cv.ow + d2) * cv.f;     // dZ[b, d1, d2, ·]
      let wrow = ((i * cv.kw + j) * cv.c + ch) * cv.f;       // W[i, j, ch, ·]
      if (VEC_F) {
        var s4 = vec4<f32>(0.0);
        for (var fo = 0u; fo < cv.f; fo += 4u) { s4 += dz4[(zrow + fo) / 4u] * wt4[(wrow + fo) / 4u]; }
        total += s4.x + s4.y + s4.z + s4.w;
      } else {
        for (var fo = 0u; fo < cv.f; fo++) { total += dz_at(zrow + fo) * wt_at(wrow + fo); }
      }
    }
  }
  if (cv.dact != 0u) { total *= activate_grad(y[e], cv.dact); }
  return total;
}

@compute @workgroup_size(GROUP_SIZE)
fn conv2d_backward(@builtin(local_invocation_index) t: u32, @builtin(workgroup_id) wid: vec3u,
                   @builtin(num_workgroups) groups: vec3u) {
  let g = wid.x + wid.y * groups.x;       // a 2-D grid above 65535 workgroups
  if (g < cv.weight_groups) {
    let kf = cv.kh * cv.kw * cv.c * cv.f; // elements of dW
    let outputs = kf + cv.f;              // elements of [dW; db]
    let o = g % outputs;
    let c = g / outputs;
    let total = weight_grad_chunk(o, c, t);
    if (t == 0u) {
      if (cv.split > 1u) { partial[c * outputs + o] = total; }
      else if (o < kf) { dw[o] = total; }
      else { db[o - kf] = total; }
    }
    return;
  }
  let e = (g - cv.weight_groups) * GROUP_SIZE + t;
  if (e < cv.count) { dx[e] = backward_data(e); }
}

@compute @workgroup_size(GROUP_SIZE)
fn conv2d_weight_grad_reduce(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let o = element_index(gid, groups, GROUP_SIZE);
  let kf = cv.kh * cv.kw * cv.c * cv.f;
  let outputs = kf + cv.f;
  if (o >= outputs) { return; }
  var s = 0.0;
  for (var c = 0u; c < cv.split; c++) { s += partial[c * outputs + o]; }
  if (o < kf) { dw[o] = s; } else { db[o - kf] = s; }
}
