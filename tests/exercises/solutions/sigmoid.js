class Sigmoid {
  forward(Z) {
    return np.divide(1, np.add(1, np.exp(np.negative(Z))));
  }

  backward(Z, dY) {
    const s = this.forward(Z);
    return dY.multiply(s).multiply(np.subtract(1, s));
  }
}
