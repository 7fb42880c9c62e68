// Nothing silently wrong when numbers run out, on both backends (WebGPU: Dawn on
// SwiftShader here; the file fails, never skips, without an adapter):
//   - the finite check tests the bits of the loss AND of every parameter: a model whose
//     parameters are all NaN can report a finite loss on the GPU (the unfused path's log
//     turns NaN into a number), and the check still says "not finite";
//   - the unfused cross-entropy gradient is 0 where y = 0 (one sample, fc → 2 softmax,
//     W = [0, 0], b = [0, −120], label 0: dL/dŷ = [−1, 0], parameters finite); where the
//     target's ŷ underflows the loss is +∞, the gradient and the parameters stay finite,
//     and a session stops naming the cause and the fused loss;
//   - Iris, unfused, SGD lr 1e3: "diverged at step k" on both backends, never "done";
//   - a divergence found by the end-of-epoch evaluation says so, with the step;
//   - a refused setHiddenSize / setBatchSize leaves the session as it was, refused from the
//     shapes before any weight is drawn;
//   - sweeps report diverged runs.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend, Tensor } from '../src/engine/backend';
import { createCpuBackend } from '../src/engine/cpu/reference-backend';
import { DeviceLimitError } from '../src/engine/errors';
import { createWebGPUBackend, type WebGPUBackend } from '../src/engine/gpu/webgpu-backend';
import { nodeGPU } from '../src/engine/gpu/node';
import { NeuralNetwork, type ModelConfig } from '../src/nn';
import { setDataFetcher } from '../src/nn/data/load';
import { toyDataset } from '../src/nn/data/toy';
import { prepareSplits } from '../src/train/data';
import { collectingSink } from '../src/train/metrics';
import type { MetricEvent, SessionConfig, SessionSnapshot } from '../src/train/protocol';
import { TrainingSession } from '../src/train/session';
import { runSweep } from '../src/train/sweep';
import { nodeDataFetcher } from './fixtures/data-node';

let gpu: WebGPUBackend;
beforeAll(async () => {
  setDataFetcher(nodeDataFetcher());
  gpu = await createWebGPUBackend(await nodeGPU());
  console.log(`[divergence] ${gpu.kind} on ${gpu.deviceName}`);
});
afterAll(() => {
  setDataFetcher(null);
  gpu?.destroy();
});

const backends = (): [string, Backend][] => [
  ['WebGPU', gpu],
  ['CPU', createCpuBackend()],
];

const UNFUSED = { type: 'cross_entropy', fused: false } as const;

/** the Iris page's session (cell 3.1): 4 → 8 relu → 3 softmax, SGD, standardized, validation split */
function irisConfig(lr: number, loss: ModelConfig['loss'], batchSize = 8): SessionConfig {
  return {
    dataset: { name: 'iris', standardize: true, testFraction: 0.2, validationFraction: 0.2 },
    model: {
      layers: [
        { type: 'fc', nOut: 8, activation: 'relu' },
        { type: 'fc', nOut: 3, activation: 'softmax' },
      ],
      loss,
      optimizer: { type: 'sgd', lr },
    },
    batchSize,
    epochs: 200,
    seed: 1,
    lossEvery: 1,
    flushMs: 0,
  };
}

const lossEvents = (events: MetricEvent[]) => events.filter((e): e is Extract<MetricEvent, { kind: 'loss' }> => e.kind === 'loss');

async function allParametersFinite(model: NeuralNetwork): Promise<boolean> {
  const layers = await model.readParameters();
  return layers.every((rec) => Object.values(rec).every((t) => t.data.every(Number.isFinite)));
}

async function readFlag(b: Backend, t: Tensor): Promise<number> {
  const v = (await b.read(t))[0]!;
  b.dispose(t);
  return v;
}

