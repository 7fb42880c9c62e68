// The official hooks the step-through listens to: backend.onOp (each compute op with its
// arguments, result and WGSL kernels, on both backends) and model.onEvent (the layer,
// loss and update scopes). Nothing is wrapped from outside: the source is checked too.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend, OpEvent } from '../src/engine/backend';
import { createCpuBackend } from '../src/engine/cpu/reference-backend';
import { createWebGPUBackend, type WebGPUBackend } from '../src/engine/gpu/webgpu-backend';
import { nodeGPU } from '../src/engine/gpu/node';
import { shaderSource } from '../src/engine/gpu/shaders';
import type { ModelScope } from '../src/nn/events';
import { NeuralNetwork } from '../src/nn/model';

let gpu: WebGPUBackend;
beforeAll(async () => {
  gpu = await createWebGPUBackend(await nodeGPU());
});
afterAll(() => gpu?.destroy());

/**
 * every op event of `run`, with the first input's values as they were when the op began
 * (copied by the listener with an op of its own, which must not be announced)
 */
async function listen(backend: Backend, run: () => void | Promise<void>) {
  const events: OpEvent[] = [];
  const before: (number[] | null)[] = [];
  const copies: ReturnType<Backend['clone']>[] = [];
  const off = backend.onOp({
    begin: (_op, args) => {
      const a = args[0];
      if (a && typeof a === 'object' && 'shape' in a) copies.push(backend.scale(a as ReturnType<Backend['clone']>, 1)); // an op itself: not announced
      else copies.push(backend.zeros([1]));
    },
    end: (e) => events.push(e),
  });
  try {
    await run();
  } finally {
    off();
  }
  for (const c of copies) before.push(Array.from(await backend.read(c)));
  backend.dispose(...copies);
  return { events, before };
}

describe.each(['cpu', 'webgpu'] as const)('backend.onOp on %s', (kind) => {
  const b = (): Backend => (kind === 'cpu' ? createCpuBackend() : gpu);

  it('announces each op once with its arguments, result and kernels; copies made by a listener are not announced', async () => {
    const backend = b();
    const x = backend.fromArray([1, 2, 3, 4, 5, 6], [2, 3], 'X');
    const w = backend.fromArray([1, 0, 0, 1, 1, 1], [3, 2], 'W');
    const bias = backend.fromArray([0.5, -0.5], [1, 2], 'b');
    let y: ReturnType<Backend['matmul']> | null = null;
    let s: ReturnType<Backend['sumRows']> | null = null;
    const { events } = await listen(backend, () => {
      y = backend.matmul(x, w, { bias, activation: 'relu' });
      s = backend.sumRows(y);
    });
    expect(events.map((e) => e.op)).toEqual(['matmul', 'sumRows']);
    expect(events[0]!.args[0]).toBe(x);
    expect(events[0]!.args[1]).toBe(w);
    expect((events[0]!.args[2] as { bias: unknown }).bias).toBe(bias);
    expect(events[0]!.result).toBe(y);
    expect(events[1]!.result).toBe(s);
    expect(Array.from(await backend.read(s!))).toEqual([15, 15]);
    if (kind === 'cpu') expect(events.every((e) => e.kernels.length === 0)).toBe(true);
    else {
      expect(events[0]!.kernels.length).toBe(1);
      expect(events[0]!.kernels[0]!.shader).toBe('matmul');
      expect(events[1]!.kernels.map((k) => k.shader)).toEqual(['reduce']);
      expect(events[1]!.kernels.every((k) => k.entry.length > 0)).toBe(true);
      // the entry point's lines in its file: from its attributes to its closing brace
      for (const k of [...events[0]!.kernels, ...events[1]!.kernels]) {
        const lines = shaderSource(k.shader).split('\n');
        const [first, last] = k.lines!;
        expect(first).toBeLessThan(last);
        expect(lines[first]).toMatch(/^\s*@/);
        expect(lines.slice(first, last + 1).join('\n')).toMatch(new RegExp(`\\bfn\\s+${k.entry}\\s*\\(`));
        expect(lines[last]).toMatch(/^\s*}/);
      }
    }
    backend.dispose(x, w, bias, y, s);
  });

  it('begin comes before an in-place update changes its parameter; after off() nothing is announced', async () => {
    const backend = b();
    const p = backend.fromArray([1, 2, 3], [3], 'p');
    const g = backend.fromArray([1, 1, 1], [3], 'g');
    const { events, before } = await listen(backend, () => backend.sgdUpdate(p, g, null, { lr: 0.5, momentum: 0 }));
    expect(events.map((e) => e.op)).toEqual(['sgdUpdate']);
    expect(events[0]!.result).toBeUndefined();
    expect(before[0]).toEqual([1, 2, 3]);
    expect(Array.from(await backend.read(p))).toEqual([0.5, 1.5, 2.5]);
    // unsubscribed: a listener that would record hears nothing
    const late: string[] = [];
    backend.onOp({ end: (e) => late.push(e.op) })();
    backend.dispose(backend.scale(p, 2));
    expect(late).toEqual([]);
    backend.dispose(p, g);
  });
});

