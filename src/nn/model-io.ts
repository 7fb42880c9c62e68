// A model's parameters in and out as files: save() writes the configuration, the input
// shape and every parameter (format in serialize.ts); loadParameters() refuses, naming
// the difference, a file whose layers or shapes do not match the model, before writing
// any parameter.

import { shapeStr } from '../engine/geometry';
import { type ArrayInput, readTensor } from './arrays';
import type { NeuralNetwork } from './model';
import { checkModelFile, type ModelFile, MODEL_FORMAT, MODEL_FORMAT_VERSION, sameLayers } from './serialize';

/** the configuration, the shapes and every parameter of a built model, as a JSON-ready object */
export async function saveModel(model: NeuralNetwork): Promise<ModelFile> {
  const layers: ModelFile['layers'] = [];
  for (const layer of model.layers) {
    const parameters: Record<string, { shape: number[]; data: number[] }> = {};
    for (const [key, t] of Object.entries(layer.parameters)) {
      const h = await readTensor(model.backend, t);
      parameters[key] = { shape: h.shape, data: Array.from(h.data) };
    }
    layers.push({ name: layer.name, type: layer.type, parameters });
  }
  return {
    format: MODEL_FORMAT,
    version: MODEL_FORMAT_VERSION,
    config: model.config,
    inputShape: [...model.sampleShape!],
    layers,
  };
}

/** overwrites the model's parameters from a saved file (object or JSON text), all or none */
export function loadParametersInto(model: NeuralNetwork, file: unknown): void {
  const f = checkModelFile(file);
  const diff = sameLayers(f.config.layers, model.config.layers);
  if (diff) throw new Error(`model file does not match this model: ${diff}`);
  if (model.built && model.sampleShape!.join() !== f.inputShape.join()) {
    throw new Error(`model file is for inputs (m, ${f.inputShape.join(', ')}); this model takes (m, ${model.sampleShape!.join(', ')})`);
  }
  model.build([1, ...f.inputShape]);
  model.layers.forEach((layer, i) => {
    const saved = f.layers[i]!.parameters;
    const want = Object.keys(layer.parameters);
    const got = Object.keys(saved);
    if (want.sort().join() !== got.sort().join()) {
      throw new Error(`model file: layer ${i} (${layer.type}) has parameters [${got.join(', ')}], expected [${want.join(', ')}]`);
    }
    for (const key of want) {
      const p = layer.parameters[key]!;
      const s = saved[key]!;
      if (s.shape.join() !== p.shape.join()) {
        throw new Error(`model file: ${layer.name}.${key} has shape ${shapeStr(s.shape)}, expected ${shapeStr(p.shape)}`);
      }
    }
  });
  model.layers.forEach((layer, i) => {
    const saved = f.layers[i]!.parameters;
    const values: Record<string, ArrayInput> = {};
    for (const key of Object.keys(layer.parameters)) values[key] = saved[key]!.data;
    layer.setParameters(values);
  });
}
