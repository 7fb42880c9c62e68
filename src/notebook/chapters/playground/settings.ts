// The playground's settings: the data set, the architecture, the loss, the optimizer and
// its learning rate, the batch size and the speed — all in the URL, so a link reproduces
// the exact experiment.
//
// URL keys (pg.<key>): data (spiral | circles | xor | blobs | reg1 | reg2 | csv), k (classes),
// noise, n (points per class), dseed (the data's seed), net (the hidden layers, e.g.
// "8tanh,8tanh,4relu": width then activation, input to output), loss (cross_entropy |
// mse), opt (sgd | momentum | adam), lr, bs (batch size), seed (weights and batch order),
// spf (steps per animation frame). A value outside its bounds is refused with a message
// naming it; in the URL it is ignored (the default holds) and leaves the address bar.
// data=csv names the student's file, which a link cannot carry: without the file in the
// page the run goes back to the default set and says so (run.ts).
//
// What a change does to the run (the `change` of each field): 'rebuild' — new data and/or
// a new network from the seed, step 0; 'live' — the next step uses it; 'none' — the loop's
// pace only.

import { defineSettings, num, oneOf, type Field } from '../../../store/settings';

// ── the data sets ──────────────────────────────────────────────────────────────

export const DATA_SETS = ['spiral', 'circles', 'xor', 'blobs', 'reg1', 'reg2', 'csv'] as const;
export type DataSetId = (typeof DATA_SETS)[number];

export interface DataSetInfo {
  label: string;
  task: 'classification' | 'regression';
  /** the number of classes is the reader's choice (spiral, blobs) */
  classesChoice: boolean;
  /** the standard deviation of the noise: the set's default and the slider's end */
  noise: { default: number; max: number } | null;
  /** the points are drawn here: their number per class and their seed are the reader's */
  generated: boolean;
}

export const DATA_INFO: Readonly<Record<DataSetId, DataSetInfo>> = {
  spiral: { label: 'Spiral', task: 'classification', classesChoice: true, noise: { default: 0.2, max: 1 }, generated: true },
  circles: { label: 'Circles', task: 'classification', classesChoice: false, noise: { default: 0.08, max: 0.5 }, generated: true },
  xor: { label: 'XOR', task: 'classification', classesChoice: false, noise: { default: 0.05, max: 0.5 }, generated: true },
  blobs: { label: 'Gaussian blobs', task: 'classification', classesChoice: true, noise: { default: 1, max: 3 }, generated: true },
  reg1: { label: 'Course curve 1 (a "W")', task: 'regression', classesChoice: false, noise: null, generated: false },
  reg2: { label: 'Course curve 2 (rise, dip, climb)', task: 'regression', classesChoice: false, noise: null, generated: false },
  // the student's file (csv.ts): its classes, two of its columns
  csv: { label: 'Your CSV', task: 'classification', classesChoice: false, noise: null, generated: false },
};

export const isRegression = (d: DataSetId): boolean => DATA_INFO[d].task === 'regression';

// ── the architecture ───────────────────────────────────────────────────────────

export const HIDDEN_ACTIVATIONS = ['relu', 'sigmoid', 'tanh'] as const;
export type HiddenActivation = (typeof HIDDEN_ACTIVATIONS)[number];

export interface HiddenLayer {
  /** units in the layer */
  width: number;
  activation: HiddenActivation;
}

export const MAX_LAYERS = 6;
export const MAX_WIDTH = 12;

/** why a hidden-layer list is not allowed, or null */
export function checkLayers(v: unknown): string | null {
  if (!Array.isArray(v) || v.length < 1 || v.length > MAX_LAYERS) {
    return `the network has 1 to ${MAX_LAYERS} hidden layers, got ${Array.isArray(v) ? v.length : String(v)}`;
  }
  for (let i = 0; i < v.length; i++) {
    const l = v[i] as Partial<HiddenLayer> | null;
    const w = l?.width;
    if (typeof w !== 'number' || !Number.isInteger(w) || w < 1 || w > MAX_WIDTH) {
      return `hidden layer ${i + 1}: the width must be an integer in [1, ${MAX_WIDTH}], got ${String(w)}`;
    }
    if (!(HIDDEN_ACTIVATIONS as readonly unknown[]).includes(l?.activation)) {
      return `hidden layer ${i + 1}: the activation must be one of ${HIDDEN_ACTIVATIONS.join(', ')}, got ${String(l?.activation)}`;
    }
  }
  return null;
}

/** "8tanh,8tanh,4relu" → the layers; undefined when any part is not a width in bounds followed by an activation */
export function parseLayers(raw: string): HiddenLayer[] | undefined {
  const parts = raw.split(',');
  const out: HiddenLayer[] = [];
  for (const p of parts) {
    const m = /^(\d{1,3})(relu|sigmoid|tanh)$/.exec(p.trim());
    if (!m) return undefined;
    out.push({ width: Number(m[1]), activation: m[2] as HiddenActivation });
  }
  return checkLayers(out) === null ? out : undefined;
}

