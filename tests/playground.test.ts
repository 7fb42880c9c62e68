// The playground's pure parts: the URL schema of the architecture and the settings, the
// data sets as the network sees them, the boundary grid and its image, and the trainer
// (it learns XOR; one SGD step moves every weight by −η·g).

import { describe, expect, it } from 'vitest';
import { makePlaygroundData, scaleOf, standardize } from '../src/notebook/chapters/playground/data';
import { forwardDense } from '../src/notebook/chapters/playground/forward';
import { boundaryPixels, gridPoints, hashBytes, linePoints, predictedClasses, ticks } from '../src/notebook/chapters/playground/grid';
import {
  checkLayers,
  classCount,
  formatLayers,
  parseLayers,
  PLAYGROUND_DEFAULTS,
  playgroundSettings,
  playgroundUrlBinding,
  usePlaygroundSettings,
  type PlaygroundSettings,
} from '../src/notebook/chapters/playground/settings';
import { PlaygroundTrainer, playgroundModel } from '../src/notebook/chapters/playground/trainer';
import { untakenKeys } from '../src/store/url';

const settingsWith = (o: Partial<PlaygroundSettings>): PlaygroundSettings => ({ ...PLAYGROUND_DEFAULTS, ...o });

describe('the architecture in the URL', () => {
  it('writes and reads width then activation per hidden layer', () => {
    const layers = [
      { width: 8, activation: 'tanh' as const },
      { width: 3, activation: 'relu' as const },
      { width: 12, activation: 'sigmoid' as const },
    ];
    expect(formatLayers(layers)).toBe('8tanh,3relu,12sigmoid');
    expect(parseLayers('8tanh,3relu,12sigmoid')).toEqual(layers);
  });

  it('refuses a width out of bounds, an unknown activation, no layer or more than six', () => {
    for (const raw of ['0tanh', '13relu', '8elu', '8', 'tanh', '', '1relu,1relu,1relu,1relu,1relu,1relu,1relu', '8tanh,,4relu', '-2relu'])
      expect(parseLayers(raw), raw).toBeUndefined();
    expect(parseLayers('1relu,1relu,1relu,1relu,1relu,1relu')).toHaveLength(6);
  });

  it('names the layer and the bound in its message', () => {
    expect(checkLayers([{ width: 8, activation: 'tanh' }, { width: 0, activation: 'relu' }])).toBe(
      'hidden layer 2: the width must be an integer in [1, 12], got 0',
    );
    expect(checkLayers([{ width: 2, activation: 'elu' }])).toBe('hidden layer 1: the activation must be one of relu, sigmoid, tanh, got elu');
    expect(checkLayers([])).toBe('the network has 1 to 6 hidden layers, got 0');
  });

  it('reads an experiment from a link and drops only the refused keys', () => {
    const q = new URLSearchParams('pg.data=circles&pg.net=4relu,4relu,2tanh&pg.opt=sgd&pg.lr=-1&pg.bs=7&pg.k=9');
    playgroundUrlBinding.read(q);
    const s = playgroundSettings();
    expect(s.data).toBe('circles');
    expect(formatLayers(s.layers)).toBe('4relu,4relu,2tanh');
    expect(s.optimizer).toBe('sgd');
    expect(s.lr).toBe(0.3); // refused: the optimizer's default holds
    expect(s.batchSize).toBe(7);
    expect(s.classes).toBe(3);
    expect(untakenKeys(playgroundUrlBinding, q).sort()).toEqual(['pg.k', 'pg.lr']);
    // the defaults are not written
    playgroundUrlBinding.read(new URLSearchParams(''));
    expect(Object.values(playgroundUrlBinding.write()).filter((v) => v !== null)).toEqual([]);
  });

  it('sets with a message naming the setting, and a new data set brings its noise and loss', () => {
    const set = usePlaygroundSettings.getState().set;
    expect(() => set('batchSize', 0)).toThrow('the batch size must be an integer in [1, 1800], got 0');
    set('data', 'reg1');
    expect(playgroundSettings().loss).toBe('mse');
    set('data', 'blobs');
    expect(playgroundSettings()).toMatchObject({ loss: 'cross_entropy', noise: 1 });
    set('optimizer', 'momentum');
    expect(playgroundSettings().lr).toBe(0.03);
    playgroundUrlBinding.read(new URLSearchParams(''));
  });
});

