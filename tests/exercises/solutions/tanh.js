class TanH {
  forward(Z) {
    return np.tanh(Z);
  }

  backward(Z, dY) {
    const t = np.tanh(Z);
    return dY.multiply(np.subtract(1, t.multiply(t)));
  }
}
