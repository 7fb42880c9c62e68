// col2im: the adjoint of im2col. Every entry of cols came from one pixel of X (or from
// the zero padding); col2im sends each entry back to that pixel, summing where windows
// overlap. With cols = dZ·Wᵀ this is the convolution's input gradient dX.
//
//   cols (n·oh·ow, kh·kw·c) → dx (n, h, w, c)
//
//   dx[b, y, x, ch] = Σ over (i, j, d1, d2) with d1·s + i = y + pad_top, d2·s + j = x + pad_left
//                       of cols[(b·oh + d1)·ow + d2, (i·kw + j)·c + ch]
//
// Written as a gather, one invocation per pixel of dx: the invocation visits the window
// offsets i ≡ y + pad_top (mod s) — the only ones that land on it — and adds what they
// read. No two invocations write the same element, so no atomics are needed, and the
// sum order is fixed (the result is deterministic).
// Element index e = x + y · (groups in x) · 64 (a 2-D grid above 65535 workgroups).

// uses lib/element_index.wgsl

const WG: u32 = 64u;

struct Win {
  n: u32, h: u32, w: u32, c: u32,       // image batch, height, width, channels
  kh: u32, kw: u32, stride: u32,         // window and stride
  pad_top: u32, pad_left: u32,           // padding before the first row / column
  oh: u32, ow: u32,                      // output height and width of the window grid
  count: u32,                            // elements of dx: n·h·w·c
}

@group(0) @binding(0) var<uniform> win: Win;
@group(0) @binding(1) var<storage, read> cols: array<f32>;
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;

@compute @workgroup_size(WG)
fn col2im(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let e = element_index(gid, groups, WG);
  if (e >= win.count) { return; }
  // e = ((b·h + y)·w + x)·c + ch
  let ch = e % win.c;
  let x = (e / win.c) % win.w;
  let y = (e / (win.c * win.w)) % win.h;
  let b = e / (win.c * win.w * win.h);
  let k = win.kh * win.kw * win.c;       // row length of cols
  let s = win.stride;
  let py = y + win.pad_top;               // row in Xpad
  let px = x + win.pad_left;              // column in Xpad
  var acc = 0.0;
  // window row i with d1·s + i = py: i runs over py mod s, + s, … while i ≤ py and i < kh
  for (var i = py % s; i < win.kh && i <= py; i += s) {
    let d1 = (py - i) / s;
    if (d1 >= win.oh) { continue; }
    for (var j = px % s; j < win.kw && j <= px; j += s) {
      let d2 = (px - j) / s;
      if (d2 >= win.ow) { continue; }
      acc += cols[((b * win.oh + d1) * win.ow + d2) * k + (i * win.kw + j) * win.c + ch];
    }
  }
  dx[e] = acc;
}