describe('the finite check tests bits, of the loss and of the parameters', () => {
  it('allFinite(x, y): 0 when either holds a NaN or ±Inf (sizes not multiples of the workgroup), 1 for f32 max and subnormals', async () => {
    for (const [name, b] of backends()) {
      const finite = [3.4028234663852886e38, -3.4028234663852886e38, 1.4e-45, -1e-40, 0, -0, 1];
      const x = Array.from({ length: 1000 }, (_, i) => finite[i % finite.length]!);
      const y = [2, 3, 5];
      expect(await readFlag(b, b.allFinite(b.fromArray(x, [1000]), b.fromArray(y, [3]))), `${name}: all finite`).toBe(1);
      for (const bad of [NaN, Infinity, -Infinity]) {
        const xb = x.slice();
        xb[999] = bad;
        const yb = y.slice();
        yb[2] = bad;
        expect(await readFlag(b, b.allFinite(b.fromArray(xb, [1000]), b.fromArray(y, [3]))), `${name}: ${bad} in x`).toBe(0);
        expect(await readFlag(b, b.allFinite(b.fromArray(x, [1000]), b.fromArray(yb, [3]))), `${name}: ${bad} in y`).toBe(0);
        expect(await readFlag(b, b.allFinite(b.fromArray(yb, [3]))), `${name}: ${bad}, x alone`).toBe(0);
      }
    }
  });

  it('WebGPU, unfused loss: every parameter NaN, the loss may read back finite — the check of loss and parameters says not finite (lean and explicit)', async () => {
    for (const lean of [true, false]) {
      const m = new NeuralNetwork(
        gpu,
        { layers: [{ type: 'fc', nOut: 8, activation: 'relu' }, { type: 'fc', nOut: 3, activation: 'softmax' }], loss: UNFUSED, optimizer: { type: 'sgd', lr: 1 } },
        { lean },
      );
      m.build([4, 4]);
      for (const layer of m.layers) for (const p of Object.values(layer.parameters)) gpu.write(p, new Float32Array(p.size).fill(NaN));
      const x = gpu.fromArray([1, 2, 3, 4, 1, 2, 3, 4, 0, 0, 0, 0, -1, -2, 3, 1], [4, 4]);
      const y = gpu.fromArray([1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0], [4, 3]);
      const loss = m.computeLoss(x, y);
      const lossOnly = gpu.allFinite(loss); // the check as it was: the loss's bits alone
      const { flag, want } = m.finiteCheck(loss);
      const l = (await gpu.read(loss))[0]!;
      const alone = await readFlag(gpu, lossOnly);
      const got = await readFlag(gpu, flag);
      // SwiftShader launders here: the loss reads back −89.13 from NaN probabilities
      console.log(`[divergence] NaN model (lean ${lean}), unfused loss read back ${l}; the loss's bits alone say ${alone ? 'finite' : 'not finite'}`);
      expect(alone).toBe(Number.isFinite(l) ? 1 : 0);
      // the adapter the suite runs on hides the NaN from the loss: the case the bit check of the parameters is for
      if (/swiftshader/i.test(gpu.deviceName)) expect(Number.isFinite(l), `SwiftShader: loss ${l} from NaN parameters`).toBe(true);
      expect(want).toBe(lean ? 1 : 4);
      expect(got, `lean ${lean}: flag ${got} of ${want}`).not.toBe(want);
      gpu.dispose(loss, x, y);
      m.dispose();
    }
  });

  it('the lean check is one dispatch over the parameter arena and the loss, recorded with the step (no extra submission or readback)', async () => {
    const m = new NeuralNetwork(gpu, { layers: [{ type: 'fc', nOut: 5, activation: 'tanh' }, { type: 'fc', nOut: 3, activation: 'softmax' }], loss: UNFUSED, optimizer: { type: 'sgd', lr: 0.1 } });
    const x = gpu.fromArray([1, 2, 3, 4, 5, 6], [2, 3]);
    const y = gpu.fromArray([1, 0, 0, 0, 0, 1], [2, 3]);
    const loss = m.computeLoss(x, y);
    m.backward();
    m.step();
    const s0 = { ...gpu.stats };
    const { flag, want } = m.finiteCheck(loss);
    expect(gpu.stats.dispatches - s0.dispatches).toBe(1);
    expect(gpu.stats.submissions - s0.submissions).toBe(0);
    expect(gpu.stats.readbacks - s0.readbacks).toBe(0);
    expect(want).toBe(1);
    expect(await readFlag(gpu, flag)).toBe(1);
    gpu.dispose(loss, x, y);
    m.dispose();
  });

  it('a session whose parameters turned NaN stops "diverged at step k", naming the parameters, on both backends', async () => {
    for (const [name, b] of backends()) {
      const c = collectingSink();
      const spec = { name: 'blobs' as const };
      const data = prepareSplits(spec, toyDataset('blobs', { seed: 2, part: 'train', perClass: 20 }), toyDataset('blobs', { seed: 2, part: 'test', perClass: 20 }), 2);
      const s = await TrainingSession.create(
        b,
        {
          dataset: spec,
          model: { layers: [{ type: 'fc', nOut: 6, activation: 'relu' }, { type: 'fc', nOut: 3, activation: 'softmax' }], loss: UNFUSED, optimizer: { type: 'sgd', lr: 0.1 } },
          batchSize: 10,
          epochs: 5,
          seed: 3,
          lossEvery: 1,
          flushMs: 0,
        },
        c.sink,
        { data },
      );
      await s.stepOnce(2);
      const arena = s.model.arena!.params;
      b.write(arena, new Float64Array(arena.size).fill(NaN));
      const snap = await s.stepOnce(1);
      expect(snap.state, name).toBe('diverged');
      expect(snap.divergedAt!.step).toBe(3);
      expect(snap.message, name).toMatch(/^diverged at step 3 \(lr 0\.1\): /);
      // on the GPU the loss may read back finite (then the parameters are named); on the CPU it is NaN
      if (snap.divergedAt!.cause === 'parameters') expect(snap.message).toContain('the parameters became NaN or ±Infinity');
      else expect(snap.divergedAt!.loss).toBe('NaN');
      expect(lossEvents(c.events()).map((e) => e.step)).toEqual([1, 2]);
      await s.dispose();
    }
  });
});

