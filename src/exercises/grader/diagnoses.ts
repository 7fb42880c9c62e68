// The known mistakes the grader recognizes, each with the message the student reads.
// A diagnosis is only given when the student's numbers match what that mistake produces.

import type { Diagnosis } from './types';

export const DIAGNOSES = {
  'bias-shape': 'The bias (or its gradient) has shape (n_out,) instead of (1, n_out). Keep b two-dimensional: np.zeros([1, n_out]), and sum dL/db with keepdims: true.',
  'grad-left-padded':
    'dL/dX still has the padding border: it has the padded input’s shape. Compute the gradient on the padded input, then cut the padding off before returning it.',
  'conv-cache-wrong':
    'The forward output is right but the backward is wrong everywhere: the activation was applied inside the convolution loop, or the padded input (or the output) was cached as Z. Cache the pre-activation Z = conv(X, W) + b and apply the activation once, after the loop.',
  'max-grad-all-ties':
    'Max pooling sent the gradient to every position that ties for the maximum. Send each output’s gradient to one position only: the first maximum of its window (what argmax returns).',
  'max-grad-wrong-window':
    'Max pooling sent one gradient per window, but not to the maximum of that window: check where each window starts (output index × stride) and how the arg-max inside the window maps back to rows and columns.',
  'softmax-overflow':
    'The softmax overflows for large inputs (exp of a large logit is Infinity, and Infinity/Infinity is NaN). Subtract each row’s maximum before exponentiating: the result is the same, and no exponent exceeds 0.',
  'loss-grad-skips-softmax':
    'The loss gradient −Y/Ŷ went straight into Z, skipping the softmax’s backward. dL/dŶ has to pass through the softmax’s Jacobian-vector product (together they give (Ŷ − Y)/m).',
  'activation-backward-skipped': 'dL/dY was used as dL/dZ: the layer’s backward must first go through the activation’s backward, dZ = activation.backward(Z, dLdY).',
  'ce-not-averaged': 'The loss (or its gradient) is summed over the batch, not averaged: divide by m, the number of examples.',
  'ce-fused-gradient': 'backward returned (Ŷ − Y)/m, the gradient with respect to the logits Z. This exercise asks for dL/dŶ = −Y/(m·Ŷ); the softmax’s backward turns it into (Ŷ − Y)/m.',
  'layers-not-chained':
    'The layers are not chained: each layer must receive the previous layer’s output (X → layer 1 → layer 2 → …). A model that is not chained learns nothing; its accuracy stays at chance.',
  'backward-not-reversed': 'The backward pass must visit the layers in reverse order, handing each layer the gradient the layer after it returned.',
  'loop-over-examples':
    'Your code loops over the examples of the batch (its number of np operations grows with the batch size). Write it for the whole batch at once: matmul, broadcasting and reductions over an axis work on every example together.',
  'gradient-check':
    'Your backward does not match central differences of your own forward: the backward computes the derivative of something else.',
} as const;

export type DiagnosisId = keyof typeof DIAGNOSES;

export function diagnosis(id: DiagnosisId): Diagnosis {
  return { id, message: DIAGNOSES[id] };
}
