// im2col: unrolls every kh×kw window of an NHWC image into one row of a matrix, so a
// convolution becomes a single matrix product.
//
//   X (n, h, w, c) → cols (n·oh·ow, kh·kw·c)
//
//   cols[(b·oh + d1)·ow + d2, (i·kw + j)·c + ch] = Xpad[b, d1·s + i, d2·s + j, ch]
//
// Xpad is X with pad_top rows above and pad_left columns to the left (and whatever
// bottom/right padding the output size implies); padding reads as 0.
// Then Z = cols · W.reshape(kh·kw·c, f) is the convolution, shape (n·oh·ow, f) = (n, oh, ow, f).
//
// One invocation per element of cols; more than 65535 workgroups are launched as a
// 2-D grid and the element index is e = x + y · (groups in x) · 64.

// uses lib/element_index.wgsl

const WG: u32 = 64u;

struct Win {
  n: u32, h: u32, w: u32, c: u32,       // input batch, height, width, channels
  kh: u32, kw: u32, stride: u32,         // window and stride
  pad_top: u32, pad_left: u32,           // padding before the first row / column
  oh: u32, ow: u32,                      // output height and width
  count: u32,                            // elements of cols: n·oh·ow·kh·kw·c
}

@group(0) @binding(0) var<uniform> win: Win;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> cols: array<f32>;

@compute @workgroup_size(WG)
fn im2col(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let e = element_index(gid, groups, WG);
  if (e >= win.count) { return; }
  let k = win.kh * win.kw * win.c;        // row length of cols
  let row = e / k;
  let col = e % k;
  // col = (i·kw + j)·c + ch
  let ch = col % win.c;
  let j = (col / win.c) % win.kw;
  let i = col / (win.c * win.kw);
  // row = (b·oh + d1)·ow + d2
  let d2 = row % win.ow;
  let d1 = (row / win.ow) % win.oh;
  let b = row / (win.ow * win.oh);
  // position in Xpad, then in X (unsigned: a position above/left of X wraps past h/w)
  let yy = d1 * win.stride + i - win.pad_top;
  let xx = d2 * win.stride + j - win.pad_left;
  var v = 0.0;
  if (yy < win.h && xx < win.w) {
    v = x[((b * win.h + yy) * win.w + xx) * win.c + ch];
  }
  cols[e] = v;
}