describe('unfused cross-entropy at the limits of floating point', () => {
  /** one sample x = 1, fc → 2 softmax with W = [0, 0], b = [0, −gap] */
  function confident(b: Backend, label: 0 | 1, gap: number, lean: boolean) {
    const m = new NeuralNetwork(b, { layers: [{ type: 'fc', nOut: 2, activation: 'softmax' }], loss: UNFUSED, optimizer: { type: 'sgd', lr: 0.5, momentum: 0.9 } }, { lean });
    m.build([1, 1]);
    m.setParameters([{ W: [[0, 0]], b: [[0, -gap]] }]);
    const x = b.fromArray([1], [1, 1]);
    const y = b.fromArray(label === 0 ? [1, 0] : [0, 1], [1, 2]);
    return { m, x, y };
  }

  it('a confident, correct prediction (b = [0, −120], label 0): dL/dŷ = [−1, 0], loss 0, parameters finite after steps (both backends, lean and explicit)', async () => {
    for (const [name, b] of backends()) {
      for (const lean of [true, false]) {
        const { m, x, y } = confident(b, 0, 120, lean);
        const loss = m.computeLoss(x, y);
        const yhat = m.layers[0]!.cache.Y!;
        const g = b.crossEntropyBackward(yhat, y);
        const dy = Array.from(await b.read(g));
        expect(dy, `${name} lean ${lean}: dL/dŷ`).toEqual([-1, 0]);
        expect((await b.read(loss))[0]).toBeCloseTo(0, 12);
        b.dispose(g, loss);
        m.backward();
        m.step();
        for (let i = 0; i < 3; i++) b.dispose(m.trainStep(x, y));
        expect(await allParametersFinite(m), `${name} lean ${lean}: parameters finite`).toBe(true);
        m.dispose();
      }
    }
  });

  it('where the target underflows (float32: gap 120, float64: gap 800), the loss is +Infinity and the gradient and parameters stay finite', async () => {
    for (const [name, b, gap] of [['WebGPU', gpu, 120], ['CPU', createCpuBackend(), 800]] as const) {
      for (const lean of [true, false]) {
        const { m, x, y } = confident(b, 1, gap, lean);
        const loss = m.trainStep(x, y);
        expect((await b.read(loss))[0], `${name} lean ${lean}: loss`).toBe(Infinity);
        b.dispose(loss);
        const grads = await m.readGradients();
        expect(Object.values(grads[0]!).every((t) => t.data.every(Number.isFinite)), `${name}: gradients finite`).toBe(true);
        expect(await allParametersFinite(m), `${name} lean ${lean}: parameters finite`).toBe(true);
        m.dispose();
      }
    }
    // float64 holds e^−120: the CPU reference's loss there is the exact 120
    const { m, x, y } = confident(createCpuBackend(), 1, 120, true);
    expect((await m.backend.read(m.trainStep(x, y)))[0]).toBeCloseTo(120, 9);
  });

  it('Iris, unfused cross-entropy, SGD lr 1e3: "diverged at step k" on both backends (never done), the cause and the fused loss named, parameters finite, no negative loss', async () => {
    for (const [name, b] of backends()) {
      const c = collectingSink();
      const s = await TrainingSession.create(b, irisConfig(1e3, UNFUSED), c.sink);
      const snap = await s.runToEnd();
      expect(snap.state, `${name}: ${snap.message}`).toBe('diverged');
      expect(snap.message).toMatch(/^diverged at step \d+ \(lr 1000\): the loss became Infinity: the probability ŷ of a target class underflowed to 0/);
      expect(snap.message).toContain("The fused loss (loss: 'cross_entropy')");
      expect(snap.divergedAt).toMatchObject({ cause: 'loss', loss: 'Infinity' });
      const losses = lossEvents(c.events());
      expect(losses.every((e) => Number.isFinite(e.loss) && e.loss >= 0)).toBe(true);
      expect(losses.every((e) => e.step < snap.divergedAt!.step)).toBe(true);
      expect(await allParametersFinite(s.model), `${name}: parameters`).toBe(true);
      await s.dispose();
    }
  });

  it('Iris, fused loss, SGD lr 1e3: "diverged at step k" on both backends', async () => {
    for (const [name, b] of backends()) {
      const s = await TrainingSession.create(b, irisConfig(1e3, 'cross_entropy'), () => {});
      const snap = await s.runToEnd();
      expect(snap.state, `${name}: ${snap.message}`).toBe('diverged');
      expect(snap.message).toMatch(/^diverged at step \d+ \(lr 1000\)/);
      await s.dispose();
    }
  });
});