describe('the data', () => {
  it('spiral: k classes of n points, standardized inputs, one-hot targets', () => {
    const d = makePlaygroundData(settingsWith({ data: 'spiral', classes: 4, perClass: 30 }));
    expect([d.n, d.d, d.k]).toEqual([120, 2, 4]);
    for (const c of [0, 1]) {
      const s = scaleOf(d.inputs, 2, c);
      expect(s.mean).toBeCloseTo(0, 12);
      expect(s.std).toBeCloseTo(1, 12);
    }
    for (let i = 0; i < d.n; i++) {
      const row = Array.from(d.targets.subarray(i * 4, i * 4 + 4));
      expect(row.reduce((a, b) => a + b)).toBe(1);
      expect(row[d.labels[i]!]).toBe(1);
    }
    // the plot is square and holds every point
    expect(d.extent.x[1] - d.extent.x[0]).toBeCloseTo(d.extent.y[1] - d.extent.y[0], 12);
    for (let i = 0; i < d.n; i++) {
      expect(d.raw[2 * i]).toBeGreaterThan(d.extent.x[0]);
      expect(d.raw[2 * i]).toBeLessThan(d.extent.x[1]);
    }
  });

  it('circles and xor have two classes whatever the class setting', () => {
    expect(classCount(settingsWith({ data: 'circles', classes: 5 }))).toBe(2);
    expect(makePlaygroundData(settingsWith({ data: 'xor', classes: 5, perClass: 10 })).k).toBe(2);
  });

  it('the same seed gives the same points, another seed other points', () => {
    const a = makePlaygroundData(settingsWith({ data: 'blobs', dataSeed: 3 }));
    const b = makePlaygroundData(settingsWith({ data: 'blobs', dataSeed: 3 }));
    const c = makePlaygroundData(settingsWith({ data: 'blobs', dataSeed: 4 }));
    expect(a.raw).toEqual(b.raw);
    expect(a.raw).not.toEqual(c.raw);
  });

  it("the course's curves: the exact points, standardized x and y", () => {
    const d = makePlaygroundData(settingsWith({ data: 'reg1' }));
    expect([d.n, d.d, d.k]).toEqual([13, 1, 1]);
    expect(Array.from(d.y)).toEqual([8, 6, 4, 2, 0, 2, 4, 2, 0, 2, 4, 6, 8]);
    expect(d.targets[0]! * d.targetScale.std + d.targetScale.mean).toBeCloseTo(8, 12);
    expect(standardize([6], d.inputScale)[0]).toBeCloseTo(0, 12);
    expect(makePlaygroundData(settingsWith({ data: 'reg2' })).n).toBe(11);
  });
});

describe('the boundary grid', () => {
  it('cell centres run row-major from the top-left corner', () => {
    const g = gridPoints({ x: [0, 4], y: [0, 2] }, 2);
    expect(Array.from(g)).toEqual([1, 1.5, 3, 1.5, 1, 0.5, 3, 0.5]);
    expect(Array.from(linePoints([0, 1], 3))).toEqual([0, 0.5, 1]);
  });

  it('colours a sure cell in its class colour (tinted), a chance cell white', () => {
    // 2 cells × 2 classes: sure of class 1; 50/50
    const img = boundaryPixels([0, 1, 0.5, 0.5, 1, 0, 0.5, 0.5], 2, 2, ['#0000ff', '#ff0000']);
    expect(Array.from(img.subarray(0, 4))).toEqual([255, Math.round(255 * 0.45), Math.round(255 * 0.45), 255]);
    expect(Array.from(img.subarray(4, 8))).toEqual([255, 255, 255, 255]);
    expect(Array.from(img.subarray(8, 12))).toEqual([Math.round(255 * 0.45), Math.round(255 * 0.45), 255, 255]);
    expect(Array.from(predictedClasses([0, 1, 0.5, 0.5, 1, 0], 2))).toEqual([1, 0, 0]);
  });

  it('puts round ticks on the axes', () => {
    expect(ticks(-1.2, 9.2)).toEqual([0, 2, 4, 6, 8]);
    expect(ticks(-1.13, 1.13)).toEqual([-1, -0.5, 0, 0.5, 1]);
    expect(ticks(-0.6, 12.6)).toEqual([0, 5, 10]);
    expect(ticks(3, 3)).toEqual([3]);
  });

  it('refuses probabilities that do not fill the grid', () => {
    expect(() => boundaryPixels([1, 0], 2, 2, ['#000000', '#ffffff'])).toThrow('2 probabilities for a 2×2 grid of 2 classes');
  });

  it('hashes equal pixels equally and different pixels differently', () => {
    expect(hashBytes([1, 2, 3])).toBe(hashBytes(new Uint8ClampedArray([1, 2, 3])));
    expect(hashBytes([1, 2, 3])).not.toBe(hashBytes([1, 2, 4]));
    expect(hashBytes([])).toMatch(/^[0-9a-f]{8}$/);
  });
});

