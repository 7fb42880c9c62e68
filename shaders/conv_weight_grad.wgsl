// The gradients of a convolution's parameters, in one kernel, straight from X and dZ.
// (The explicit im2col path's; the lean path runs the same sums inside conv2d.wgsl's
// conv2d_backward, with the rows split across workgroups when a layer has few weights.)
//
//   dW = colsᵀ · dZ      (kh·kw·c, f),  i.e. dW[i,j,ch,fo] = Σ_{b,d1,d2} Xpad[b, d1·s+i, d2·s+j, ch] · dZ[b,d1,d2,fo]
//   db = 1ᵀ · dZ         (1, f),        i.e. db[fo] = Σ_{b,d1,d2} dZ[b,d1,d2,fo]
//
//   x (n, h, w, c);  dz (n·oh·ow, f);  dw (kh·kw·c, f);  db (1, f)
//
// cols = im2col(X) is never stored: entry (r, k) of it is read from X through the same
// index map as im2col.wgsl (an "implicit" im2col). The bias gradient is the same
// reduction against a column of ones, so it is one more row of the output: row k = K
// (K = kh·kw·c) of [dW; db] is db.
//
// One workgroup of 64 invocations per output element (k, fo), k in 0..K (K inclusive):
// invocation t adds rows r = t, t + 64, … of cols[r, k]·dz[r, fo]; the 64 partial sums
// are then added pairwise in workgroup memory (a fixed order: deterministic results).
// Workgroup index = x + y · (groups in x) (a 2-D grid above 65535 workgroups).

const WG: u32 = 64u;

struct Win {
  n: u32, h: u32, w: u32, c: u32,       // input batch, height, width, channels
  kh: u32, kw: u32, stride: u32,         // window and stride
  pad_top: u32, pad_left: u32,           // padding before the first row / column
  oh: u32, ow: u32,                      // output height and width
  f: u32,                                // filters (output channels)
}

@group(0) @binding(0) var<uniform> win: Win;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> dz: array<f32>;
@group(0) @binding(3) var<storage, read_write> dw: array<f32>;
@group(0) @binding(4) var<storage, read_write> db: array<f32>;

var<workgroup> partial: array<f32, WG>;

@compute @workgroup_size(WG)
fn conv_weight_grad(@builtin(local_invocation_index) t: u32, @builtin(workgroup_id) wid: vec3u,
                    @builtin(num_workgroups) groups: vec3u) {
  let g = wid.x + wid.y * groups.x;
  let kk = win.kh * win.kw * win.c;       // K: rows of dW
  let fo = g % win.f;
  let k = g / win.f;                      // 0..K−1: a row of dW;  K: db
  let rows = win.n * win.oh * win.ow;     // rows of cols and of dz
  var s = 0.0;
  if (k < kk) {
    // k = (i·kw + j)·c + ch
    let ch = k % win.c;
    let j = (k / win.c) % win.kw;
    let i = k / (win.c * win.kw);
    for (var r = t; r < rows; r += WG) {
      // r = (b·oh + d1)·ow + d2
      let d2 = r % win.ow;
      let d1 = (r / win.ow) % win.oh;
      let b = r / (win.ow * win.oh);
      // unsigned: a position above/left of x wraps past h/w and reads as padding (0)
      let yy = d1 * win.stride + i - win.pad_top;
      let xx = d2 * win.stride + j - win.pad_left;
      if (yy < win.h && xx < win.w) {
        s += x[((b * win.h + yy) * win.w + xx) * win.c + ch] * dz[r * win.f + fo];
      }
    }
  } else if (k == kk) {
    for (var r = t; r < rows; r += WG) { s += dz[r * win.f + fo]; }
  }
  partial[t] = s;
  workgroupBarrier();
  for (var width = WG / 2u; width > 0u; width /= 2u) {
    if (t < width) { partial[t] += partial[t + width]; }
    workgroupBarrier();
  }
  if (t == 0u) {
    if (k < kk) { dw[k * win.f + fo] = partial[0]; }
    else if (k == kk) { db[fo] = partial[0]; }
  }
}
