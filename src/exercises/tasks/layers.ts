// Activations, the fully connected layer, softmax, cross-entropy and the model.

import type { ExerciseInfo } from './types';

const NO_LOOP = `No loop over the examples: the checker counts your np operations for two batch sizes, and the count must not grow with the batch.`;

function activation(id: 'relu' | 'sigmoid' | 'tanh', cls: string, title: string, math: string, derivative: string): ExerciseInfo {
  return {
    id,
    chapter: 'layers',
    title,
    prompt: `An activation is applied to every element of its input $Z$, whatever its shape ($(m, n)$ after a dense layer, $(m, H, W, C)$ after a convolution):
$$${math}$$

Write the class \`${cls}\` with

- \`forward(Z)\`: returns $Y = \\sigma(Z)$, the same shape as $Z$;
- \`backward(Z, dY)\`: given the same $Z$ and $dY = \\partial L/\\partial Y$, returns $\\partial L/\\partial Z = dY \\odot \\sigma'(Z)$, where $${derivative}$.

${NO_LOOP}`,
    starter: `class ${cls} {
  // Z: any shape → Y: the same shape
  forward(Z) {
    // your code here
  }

  // Z, dY: the same shape → dL/dZ: the same shape
  backward(Z, dY) {
    // your code here
  }
}
`,
    names: [cls],
    forbidsExampleLoop: true,
  };
}

