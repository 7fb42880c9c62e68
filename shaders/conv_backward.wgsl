// Convolution backward as two products that read X, dZ and W where they lie: no im2col
// matrix, no col2im scatter, no atomics.
//
//   conv2d_backward_blocked   [dW; db] = [colsᵀ; 1ᵀ] · dZ           (K + 1, f)
//                             dX = convᵀ(dZ, W) ⊙ σ'(Y_prev)        (n, h, w, c)
//                             both in one dispatch, told apart by the workgroup
//   (conv2d.wgsl's conv2d_weight_grad_reduce adds the chunks when the rows were split)
//
//   x, dx (n, h, w, c) NHWC;  W (kh, kw, c, f) = W' (K, f) with K = kh·kw·c;  b (1, f)
//   dz (n, oh, ow, f) = (R, f) with R = n·oh·ow rows
//   cols[r, k] = Xpad[b, d1·s + i, d2·s + j, ch]   for r = (b·oh + d1)·ow + d2, k = (i·kw + j)·c + ch
//
// Parameter gradients, workgroups [0, weight_groups). [dW; db] is cut in BK × BF blocks
// (k0 … k0 + BK − 1, f0 … f0 + BF − 1; row k = K is db: cols has an implicit column of
// ones); workgroup g owns block g mod blocks and chunk g div blocks of the rows. Each
// invocation adds, over rows r = r0 + t, r0 + t + GROUP_SIZE, … of the chunk, the outer
// product cols[r, k0 …]ᵀ · dZ[r, f0 …] into a BK × BF register block: per row BK gathers
// of X (the offsets of the BK taps are worked out once) and BF / 4 vec4 loads of dZ for
// BK·BF multiply-adds. block_sum then adds the invocations' blocks (a fixed order). With
// split > 1 (a layer with few weights: more workgroups along R) the chunk sums
// go to `partial` (split, (K + 1)·f) and conv2d_weight_grad_reduce adds them.
//
// Input gradient, the workgroups after them: the transposed convolution, gathered per
// input pixel,
//   dX[b, y, x, ch] = Σ_{i, j: d1·s + i = y + pad_top, d2·s + j = x + pad_left} Σ_fo dZ[b, d1, d2, fo]·W[i, j, ch, fo]
// An invocation owns BP pixels of one row of dX spaced s apart, x = ρ + s·(BP·q0 + q), and
// BC channels: the pixels share their window columns j (j ≡ x + pad_left mod s) and their
// d2 are consecutive, so per tap (i, j) and 4 filters it loads BC vec4 of W (reused by the
// BP pixels) and BP vec4 of dZ for 4·BP·BC multiply-adds. Every element of dX is written by
// one invocation (no overlapping writes), times σ'(Y_prev) with dact (Y_prev: the
// activation output that was this conv's input).
//
// dZ and W are read 4 floats at a time (VEC_F: f a multiple of 4), or else 4 floats from
// the two vec4s that hold them, masked past f; filters past f, channels past c, rows past
// R and pixels past w are clamped into the arrays and never stored.

// uses lib/activation.wgsl
// uses lib/group_sum.wgsl

override VEC_F: bool = false;
override GROUP_SIZE: u32 = 64u;        // a power of two, ≤ 64 (block_sum's workgroup memory)
override BK: u32 = 8u;                 // dW block: rows k of [dW; db] per invocation (4 or 8)
override BF: u32 = 8u;                 // dW block: filters per invocation (4 or 8)
override BP: u32 = 8u;                 // dX block: pixels per invocation (1 to 8)
override BC: u32 = 8u;                 // dX block: channels per invocation (4 or 8)

struct ConvBack {
  n: u32, h: u32, w: u32, c: u32,       // input batch, height, width, channels
  kh: u32, kw: u32, stride: u32,         // window and stride
  pad_top: u32, pad_left: u32,           // padding before the first row / column
  oh: u32, ow: u32,                      // output height and width
  f: u32,                                // filters (output channels)
  dact: u32,                             // activation code of σ'(Y_prev) (0: none)
  split: u32,                            // chunks the rows are split in
  chunk: u32,                            // rows per chunk
  weight_groups: u32,                    // k_blocks·f_blocks·split workgroups of parameter gradients
  k_blocks: u32,                         // ⌈(K + 1) / BK⌉
  f_blocks: u32,                         // ⌈f / BF⌉
  x_slots: u32,                          // dX blocks per row of pixels: s·⌈⌈w / s⌉ / BP⌉
  c_blocks: u32,                         // ⌈c / BC⌉
  dx_items: u32,                         // n·h·x_slots·c_blocks invocations for dX (0: no dX)
}

