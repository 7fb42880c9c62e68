// Chapter 5 — LeNet on MNIST. Interactive cells arrive with the training engine: add
// them as components in this folder, place them among the sections below, remove their
// lines from PLANNED.

import { M, MathBlock, tex } from '../../../ui/Math';
import { ChapterPage, Section } from '../../ChapterPage';
import type { ChapterInfo } from '../../toc';

export const PLANNED = [
  'The digits: a grid of MNIST test images with their labels',
  'Train LeNet on the GPU with live loss and accuracy, in a Web Worker so the page stays responsive',
  'Inside the network: the feature maps of both convolution layers for one digit, and the learned 5×5 filters',
  'Predictions: the ten class probabilities for a digit, and the test images the network gets wrong',
] as const;

/** LeNet-5 as the course builds it (NHWC, 'same' padding in the first convolution). */
const ARCH: readonly { layer: string; out: string; params: string }[] = [
  { layer: 'input', out: '28 × 28 × 1', params: '—' },
  { layer: 'Conv2D 5×5, 6 filters, same, ReLU', out: '28 × 28 × 6', params: '5·5·1·6 + 6 = 156' },
  { layer: 'MaxPool 2×2, stride 2', out: '14 × 14 × 6', params: '—' },
  { layer: 'Conv2D 5×5, 16 filters, valid, ReLU', out: '10 × 10 × 16', params: '5·5·6·16 + 16 = 2 416' },
  { layer: 'MaxPool 2×2, stride 2', out: '5 × 5 × 16', params: '—' },
  { layer: 'Flatten', out: '400', params: '—' },
  { layer: 'Dense 120, ReLU', out: '120', params: '400·120 + 120 = 48 120' },
  { layer: 'Dense 84, ReLU', out: '84', params: '120·84 + 84 = 10 164' },
  { layer: 'Dense 10, softmax', out: '10', params: '84·10 + 10 = 850' },
];

export function LenetChapter({ info }: { info: ChapterInfo }) {
  return (
    <ChapterPage
      info={info}
      planned={PLANNED}
      intro={
        <p>
          MNIST is 70 000 handwritten digits, 28 × 28 grey pixels each, 60 000 for training and 10 000 for testing. LeNet-5
          (LeCun et al., 1998) was one of the first convolutional networks to read them reliably. Everything it needs is already
          in the previous chapters: convolutions, pooling, dense layers and softmax–cross-entropy, chained into one model.
        </p>
      }
    >
      <Section id="lenet-arch" title="The architecture">
        <p>
          Two convolution–pooling stages extract features; three dense layers classify them. Shapes are per example (the batch
          dimension <M>m</M> goes in front of each):
        </p>
        <div className="table-wrap" tabIndex={0} role="region" aria-label="LeNet layers table">
          <table className="arch-table">
            <caption>LeNet-5 layer by layer: 61 706 parameters in all</caption>
            <thead>
              <tr>
                <th scope="col">layer</th>
                <th scope="col">output shape</th>
                <th scope="col">parameters</th>
              </tr>
            </thead>
            <tbody>
              {ARCH.map((r) => (
                <tr key={r.layer + r.out}>
                  <th scope="row">{r.layer}</th>
                  <td className="mono">{r.out}</td>
                  <td className="mono">{r.params}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p>
          Almost 80% of the parameters sit in the first dense layer, while almost all of the arithmetic happens in the
          convolutions: the first one alone evaluates its 150 weights at every one of <M>{tex`28\cdot 28 = 784`}</M> positions for
          each of 6 filters.
        </p>
      </Section>

      <Section id="lenet-flatten" title="Flatten, and the gradient through it">
        <p>
          Between the last pooling layer and the first dense layer, each example's <M>{tex`5\times 5\times 16`}</M> map is read as a
          row of 400 numbers in row-major (NHWC) order. Flattening moves no data — it is a reshape — so its backward pass is the
          inverse reshape of the incoming gradient:
        </p>
        <MathBlock>{tex`\operatorname{flatten}: \mathbb{R}^{m\times 5\times 5\times 16} \to \mathbb{R}^{m\times 400}, \qquad \mathrm{d}X = \operatorname{reshape}(\mathrm{d}Y,\ m\times 5\times 5\times 16).`}</MathBlock>
      </Section>

      <Section id="lenet-training" title="Training">
        <p>
          Pixels are scaled to <M p=",">{tex`[0, 1]`}</M> labels one-hot encoded, and the loss is the fused softmax–cross-entropy. The
          gradient flows back through the dense layers (chapter 2), the flatten, the pooling layers (to the arg-max positions) and
          the convolutions (col2im of chapter 4). With mini-batches of 64 and Adam, one epoch is about 940 steps, and a single
          epoch already reaches roughly 97–98% test accuracy.
        </p>
        <p>
          Adam keeps running averages of each parameter's gradient and squared gradient and scales the step by their ratio (its
          update rule is in chapter 6). With plain SGD the same network trains too, with a carefully chosen learning rate and more
          epochs.
        </p>
      </Section>
    </ChapterPage>
  );
}
