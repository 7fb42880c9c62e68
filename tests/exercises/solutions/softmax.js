class SoftMax {
  forward(Z) {
    const e = np.exp(Z.subtract(np.max(Z, 1, true)));
    return e.divide(np.sum(e, 1, true));
  }

  backward(Z, dY) {
    const s = this.forward(Z);
    return s.multiply(dY.subtract(np.sum(dY.multiply(s), 1, true)));
  }
}