describe('divergence found by the evaluation', () => {
  it('CPU, fused, lr 1e3, batch 16: the validation loss after step 54 is NaN while step 54\'s training loss read back finite — the message says so', async () => {
    const c = collectingSink();
    const s = await TrainingSession.create(createCpuBackend(), irisConfig(1e3, 'cross_entropy', 16), c.sink);
    const snap = await s.runToEnd();
    expect(snap.state).toBe('diverged');
    const d = snap.divergedAt!;
    expect(d).toMatchObject({ step: 54, cause: 'validation', loss: 'NaN', lastFiniteStep: 54 });
    const last = lossEvents(c.events()).at(-1)!;
    expect(last.step).toBe(54);
    expect(Number.isFinite(last.loss)).toBe(true);
    expect(snap.message).toBe(
      `diverged at step 54 (lr 1000): the validation loss, evaluated after step 54 (the end of epoch 9), became NaN; ` +
        `the training loss read back at step 54 was ${last.loss}; reset to start again`,
    );
    await s.dispose();
  });
});

describe('a refused change leaves the session as it was', () => {
  const spec = { name: 'spiral' as const };
  const data = prepareSplits(spec, toyDataset('spiral', { seed: 1, part: 'train' }), toyDataset('spiral', { seed: 1, part: 'test' }), 1);
  const config = (over: Partial<SessionConfig> = {}, hidden = 16): SessionConfig => ({
    dataset: spec,
    model: { layers: [{ type: 'fc', nOut: hidden, activation: 'relu' }, { type: 'fc', nOut: 3, activation: 'softmax' }], loss: 'cross_entropy', optimizer: { type: 'sgd', lr: 0.3 } },
    batchSize: 30,
    epochs: 3,
    seed: 7,
    lossEvery: 5,
    flushMs: 0,
    ...over,
  });

  /** the snapshot without the wall-clock fields */
  const still = (s: SessionSnapshot) => ({ ...s, trainMs: 0, examplesPerSec: 0 });

  /** counts the weights drawn: every parameter is made by fromArray */
  function counting(b: Backend): { backend: Backend; made: () => number } {
    let n = 0;
    const fromArray = b.fromArray.bind(b);
    (b as { fromArray: Backend['fromArray'] }).fromArray = (...args) => {
      n++;
      return fromArray(...args);
    };
    return { backend: b, made: () => n };
  }

  async function refusedHidden(b: Backend, hidden: number, name: string): Promise<void> {
    const { backend, made } = counting(b);
    const events: MetricEvent[] = [];
    const s = await TrainingSession.create(backend, config(), (batch) => events.push(...batch.events), { data });
    await s.stepOnce(4);
    const before = still(s.snapshot());
    const model = s.model;
    const params = await model.readParameters();
    const n0 = made();
    const e0 = events.length;
    const err = await s.setHiddenSize(hidden).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err, `${name}: refused`).toBeInstanceOf(DeviceLimitError);
    expect(String((err as Error).message), name).toMatch(/fc_0\.W|fc_0 output|parameter arena/);
    expect(made(), `${name}: no weight drawn for the refused model`).toBe(n0);
    expect(still(s.snapshot()), name).toEqual(before);
    expect(s.snapshot().hidden).toBe(16);
    expect(s.model).toBe(model);
    expect(events.slice(e0).filter((e) => e.kind === 'restart')).toEqual([]);
    expect(await s.model.readParameters()).toEqual(params);
    // training goes on from step 4 with the same model, and reset works
    expect((await s.stepOnce(1)).step).toBe(5);
    const r = await s.reset();
    expect(r).toMatchObject({ state: 'idle', step: 0, hidden: 16 });
    expect((await s.stepOnce(1)).step).toBe(1);
    // an accepted size still rebuilds
    expect(await s.setHiddenSize(24)).toMatchObject({ hidden: 24, step: 0 });
    await s.dispose();
  }

  it('WebGPU: setHiddenSize(67108865) is refused with the limit named, before any weight is drawn; nothing changes', async () => {
    await refusedHidden(gpu, 67108865, 'WebGPU');
  });

  it('CPU: setHiddenSize(2**31) is refused with the host bound named (no RangeError), before any weight is drawn; nothing changes', async () => {
    await refusedHidden(createCpuBackend(), 2 ** 31, 'CPU');
  });

  it('a refused setHiddenSize while training runs leaves it running, on the same model', async () => {
    const events: MetricEvent[] = [];
    const s = await TrainingSession.create(createCpuBackend(), config({ epochs: 1000 }), (batch) => events.push(...batch.events), { data });
    const model = s.model;
    await s.start();
    await expect(s.setHiddenSize(2 ** 31)).rejects.toThrow(DeviceLimitError);
    expect(s.snapshot()).toMatchObject({ state: 'running', hidden: 16, run: 0 });
    expect(s.model).toBe(model);
    const paused = await s.pause();
    expect(paused.state).toBe('paused');
    expect(events.filter((e) => e.kind === 'restart')).toEqual([]);
    await s.dispose();
  });

  it('setBatchSize: a bad value, or a batch whose activations the backend cannot hold, is refused and changes nothing', async () => {
    // 2^20 hidden units: fine at batch 30 (3·10^7 activations), above the CPU bound of 2^27 at 300
    const s = await TrainingSession.create(createCpuBackend(), config({ evalBatchSize: 30 }, 2 ** 20), () => {}, { data });
    await s.stepOnce(1);
    const before = still(s.snapshot());
    for (const bad of [0, 2.5, -1, NaN]) await expect(s.setBatchSize(bad)).rejects.toThrow(/batchSize must be a positive integer/);
    await expect(s.setBatchSize(300)).rejects.toThrow(DeviceLimitError);
    await expect(s.setBatchSize(300)).rejects.toThrow(/fc_0 output \(300, 1048576\) has 314572800 elements, above the CPU reference's bound/);
    expect(still(s.snapshot())).toEqual(before);
    expect((await s.setBatchSize(20)).batchSize).toBe(20);
    await s.dispose();
  });

  it('a session or model the backend cannot hold is refused at creation, before any weight is drawn', async () => {
    for (const [name, b0] of backends()) {
      const { backend, made } = counting(b0);
      const hidden = name === 'CPU' ? 2 ** 31 : 67108865;
      await expect(TrainingSession.create(backend, config({}, hidden), () => {}, { data }), name).rejects.toThrow(DeviceLimitError);
      const m = new NeuralNetwork(backend, config({}, hidden).model);
      expect(() => m.build([1, 2]), name).toThrow(DeviceLimitError);
      expect(made(), name).toBe(0);
      expect(m.built).toBe(false);
    }
  });
});

