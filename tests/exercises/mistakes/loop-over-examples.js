// The loss summed with a loop over the examples.
class CrossEntropy {
  forward(Y, Y_hat) {
    const m = Y.shape[0];
    let L = 0;
    for (let i = 0; i < m; i++) L -= np.sum(Y.get(i).multiply(np.log(Y_hat.get(i)))).item();
    return L / m;
  }

  backward(Y, Y_hat) {
    const m = Y.shape[0];
    return np.negative(Y).divide(Y_hat).divide(m);
  }
}
