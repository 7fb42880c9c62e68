// Chapter 2's cell settings: the small network the step-through and the gradient check
// run (seed, hidden activation, loss path, fused kernels), the confident-wrong batch of
// the fused/unfused comparison, and the softmax-backward timing.
// URL keys: layers.seed, layers.act, layers.loss, layers.lean, layers.gc, layers.wrong,
// layers.gap, layers.rows, layers.loop, layers.dm, layers.dd, layers.dn.

import { defineSettings, flag, num, oneOf } from '../../../store/settings';

export type HiddenActivation = 'relu' | 'sigmoid' | 'tanh';
export type LossPath = 'fused' | 'unfused';

export const MAX_GAP = 800;
export const MAX_ROWS = 512;
/** the dense-layer cell's sizes: small enough that every entry shows its value */
export const MAX_DENSE = 8;

const none = 'none' as const;
const PATHS: readonly LossPath[] = ['fused', 'unfused'];

const settings = defineSettings({
  prefix: 'layers',
  fields: {
    /** seeds the batch (X, labels) and the network's initial weights */
    seed: num('the seed', { min: 0, max: 2 ** 31 - 1, int: true, default: 1, url: 'seed', change: none }),
    activation: oneOf<HiddenActivation>('the activation', ['relu', 'sigmoid', 'tanh'], { default: 'relu', url: 'act', change: none }),
    /** the step-through's loss: fused softmax–cross-entropy or softmax then cross-entropy */
    lossPath: oneOf<LossPath>('the loss path', PATHS, { default: 'fused', url: 'loss', change: none }),
    /** the step-through traces the lean (fused-kernel) step */
    lean: flag('lean', { default: false, url: 'lean', change: none }),
    /** the gradient check's loss gradient path */
    gcLossPath: oneOf<LossPath>('the loss path', PATHS, { default: 'fused', url: 'gc', change: none }),
    /** the gradient check's batch holds a confidently wrong prediction */
    gcWrong: flag('wrong', { default: false, url: 'wrong', change: none }),
    /** the logit gap of the confidently wrong row in the fused/unfused comparison */
    gap: num('the logit gap', { min: 0, max: MAX_GAP, default: 20, url: 'gap', change: none }),
    /** rows of the softmax-backward timing */
    rows: num('rows', { min: 1, max: MAX_ROWS, int: true, default: 64, url: 'rows', change: none }),
    /** also run the per-sample Jacobian loop */
    loop: flag('loop', { default: false, url: 'loop', change: none }),
    /** the dense-layer cell's X (m, d) and W (d, n) */
    denseM: num('the batch size m', { min: 1, max: MAX_DENSE, int: true, default: 4, url: 'dm', change: none }),
    denseD: num('the inputs d', { min: 1, max: MAX_DENSE, int: true, default: 3, url: 'dd', change: none }),
    denseN: num('the outputs n', { min: 1, max: MAX_DENSE, int: true, default: 5, url: 'dn', change: none }),
  },
});

export type LayersSettings = typeof settings.defaults;
export const useLayersLab = settings.use;
/** sets one setting (validated) and records it in the URL */
export const setLayers = <K extends keyof LayersSettings>(key: K, value: LayersSettings[K]): void => useLayersLab.getState().set(key, value);
