// defineSettings: a chapter's settings from one schema — validation with a message naming
// the setting, URL keys bounded like the controls (a refused value is not taken and so
// leaves the address bar), defaults computed from other settings, and a training session
// that follows: 'live' settings sent once each, 'rebuild' settings start a new session.

import { describe, expect, it } from 'vitest';
import { create } from 'zustand';
import { custom, defineSettings, flag, followSettings, list, num, oneOf } from '../src/store/settings';
import type { TrainingState, TrainingStore } from '../src/store/training';
import type { SessionConfig } from '../src/train/protocol';
import { untakenKeys } from '../src/store/url';

const SUGGESTED = { sgd: 0.1, adam: 0.001 } as const;

function makeSettings(prefix: string) {
  return defineSettings({
    prefix,
    fields: {
      lr: num('the learning rate', { min: 0, max: 10, default: (s) => SUGGESTED[s.optimizer as 'sgd' | 'adam'], url: 'lr', change: 'live' }),
      hidden: num('the hidden size', { min: 1, max: 512, int: true, default: 8, url: 'h', change: 'live' }),
      optimizer: oneOf<'sgd' | 'adam'>('optimizer', ['sgd', 'adam'], { default: 'adam', url: 'opt', change: 'rebuild' }),
      device: oneOf<'webgpu' | 'cpu'>('device', ['webgpu', 'cpu'], { default: 'webgpu', url: 'dev', change: 'rebuild' }),
      pace: oneOf<number>('speed', [0, 200, 10], { unit: 'steps per second', default: 200, url: 'pace', change: 'none' }),
      sizes: list('a sweep list', { label: 'a hidden size', min: 1, max: 512, int: true }, { maxLength: 3, default: [4, 8], url: 'sh', change: 'none' }),
    },
    implies: (key, value) => (key === 'optimizer' ? { lr: SUGGESTED[value as 'sgd' | 'adam'] } : {}),
  });
}

describe('defineSettings', () => {
  it('starts at the defaults (a computed default from the others) and says which keys are live and which rebuild', () => {
    const s = makeSettings('a');
    expect(s.values()).toEqual({ lr: 0.001, hidden: 8, optimizer: 'adam', device: 'webgpu', pace: 200, sizes: [4, 8] });
    expect(s.liveKeys).toEqual(['lr', 'hidden']);
    expect(s.rebuildKeys).toEqual(['optimizer', 'device']);
  });

  it('refuses a bad value with a message naming the setting, and keeps the old value', () => {
    const s = makeSettings('b');
    const set = s.use.getState().set;
    expect(() => set('hidden', 2.5)).toThrow('the hidden size must be an integer in [1, 512], got 2.5');
    expect(() => set('lr', -1)).toThrow('the learning rate must be a number in [0, 10], got -1');
    expect(() => set('lr', NaN)).toThrow('the learning rate must be a number in [0, 10], got NaN');
    expect(() => set('pace', 7)).toThrow('speed must be one of 0, 200, 10 steps per second, got 7');
    expect(() => set('device', 'tpu' as 'cpu')).toThrow('device must be one of webgpu, cpu, got tpu');
    expect(() => set('sizes', [])).toThrow('a sweep list has 1 to 3 values');
    expect(() => set('sizes', [4, 0])).toThrow('a hidden size must be an integer in [1, 512], got 0');
    expect(s.values()).toEqual(s.defaults);
    set('hidden', 16);
    set('optimizer', 'sgd');
    expect(s.values()).toMatchObject({ hidden: 16, optimizer: 'sgd', lr: 0.1 });
  });

  it('reads its URL keys within bounds; a refused or rewritten value is not taken (and so leaves the address bar)', () => {
    const s = makeSettings('c');
    let q = new URLSearchParams('c.h=32&c.opt=sgd&c.dev=cpu&c.pace=0&c.sh=1,2,3&other=1');
    s.binding.read(q);
    expect(s.values()).toEqual({ lr: 0.1, hidden: 32, optimizer: 'sgd', device: 'cpu', pace: 0, sizes: [1, 2, 3] });
    expect(untakenKeys(s.binding, q)).toEqual([]);
    // the learning rate equal to the optimizer's suggestion is not written
    expect(s.binding.write()['c.lr']).toBeNull();
    q = new URLSearchParams('c.lr=1e200&c.h=2.5&c.opt=rmsprop&c.pace=7&c.sh=1,2,3,4&c.dev=cpu');
    s.binding.read(q);
    expect(s.values()).toEqual({ ...s.defaults, device: 'cpu' });
    expect(untakenKeys(s.binding, q)).toEqual(['c.lr', 'c.h', 'c.opt', 'c.pace', 'c.sh']);
    s.binding.read(new URLSearchParams('c.lr=0.5'));
    expect(s.binding.write()).toEqual({ 'c.lr': '0.5', 'c.h': null, 'c.opt': null, 'c.dev': null, 'c.pace': null, 'c.sh': null });
  });
});

/** a training store that records what reaches it */
function fakeTraining() {
  const calls: string[] = [];
  const store = create<Partial<TrainingState>>()((set) => ({
    phase: 'off',
    init: async (config: SessionConfig, prefer?: 'webgpu' | 'cpu') => {
      calls.push(`init lr=${config.model.optimizer.lr} ${prefer}`);
      set({ phase: 'ready' });
    },
    setLearningRate: async (v: number) => void calls.push(`lr ${v}`),
    setHiddenSize: async (v: number) => void calls.push(`hidden ${v}`),
    setBatchSize: async (v: number) => void calls.push(`batch ${v}`),
    setEpochs: async (v: number) => void calls.push(`epochs ${v}`),
  }));
  return { store: store as unknown as TrainingStore, calls };
}

