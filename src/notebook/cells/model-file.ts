// The training cell's model files: the session's model (a snapshot from the training
// worker) as the nn package's saved-model JSON (src/nn/serialize.ts, the same file
// NeuralNetwork.save() writes and NeuralNetwork.load() reads), and the check that a file
// fits the session's model before its parameters are sent, with the difference in words.

import type { NormalizedLayerConfig } from '../../nn/layers';
import { MODEL_FORMAT, MODEL_FORMAT_VERSION, sameLayers, type ModelFile } from '../../nn/serialize';
import type { ModelSnapshot } from '../../train/inspect';

/** the snapshot's configuration, input shape and parameters in the package's file format */
export function modelFileOf(snap: ModelSnapshot): ModelFile {
  return {
    format: MODEL_FORMAT,
    version: MODEL_FORMAT_VERSION,
    config: snap.config,
    inputShape: [...snap.inputShape],
    layers: snap.layers.map((l) => ({
      name: l.name,
      type: l.type,
      parameters: Object.fromEntries(Object.entries(l.parameters).map(([k, t]) => [k, { shape: [...t.shape], data: Array.from(t.data) }])),
    })),
  };
}

/** e.g. "4 → 8 (relu) → 3 (softmax)", or "28×28×1 → conv 5×5, 6 (relu) → pool 2×2 → flatten → 10 (softmax)" */
export function describeArchitecture(layers: readonly NormalizedLayerConfig[], inputShape: readonly number[]): string {
  const parts = [inputShape.join('×')];
  for (const l of layers) {
    if (l.type === 'fc') parts.push(`${l.nOut} (${l.activation})`);
    else if (l.type === 'conv2d') parts.push(`conv ${l.kernel.join('×')}, ${l.nOut} (${l.activation})`);
    else if (l.type === 'pool2d') parts.push(`${l.mode === 'max' ? 'max' : 'average'} pool ${l.kernel.join('×')}`);
    else parts.push('flatten');
  }
  return parts.join(' → ');
}

/**
 * null when `file` fits the session's model (same layers, same input shape); otherwise
 * what differs, in words, and what to do about it.
 */
export function architectureMismatch(file: ModelFile, model: { config: { layers: readonly NormalizedLayerConfig[] }; inputShape: readonly number[] }): string | null {
  const sameInput = file.inputShape.join() === model.inputShape.join();
  if (sameInput && sameLayers(file.config.layers, model.config.layers) === null) return null;
  const theirs = describeArchitecture(file.config.layers, file.inputShape);
  const ours = describeArchitecture(model.config.layers, model.inputShape);
  let hint = 'Load a model saved from a network like this one.';
  const hiddenOnly =
    sameInput &&
    file.config.layers.length === model.config.layers.length &&
    file.config.layers.every((l, i) => {
      const m = model.config.layers[i]!;
      return i < file.config.layers.length - 1 && l.type === 'fc' && m.type === 'fc' ? JSON.stringify({ ...l, nOut: 0 }) === JSON.stringify({ ...m, nOut: 0 }) : sameLayers([l], [m]) === null;
    });
  const fileHidden = file.config.layers.find((l, i) => l.type === 'fc' && i < file.config.layers.length - 1);
  if (hiddenOnly && fileHidden?.type === 'fc') hint = `Set the hidden size to ${fileHidden.nOut} first, then load the file again.`;
  return `This file holds a ${theirs} network, but the page's network is ${ours}: its parameters do not fit. ${hint} Nothing was changed.`;
}
