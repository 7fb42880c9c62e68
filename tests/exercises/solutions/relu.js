class ReLU {
  forward(Z) {
    return np.maximum(Z, 0);
  }

  backward(Z, dY) {
    return np.multiply(dY, np.greater(Z, 0));
  }
}
