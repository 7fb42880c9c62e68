// Seeded mutation fuzzing of the two JSON inputs that are not data files: saved model
// files (NeuralNetwork.load on the CPU reference) and the requests the training worker
// receives (parseRequest, then the message handler itself). Every input ends in a
// load/answer or in a DataFormatError with a message — never a raw TypeError or
// RangeError — and a model load makes no more parameters than the file carries values.

import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../src/engine/cpu/reference-backend';
import { DataFormatError, toyDataset } from '../src/nn/data';
import { type ModelConfig, NeuralNetwork, normalizeModelConfig } from '../src/nn/model';
import { modelShapes } from '../src/nn/serialize';
import { createMessageHandler } from '../src/train/handler';
import { parseRequest, type Request, sampleShapeOf, type SessionConfig, type WorkerMessage } from '../src/train/protocol';
import { Rng } from '../src/engine/random';
import type { DatasetName } from '../src/nn/data/load';
import { failures, fuzz, mutateJsonText, mutateValue, type FuzzCase } from './helpers/fuzz';

const N = 1000;
const cpu = createCpuBackend();

const MLP: ModelConfig = {
  layers: [
    { type: 'fc', nOut: 5, activation: 'tanh' },
    { type: 'fc', nOut: 3, activation: 'softmax' },
  ],
  loss: 'cross_entropy',
  optimizer: { type: 'sgd', lr: 0.5, momentum: 0.9 },
  seed: 7,
};
const CNN: ModelConfig = {
  layers: [
    { type: 'conv2d', nOut: 2, kernel: 3, pad: 'same', activation: 'relu' },
    { type: 'pool2d', mode: 'max', kernel: 2, stride: 2 },
    { type: 'flatten' },
    { type: 'fc', nOut: 3, activation: 'softmax' },
  ],
  loss: 'cross_entropy',
  optimizer: { type: 'adam', lr: 0.01 },
  seed: 3,
};

async function saved(config: ModelConfig, input: number[]): Promise<unknown> {
  const m = new NeuralNetwork(cpu, config);
  m.build([1, ...input]);
  const f = await m.save();
  m.dispose();
  return JSON.parse(JSON.stringify(f));
}

describe('fuzz: model files', () => {
  it(`model JSON: ${N} mutated files load or are refused with a DataFormatError before any tensor is made`, async () => {
    const bases = [await saved(MLP, [4]), await saved(CNN, [6, 6, 1])];
    let madeBytes = 0;
    const r = await fuzz<string>({
      format: 'model JSON',
      count: N,
      seed: 6_000_000,
      make: (rng) => mutateJsonText(rng, bases[rng.int(bases.length)]),
      run: (text) => {
        madeBytes = 0;
        const model = NeuralNetwork.load(cpu, text);
        // what the load made: every parameter as float64 on the CPU reference
        for (const l of model.layers) for (const t of Object.values(l.parameters)) madeBytes += 8 * t.shape.reduce((a, b) => a * b, 1);
        model.dispose();
      },
      size: (text) => text.length,
      made: () => madeBytes,
      // each value takes at least 2 characters ("0,"), so 8 bytes a value is ≤ 4× the text
      allowed: (text) => 4 * text.length + 1024,
    });
    expect(failures(r)).toBe('');
    expect(r.parsed).toBeGreaterThan(0);
    expect(r.errors).toBeGreaterThan(N / 2);
  });
});

// ── worker requests ────────────────────────────────────────────────────────────

