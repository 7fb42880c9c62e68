// Layer configurations as a student writes them, and their normalized form (every default
// filled in) that the model stores and saves. Bad options are refused with a message
// naming the layer, the option and the valid choices.

import type { Activation } from '../../engine/backend';
import { ACTIVATIONS } from '../../engine/backend';
import type { Padding } from '../../engine/geometry';
import { type ActivationName, ACTIVATION_NAMES } from '../activations';
import { checkInit, type InitName } from '../init';
import { checkKeys, checkName, checkPositiveInt } from '../names';

export type LayerType = 'fc' | 'conv2d' | 'pool2d' | 'flatten';
export const LAYER_TYPES: readonly LayerType[] = ['fc', 'conv2d', 'pool2d', 'flatten'];

export type PoolMode = 'max' | 'average';
export const POOL_MODES: readonly PoolMode[] = ['max', 'average'];

/** FullyConnected: Z = X·W + 1b, W (n_in, n_out), b (1, n_out); Y = σ(Z) */
export interface FullyConnectedConfig {
  type: 'fc';
  nOut: number;
  /** default 'linear' */
  activation?: ActivationName;
  /** default 'xavier_uniform' */
  init?: InitName;
}

/** Conv2D: cross-correlation, NHWC, W (kh, kw, c_in, c_out = nOut), b (1, nOut) */
export interface Conv2DConfig {
  type: 'conv2d';
  /** number of filters (output channels) */
  nOut: number;
  /** [kh, kw], or one number for a square kernel; default 3 */
  kernel?: number | readonly [number, number];
  /** default 1 */
  stride?: number;
  /** 'same' | 'valid' | integer; default 'same' */
  pad?: Padding;
  /** linear, relu, sigmoid or tanh; default 'linear' */
  activation?: Activation;
  /** default 'xavier_uniform' */
  init?: InitName;
}

/** Pool2D: max or average over kh×kw windows */
export interface Pool2DConfig {
  type: 'pool2d';
  /** default 'max' */
  mode?: PoolMode;
  /** default 2 */
  kernel?: number | readonly [number, number];
  /** default 2 */
  stride?: number;
  /** default 'valid' */
  pad?: Padding;
}

/** Flatten: (m, H, W, C) → (m, H·W·C), a reshape of the same data */
export interface FlattenConfig {
  type: 'flatten';
}

export type LayerConfig = FullyConnectedConfig | Conv2DConfig | Pool2DConfig | FlattenConfig;

export type NormalizedFullyConnected = Required<FullyConnectedConfig>;
export interface NormalizedConv2D {
  type: 'conv2d';
  nOut: number;
  kernel: [number, number];
  stride: number;
  pad: Padding;
  activation: Activation;
  init: InitName;
}
export interface NormalizedPool2D {
  type: 'pool2d';
  mode: PoolMode;
  kernel: [number, number];
  stride: number;
  pad: Padding;
}
export type NormalizedLayerConfig = NormalizedFullyConnected | NormalizedConv2D | NormalizedPool2D | FlattenConfig;

function kernelOf(where: string, k: unknown): [number, number] {
  if (typeof k === 'number') return [checkPositiveInt(where, 'kernel', k), k];
  if (Array.isArray(k) && k.length === 2) {
    return [checkPositiveInt(where, 'kernel[0] (kh)', k[0]), checkPositiveInt(where, 'kernel[1] (kw)', k[1])];
  }
  throw new Error(`${where}: kernel must be a positive integer or [kh, kw], got ${JSON.stringify(k)}`);
}

function padOf(where: string, p: unknown): Padding {
  if (p === 'same' || p === 'valid') return p;
  if (typeof p === 'number' && Number.isInteger(p) && p >= 0) return p;
  throw new Error(`${where}: pad must be 'same', 'valid' or a non-negative integer, got ${JSON.stringify(p)}`);
}

/** fills defaults and checks every option; `where` names the layer in messages */
export function normalizeLayerConfig(config: unknown, where = 'layer'): NormalizedLayerConfig {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new Error(`${where}: a layer is an object like { type: 'fc', nOut: 10 }, got ${JSON.stringify(config)}`);
  }
  const c = config as Record<string, unknown>;
  const type = checkName('layer type', c.type, LAYER_TYPES);
  switch (type) {
    case 'fc': {
      checkKeys(where, c, ['type', 'nOut', 'activation', 'init']);
      return {
        type,
        nOut: checkPositiveInt(where, 'nOut', c.nOut),
        activation: checkName('activation', c.activation ?? 'linear', ACTIVATION_NAMES),
        init: checkInit(c.init ?? 'xavier_uniform'),
      };
    }
    case 'conv2d': {
      checkKeys(where, c, ['type', 'nOut', 'kernel', 'stride', 'pad', 'activation', 'init']);
      return {
        type,
        nOut: checkPositiveInt(where, 'nOut', c.nOut),
        kernel: kernelOf(where, c.kernel ?? 3),
        stride: checkPositiveInt(where, 'stride', c.stride ?? 1),
        pad: padOf(where, c.pad ?? 'same'),
        // softmax normalizes rows of (m, k); a conv output is (m, H, W, C)
        activation: checkName('Conv2D activation', c.activation ?? 'linear', ACTIVATIONS),
        init: checkInit(c.init ?? 'xavier_uniform'),
      };
    }
    case 'pool2d': {
      checkKeys(where, c, ['type', 'mode', 'kernel', 'stride', 'pad']);
      return {
        type,
        mode: checkName('pooling mode', c.mode ?? 'max', POOL_MODES),
        kernel: kernelOf(where, c.kernel ?? 2),
        stride: checkPositiveInt(where, 'stride', c.stride ?? 2),
        pad: padOf(where, c.pad ?? 'valid'),
      };
    }
    case 'flatten':
      checkKeys(where, c, ['type']);
      return { type };
  }
}