export function formatLayers(v: readonly HiddenLayer[]): string {
  return v.map((l) => `${l.width}${l.activation}`).join(',');
}

function layersField(o: { default: HiddenLayer[]; url: string }): Field<HiddenLayer[]> {
  return {
    default: o.default,
    url: o.url,
    change: 'rebuild',
    check: checkLayers,
    parse: parseLayers,
    format: formatLayers,
    same: (a, b) => a.length === b.length && a.every((l, i) => l.width === b[i]!.width && l.activation === b[i]!.activation),
  };
}

// ── loss and optimizer ─────────────────────────────────────────────────────────

export const LOSSES = ['cross_entropy', 'mse'] as const;
export type PlaygroundLoss = (typeof LOSSES)[number];
export const OPTIMIZERS = ['sgd', 'momentum', 'adam'] as const;
export type PlaygroundOptimizer = (typeof OPTIMIZERS)[number];
/** SGD with momentum μ = 0.9 */
export const MOMENTUM = 0.9;

/** a learning rate that trains the default network on the default data with each optimizer */
export const DEFAULT_LR: Readonly<Record<PlaygroundOptimizer, number>> = { sgd: 0.3, momentum: 0.03, adam: 0.03 };

export const SPEEDS = [1, 2, 5, 10, 25, 50] as const;

const settings = defineSettings({
  prefix: 'pg',
  fields: {
    data: oneOf<DataSetId>('the data set', DATA_SETS, { default: 'spiral', url: 'data', change: 'rebuild' }),
    classes: num('the number of classes', { min: 2, max: 6, int: true, default: 3, url: 'k', change: 'rebuild' }),
    noise: num('the noise', {
      min: 0,
      max: 3,
      default: (s) => DATA_INFO[s.data as DataSetId]?.noise?.default ?? 0,
      url: 'noise',
      change: 'rebuild',
    }),
    perClass: num('the points per class', { min: 5, max: 300, int: true, default: 100, url: 'n', change: 'rebuild' }),
    dataSeed: num("the data's seed", { min: 0, max: 2 ** 31 - 1, int: true, default: 0, url: 'dseed', change: 'rebuild' }),
    layers: layersField({
      default: [
        { width: 8, activation: 'tanh' },
        { width: 8, activation: 'tanh' },
      ],
      url: 'net',
    }),
    loss: oneOf<PlaygroundLoss>('the loss', LOSSES, {
      default: (s) => (isRegression(s.data as DataSetId) ? 'mse' : 'cross_entropy'),
      url: 'loss',
      change: 'rebuild',
    }),
    optimizer: oneOf<PlaygroundOptimizer>('the optimizer', OPTIMIZERS, { default: 'adam', url: 'opt', change: 'rebuild' }),
    lr: num('the learning rate', {
      min: 1e-5,
      max: 10,
      default: (s) => DEFAULT_LR[s.optimizer as PlaygroundOptimizer] ?? DEFAULT_LR.adam,
      url: 'lr',
      change: 'live',
    }),
    batchSize: num('the batch size', { min: 1, max: 1800, int: true, default: 16, url: 'bs', change: 'live' }),
    seed: num('the seed', { min: 0, max: 2 ** 31 - 1, int: true, default: 1, url: 'seed', change: 'rebuild' }),
    speed: oneOf<number>('the speed', SPEEDS, { unit: 'steps per frame', default: 5, url: 'spf', change: 'none' }),
  },
  // a new data set brings its own noise and the loss of its task; a new optimizer its learning rate
  implies: (key, value, s) => {
    if (key === 'data') {
      const d = value as DataSetId;
      const loss: PlaygroundLoss = isRegression(d) ? 'mse' : isRegression(s.data) ? 'cross_entropy' : s.loss;
      return { noise: DATA_INFO[d].noise?.default ?? 0, loss };
    }
    if (key === 'optimizer') return { lr: DEFAULT_LR[value as PlaygroundOptimizer] };
    return {};
  },
});

export type PlaygroundSettings = typeof settings.defaults;
export const PLAYGROUND_DEFAULTS: PlaygroundSettings = settings.defaults;
export const usePlaygroundSettings = settings.use;
export const playgroundSettings = settings.values;
export const playgroundFields = settings.fields;
export const onPlaygroundSettingsChange = settings.onChange;
export const PLAYGROUND_REBUILD_KEYS = settings.rebuildKeys;
export const playgroundUrlBinding = settings.binding;

/** the loss the network trains with: regression has no classes, so it is always the squared error */
export function effectiveLoss(s: Pick<PlaygroundSettings, 'data' | 'loss'>): PlaygroundLoss {
  return isRegression(s.data) ? 'mse' : s.loss;
}

/** the number of classes of a generated set (regression: one output; a CSV: its own, see csv.ts) */
export function classCount(s: Pick<PlaygroundSettings, 'data' | 'classes'>): number {
  if (isRegression(s.data)) return 1;
  return DATA_INFO[s.data].classesChoice ? s.classes : 2;
}
