// The one table of equations (src/nn/equations.ts): the tracer names each op by its ids
// and the step-through writes each with the shapes that took part.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EQUATION_TABLE, EQUATIONS } from '../src/nn/equations';
import type { TraceOp } from '../src/train/trace';
import { equationWithShapes, shortLabel } from '../src/ui/step-through-equations';

const tensor = (role: string, shape: number[], label = role) => ({ role, label, shape, values: null });
const op = (equation: string, o: Partial<TraceOp>): TraceOp => ({
  index: 0,
  phase: 'forward',
  layer: 'fc_0',
  layerType: 'fc',
  op: 'matmul',
  equation,
  inputs: [],
  outputs: [],
  args: {},
  kernels: [],
  ...o,
});

describe('the equations table', () => {
  it('is pure data (no import) and every entry has a text, an unconditional last template and the same text in EQUATIONS', () => {
    expect(readFileSync('src/nn/equations.ts', 'utf8')).not.toMatch(/^\s*import /m);
    const ids = Object.keys(EQUATION_TABLE);
    expect(ids.length).toBeGreaterThan(30);
    for (const id of ids) {
      const e = EQUATION_TABLE[id]!;
      expect(e.text.length, id).toBeGreaterThan(0);
      expect(e.withShapes.length, id).toBeGreaterThan(0);
      expect(e.withShapes[e.withShapes.length - 1]!.when, id).toBeUndefined();
      expect(EQUATIONS[id]).toBe(e.text);
    }
  });

  it('writes an op with its shapes, picking the template by the tensors and the activation present', () => {
    const X = tensor('X', [8, 5]);
    const W = tensor('W', [5, 3]);
    const b = tensor('b', [1, 3]);
    const fwd = op('fc.forward', { inputs: [X, W, b], outputs: [tensor('Y', [8, 3])], args: { activation: 'relu' } });
    expect(equationWithShapes(fwd).text).toBe('Y (8, 3) = ReLU(X (8, 5) · W (5, 3) + 1·b (1, 3))');
    expect(shortLabel(fwd)).toBe('Y = ReLU(XW + 1b)');
    expect(equationWithShapes(op('fc.logits', { inputs: [X, W], outputs: [tensor('Z', [8, 3])] })).text).toBe('Z (8, 3) = X (8, 5) · W (5, 3)');
    const Y = tensor('Y', [8, 3]);
    const dY = tensor('dY', [8, 3]);
    const back = (activation: string) => op('activation.backward', { inputs: [dY, Y], outputs: [tensor('dZ', [8, 3])], args: { activation } });
    expect(equationWithShapes(back('relu')).text).toBe('dZ (8, 3) = dY (8, 3) ⊙ 1[Y (8, 3) > 0]');
    expect(equationWithShapes(back('tanh')).text).toBe('dZ (8, 3) = dY (8, 3) ⊙ (1 − Y (8, 3)²)');
    const sgd = op('sgd.update', { op: 'sgdUpdate', inputs: [tensor('p', [5, 3], 'fc_0.W'), tensor('g', [5, 3])], outputs: [tensor('p', [5, 3], 'fc_0.W')], args: { lr: 0.1 } });
    expect(equationWithShapes(sgd).text).toBe('p (5, 3) ← p (5, 3) − 0.1 · g (5, 3)');
    expect(shortLabel(sgd)).toBe('SGD W');
  });
});
