// The padded input cached as Z.
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

class Conv2D {
  constructor(n_out, kernel_shape, activation, stride = 1, pad = 'same') {
    this.n_out = n_out;
    this.kernel_shape = kernel_shape;
    this.activation = activation;
    this.stride = stride;
    this.pad = pad;
    this.parameters = {};
    this.gradients = {};
    this.cache = {};
  }

  initParameters(shape) {
    const [kh, kw] = this.kernel_shape;
    const c_in = shape[3];
    const a = Math.sqrt(6 / (kh * kw * c_in + kh * kw * this.n_out));
    this.parameters = {
      W: np.random.uniform(-a, a, [kh, kw, c_in, this.n_out]),
      b: np.zeros([1, this.n_out]),
    };
  }

  // the padded input and the slices of it that kernel offset (i, j) multiplies
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

  forward(X) {
    if (!this.parameters.W) this.initParameters(X.shape);
    const { W, b } = this.parameters;
    const [kh, kw] = this.kernel_shape;
    const g = this.geometry(X);
    let Z = np.zeros([g.m, g.Ho, g.Wo, this.n_out]).add(b);
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const patch = g.Xp.get(':', g.rows(i), g.cols(j), ':'); // (m, Ho, Wo, c_in)
        Z = Z.add(np.matmul(patch, W.get(i, j))); // · (c_in, c_out)
      }
    }
    this.cache = { X, Z: g.Xp };
    return this.activation.forward(Z);
  }

  backward(dLdY) {
    const { X, Z } = this.cache;
    const { W } = this.parameters;
    const [kh, kw] = this.kernel_shape;
    const dZ = this.activation.backward(Z, dLdY);
    const g = this.geometry(X);
    const dXp = np.zeros(g.Xp.shape);
    const dW = np.zeros(W.shape);
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const patch = g.Xp.get(':', g.rows(i), g.cols(j), ':');
        dW.set(i, j, np.einsum('nhwc,nhwf->cf', patch, dZ));
        const back = np.matmul(dZ, W.get(i, j).T); // (m, Ho, Wo, c_in)
        dXp.set(':', g.rows(i), g.cols(j), ':', dXp.get(':', g.rows(i), g.cols(j), ':').add(back));
      }
    }
    this.gradients = { W: dW, b: np.sum(dZ, [0, 1, 2]).reshape(1, this.n_out) };
    return dXp.get(':', `${g.pt}:${g.pt + g.H}`, `${g.pl}:${g.pl + g.W}`, ':');
  }
}
