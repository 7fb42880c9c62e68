// The results of a run, outside the browser: a run's history taken from a training
// store's series and thinned to the saved bound, its metrics as CSV, the standalone SVG
// around an exported chart, and the model file round trip through the training worker's
// handler on Iris (the CPU reference): snapshot → the package's JSON → back into the
// session with the same predictions; a file of another architecture refused with the
// session untouched. (The IndexedDB store itself runs in the browser: e2e/results.spec.ts.)

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCpuBackend } from '../src/engine/cpu/reference-backend';
import { setDataFetcher } from '../src/nn/data/load';
import { NeuralNetwork } from '../src/nn/model';
import { checkModelFile, type ModelFile } from '../src/nn/serialize';
import { architectureMismatch, describeArchitecture, modelFileOf } from '../src/notebook/cells/model-file';
import { finalMetrics, MAX_SAVED_POINTS, runCsv, runHistory, runSettings, settingsSummary, sweepRecord, sweepSummary, thinSeries } from '../src/store/runs';
import type { EvalPoint, Marker, SeriesPoint } from '../src/store/training';
import { createMessageHandler } from '../src/train/handler';
import type { ModelSnapshot, TestPredictions } from '../src/train/inspect';
import { parseRequest, type Request, type SessionConfig, type SessionSnapshot, type SweepRow, type WorkerMessage } from '../src/train/protocol';
import { escapeXml, fileStem, wrapSvg } from '../src/ui/export-chart';
import { nodeDataFetcher } from './fixtures/data-node';

function evalAt(run: number, step: number, epoch: number, x: number, ex: number, acc: number | null): EvalPoint {
  return { x, ex, run, step, epoch, trainLoss: 1 / (epoch + 1), valLoss: null, valAccuracy: acc, testLoss: null, testAccuracy: acc === null ? null : acc - 0.01 };
}

