// A model's mean loss and accuracy over a whole dataset, in chunks of `chunk` rows:
//
//   L̄ = (1/n) Σ_chunks m_c · L_c      accuracy = (1/n) Σ_chunks correct_c
//
// both accumulated on the device (one (1) tensor each) and read back once at the end.

import type { Backend, Tensor } from '../engine/backend';
import type { Dataset } from '../nn/data/dataset';
import type { NeuralNetwork } from '../nn/model';
import { slice } from './data';
import type { EvalResult } from './session-config';

export async function evaluateModel(b: Backend, model: NeuralNetwork, ds: Dataset, chunk: number): Promise<EvalResult> {
  const n = ds.shape[0]!;
  const classes = ds.task === 'classification';
  let lossSum: Tensor = b.zeros([1], 'eval loss sum');
  let correctSum: Tensor | null = classes ? b.zeros([1], 'eval correct') : null;
  try {
    for (let start = 0; start < n; start += chunk) {
      const m = Math.min(chunk, n - start);
      const hb = slice(ds, start, m);
      const x = b.fromArray(hb.x, hb.xShape, 'eval x');
      const y = b.fromArray(hb.y, hb.yShape, 'eval y');
      const loss = model.computeLoss(x, y, { backward: false }); // (1): the chunk's mean loss; no dL/dZ
      const nextLoss = b.axpby(1, lossSum, m, loss);
      b.dispose(lossSum, loss);
      lossSum = nextLoss;
      if (correctSum) {
        const yhat = model.layers[model.layers.length - 1]!.cache.Y!;
        const c = b.countCorrect(yhat, y);
        const nextCorrect = b.axpby(1, correctSum, 1, c);
        b.dispose(correctSum, c);
        correctSum = nextCorrect;
      }
      model.clearCaches();
      b.dispose(x, y);
      b.flush();
    }
    const loss = (await b.read(lossSum))[0]! / n;
    const accuracy = correctSum ? (await b.read(correctSum))[0]! / n : null;
    return { loss, accuracy, count: n };
  } finally {
    b.dispose(lossSum, correctSum);
  }
}
