// Conv2D and Pool2D on NHWC images.

import type { ExerciseInfo } from './types';

const PADDING = `**Padding.** \`pad\` is \`'valid'\` (none), an integer $p$ ($p$ zeros on every side) or \`'same'\`. For \`'same'\`, along the height (and likewise the width): the output has $\\lceil H/s \\rceil$ rows, the total padding is $P = \\max((\\lceil H/s \\rceil - 1)\\,s + k_h - H,\\ 0)$, with $\\lfloor P/2 \\rfloor$ rows on top and the rest at the bottom. Pad with \`np.pad\` (zeros); the output size is then $\\lfloor (H_{pad} - k_h)/s \\rfloor + 1$.`;

const NO_LOOP = `Loops over the kernel's or the output's positions are fine; a loop over the examples is not: the checker counts your np operations for two batch sizes, and the count must not grow with the batch.`;

export const CONV: ExerciseInfo[] = [
  {
    id: 'conv2d',
    chapter: 'conv',
    title: 'Conv2D, forward and backward',
    prompt: `A convolution layer slides $n_{out}$ filters over a batch of images $X$ $(m, H, W, C_{in})$ (channels last). It is a cross-correlation: with the padded input $X_{pad}$, stride $s$, weights $W$ $(k_h, k_w, C_{in}, C_{out})$ and bias $b$ $(1, C_{out})$,
$$Z_{n, d_1, d_2, f} = \\sum_{i=0}^{k_h-1} \\sum_{j=0}^{k_w-1} \\sum_{c} W_{i,j,c,f}\\; X_{pad}[n,\\ d_1 s + i,\\ d_2 s + j,\\ c] + b_f, \\qquad Y = \\sigma(Z).$$

${PADDING}

Write the class \`Conv2D\`:

- \`constructor(n_out, kernel_shape, activation, stride, pad)\`: \`kernel_shape\` is $[k_h, k_w]$; \`activation\` has \`forward(Z)\` and \`backward(Z, dY)\`. Start with empty \`parameters\`, \`gradients\` and \`cache\`.
- On the first \`forward\`: \`W\` from Xavier uniform with $a = \\sqrt{6/(\\text{fan}_{in} + \\text{fan}_{out})}$, $\\text{fan}_{in} = k_h k_w C_{in}$, $\\text{fan}_{out} = k_h k_w C_{out}$; \`b\` zeros $(1, C_{out})$.
- \`forward(X)\` → $Y$ $(m, H_{out}, W_{out}, C_{out})$. Compute $Z$ first, cache it (and $X$), then apply the activation once.
- \`backward(dLdY)\`: $dZ$ = \`activation.backward(Z, dLdY)\`, then
$$\\frac{\\partial L}{\\partial W_{i,j,c,f}} = \\sum_{n,d_1,d_2} X_{pad}[n, d_1 s + i, d_2 s + j, c]\\, dZ_{n,d_1,d_2,f}, \\qquad \\frac{\\partial L}{\\partial b_f} = \\sum_{n,d_1,d_2} dZ_{n,d_1,d_2,f},$$
and $\\partial L/\\partial X_{pad}$ gathers $W_{i,j,c,f}\\, dZ_{n,d_1,d_2,f}$ at every position the window touched. Cut the padding off: return $\\partial L/\\partial X$ with $X$'s shape; store \`W\` and \`b\` gradients in \`this.gradients\`.

The checker replaces \`parameters.W\` and \`parameters.b\` after the first forward. ${NO_LOOP}`,
    starter: `class Conv2D {
  constructor(n_out, kernel_shape, activation, stride = 1, pad = 'same') {
    this.n_out = n_out;
    this.kernel_shape = kernel_shape; // [kh, kw]
    this.activation = activation;
    this.stride = stride;
    this.pad = pad; // 'same' | 'valid' | an integer
    this.parameters = {}; // W: (kh, kw, c_in, c_out), b: (1, c_out)
    this.gradients = {};
    this.cache = {};
  }

  // X: (m, H, W, c_in) → Y: (m, H_out, W_out, c_out)
  forward(X) {
    // your code here
  }

  // dLdY: (m, H_out, W_out, c_out) → dL/dX: (m, H, W, c_in)
  backward(dLdY) {
    // your code here
  }
}
`,
    names: ['Conv2D'],
    forbidsExampleLoop: true,
  },
  {
    id: 'pool2d',
    chapter: 'conv',
    title: 'Pool2D, max and average',
    prompt: `Pooling summarizes each $k_h \\times k_w$ window of every channel of $X$ $(m, H, W, C)$ (channels last), moving by the stride $s$:
$$Y_{n, d_1, d_2, c} = \\operatorname{pool}_{0 \\le i < k_h,\\ 0 \\le j < k_w} X_{pad}[n,\\ d_1 s + i,\\ d_2 s + j,\\ c],$$
the maximum (\`mode = 'max'\`) or the mean over all $k_h k_w$ cells (\`mode = 'average'\`). Padding zeros take part in the window like any value.

${PADDING}

Write the class \`Pool2D\` with \`constructor(kernel_shape, mode, stride, pad)\`, \`forward(X)\` → $Y$ $(m, H_{out}, W_{out}, C)$ and \`backward(dLdY)\` → $\\partial L/\\partial X$ with $X$'s shape:

- max: each output's gradient goes to **one** cell, the first maximum of its window in row-major order (what \`argmax\` returns) — not to every cell that ties;
- average: each output's gradient is spread evenly, $1/(k_h k_w)$ to every cell of its window.

Windows overlap when $s < k$: gradients from different windows add up. Cut the padding off at the end. ${NO_LOOP}`,
    starter: `class Pool2D {
  constructor(kernel_shape, mode = 'max', stride = 1, pad = 0) {
    this.kernel_shape = kernel_shape; // [kh, kw]
    this.mode = mode; // 'max' | 'average'
    this.stride = stride;
    this.pad = pad; // 'same' | 'valid' | an integer
    this.cache = {};
  }

  // X: (m, H, W, c) → Y: (m, H_out, W_out, c)
  forward(X) {
    // your code here
  }

  // dLdY: (m, H_out, W_out, c) → dL/dX: (m, H, W, c)
  backward(dLdY) {
    // your code here
  }
}
`,
    names: ['Pool2D'],
    forbidsExampleLoop: true,
  },
];
