// Chapter 2's cell settings: the small network the step-through and the gradient check
// run (seed, hidden activation, loss path, fused kernels), the confident-wrong batch of
// the fused/unfused comparison, and the softmax-backward timing.
// URL keys: layers.seed, layers.act, layers.loss, layers.lean, layers.gc, layers.wrong,
// layers.gap, layers.rows, layers.loop.

import { create } from 'zustand';
import { bindUrl, parseNumber, syncUrl } from '../../../store/url';

export type HiddenActivation = 'relu' | 'sigmoid' | 'tanh';
export type LossPath = 'fused' | 'unfused';

export const LAYERS_DEFAULTS = {
  seed: 1,
  activation: 'relu' as HiddenActivation,
  lossPath: 'fused' as LossPath,
  lean: false,
  gcLossPath: 'fused' as LossPath,
  gcWrong: false,
  gap: 20,
  rows: 64,
  loop: false,
};

export const MAX_GAP = 800;
export const MAX_ROWS = 512;

interface LayersLabState {
  /** seeds the batch (X, labels) and the network's initial weights */
  seed: number;
  activation: HiddenActivation;
  /** the step-through's loss: fused softmax–cross-entropy or softmax then cross-entropy */
  lossPath: LossPath;
  /** the step-through traces the lean (fused-kernel) step */
  lean: boolean;
  /** the gradient check's loss gradient path */
  gcLossPath: LossPath;
  /** the gradient check's batch holds a confidently wrong prediction */
  gcWrong: boolean;
  /** the logit gap of the confidently wrong row in the fused/unfused comparison */
  gap: number;
  /** rows of the softmax-backward timing */
  rows: number;
  /** also run the per-sample Jacobian loop */
  loop: boolean;

  setSeed: (seed: number) => void;
  setActivation: (a: HiddenActivation) => void;
  setLossPath: (p: LossPath) => void;
  setLean: (on: boolean) => void;
  setGcLossPath: (p: LossPath) => void;
  setGcWrong: (on: boolean) => void;
  setGap: (gap: number) => void;
  setRows: (rows: number) => void;
  setLoop: (on: boolean) => void;
}

function checkSeed(seed: number): number {
  if (!(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 31)) throw new Error(`seed must be an integer in [0, 2^31), got ${seed}`);
  return seed;
}

export const useLayersLab = create<LayersLabState>()((set) => {
  const put = (patch: Partial<LayersLabState>) => {
    set(patch);
    syncUrl();
  };
  return {
    ...LAYERS_DEFAULTS,
    setSeed: (seed) => put({ seed: checkSeed(seed) }),
    setActivation: (activation) => put({ activation }),
    setLossPath: (lossPath) => put({ lossPath }),
    setLean: (lean) => put({ lean }),
    setGcLossPath: (gcLossPath) => put({ gcLossPath }),
    setGcWrong: (gcWrong) => put({ gcWrong }),
    setGap: (gap) => {
      if (!(Number.isFinite(gap) && gap >= 0 && gap <= MAX_GAP)) throw new Error(`logit gap must be in [0, ${MAX_GAP}], got ${gap}`);
      put({ gap });
    },
    setRows: (rows) => {
      if (!(Number.isInteger(rows) && rows >= 1 && rows <= MAX_ROWS)) throw new Error(`rows must be an integer in [1, ${MAX_ROWS}], got ${rows}`);
      put({ rows });
    },
    setLoop: (loop) => put({ loop }),
  };
});

const pick = <V extends string>(raw: string | null, values: readonly V[], fallback: V): V => (values.includes(raw as V) ? (raw as V) : fallback);
const flag = (raw: string | null, fallback: boolean) => (raw === '1' ? true : raw === '0' ? false : fallback);

bindUrl({
  keys: ['layers.seed', 'layers.act', 'layers.loss', 'layers.lean', 'layers.gc', 'layers.wrong', 'layers.gap', 'layers.rows', 'layers.loop'],
  read: (q) => {
    const d = LAYERS_DEFAULTS;
    const seed = parseNumber(q.get('layers.seed'), 0, 2 ** 31 - 1);
    const rows = parseNumber(q.get('layers.rows'), 1, MAX_ROWS);
    useLayersLab.setState({
      seed: seed !== undefined && Number.isInteger(seed) ? seed : d.seed,
      activation: pick<HiddenActivation>(q.get('layers.act'), ['relu', 'sigmoid', 'tanh'], d.activation),
      lossPath: pick<LossPath>(q.get('layers.loss'), ['fused', 'unfused'], d.lossPath),
      lean: flag(q.get('layers.lean'), d.lean),
      gcLossPath: pick<LossPath>(q.get('layers.gc'), ['fused', 'unfused'], d.gcLossPath),
      gcWrong: flag(q.get('layers.wrong'), d.gcWrong),
      gap: parseNumber(q.get('layers.gap'), 0, MAX_GAP) ?? d.gap,
      rows: rows !== undefined && Number.isInteger(rows) ? rows : d.rows,
      loop: flag(q.get('layers.loop'), d.loop),
    });
  },
  write: () => {
    const s = useLayersLab.getState();
    const d = LAYERS_DEFAULTS;
    const opt = <T>(v: T, dv: T, enc: (v: T) => string) => (v === dv ? null : enc(v));
    return {
      'layers.seed': opt(s.seed, d.seed, String),
      'layers.act': opt(s.activation, d.activation, String),
      'layers.loss': opt(s.lossPath, d.lossPath, String),
      'layers.lean': opt(s.lean, d.lean, (v) => (v ? '1' : '0')),
      'layers.gc': opt(s.gcLossPath, d.gcLossPath, String),
      'layers.wrong': opt(s.gcWrong, d.gcWrong, (v) => (v ? '1' : '0')),
      'layers.gap': opt(s.gap, d.gap, String),
      'layers.rows': opt(s.rows, d.rows, String),
      'layers.loop': opt(s.loop, d.loop, (v) => (v ? '1' : '0')),
    };
  },
});