const configOf = (s: { lr: number; hidden: number }): SessionConfig => ({
  dataset: { name: 'iris' },
  model: { layers: [{ type: 'fc', nOut: s.hidden, activation: 'relu' }], loss: 'cross_entropy', optimizer: { type: 'sgd', lr: s.lr } },
  batchSize: 4,
  epochs: 1,
  seed: 1,
});

describe('custom fields and normalize', () => {
  it('a custom field with a computed default round-trips through the URL; normalize makes read values agree', () => {
    const points = { a: [1, 2, 3], b: [10, 20] } as const;
    const s = defineSettings({
      prefix: 'cu',
      fields: {
        data: oneOf<'a' | 'b'>('the data set', ['a', 'b'], { default: 'a', url: 'set', change: 'none' }),
        x: num('the input x', { min: -100, max: 100, default: 2, url: 'x', change: 'none' }),
        w: custom<number[]>({
          default: (v) => (v.data === 'a' ? [1, 1] : [2, 2]),
          url: 'w',
          change: 'none',
          check: (v) => (Array.isArray(v) && v.length === 2 && v.every(Number.isFinite) ? null : 'the weights are 2 finite numbers'),
          parse: (raw) => {
            const xs = raw.split(',').map(Number);
            return xs.length === 2 && xs.every((x) => Math.abs(x) <= 10) ? xs : undefined;
          },
          format: (v) => v.join(','),
          same: (a, b) => a.every((x, i) => x === b[i]),
        }),
      },
      // x must be a point of the chosen set
      normalize: (v) => ({ x: (points[v.data] as readonly number[]).includes(v.x) ? v.x : points[v.data][0] }),
    });
    expect(s.values()).toEqual({ data: 'a', x: 2, w: [1, 1] });
    expect(() => s.use.getState().set('w', [1, NaN])).toThrow('the weights are 2 finite numbers');
    let q = new URLSearchParams('cu.set=b&cu.x=2&cu.w=3,4');
    s.binding.read(q);
    expect(s.values()).toEqual({ data: 'b', x: 10, w: [3, 4] });
    // x was rewritten, so it leaves the address bar; w equal to the set's default is not written
    expect(untakenKeys(s.binding, q)).toEqual(['cu.x']);
    q = new URLSearchParams('cu.set=b&cu.w=2,2');
    s.binding.read(q);
    expect(s.binding.write()['cu.w']).toBeNull();
    // a weight past the URL's reach is refused: the default for the set holds
    s.binding.read(new URLSearchParams('cu.w=99,1'));
    expect(s.values().w).toEqual([1, 1]);
    // 'set' names the store's action: no setting may take it
    expect(() => defineSettings({ prefix: 'cv', fields: { set: num('x', { min: 0, max: 1, default: 0, change: 'none' }) } })).toThrow("cv: a setting cannot be called 'set'");
  });
});

describe('flag', () => {
  it('is "1" or "0" in the URL; anything else is refused', () => {
    const s = defineSettings({ prefix: 'f', fields: { loop: flag('loop', { default: false, url: 'loop', change: 'none' }) } });
    const q = new URLSearchParams('f.loop=1');
    s.binding.read(q);
    expect(s.values().loop).toBe(true);
    expect(untakenKeys(s.binding, q)).toEqual([]);
    const bad = new URLSearchParams('f.loop=yes');
    s.binding.read(bad);
    expect(s.values().loop).toBe(false);
    expect(untakenKeys(s.binding, bad)).toEqual(['f.loop']);
    expect(() => s.use.getState().set('loop', 1 as unknown as boolean)).toThrow('loop must be true or false, got 1');
  });
});

describe('followSettings', () => {
  it('sends nothing before a session; then each live change once, and a new session for a rebuild change', async () => {
    const s = makeSettings('d');
    const { store, calls } = fakeTraining();
    const session = followSettings(s, store, configOf);
    s.use.getState().set('hidden', 12);
    expect(calls).toEqual([]);
    await session.start();
    expect(calls).toEqual(['init lr=0.001 webgpu']);
    s.use.getState().set('hidden', 16);
    s.use.getState().set('lr', 0.01);
    s.use.getState().set('pace', 0);
    session.sync();
    expect(calls).toEqual(['init lr=0.001 webgpu', 'hidden 16', 'lr 0.01']);
    s.use.getState().set('device', 'cpu');
    await Promise.resolve();
    expect(calls.slice(3)).toEqual(['init lr=0.01 cpu']);
  });

  it('refuses a live setting the session has no control for', () => {
    const s = defineSettings({
      prefix: 'e',
      fields: {
        momentum: num('the momentum', { min: 0, max: 1, default: 0.9, change: 'live' }),
        device: oneOf<'webgpu' | 'cpu'>('device', ['webgpu', 'cpu'], { default: 'webgpu', change: 'rebuild' }),
      },
    });
    expect(() => followSettings(s, fakeTraining().store, () => configOf({ lr: 0.1, hidden: 1 }))).toThrow(
      "setting 'momentum' is marked live but the session has no live control for it",
    );
  });
});
