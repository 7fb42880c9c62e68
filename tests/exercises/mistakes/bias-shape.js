// The bias as a vector (n_out,) instead of a row (1, n_out).
class FullyConnected {
  constructor(n_out, activation) {
    this.n_out = n_out;
    this.activation = activation;
    this.n_in = null;
    this.parameters = {};
    this.gradients = {};
    this.cache = {};
  }

  initParameters(shape) {
    this.n_in = shape[1];
    const a = Math.sqrt(6 / (this.n_in + this.n_out));
    this.parameters = {
      W: np.random.uniform(-a, a, [this.n_in, this.n_out]),
      b: np.zeros([this.n_out]),
    };
  }

  forward(X) {
    if (this.n_in === null) this.initParameters(X.shape);
    const { W, b } = this.parameters;
    const Z = np.matmul(X, W).add(b);
    this.cache = { X, Z };
    return this.activation.forward(Z);
  }

  backward(dLdY) {
    const { X, Z } = this.cache;
    const dZ = this.activation.backward(Z, dLdY);
    this.gradients = {
      W: np.matmul(X.T, dZ),
      b: np.sum(dZ, 0),
    };
    return np.matmul(dZ, this.parameters.W.T);
  }
}