@group(0) @binding(0) var<uniform> cb: ConvBack;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> dz4: array<vec4<f32>>;   // dZ, 4 floats at a time
@group(0) @binding(3) var<storage, read> wt4: array<vec4<f32>>;   // W, 4 floats at a time
@group(0) @binding(4) var<storage, read> y: array<f32>;           // Y_prev, the shape of dx
@group(0) @binding(5) var<storage, read_write> dx: array<f32>;
@group(0) @binding(6) var<storage, read_write> dw: array<f32>;       // (K, f)
@group(0) @binding(7) var<storage, read_write> db: array<f32>;       // (1, f)
@group(0) @binding(8) var<storage, read_write> partial: array<f32>;  // (split, (K + 1)·f) chunk sums

// v[k … k + 3] of the 8 floats v = (a, b): 4 consecutive floats that start at an offset k
// of an array bound as vec4s
fn window4(a: vec4<f32>, b: vec4<f32>, k: u32) -> vec4<f32> {
  var v = select(a, vec4<f32>(a.yzw, b.x), k == 1u);
  v = select(v, vec4<f32>(a.zw, b.xy), k == 2u);
  return select(v, vec4<f32>(a.w, b.xyz), k == 3u);
}

// floats past f (q with fo + q ≥ f) set to 0
fn mask_f(v: vec4<f32>, fo: u32) -> vec4<f32> {
  return select(vec4<f32>(0.0), v, vec4<u32>(fo) + vec4<u32>(0u, 1u, 2u, 3u) < vec4<u32>(cb.f));
}

// dZ[row, fo … fo + 3] (0 past f): one vec4 load when f is a multiple of 4, else the two
// vec4s that hold the 4 floats (the second may lie past the array: robust access reads
// something there, masked away or not used)
fn dz_vec(row: u32, fo: u32) -> vec4<f32> {
  let e = row * cb.f + fo;
  if (VEC_F) { return dz4[e / 4u]; }
  return mask_f(window4(dz4[e / 4u], dz4[e / 4u + 1u], e % 4u), fo);
}

// W[i, j, ch, fo … fo + 3] with wrow = (i·kw + j)·c + ch (0 past f)
fn w_vec(wrow: u32, fo: u32) -> vec4<f32> {
  let e = wrow * cb.f + fo;
  if (VEC_F) { return wt4[e / 4u]; }
  return mask_f(window4(wt4[e / 4u], wt4[e / 4u + 1u], e % 4u), fo);
}

// yb·xaᵀ: column q is xa[q]·yb (row k0 + q of the block, 4 filters)
fn outer(yb: vec4<f32>, xa: vec4<f32>) -> mat4x4<f32> {
  return mat4x4<f32>(xa.x * yb, xa.y * yb, xa.z * yb, xa.w * yb);
}

// ── parameter gradients ─────────────────────────────────────────────────────────────────

// Four rows k … k + 3 of [dW; db] as taps: (i − pad_top, j − pad_left) as wrapping
// unsigned offsets, the channel, and 1 for the row of ones (k = K). Rows past K get an
// offset that always lands outside X, so they read 0.
struct Taps4 {
  oy: vec4<u32>,
  ox: vec4<u32>,
  ch: vec4<u32>,
  ones: vec4<f32>,
}

fn taps4(k: u32) -> Taps4 {
  let kk = cb.kh * cb.kw * cb.c;
  var t: Taps4;
  for (var q = 0u; q < 4u; q++) {
    let kq = k + q;
    if (kq < kk) {
      t.ch[q] = kq % cb.c;
      t.ox[q] = (kq / cb.c) % cb.kw - cb.pad_left;
      t.oy[q] = kq / (cb.c * cb.kw) - cb.pad_top;
    } else {
      t.oy[q] = cb.h;      // outside X
      t.ox[q] = 0u;
      t.ch[q] = 0u;
      t.ones[q] = select(0.0, 1.0, kq == kk);
    }
  }
  return t;
}

// cols[r, k … k + 3] (with the row of ones) for the row whose window starts at (py, px) in
// Xpad of the image at offset `image` in x
fn cols4(t: Taps4, py: u32, px: u32, image: u32) -> vec4<f32> {
  let yy = vec4<u32>(py) + t.oy;
  let xx = vec4<u32>(px) + t.ox;
  let inside = (yy < vec4<u32>(cb.h)) & (xx < vec4<u32>(cb.w));
  let o = select(vec4<u32>(0u), vec4<u32>(image) + (yy * cb.w + xx) * cb.c + t.ch, inside);
  let v = vec4<f32>(x[o.x], x[o.y], x[o.z], x[o.w]);
  return select(vec4<f32>(0.0), v, inside) + t.ones;
}

