// Softmax without subtracting the row maximum.
class SoftMax {
  forward(Z) {
    const e = np.exp(Z);
    return e.divide(np.sum(e, 1, true));
  }

  backward(Z, dY) {
    const s = this.forward(Z);
    return s.multiply(dY.subtract(np.sum(dY.multiply(s), 1, true)));
  }
}
