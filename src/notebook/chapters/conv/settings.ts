// Chapter 4's cell settings: the convolution's geometry (input size, channels, kernel,
// stride, padding) shared by the im2col view, the step-through and the gradient check;
// the pooling cell's window; the broken-convolution toggle; the kernel shown; the poke
// cell's picture, 3 × 3 kernel and padding.
// URL keys: conv.size, conv.c, conv.k, conv.s, conv.pad, conv.seed, conv.pool, conv.pk,
// conv.ps, conv.ppad, conv.broken, conv.src, conv.pic, conv.ek, conv.epad.

import { defineSettings, flag, list, num, oneOf } from '../../../store/settings';

export type ConvPad = 'same' | 'valid' | '0' | '1' | '2';
export type PoolMode = 'max' | 'avg';
export type PoolPad = 'valid' | 'same' | '0' | '1';
export const CONV_PADS: readonly ConvPad[] = ['same', 'valid', '0', '1', '2'];
export const POOL_PADS: readonly PoolPad[] = ['valid', 'same', '0', '1'];
export const CONV_SHADERS = ['im2col', 'col2im', 'conv2d', 'conv_weight_grad', 'pool'] as const;
export type ConvShader = (typeof CONV_SHADERS)[number];

export type PokeImage = 'shapes' | 'digit' | 'stripes';
export const POKE_IMAGES: readonly PokeImage[] = ['shapes', 'digit', 'stripes'];

export const CONV_LIMITS = { size: [4, 8], channels: [1, 2], kernel: [1, 3], stride: [1, 2], poolWindow: [2, 3], poolStride: [1, 2] } as const;

const int = (label: string, [min, max]: readonly [number, number], d: number, url: string) => num(label, { min, max, int: true, default: d, url, change: 'none' });

const settings = defineSettings({
  prefix: 'conv',
  fields: {
    size: int('input size', CONV_LIMITS.size, 5, 'size'),
    channels: int('channels', CONV_LIMITS.channels, 1, 'c'),
    kernel: int('kernel size', CONV_LIMITS.kernel, 3, 'k'),
    stride: int('stride', CONV_LIMITS.stride, 1, 's'),
    pad: oneOf<ConvPad>('padding', CONV_PADS, { default: 'same', url: 'pad', change: 'none' }),
    seed: int('seed', [0, 2 ** 31 - 1], 1, 'seed'),
    poolMode: oneOf<PoolMode>('pooling', ['max', 'avg'], { default: 'max', url: 'pool', change: 'none' }),
    poolWindow: int('pooling window', CONV_LIMITS.poolWindow, 2, 'pk'),
    poolStride: int('pooling stride', CONV_LIMITS.poolStride, 2, 'ps'),
    poolPad: oneOf<PoolPad>('pooling padding', POOL_PADS, { default: 'valid', url: 'ppad', change: 'none' }),
    broken: flag('the broken kernel', { default: false, url: 'broken', change: 'none' }),
    shader: oneOf<ConvShader>('kernel file', CONV_SHADERS, { default: 'im2col', url: 'src', change: 'none' }),
    /** the poke cell: its picture, its 3 × 3 kernel (row by row) and padding */
    pokeImage: oneOf<PokeImage>('picture', POKE_IMAGES, { default: 'shapes', url: 'pic', change: 'none' }),
    pokeKernel: list('the 3 × 3 kernel', { label: 'a kernel weight', min: -9, max: 9 }, { maxLength: 9, default: [-1, 0, 1, -2, 0, 2, -1, 0, 1], url: 'ek', change: 'none' }),
    pokePad: oneOf<'valid' | 'same'>('padding', ['valid', 'same'], { default: 'valid', url: 'epad', change: 'none' }),
  },
});

export type ConvSettings = typeof settings.defaults;
/** sets one setting (validated) and records it in the URL */
export const useConvLab = settings.use;