fn weight_grads(g: u32, t: u32) {
  let blocks = cb.k_blocks * cb.f_blocks;
  let blk = g % blocks;
  let chunk = g / blocks;
  let k0 = (blk / cb.f_blocks) * BK;
  let f0 = (blk % cb.f_blocks) * BF;
  let rows = cb.n * cb.oh * cb.ow;
  let r0 = chunk * cb.chunk;
  let r1 = min(r0 + cb.chunk, rows);
  // acc[0]: k0 … k0 + 3 × f0 … f0 + 3;  acc[1]: filters f0 + 4 … (BF = 8);
  // acc[2], acc[3]: rows k0 + 4 … (BK = 8)
  var acc: array<mat4x4<f32>, 4>;
  let ta = taps4(k0);
  let tb = taps4(k0 + 4u);
  let second_f = BF == 8u && f0 + 4u < cb.f;
  for (var r = r0 + t; r < r1; r += GROUP_SIZE) {
    // r = (b·oh + d1)·ow + d2
    let d2 = r % cb.ow;
    let q = r / cb.ow;
    let d1 = q % cb.oh;
    let b = q / cb.oh;
    let py = d1 * cb.stride;
    let px = d2 * cb.stride;
    let image = b * cb.h * cb.w * cb.c;
    let xa = cols4(ta, py, px, image);
    let z0 = dz_vec(r, f0);
    acc[0] += outer(z0, xa);
    var xb = vec4<f32>();
    if (BK == 8u) {
      xb = cols4(tb, py, px, image);
      acc[2] += outer(z0, xb);
    }
    if (second_f) {
      let z1 = dz_vec(r, f0 + 4u);
      acc[1] += outer(z1, xa);
      if (BK == 8u) { acc[3] += outer(z1, xb); }
    }
  }
  block_sum(t, &acc);
  if (t != 0u) { return; }
  store_block(chunk, k0, f0, acc[0]);
  if (second_f) { store_block(chunk, k0, f0 + 4u, acc[1]); }
  if (BK == 8u) {
    store_block(chunk, k0 + 4u, f0, acc[2]);
    if (second_f) { store_block(chunk, k0 + 4u, f0 + 4u, acc[3]); }
  }
}

// the sums of block rows k … k + 3, filters fo … fo + 3: into dW / db, or chunk c of partial
fn store_block(c: u32, k: u32, fo: u32, s: mat4x4<f32>) {
  let kk = cb.kh * cb.kw * cb.c;
  let kf = kk * cb.f;
  let outputs = kf + cb.f;
  for (var q = 0u; q < 4u; q++) {
    if (k + q > kk) { return; }
    for (var e = 0u; e < 4u; e++) {
      if (fo + e >= cb.f) { break; }
      let o = (k + q) * cb.f + fo + e;
      let v = s[q][e];
      if (cb.split > 1u) { partial[c * outputs + o] = v; }
      else if (o < kf) { dw[o] = v; }
      else { db[o - kf] = v; }
    }
  }
}

// ── input gradient ──────────────────────────────────────────────────────────────────────

// the channels ch … ch + 3 of W[i, j, ·, fo … fo + 3] (wrow: the W row of channel ch < c)
// as the columns of a matrix, channels past c clamped to c − 1 (their sums are not
// stored); a dZ row-vector times it gives the 4 channels' sums over the 4 filters
fn w_mat(wrow: u32, ch: u32, fo: u32) -> mat4x4<f32> {
  let last = wrow + (cb.c - 1u - ch);       // W row of channel c − 1
  return mat4x4<f32>(
    w_vec(wrow, fo),
    w_vec(min(wrow + 1u, last), fo),
    w_vec(min(wrow + 2u, last), fo),
    w_vec(min(wrow + 3u, last), fo),
  );
}