describe('the trainer', () => {
  it('learns XOR with two hidden layers', async () => {
    const s = settingsWith({ data: 'xor', noise: 0, perClass: 50, layers: [{ width: 8, activation: 'tanh' }, { width: 8, activation: 'tanh' }] });
    const data = makePlaygroundData(s);
    const t = new PlaygroundTrainer(data, playgroundModel(s, data.k), 16, s.seed);
    const before = await t.evaluate();
    const r = await t.train(1400);
    expect(r).toMatchObject({ steps: 1400, finite: true });
    const after = await t.evaluate();
    expect(after.loss).toBeLessThan(before.loss / 4);
    expect(after.accuracy).toBeGreaterThanOrEqual(0.95);
    // 7 batches an epoch (6 of 16, one of 4): the 200th epoch began at step 1394
    expect(t.epoch).toBe(199);
    t.dispose();
  });

  it('one SGD step moves every weight and bias by −η·g of that step', async () => {
    const s = settingsWith({ data: 'spiral', perClass: 20, optimizer: 'sgd', lr: 0.5, layers: [{ width: 3, activation: 'relu' }, { width: 2, activation: 'sigmoid' }] });
    const data = makePlaygroundData(s);
    const t = new PlaygroundTrainer(data, playgroundModel(s, data.k), 7, s.seed);
    expect(await t.gradients()).toBeNull();
    const p0 = await t.parameters();
    expect(p0.map((l) => [l.nIn, l.nOut])).toEqual([[2, 3], [3, 2], [2, 3]]);
    await t.train(1);
    expect(t.lastBatch).toHaveLength(7);
    const g = (await t.gradients())!;
    const p1 = await t.parameters();
    p1.forEach((l, i) => {
      l.W.forEach((w, j) => expect(w).toBeCloseTo(p0[i]!.W[j]! - 0.5 * g[i]!.W[j]!, 12));
      l.b.forEach((b, j) => expect(b).toBeCloseTo(p0[i]!.b[j]! - 0.5 * g[i]!.b[j]!, 12));
    });
    expect(g.some((l) => l.W.some((v) => v !== 0))).toBe(true);
    t.dispose();
  });

  it('fits a course curve with a linear output and reports no accuracy', async () => {
    const s = settingsWith({ data: 'reg1', loss: 'mse', optimizer: 'adam', lr: 0.03, layers: [{ width: 8, activation: 'tanh' }] });
    const data = makePlaygroundData(s);
    const t = new PlaygroundTrainer(data, playgroundModel(s, data.k), 13, s.seed);
    expect(t.model.layers.length).toBe(2);
    const before = await t.evaluate();
    await t.train(800);
    const after = await t.evaluate();
    expect(after.accuracy).toBeNull();
    expect(after.loss).toBeLessThan(before.loss / 4);
    const yhat = await t.predict(data.inputs);
    expect(yhat).toHaveLength(13);
    t.dispose();
  });

  it("draws the picture with the package's forward: plain-array forward = model.predict to 1e-12", async () => {
    for (const [data, layers] of [
      ['spiral', [{ width: 5, activation: 'relu' }, { width: 3, activation: 'sigmoid' }, { width: 4, activation: 'tanh' }]],
      ['reg2', [{ width: 7, activation: 'tanh' }, { width: 2, activation: 'relu' }]],
    ] as const) {
      const s = settingsWith({ data, layers: layers.map((l) => ({ ...l })), classes: 4 });
      const d = makePlaygroundData(s);
      const t = new PlaygroundTrainer(d, playgroundModel(s, d.k), 8, 3);
      await t.train(30);
      const grid = standardize(d.d === 2 ? gridPoints(d.extent, 9) : linePoints(d.extent.x, 31), d.inputScale);
      const want = await t.predict(grid);
      const got = forwardDense(await t.parameters(), t.activations, grid);
      expect(got).toHaveLength(want.length);
      got.forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThanOrEqual(1e-12));
      t.dispose();
    }
  });

  it('stops at a loss that is not finite', async () => {
    const s = settingsWith({ data: 'blobs', optimizer: 'sgd', lr: 10, loss: 'mse', layers: [{ width: 12, activation: 'relu' }, { width: 12, activation: 'relu' }, { width: 12, activation: 'relu' }] });
    const data = makePlaygroundData(s);
    const t = new PlaygroundTrainer(data, { ...playgroundModel(s, data.k), layers: [...playgroundModel(s, data.k).layers.slice(0, -1), { type: 'fc', nOut: 3, activation: 'linear' }] }, 1, 1);
    const r = await t.train(5000);
    expect(r.finite).toBe(false);
    expect(r.steps).toBeLessThan(5000);
    t.dispose();
  });
});
