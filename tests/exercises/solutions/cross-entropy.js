class CrossEntropy {
  forward(Y, Y_hat) {
    const m = Y.shape[0];
    return -np.sum(Y.multiply(np.log(Y_hat))).item() / m;
  }

  backward(Y, Y_hat) {
    const m = Y.shape[0];
    return np.negative(Y).divide(Y_hat).divide(m);
  }
}