describe('model.onEvent', () => {
  it('puts every op of a training step inside a layer, loss or update scope, in order', async () => {
    const backend = createCpuBackend();
    const model = new NeuralNetwork(
      backend,
      {
        layers: [
          { type: 'fc', nOut: 3, activation: 'relu' },
          { type: 'fc', nOut: 2, activation: 'softmax' },
        ],
        loss: 'cross_entropy',
        optimizer: { type: 'sgd', lr: 0.1 },
        seed: 1,
      },
      { lean: false },
    );
    const x = backend.fromArray([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8], [2, 4], 'X');
    const y = backend.fromArray([1, 0, 0, 1], [2, 2], 'y');
    model.build(x.shape);
    const scopes: string[] = [];
    const stack: ModelScope[] = [];
    const outside: string[] = [];
    const ops: string[] = [];
    const offModel = model.onEvent({
      enter: (s) => {
        stack.push(s);
        scopes.push(`${s.phase}:${s.layer}:${s.layerType}`);
      },
      exit: (s) => expect(stack.pop()).toBe(s),
    });
    const offOps = backend.onOp({
      end: (e) => {
        const s = stack[stack.length - 1];
        if (s) ops.push(`${s.phase}:${s.layer ?? s.layerType}:${e.op}`);
        else outside.push(e.op);
      },
    });
    backend.dispose(model.trainStep(x, y));
    offModel();
    offOps();
    expect(stack).toEqual([]);
    expect(outside).toEqual([]);
    expect(scopes).toEqual([
      'forward:fc_0:fc',
      'forward:fc_1:fc',
      'loss:loss:loss',
      'backward:loss:loss',
      'backward:fc_1:fc',
      'backward:fc_0:fc',
      'update:null:sgd',
    ]);
    expect(ops.filter((o) => o.startsWith('update:')).every((o) => o.endsWith(':sgdUpdate'))).toBe(true);
    expect(ops[0]).toBe('forward:fc_0:matmul');
    expect(ops.some((o) => o.startsWith('loss:loss:'))).toBe(true);
    // nothing is told once the listeners are gone
    scopes.length = 0;
    backend.dispose(model.trainStep(x, y));
    expect(scopes).toEqual([]);
    model.dispose();
    backend.dispose(x, y);
  });
});

describe('no method is replaced at run time', () => {
  /** every .ts/.tsx file under src */
  function sources(dir: string): string[] {
    return readdirSync(dir).flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? sources(p) : /\.tsx?$/.test(n) ? [p] : [];
    });
  }
  // src/exercises is left out: its array module defines the methods of its own class
  // (each counted, for the grader's loop check) and its runner wraps the student's objects
  // to report an error at the student's line; neither touches a backend, a context, a
  // layer or a model
  it('src assigns to no dispatch, defines no property and wraps nothing in a Proxy', () => {
    const hits: string[] = [];
    for (const file of sources('src').filter((f) => !f.startsWith(join('src', 'exercises')))) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (/\.dispatch\s*=[^=]|Object\.defineProperty|new Proxy\(|\[method\]\s*=[^=]/.test(line)) hits.push(`${file}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(hits).toEqual([]);
  });
});
