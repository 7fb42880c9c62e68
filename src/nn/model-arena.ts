// A lean model's arenas: every parameter a view of ONE parameter buffer, every gradient
// a view of one gradient buffer, at the same offsets, so the optimizer updates the whole
// model in one dispatch and the finiteness check reads one buffer.

import type { Backend, Tensor } from '../engine/backend';
import { type Shape, sizeOf } from '../engine/geometry';
import type { Layer } from './layers';

/** The model's arenas: one buffer of parameters, one of gradients, the same layout. */
export interface Arenas {
  params: Tensor;
  grads: Tensor;
  /** elements, including the alignment gaps */
  size: number;
}

/**
 * Places every parameter in one arena and every gradient in another: parameter i is a
 * view at offset o_i (a multiple of the backend's viewAlignment, in layer order), its
 * gradient the view at the same offset of the gradient arena. The gaps between views stay
 * zero in both, so an update over the whole arena leaves them 0. null when no layer has
 * parameters.
 */
export function packArenas(backend: Backend, layers: readonly Layer[]): Arenas | null {
  const align = backend.viewAlignment;
  const slots: { layer: Layer; key: string; shape: Shape; offset: number }[] = [];
  let size = 0;
  for (const layer of layers) {
    for (const [key, p] of Object.entries(layer.parameters)) {
      size = Math.ceil(size / align) * align;
      slots.push({ layer, key, shape: p.shape, offset: size });
      size += sizeOf(p.shape);
    }
  }
  if (slots.length === 0) return null;
  const params = backend.zeros([size], 'parameters');
  const grads = backend.zeros([size], 'gradients');
  for (const layer of layers) {
    const mine = slots.filter((s) => s.layer === layer);
    if (mine.length === 0) continue;
    const pv: Record<string, Tensor> = {};
    const gv: Record<string, Tensor> = {};
    for (const s of mine) {
      pv[s.key] = backend.view(params, s.offset, s.shape, `${layer.name}.${s.key}`);
      gv[s.key] = backend.view(grads, s.offset, s.shape, `${layer.name}.${s.key} gradient`);
    }
    layer.adoptArena(pv, gv);
  }
  return { params, grads, size };
}
