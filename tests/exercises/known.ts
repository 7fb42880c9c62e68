// The reference solutions and the known mistakes (read from disk or written here: src
// never imports them). A known mistake is its exercise's reference solution with a few
// lines changed — the slip a student makes — so each one reads as that change: `edits`
// replaces text that occurs exactly once in the solution.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export function solution(id: string): string {
  return readFileSync(join(here, 'solutions', `${id}.js`), 'utf8');
}

interface Mistake {
  /** the exercise it answers */
  exercise: string;
  /** the diagnosis the grader must give */
  diagnosis: string;
  /** the slip, in words (the first line of the student's file) */
  what: string;
  /** [text of the solution, what the student wrote instead] */
  edits: [string, string][];
}

export const MISTAKES: Record<string, Mistake> = {
  'bias-shape': {
    exercise: 'fully-connected',
    diagnosis: 'bias-shape',
    what: "The bias as a vector (n_out,) instead of a row (1, n_out).",
    edits: [
      [
        `      b: np.zeros([1, this.n_out]),`,
        `      b: np.zeros([this.n_out]),`,
      ],
      [
        `      b: np.sum(dZ, 0, true),`,
        `      b: np.sum(dZ, 0),`,
      ],
    ],
  },
  'loss-grad-skips-softmax': {
    exercise: 'fully-connected',
    diagnosis: 'loss-grad-skips-softmax',
    what: "The loss gradient −Y/(m·Ŷ) taken as dL/dZ for a softmax layer: the softmax's backward skipped.",
    edits: [
      [
        `    const dZ = this.activation.backward(Z, dLdY);`,
        `    // softmax and cross-entropy together give a simple gradient, so skip the softmax here
    const dZ = this.activation.name === 'softmax' ? dLdY : this.activation.backward(Z, dLdY);`,
      ],
    ],
  },
  'grad-left-padded': {
    exercise: 'conv2d',
    diagnosis: 'grad-left-padded',
    what: "dL/dX returned with the padding border still on.",
    edits: [
      [
        `    return dXp.get(':', \`\${g.pt}:\${g.pt + g.H}\`, \`\${g.pl}:\${g.pl + g.W}\`, ':');`,
        `    return dXp;`,
      ],
    ],
  },
  'conv-padded-cached-as-z': {
    exercise: 'conv2d',
    diagnosis: 'conv-cache-wrong',
    what: "The padded input cached as Z.",
    edits: [
      [
        `    this.cache = { X, Z };`,
        `    this.cache = { X, Z: g.Xp };`,
      ],
    ],
  },
  'conv-activation-in-loop': {
    exercise: 'conv2d',
    diagnosis: 'conv-cache-wrong',
    what: "The activation applied inside the convolution loop, and its output cached as Z.",
    edits: [
      [
        `    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const patch = g.Xp.get(':', g.rows(i), g.cols(j), ':'); // (m, Ho, Wo, c_in)`,
        `    let Y = null;
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const patch = g.Xp.get(':', g.rows(i), g.cols(j), ':'); // (m, Ho, Wo, c_in)`,
      ],
      [
        `      }
    }
    this.cache = { X, Z };`,
        `        Y = this.activation.forward(Z); // applied inside the loop; its output kept as Z
      }
    }
    this.cache = { X, Z };`,
      ],
      [
        `    this.cache = { X, Z };
    return this.activation.forward(Z);`,
        `    this.cache = { X, Z: Y };
    return Y;`,
      ],
    ],
  },
  'max-grad-all-ties': {
    exercise: 'pool2d',
    diagnosis: 'max-grad-all-ties',
    what: "Max pooling's gradient sent to every cell equal to the window's maximum.",
    edits: [
      [
        `    this.cache = { X, arg: this.mode === 'max' ? np.argmax(win, -1) : null };
    return this.mode === 'max' ? np.max(win, -1) : np.mean(win, -1);`,
        `    const Y = this.mode === 'max' ? np.max(win, -1) : np.mean(win, -1);
    this.cache = { X, Y };
    return Y;`,
      ],
      [
        `        const share = this.mode === 'max' ? dLdY.multiply(np.equal(arg, i * kw + j)) : dLdY.divide(kh * kw);`,
        `        const cell = g.Xp.get(':', g.rows(i), g.cols(j), ':');
        const share = this.mode === 'max' ? dLdY.multiply(np.equal(cell, this.cache.Y)) : dLdY.divide(kh * kw);`,
      ],
    ],
  },
  'max-grad-wrong-window': {
    exercise: 'pool2d',
    diagnosis: 'max-grad-wrong-window',
    what: "Max pooling's gradient placed in windows that step by 1 instead of the stride.",
    edits: [
      [
        `        dXp.set(':', g.rows(i), g.cols(j), ':', dXp.get(':', g.rows(i), g.cols(j), ':').add(share));`,
        `        // the window's cells, forgetting the stride
        const rows = \`\${i}:\${i + g.Ho}\`;
        const cols = \`\${j}:\${j + g.Wo}\`;
        dXp.set(':', rows, cols, ':', dXp.get(':', rows, cols, ':').add(share));`,
      ],
    ],
  },
  'max-grad-unravel': {
    exercise: 'pool2d',
    diagnosis: 'max-grad-wrong-window',
    what: "Max pooling's arg-max, an index into the flattened window, turned back into (row, column) the wrong way round.",
    edits: [
      [
        `        const share = this.mode === 'max' ? dLdY.multiply(np.equal(arg, i * kw + j)) : dLdY.divide(kh * kw);`,
        `        const share = this.mode === 'max' ? dLdY.multiply(np.equal(arg, j * kh + i)) : dLdY.divide(kh * kw);`,
      ],
    ],
  },
  'softmax-overflow': {
    exercise: 'softmax',
    diagnosis: 'softmax-overflow',
    what: "Softmax without subtracting the row maximum.",
    edits: [
      [
        `    const e = np.exp(Z.subtract(np.max(Z, 1, true)));`,
        `    const e = np.exp(Z);`,
      ],
    ],
  },
  'layers-not-chained': {
    exercise: 'model',
    diagnosis: 'layers-not-chained',
    what: "Every layer given X instead of the previous layer's output.",
    edits: [
      [
        `    for (const layer of this.layers) H = layer.forward(H);`,
        `    for (const layer of this.layers) H = layer.forward(X);`,
      ],
    ],
  },
  'loop-over-examples': {
    exercise: 'cross-entropy',
    diagnosis: 'loop-over-examples',
    what: "The loss summed with a loop over the examples.",
    edits: [
      [
        `    return -np.sum(Y.multiply(np.log(Y_hat))).item() / m;`,
        `    let L = 0;
    for (let i = 0; i < m; i++) L -= np.sum(Y.get(i).multiply(np.log(Y_hat.get(i)))).item();
    return L / m;`,
      ],
    ],
  },
  'ce-not-averaged': {
    exercise: 'cross-entropy',
    diagnosis: 'ce-not-averaged',
    what: "The loss gradient not divided by m.",
    edits: [
      [
        `    return np.negative(Y).divide(Y_hat).divide(m);`,
        `    return np.negative(Y).divide(Y_hat);`,
      ],
    ],
  },
};

/** the mistaken file: a comment naming the slip, then the solution with the edits made */
export function mistake(name: string): string {
  const m = MISTAKES[name];
  if (!m) throw new Error(`no known mistake '${name}'`);
  let code = solution(m.exercise);
  for (const [from, to] of m.edits) {
    const at = code.indexOf(from);
    if (at < 0 || code.indexOf(from, at + 1) >= 0) throw new Error(`${name}: the solution of ${m.exercise} must contain ${JSON.stringify(from)} exactly once`);
    code = code.slice(0, at) + to + code.slice(at + from.length);
  }
  return `// ${m.what}\n${code}`;
}