/** a two-cell sweep (lr 0.1 and 1e3, unfused loss) on a toy set */
async function sweepTwo(b: Backend): Promise<void> {
  const spec = { name: 'blobs' as const };
  const data = prepareSplits(spec, toyDataset('blobs', { seed: 2, part: 'train', perClass: 20 }), toyDataset('blobs', { seed: 2, part: 'test', perClass: 20 }), 2);
  const table = await runSweep(
    b,
    {
      base: {
        dataset: spec,
        model: { layers: [{ type: 'fc', nOut: 4, activation: 'relu' }, { type: 'fc', nOut: 3, activation: 'softmax' }], loss: UNFUSED, optimizer: { type: 'sgd', lr: 0.1 } },
        batchSize: 10,
        epochs: 30,
        seed: 1,
        lossEvery: 1,
        flushMs: 0,
      },
      learningRates: [0.1, 1e3],
      hiddenSizes: [4],
    },
    data,
  );
  const byLr = new Map(table.rows.map((r) => [r.lr, r]));
  expect(byLr.get(0.1)!.state, b.kind).toBe('done');
  expect(byLr.get(1e3)!).toMatchObject({ state: 'diverged', testAccuracy: null, rank: 2 });
  expect(byLr.get(1e3)!.message, b.kind).toMatch(/^diverged at step \d+ \(lr 1000\)/);
}

describe('sweeps', () => {
  it('a grid cell at lr 1e3 with the unfused loss ends diverged (both backends), its neighbour trains', async () => {
    for (const [, b] of backends()) await sweepTwo(b);
  });
});
