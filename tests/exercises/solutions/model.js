class NeuralNetwork {
  constructor(layers, loss) {
    this.layers = layers;
    this.loss = loss;
  }

  forward(X) {
    let H = X;
    for (const layer of this.layers) H = layer.forward(H);
    return H;
  }

  backward(target, out) {
    const L = this.loss.forward(target, out);
    let g = this.loss.backward(target, out);
    for (let i = this.layers.length - 1; i >= 0; i--) g = this.layers[i].backward(g);
    return L;
  }

  predict(X) {
    return np.argmax(this.forward(X), 1);
  }
}
