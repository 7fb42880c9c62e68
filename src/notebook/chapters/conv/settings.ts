// Chapter 4's cell settings: the convolution's geometry (input size, channels, kernel,
// stride, padding) shared by the im2col view, the step-through and the gradient check;
// the pooling cell's window; the broken-convolution toggle; the kernel shown.
// URL keys: conv.size, conv.c, conv.k, conv.s, conv.pad, conv.seed, conv.pool, conv.pk,
// conv.ps, conv.ppad, conv.broken, conv.src.

import { create } from 'zustand';
import { bindUrl, parseNumber, syncUrl } from '../../../store/url';

export type ConvPad = 'same' | 'valid' | '0' | '1' | '2';
export type PoolMode = 'max' | 'avg';
export type PoolPad = 'valid' | 'same' | '0' | '1';
export const CONV_PADS: readonly ConvPad[] = ['same', 'valid', '0', '1', '2'];
export const POOL_PADS: readonly PoolPad[] = ['valid', 'same', '0', '1'];
export const CONV_SHADERS = ['im2col', 'col2im', 'conv2d', 'conv_weight_grad', 'pool'] as const;
export type ConvShader = (typeof CONV_SHADERS)[number];

export const CONV_LIMITS = { size: [4, 8], channels: [1, 2], kernel: [1, 3], stride: [1, 2], poolWindow: [2, 3], poolStride: [1, 2] } as const;

export interface ConvSettings {
  size: number;
  channels: number;
  kernel: number;
  stride: number;
  pad: ConvPad;
  seed: number;
  poolMode: PoolMode;
  poolWindow: number;
  poolStride: number;
  poolPad: PoolPad;
  broken: boolean;
  shader: ConvShader;
}

export const CONV_DEFAULTS: ConvSettings = {
  size: 5,
  channels: 1,
  kernel: 3,
  stride: 1,
  pad: 'same',
  seed: 1,
  poolMode: 'max',
  poolWindow: 2,
  poolStride: 2,
  poolPad: 'valid',
  broken: false,
  shader: 'im2col',
};

interface ConvLabState extends ConvSettings {
  /** sets one setting (validated) and records it in the URL */
  set: <K extends keyof ConvSettings>(key: K, value: ConvSettings[K]) => void;
}

function validate<K extends keyof ConvSettings>(key: K, v: ConvSettings[K]): void {
  const int = (what: string, [lo, hi]: readonly [number, number]) => {
    if (!(typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi)) throw new Error(`${what} must be an integer in [${lo}, ${hi}], got ${String(v)}`);
  };
  const oneOf = (what: string, xs: readonly string[]) => {
    if (!xs.includes(v as string)) throw new Error(`${what} must be one of ${xs.join(', ')}, got ${String(v)}`);
  };
  switch (key) {
    case 'size':
      return int('input size', CONV_LIMITS.size);
    case 'channels':
      return int('channels', CONV_LIMITS.channels);
    case 'kernel':
      return int('kernel size', CONV_LIMITS.kernel);
    case 'stride':
      return int('stride', CONV_LIMITS.stride);
    case 'poolWindow':
      return int('pooling window', CONV_LIMITS.poolWindow);
    case 'poolStride':
      return int('pooling stride', CONV_LIMITS.poolStride);
    case 'seed':
      return int('seed', [0, 2 ** 31 - 1]);
    case 'pad':
      return oneOf('padding', CONV_PADS);
    case 'poolPad':
      return oneOf('pooling padding', POOL_PADS);
    case 'poolMode':
      return oneOf('pooling', ['max', 'avg']);
    case 'shader':
      return oneOf('kernel file', CONV_SHADERS);
    case 'broken':
      if (typeof v !== 'boolean') throw new Error(`broken must be true or false, got ${String(v)}`);
  }
}

export const useConvLab = create<ConvLabState>()((set) => ({
  ...CONV_DEFAULTS,
  set: (key, value) => {
    validate(key, value);
    set({ [key]: value } as Partial<ConvSettings>);
    syncUrl();
  },
}));

const KEYS: Record<keyof ConvSettings, string> = {
  size: 'conv.size',
  channels: 'conv.c',
  kernel: 'conv.k',
  stride: 'conv.s',
  pad: 'conv.pad',
  seed: 'conv.seed',
  poolMode: 'conv.pool',
  poolWindow: 'conv.pk',
  poolStride: 'conv.ps',
  poolPad: 'conv.ppad',
  broken: 'conv.broken',
  shader: 'conv.src',
};

bindUrl({
  keys: Object.values(KEYS),
  read: (q) => {
    const next: ConvSettings = { ...CONV_DEFAULTS };
    for (const key of Object.keys(KEYS) as (keyof ConvSettings)[]) {
      const raw = q.get(KEYS[key]);
      if (raw === null) continue;
      const dv = CONV_DEFAULTS[key];
      const v = typeof dv === 'number' ? parseNumber(raw) : typeof dv === 'boolean' ? raw === '1' : raw;
      try {
        validate(key, v as ConvSettings[typeof key]);
        (next as unknown as Record<string, unknown>)[key] = v;
      } catch {
        // a stale or hand-edited value: keep the default
      }
    }
    useConvLab.setState(next);
  },
  write: () => {
    const s = useConvLab.getState();
    const out: Record<string, string | null> = {};
    for (const key of Object.keys(KEYS) as (keyof ConvSettings)[]) {
      const v = s[key];
      out[KEYS[key]] = v === CONV_DEFAULTS[key] ? null : typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
    }
    return out;
  },
});
