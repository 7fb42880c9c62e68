// Max pooling's gradient placed in windows that step by 1 instead of the stride.
function padAmounts(size, k, s, pad) {
  if (pad === 'valid') return [0, 0];
  if (pad === 'same') {
    const out = Math.ceil(size / s);
    const total = Math.max((out - 1) * s + k - size, 0);
    const before = Math.floor(total / 2);
    return [before, total - before];
  }
  return [pad, pad];
}

class Pool2D {
  constructor(kernel_shape, mode = 'max', stride = 1, pad = 0) {
    this.kernel_shape = kernel_shape;
    this.mode = mode;
    this.stride = stride;
    this.pad = pad;
    this.cache = {};
  }

  geometry(X) {
    const [m, H, W] = X.shape;
    const [kh, kw] = this.kernel_shape;
    const s = this.stride;
    const [pt, pb] = padAmounts(H, kh, s, this.pad);
    const [pl, pr] = padAmounts(W, kw, s, this.pad);
    const Ho = Math.floor((H + pt + pb - kh) / s) + 1;
    const Wo = Math.floor((W + pl + pr - kw) / s) + 1;
    const rows = (i) => `${i}:${i + (Ho - 1) * s + 1}:${s}`;
    const cols = (j) => `${j}:${j + (Wo - 1) * s + 1}:${s}`;
    return { m, H, W, pt, pl, Ho, Wo, rows, cols, Xp: np.pad(X, [[0, 0], [pt, pb], [pl, pr], [0, 0]]) };
  }

  // every window's cells along a last axis: (m, Ho, Wo, c, kh·kw), in row-major window order
  windows(g) {
    const [kh, kw] = this.kernel_shape;
    const cells = [];
    for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) cells.push(g.Xp.get(':', g.rows(i), g.cols(j), ':'));
    return np.stack(cells, -1);
  }

  forward(X) {
    const g = this.geometry(X);
    const win = this.windows(g);
    this.cache = { X, arg: this.mode === 'max' ? np.argmax(win, -1) : null };
    return this.mode === 'max' ? np.max(win, -1) : np.mean(win, -1);
  }

  backward(dLdY) {
    const { X, arg } = this.cache;
    const [kh, kw] = this.kernel_shape;
    const g = this.geometry(X);
    const dXp = np.zeros(g.Xp.shape);
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const share = this.mode === 'max' ? dLdY.multiply(np.equal(arg, i * kw + j)) : dLdY.divide(kh * kw);
        // the window's cells, forgetting the stride
        const rows = `${i}:${i + g.Ho}`;
        const cols = `${j}:${j + g.Wo}`;
        dXp.set(':', rows, cols, ':', dXp.get(':', rows, cols, ':').add(share));
      }
    }
    return dXp.get(':', `${g.pt}:${g.pt + g.H}`, `${g.pl}:${g.pl + g.W}`, ':');
  }
}