describe('a run from the store, thinned and written as CSV', () => {
  // run 0: steps 1…5000 (10 steps an epoch); a new model at global step 5000 (epoch 500); run 1: steps 1…20
  const loss: SeriesPoint[] = [];
  for (let k = 1; k <= 5000; k++) loss.push({ x: k, ex: k / 10, run: 0, step: k, value: 2 / k });
  for (let k = 1; k <= 20; k++) loss.push({ x: 5000 + k, ex: 500 + k / 10, run: 1, step: k, value: 1 / k });
  const evals = [evalAt(0, 10, 1, 10, 1, 0.5), evalAt(0, 20, 2, 20, 2, 0.75), evalAt(1, 10, 1, 5010, 501, 0.9), evalAt(1, 20, 2, 5020, 502, 0.95)];
  const markers: Marker[] = [{ kind: 'restart', x: 5000, ex: 500, run: 1, step: 0, label: 'new model: 5 hidden' }];
  const series = { loss, evals, markers };

  it('keeps one run, counts its epochs from its own start, and thins each series to at most the bound, ends kept', () => {
    const h0 = runHistory(series, 0);
    expect(h0.loss.length).toBeLessThanOrEqual(MAX_SAVED_POINTS);
    expect(h0.loss.length).toBeGreaterThan(MAX_SAVED_POINTS / 4);
    expect(h0.loss[0]).toEqual({ step: 1, epoch: 0.1, value: 2 });
    expect(h0.loss.at(-1)).toEqual({ step: 5000, epoch: 500, value: 2 / 5000 });
    expect(h0.loss.every((p, i) => i === 0 || p.step > h0.loss[i - 1]!.step)).toBe(true);
    expect(h0.evals.map((e) => e.step)).toEqual([10, 20]);
    const h1 = runHistory(series, 1);
    expect(h1.loss).toHaveLength(20);
    expect(h1.loss[9]).toEqual({ step: 10, epoch: 1, value: 0.1 });
    expect(h1.evals.map((e) => [e.step, e.epoch, e.valAccuracy])).toEqual([[10, 1, 0.9], [20, 2, 0.95]]);
    expect(finalMetrics(h1)).toEqual({ loss: 1 / 20, trainLoss: 1 / 3, valLoss: null, valAccuracy: 0.95, testLoss: null, testAccuracy: 0.94 });
    // a short series is copied as it is
    const few = [{ step: 1 }, { step: 2 }];
    expect(thinSeries(few, 4)).toEqual(few);
    expect(thinSeries(few, 4)).not.toBe(few);
  });

  it('CSV: a header with the columns the run has, one row per step, evaluations on their step, empty cells for none', () => {
    const csv = runCsv(runHistory(series, 1));
    const lines = csv.trimEnd().split('\n');
    expect(lines[0]).toBe('step,epoch,loss,train_loss_epoch_mean,validation_accuracy,test_accuracy');
    expect(lines).toHaveLength(21);
    expect(lines[1]).toBe('1,0.1,1,,,');
    expect(lines[10]).toBe('10,1,0.1,0.5,0.9,0.89');
    expect(lines[20]).toBe(`20,2,0.05,${1 / 3},0.95,0.94`);
    // a run with no evaluation yet: three columns; a step with an evaluation but no loss read still has its row
    expect(runCsv({ loss: [{ step: 3, epoch: 0.3, value: 0.25 }], evals: [] })).toBe('step,epoch,loss\n3,0.3,0.25\n');
    const onlyEval = runCsv({ loss: [], evals: [{ step: 4, epoch: 1, trainLoss: null, valLoss: 0.5, valAccuracy: null, testLoss: null, testAccuracy: null }] });
    expect(onlyEval).toBe('step,epoch,loss,validation_loss\n4,1,,0.5\n');
  });

  it('settings from the session configuration and its snapshot, summarized', () => {
    const config = {
      dataset: { name: 'iris' },
      model: { layers: [{ type: 'fc', nOut: 8, activation: 'relu' }, { type: 'fc', nOut: 3, activation: 'softmax' }], loss: 'cross_entropy', optimizer: { type: 'sgd', lr: 0.1 } },
      batchSize: 8,
      epochs: 200,
      seed: 42,
    } as SessionConfig;
    const s = runSettings(config, null, 'CPU reference');
    expect(s).toEqual({ dataset: 'iris', lr: 0.1, hidden: 8, batchSize: 8, epochs: 200, seed: 42, optimizer: 'sgd', backend: 'CPU reference' });
    expect(settingsSummary(s)).toBe('lr 0.1 · 8 hidden · batch 8 · 200 epochs · seed 42 · SGD · CPU reference');
    const live = runSettings(config, { lr: 0.5, hidden: 5, batchSize: 4, epochs: 30 } as SessionSnapshot, 'WebGPU');
    expect([live.lr, live.hidden, live.batchSize, live.epochs]).toEqual([0.5, 5, 4, 30]);
  });
});

describe('a sweep kept', () => {
  it('its record copies the grid and the table; its summary names the grid', () => {
    const base = { dataset: { name: 'iris' }, model: { layers: [], loss: 'cross_entropy', optimizer: { type: 'sgd', lr: 0.1 } }, batchSize: 8, epochs: 30, seed: 1 } as unknown as SessionConfig;
    const spec = { base, learningRates: [0.1, 0.01], hiddenSizes: [4], rankBy: 'test' as const };
    const row = { index: 0, lr: 0.1, hidden: 4, state: 'done', epochs: 30, steps: 450, finalTrainLoss: 0.1, valAccuracy: null, testAccuracy: 0.97, error: 0.03, wallMs: 10, rank: 1, best: true, message: '' } as SweepRow;
    const w = sweepRecord({ id: 'iris-sweep-1', chapter: 'iris', cell: 'Iris sweep', status: 'stopped', spec, rows: [row], total: 2, rankBy: 'test', wallMs: 12, savedAt: 5 });
    expect(w).toEqual({ id: 'iris-sweep-1', chapter: 'iris', cell: 'Iris sweep', savedAt: 5, status: 'stopped', dataset: 'iris', learningRates: [0.1, 0.01], hiddenSizes: [4], epochs: 30, seed: 1, rankBy: 'test', total: 2, rows: [row], wallMs: 12 });
    expect(w.rows[0]).not.toBe(row);
    expect(w.learningRates).not.toBe(spec.learningRates);
    expect(sweepSummary(w)).toBe('2 learning rates (0.1, 0.01) × 1 hidden size (4), 30 epochs per run, seed 1');
  });
});