// dZ[b, d1, d2_q, fo … fo + 3] of 4 pixels as the columns of a matrix (zrow0: the dZ row
// of (b, d1, 0)); a pixel whose d2 lies outside dZ (`valid` false) gives a zero column
fn dz_pixels(zrow0: u32, d2: vec4<i32>, fo: u32) -> mat4x4<f32> {
  let valid = (d2 >= vec4<i32>(0)) & (d2 < vec4<i32>(i32(cb.ow)));
  let col = vec4<u32>(clamp(d2, vec4<i32>(0), vec4<i32>(i32(cb.ow) - 1))) + vec4<u32>(zrow0);
  let zero = vec4<f32>(0.0);
  return mat4x4<f32>(
    select(zero, dz_vec(col.x, fo), valid.x),
    select(zero, dz_vec(col.y, fo), valid.y),
    select(zero, dz_vec(col.z, fo), valid.z),
    select(zero, dz_vec(col.w, fo), valid.w),
  );
}

fn input_grads(item: u32) {
  let cblk = item % cb.c_blocks;
  var rest = item / cb.c_blocks;
  let slot = rest % cb.x_slots;
  rest = rest / cb.x_slots;
  let yi = rest % cb.h;
  let b = rest / cb.h;
  let s = cb.stride;
  let rho = slot % s;                       // x ≡ ρ (mod s)
  let xs0 = (slot / s) * BP;                // pixel q: x = ρ + s·(xs0 + q)
  let x0 = rho + s * xs0;
  if (x0 >= cb.w) { return; }
  let ch0 = cblk * BC;
  let second = BC == 8u && ch0 + 4u < cb.c; // channels ch0 + 4 … exist
  let py = yi + cb.pad_top;                 // row in Xpad
  let px0 = x0 + cb.pad_left;               // column of pixel 0 in Xpad
  // acc[2·g + h]: pixels 4g … 4g + 3 (columns) × channels ch0 + 4h … ch0 + 4h + 3 (rows)
  var acc: array<mat4x4<f32>, 4>;
  // window row i with d1·s + i = py: i runs over py mod s, + s, … while i ≤ py and i < kh
  for (var i = py % s; i < cb.kh && i <= py; i += s) {
    let d1 = (py - i) / s;
    if (d1 >= cb.oh) { continue; }
    let zrow0 = (b * cb.oh + d1) * cb.ow;   // dZ row of (b, d1, 0)
    for (var j = px0 % s; j < cb.kw; j += s) {
      // pixel q's output column: d2 = (px0 − j) / s + q (exact: px0 ≡ j mod s)
      let d20 = (i32(px0) - i32(j)) / i32(s);
      if (d20 + i32(BP) <= 0 || d20 >= i32(cb.ow)) { continue; }
      let d2a = vec4<i32>(d20) + vec4<i32>(0, 1, 2, 3);
      let d2b = d2a + vec4<i32>(4);
      let wrow = (i * cb.kw + j) * cb.c + ch0;  // W[i, j, ch0, ·]
      for (var fo = 0u; fo < cb.f; fo += 4u) {
        // Wᵀ rows: channels; columns: filters fo … fo + 3
        let w0 = transpose(w_mat(wrow, ch0, fo));
        var w1 = mat4x4<f32>();
        if (second) { w1 = transpose(w_mat(wrow + 4u, ch0 + 4u, fo)); }
        let za = dz_pixels(zrow0, d2a, fo);
        acc[0] += w0 * za;
        if (second) { acc[1] += w1 * za; }
        if (BP > 4u) {
          let zb = dz_pixels(zrow0, d2b, fo);
          acc[2] += w0 * zb;
          if (second) { acc[3] += w1 * zb; }
        }
      }
    }
  }
  for (var q = 0u; q < BP; q++) {
    let xq = x0 + s * q;
    if (xq >= cb.w) { break; }
    let e0 = ((b * cb.h + yi) * cb.w + xq) * cb.c;
    for (var e = 0u; e < BC; e++) {
      let ch = ch0 + e;
      if (ch >= cb.c) { break; }
      var v = acc[2u * (q / 4u) + e / 4u][q % 4u][e % 4u];
      if (cb.dact != 0u) { v *= activate_grad(y[e0 + ch], cb.dact); }
      dx[e0 + ch] = v;
    }
  }
}

@compute @workgroup_size(GROUP_SIZE)
fn conv2d_backward_blocked(@builtin(local_invocation_index) t: u32, @builtin(workgroup_id) wid: vec3u,
                           @builtin(num_workgroups) groups: vec3u) {
  let g = wid.x + wid.y * groups.x;       // a 2-D grid above 65535 workgroups
  if (g < cb.weight_groups) {
    weight_grads(g, t);
    return;
  }
  let item = (g - cb.weight_groups) * GROUP_SIZE + t;
  if (item < cb.dx_items) { input_grads(item); }
}