export const LAYERS: ExerciseInfo[] = [
  activation('relu', 'ReLU', 'ReLU, forward and backward', '\\sigma(z) = \\max(0, z)', "\\sigma'(z) = 1 \\text{ if } z > 0 \\text{ else } 0"),
  activation('sigmoid', 'Sigmoid', 'Sigmoid, forward and backward', '\\sigma(z) = \\frac{1}{1 + e^{-z}}', "\\sigma'(z) = \\sigma(z)\\,(1 - \\sigma(z))"),
  activation('tanh', 'TanH', 'Tanh, forward and backward', '\\sigma(z) = \\tanh z', "\\sigma'(z) = 1 - \\tanh^2 z"),
  {
    id: 'fully-connected',
    chapter: 'layers',
    title: 'The fully connected layer',
    prompt: `A fully connected layer maps a batch $X$ of shape $(m, n_{in})$ to
$$Z = XW + \\mathbf{1}b, \\qquad Y = \\sigma(Z),$$
with weights $W$ $(n_{in}, n_{out})$ and a bias row $b$ $(1, n_{out})$ added to every row.

Write the class \`FullyConnected\`:

- \`constructor(n_out, activation)\`: \`activation\` is an object with \`forward(Z)\` and \`backward(Z, dY)\` (like your ReLU) and a \`name\` ('linear', 'relu', 'sigmoid', 'tanh' or 'softmax'). Start with \`this.parameters = {}\`, \`this.gradients = {}\` and \`this.cache = {}\`.
- The parameters are created on the **first** \`forward\`, from the input's shape ($n_{in}$ is \`X.shape[1]\`): \`W\` drawn from Xavier uniform, $U(-a, a)$ with $a = \\sqrt{6/(n_{in} + n_{out})}$ (\`np.random.uniform\`), and \`b\` zeros of shape $(1, n_{out})$ — two-dimensional.
- \`forward(X)\`: computes $Z$ and $Y$, keeps what the backward needs in \`this.cache\`, returns $Y$ $(m, n_{out})$.
- \`backward(dLdY)\`: from $\\partial L/\\partial Y$ $(m, n_{out})$, first $dZ$ = \`activation.backward(Z, dLdY)\`, then
$$\\frac{\\partial L}{\\partial W} = X^\\top dZ, \\qquad \\frac{\\partial L}{\\partial b} = \\mathbf{1}^\\top dZ, \\qquad \\frac{\\partial L}{\\partial X} = dZ\\, W^\\top.$$
Store the first two in \`this.gradients\` under the same keys as \`this.parameters\` (\`W\` $(n_{in}, n_{out})$, \`b\` $(1, n_{out})$) and return $\\partial L/\\partial X$ $(m, n_{in})$.

The checker replaces your \`parameters.W\` and \`parameters.b\` with its own values after the first forward, so read them from \`this.parameters\` every time. ${NO_LOOP}`,
    starter: `class FullyConnected {
  constructor(n_out, activation) {
    this.n_out = n_out;
    this.activation = activation;
    this.parameters = {}; // W: (n_in, n_out), b: (1, n_out)
    this.gradients = {}; //  the same keys and shapes
    this.cache = {};
  }

  // X: (m, n_in) → Y: (m, n_out); creates W and b on the first call
  forward(X) {
    // your code here
  }

  // dLdY: (m, n_out) → dL/dX: (m, n_in); fills this.gradients.W and this.gradients.b
  backward(dLdY) {
    // your code here
  }
}
`,
    names: ['FullyConnected'],
    forbidsExampleLoop: true,
  },
  {
    id: 'softmax',
    chapter: 'layers',
    title: 'Softmax, forward and backward',
    prompt: `Softmax turns each row $z$ of $Z$ $(m, k)$ into probabilities:
$$\\sigma(z)_j = \\frac{e^{z_j - \\max_l z_l}}{\\sum_i e^{z_i - \\max_l z_l}}.$$
Subtracting the row's maximum changes nothing mathematically but keeps every exponent $\\le 0$: without it, $e^{800}$ is \`Infinity\` and the result \`NaN\`. The checker tries large logits.

Its Jacobian is $\\partial \\sigma_j/\\partial z_i = \\sigma_j(\\delta_{ij} - \\sigma_i)$; you never need to build it: per row,
$$\\frac{\\partial L}{\\partial z} = \\sigma \\odot \\Big(dY - \\sum_k dY_k\\, \\sigma_k\\Big).$$

Write the class \`SoftMax\` with \`forward(Z)\` → $Y$ $(m, k)$ and \`backward(Z, dY)\` → $\\partial L/\\partial Z$ $(m, k)$. Here a loop over the rows of the batch is allowed (one Jacobian-vector product per example), though the formula above works for all rows at once with \`keepdims\`.`,
    starter: `class SoftMax {
  // Z: (m, k) → Y: (m, k), each row sums to 1
  forward(Z) {
    // your code here
  }

  // Z, dY: (m, k) → dL/dZ: (m, k)
  backward(Z, dY) {
    // your code here
  }
}
`,
    names: ['SoftMax'],
    forbidsExampleLoop: false,
  },
  {
    id: 'cross-entropy',
    chapter: 'layers',
    title: 'Cross-entropy, forward and backward',
    prompt: `For one-hot targets $Y$ $(m, k)$ and predicted probabilities $\\hat Y$ $(m, k)$, the cross-entropy is averaged over the batch:
$$L = -\\frac{1}{m} \\sum_{i=1}^{m} \\sum_{j=1}^{k} Y_{ij} \\ln \\hat Y_{ij}.$$

Write the class \`CrossEntropy\` with

- \`forward(Y, Y_hat)\`: returns $L$, one number;
- \`backward(Y, Y_hat)\`: returns $\\partial L/\\partial \\hat Y = -\\frac{1}{m}\\, Y / \\hat Y$ (elementwise), shape $(m, k)$ — the gradient with respect to the **probabilities**. The softmax's backward then turns it into $(\\hat Y - Y)/m$ with respect to the logits.

${NO_LOOP}`,
    starter: `class CrossEntropy {
  // Y, Y_hat: (m, k) → a number
  forward(Y, Y_hat) {
    // your code here
  }

  // Y, Y_hat: (m, k) → dL/dY_hat: (m, k)
  backward(Y, Y_hat) {
    // your code here
  }
}
`,
    names: ['CrossEntropy'],
    forbidsExampleLoop: true,
  },
  {
    id: 'model',
    chapter: 'iris',
    title: 'The model: forward, backward, predict',
    prompt: `A model is a list of layers and a loss. Each layer has \`forward(X)\`, \`backward(dLdY)\`, \`parameters\` and \`gradients\` (like your FullyConnected); the loss has \`forward(Y, Y_hat)\` and \`backward(Y, Y_hat)\`.

Write the class \`NeuralNetwork\`:

- \`constructor(layers, loss)\`: keeps both.
- \`forward(X)\`: chains the layers, $H_0 = X$, $H_\\ell = \\text{layer}_\\ell(H_{\\ell-1})$, and returns the last output $\\hat Y$.
- \`backward(target, out)\`: computes the loss $L$ = \`loss.forward(target, out)\` and its gradient $\\partial L/\\partial \\hat Y$ = \`loss.backward(target, out)\`, then hands the gradient backwards through the layers, last to first, each layer receiving what the layer after it returned. Returns $L$.
- \`predict(X)\`: the class of each example, the index of the largest output in its row: shape $(m,)$.

The checker gives you its own layers and loss and watches what each receives. ${NO_LOOP}`,
    starter: `class NeuralNetwork {
  constructor(layers, loss) {
    this.layers = layers;
    this.loss = loss;
  }

  // X: (m, d) → Y_hat: (m, k)
  forward(X) {
    // your code here
  }

  // target, out: (m, k) → the loss (a number); fills every layer's gradients
  backward(target, out) {
    // your code here
  }

  // X: (m, d) → classes: (m,)
  predict(X) {
    // your code here
  }
}
`,
    names: ['NeuralNetwork'],
    forbidsExampleLoop: true,
  },
];