describe('the exported chart as a standalone SVG', () => {
  it('wraps the chart below its title and legend, on white, with the size in pixels and text escaped', () => {
    const inner = '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="200"><path d="M0,0L10,10" style="stroke:#123456"/></svg>';
    const legend = [{ name: 'loss <train>', color: '#1f77b4' }, { name: 'validation & test', color: '#ff7f0e', dash: '5 4', faint: true }];
    const text = wrapSvg({ inner, width: 400, height: 200, title: 'Loss "A&B"', legend });
    expect(text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    const [, w, h] = /<svg[^>]*\swidth="(\d+)" height="(\d+)"/.exec(text)!;
    expect(Number(w)).toBe(400);
    // title row + one legend row + the chart
    expect(Number(h)).toBe(26 + 18 + 4 + 200);
    expect(text).toContain('<title>Loss &quot;A&amp;B&quot;</title>');
    expect(text).toContain('>loss &lt;train&gt;</text>');
    expect(text).toContain('stroke-dasharray="5 4"');
    expect(text).toContain(`<g transform="translate(0, 48)">${inner}</g>`);
    expect(text).toContain('<rect x="0" y="0" width="400" height="248" fill="#ffffff"/>');
    // a long legend wraps to a second row: the document grows by one row
    const many = Array.from({ length: 8 }, (_, i) => ({ name: `a fairly long series name ${i}`, color: '#000' }));
    const tall = wrapSvg({ inner, width: 400, height: 200, title: 't', legend: many });
    expect(Number(/height="(\d+)"/.exec(tall)![1])).toBeGreaterThanOrEqual(26 + 18 * 4 + 4 + 200);
    expect(escapeXml(`<'&">`)).toBe('&lt;&apos;&amp;&quot;&gt;');
    expect(fileStem('Accuracy per epoch')).toBe('accuracy-per-epoch');
    expect(fileStem('Iris training')).toBe('iris-training');
    expect(fileStem('∑')).toBe('chart');
  });
});

describe('a model out of the session as the package JSON, and back in', () => {
  const cpu = createCpuBackend();
  beforeAll(() => setDataFetcher(nodeDataFetcher()));
  afterAll(() => setDataFetcher(null));
  const config: SessionConfig = {
    dataset: { name: 'iris', standardize: true, testFraction: 0.2, validationFraction: 0.2 },
    model: { layers: [{ type: 'fc', nOut: 8, activation: 'relu' }, { type: 'fc', nOut: 3, activation: 'softmax' }], loss: 'cross_entropy', optimizer: { type: 'sgd', lr: 0.1 } },
    batchSize: 8,
    epochs: 5,
    seed: 7,
    lossEvery: 1,
  };

  /** a request without its id (each kind of request on its own) */
  type Ask = Request extends infer R ? (R extends Request ? Omit<R, 'id'> : never) : never;

  async function worker() {
    const posted: WorkerMessage[] = [];
    const handle = createMessageHandler({ post: (m) => posted.push(m), createBackend: async () => ({ backend: cpu, fallbackReason: null }), ownsBackend: false });
    let id = 0;
    const ask = async <T,>(req: Ask): Promise<{ ok: true; value: T } | { ok: false; error: string }> => {
      const my = ++id;
      await handle({ ...req, id: my } as Request);
      const r = posted.find((m) => m.type === 'reply' && m.id === my);
      if (!r || r.type !== 'reply') throw new Error('no reply');
      return r.ok ? { ok: true, value: r.value as T } : { ok: false, error: r.error };
    };
    const value = async <T,>(req: Ask): Promise<T> => {
      const r = await ask<T>(req);
      if (!r.ok) throw new Error(r.error);
      return r.value;
    };
    return { ask, value };
  }

  it('the file passes checkModelFile, loads into a NeuralNetwork with the same outputs, and setParameters gives the session the same predictions', async () => {
    const w = await worker();
    await w.value({ type: 'init', config, prefer: 'cpu' });
    await w.value({ type: 'step', count: 30 });
    const before = await w.value<TestPredictions>({ type: 'predictTest' });
    const snap = await w.value<ModelSnapshot>({ type: 'snapshot' });
    const text = JSON.stringify(modelFileOf(snap));
    const file = checkModelFile(text);
    expect(describeArchitecture(file.config.layers, file.inputShape)).toBe('4 → 8 (relu) → 3 (softmax)');

    // the package's own loader reads the file: the same parameters
    const model = NeuralNetwork.load(cpu, text);
    const params = await model.readParameters();
    for (const [i, l] of snap.layers.entries()) for (const [k, t] of Object.entries(l.parameters)) expect(Array.from(params[i]![k]!.data)).toEqual(Array.from(t.data));
    model.dispose();

    // a new model (Reset) predicts otherwise; the file's parameters bring the predictions back exactly
    await w.value({ type: 'reset' });
    await w.value({ type: 'step', count: 3 });
    const other = await w.value<TestPredictions>({ type: 'predictTest' });
    expect(Array.from(other.probs)).not.toEqual(Array.from(before.probs));
    const loaded = await w.value<SessionSnapshot>({ type: 'setParameters', file: JSON.parse(text) as ModelFile });
    expect(loaded).toMatchObject({ state: 'idle', step: 0, hidden: 8 });
    const after = await w.value<TestPredictions>({ type: 'predictTest' });
    expect(Array.from(after.predicted)).toEqual(Array.from(before.predicted));
    expect(Array.from(after.probs)).toEqual(Array.from(before.probs));
    // and training continues from them
    const stepped = await w.value<SessionSnapshot>({ type: 'step', count: 2 });
    expect(stepped.step).toBe(2);
  });

  it('a file of another architecture is refused, naming both networks, and the session is left as it was', async () => {
    const w = await worker();
    await w.value({ type: 'init', config, prefer: 'cpu' });
    await w.value({ type: 'step', count: 4 });
    const eight = modelFileOf(await w.value<ModelSnapshot>({ type: 'snapshot' }));
    await w.value({ type: 'setHiddenSize', hidden: 5 });
    await w.value({ type: 'step', count: 6 });
    const live = await w.value<ModelSnapshot>({ type: 'snapshot' });
    const predicted = await w.value<TestPredictions>({ type: 'predictTest' });

    expect(architectureMismatch(eight, live)).toBe(
      "This file holds a 4 → 8 (relu) → 3 (softmax) network, but the page's network is 4 → 5 (relu) → 3 (softmax): its parameters do not fit. Set the hidden size to 8 first, then load the file again. Nothing was changed.",
    );
    expect(architectureMismatch(modelFileOf(live), live)).toBeNull();

    const refused = await w.ask({ type: 'setParameters', file: eight });
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.error).toMatch(/does not match this model: layer 0/);
    const still = await w.value<ModelSnapshot>({ type: 'snapshot' });
    expect([still.run, still.step]).toEqual([live.run, live.step]);
    expect(Array.from((await w.value<TestPredictions>({ type: 'predictTest' })).probs)).toEqual(Array.from(predicted.probs));
  });

  it('parseRequest refuses a setParameters whose file is not a model file, with the checker’s message', () => {
    expect(() => parseRequest({ id: 1, type: 'setParameters', file: { format: 'x' } })).toThrow(
      'setParameters request: model file: format is "x", expected "backprop-notebook/nn-model"',
    );
    expect(() => parseRequest({ id: 1, type: 'setParameters' })).toThrow(/setParameters request: model file: expected an object, got missing/);
  });
});
