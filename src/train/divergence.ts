// Why a run diverged, in words: what was found not finite (the training loss, the
// parameters, or an evaluation's loss after an epoch) and, where it helps, why.

import type { Backend } from '../engine/backend';
import type { NeuralNetwork } from '../nn/model';

/** why a training loss read back as `loss` (NaN or ±Inf) */
export function lossReason(loss: number, model: NeuralNetwork, backend: Backend): string {
  if (loss === Infinity && model.config.loss.type === 'cross_entropy' && !model.fused) {
    const limit = backend.kind === 'webgpu' ? 'float32 (below 2^-126)' : 'float64 (below 2^-1022)';
    return (
      `the loss became Infinity: the probability ŷ of a target class underflowed to 0 in ${limit}, so ln ŷ = -Infinity ` +
      `(the unfused cross-entropy takes ln of the softmax output; its gradient there is clamped, so no NaN reaches the parameters). ` +
      `The fused loss (loss: 'cross_entropy') computes ln ŷ from the logits and has no such limit`
    );
  }
  return `the loss became ${loss}`;
}

/** the parameters' check failed although the loss read back finite */
export function parameterReason(loss: number): string {
  return `the parameters became NaN or ±Infinity (the loss still read back ${loss}: NaN can turn into finite numbers on the way to the loss)`;
}

/**
 * the evaluation after step `step` (the end of epoch `epoch`, 1-based) gave a non-finite
 * loss, although the training loss read with its parameters' check was finite
 */
export function evaluationReason(split: 'validation' | 'test', loss: number, step: number, epoch: number, lastTrain: { step: number; loss: number } | null): string {
  const last = lastTrain === null ? '' : `; the training loss read back at step ${lastTrain.step} was ${lastTrain.loss}`;
  return `the ${split} loss, evaluated after step ${step} (the end of epoch ${epoch}), became ${loss}${last}`;
}