const CONFIG: SessionConfig = {
  dataset: { name: 'blobs', validationFraction: 0.25, toy: { perClass: 10 } },
  model: { layers: [{ type: 'fc', nOut: 4, activation: 'relu' }, { type: 'fc', nOut: 3, activation: 'softmax' }], loss: 'cross_entropy', optimizer: { type: 'sgd', lr: 0.1 } },
  batchSize: 8,
  epochs: 2,
  seed: 1,
  lossEvery: 1,
};
const REQUESTS: Request[] = [
  { id: 1, type: 'init', config: CONFIG, prefer: 'cpu' },
  { id: 2, type: 'start' },
  { id: 3, type: 'pause' },
  { id: 4, type: 'resume' },
  { id: 5, type: 'step', count: 2 },
  { id: 6, type: 'stop' },
  { id: 7, type: 'reset' },
  { id: 8, type: 'setLearningRate', lr: 0.01 },
  { id: 9, type: 'setHiddenSize', hidden: 6 },
  { id: 10, type: 'setBatchSize', batchSize: 4 },
  { id: 11, type: 'setEpochs', epochs: 3 },
  { id: 12, type: 'trace', maxValues: 8 },
  { id: 13, type: 'sweep', spec: { base: CONFIG, learningRates: [0.1], hiddenSizes: [4] } },
  { id: 14, type: 'snapshot' },
  { id: 15, type: 'testSet' },
  { id: 16, type: 'predictTest', chunk: 8 },
  { id: 17, type: 'dispose' },
];
const WHOLE: unknown[] = [null, undefined, 5, 'init', [], {}, { type: 'init' }, { id: 1, type: 'init' }, { id: 1, type: 'init', config: null }, { id: 1 }, { id: 1, type: 'nope' }];

/** parameters of an init's model on its dataset's examples */
function parameterCount(c: SessionConfig): number {
  const layers = normalizeModelConfig({ ...c.model, seed: 0 }).layers;
  const shapes = modelShapes(layers, sampleShapeOf(c.dataset.name as DatasetName, c.dataset.layout === 'flat'));
  return shapes.reduce((s, p) => s + Object.values(p).reduce((a, sh) => a + sh.reduce((x, y) => x * y, 1), 0), 0);
}

function mutateRequest(rng: Rng): FuzzCase<unknown> {
  if (rng.uniform() < 0.05) {
    const v = WHOLE[rng.int(WHOLE.length)];
    return { input: v, how: `the request is ${JSON.stringify(v) ?? 'undefined'}` };
  }
  // half the mutations go to init, whose configuration has the most fields
  const base = rng.uniform() < 0.5 ? REQUESTS[0]! : REQUESTS[rng.int(REQUESTS.length)]!;
  const m = mutateValue(rng, base);
  return { input: m.input, how: `${base.type}: ${m.how}` };
}

describe('fuzz: worker requests', () => {
  it(`worker requests: ${N} mutated requests are answered, or refused naming the request type and field`, async () => {
    const r = await fuzz<unknown>({
      format: 'worker requests',
      count: N,
      seed: 7_000_000,
      make: mutateRequest,
      run: async (req) => {
        let parsed: Request | null = null;
        try {
          parsed = parseRequest(req);
        } catch (e) {
          if (!(e instanceof DataFormatError)) throw e;
        }
        // requests that start a training loop or a sweep are covered by the protocol tests;
        // an init within the limits but with a model too large to build quickly here is parsed only
        if (parsed && ['start', 'resume', 'step', 'sweep'].includes(parsed.type)) return;
        if (parsed?.type === 'init' && parameterCount(parsed.config) > 100_000) return;
        const posted: WorkerMessage[] = [];
        const handle = createMessageHandler({
          post: (m) => posted.push(m),
          createBackend: async () => ({ backend: cpu, fallbackReason: null }),
          ownsBackend: false,
          loadData: async () => {
            const ds = toyDataset('blobs', { perClass: 10 });
            return { train: ds, validation: null, test: null };
          },
        });
        await handle(req as Request);
        const reply = posted.find((m) => m.type === 'reply');
        await handle({ id: 0, type: 'dispose' });
        if (!reply) throw new Error('no reply');
        if (!reply.ok) {
          // the handler answers with a message; a request parseRequest refused is answered with its refusal
          if (!parsed && !/ request: |^request: /.test(reply.error)) throw new Error(`refused without naming the request: ${reply.error}`);
          throw new DataFormatError(reply.error);
        }
      },
      size: (req) => (JSON.stringify(req) ?? '').length,
    });
    expect(failures(r)).toBe('');
    expect(r.parsed).toBeGreaterThan(0);
    expect(r.errors).toBeGreaterThan(0);
  });
});
