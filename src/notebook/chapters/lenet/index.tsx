// Chapter 5 — LeNet on MNIST: the architecture, one epoch trained live in the chapter's
// worker (5.1), the filters and feature maps of the trained network (5.2), its mistakes on
// the test set (5.3), and a digit drawn by the reader (5.4).

import { Cell } from '../../../ui/Cell';
import { M, MathBlock, tex } from '../../../ui/Math';
import { ChapterPage, Section } from '../../ChapterPage';
import { UseMyImplementation } from '../../cells/exercises/UseMyImplementation';
import { YourTurn } from '../../cells/exercises/YourTurn';
import type { ChapterInfo } from '../../../store/toc';
import { DrawCellBody } from './DrawCell';
import { InsideCellBody } from './InsideCell';
import { MistakesCellBody } from './MistakesCell';
import { OwnImagesCellBody } from './OwnImagesCell';
import { TrainCellBody } from './TrainCell';
import './lenet.css';

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
          the convolutions (col2im of chapter 4). With mini-batches of 64 and Adam, one epoch over the 60 000 training images is
          938 steps, and a single epoch already reaches roughly 97–98% test accuracy.
        </p>
        <p>
          The training run below computes the same gradients as chapter 4's col2im, without building the unrolled matrix: each
          convolution's <M>dW</M> and <M>db</M> are summed over the batch and the output pixels in small register blocks, and
          its <M>dX</M> is gathered pixel by pixel as a transposed convolution (<code>shaders/conv_backward.wgsl</code>). While
          it trains, the status line states how many examples per second this device gets through and how long a full epoch of
          60 000 images takes at that rate; the Performance chapter times the step kernel by kernel.
        </p>
        <p>
          Adam keeps running averages of each parameter's gradient and squared gradient and scales the step by their ratio (its
          update rule is in chapter 6). With plain SGD the same network trains too, with a carefully chosen learning rate and more
          epochs.
        </p>
      </Section>

      <Cell
        id="lenet-train"
        number="5.1"
        title="One epoch of LeNet, live"
        runsOn="WebGPU kernels (or the CPU reference) in a Web Worker"
        lead={
          <>
            Train downloads MNIST (11 MB compressed, 55 MB of pixels; the first time only) and trains in a background worker, so the page stays responsive. The loss
            is read back every few steps without stalling the GPU; the test accuracy is measured after each epoch. The default
            epoch is a short one, 1 000 examples scored on 500 test images, so that the first accuracy shows within a minute even
            without a GPU; “Train on the full epoch” takes all 60 000. On a software adapter (a WebGPU that runs on the CPU) the
            cell trains on whichever of WebGPU and the float64 CPU reference was measured faster there, and says so. Adam moves each weight by about η per
            step, so it takes an absurd learning rate — around 10⁷ — before float32 overflows and the run diverges.
          </>
        }
      >
        <TrainCellBody />
      </Cell>

      <Section id="lenet-features" title="What the convolutions learn">
        <p>
          Each filter of the first layer is a <M>{tex`5\times 5`}</M> pattern of weights; its feature map is large where the image
          under the window looks like the pattern (after the ReLU, negative responses are cut to zero). Trained filters turn into
          edge and stroke detectors at various orientations. The second layer combines all six maps of the first (each of its filters
          has <M>{tex`5\times 5\times 6`}</M> weights), so its 16 maps respond to larger parts of a digit: curves, corners, the
          crossing of two strokes. Pooling halves the resolution after each layer, which is why the second layer's maps are only{' '}
          <M>{tex`10\times 10`}</M> and a digit shifted by a pixel or two gives nearly the same features.
        </p>
      </Section>

      <Cell
        id="lenet-inside"
        number="5.2"
        title="Filters and feature maps"
        runsOn="the page's backend"
        lead="The trained parameters are copied from the worker into a model on the page, which runs one test image at a time. The filters update every few seconds while training runs."
      >
        <InsideCellBody />
      </Cell>

      <Section id="lenet-mistakes" title="Where it goes wrong">
        <p>
          Accuracy is one number; the confusion matrix shows which digits are confused with which. Entry <M>{tex`(t, p)`}</M> counts
          the test images of digit <M>t</M> that the network calls <M p=":">p</M>
        </p>
        <MathBlock>{tex`C_{tp} = \#\{\, i : y_i = t,\ \hat y_i = p \,\}, \qquad \hat y_i = \arg\max_k\, \hat Y_{ik}, \qquad \text{accuracy} = \frac{\sum_t C_{tt}}{\sum_{t,p} C_{tp}} .`}</MathBlock>
        <p>
          A row's diagonal share is the recall of that digit, a column's the precision of that prediction. The mistakes of a
          well-trained LeNet are few and often forgivable — a 4 with an open top read as a 9, a 7 with a bar read as a 2 — and
          some test labels are arguably wrong.
        </p>
      </Section>

      <Cell
        id="lenet-confusion"
        number="5.3"
        title="Confusion matrix and misclassified digits"
        runsOn="the training worker's backend"
        lead="Computed on the test set whenever training pauses or finishes. Choose a count in the matrix to see those images; choose an image to open it in cell 5.2."
      >
        <MistakesCellBody />
      </Cell>

      <Section id="lenet-draw" title="Your own digit">
        <p>
          MNIST's digits were written on paper, scanned, and normalized: each digit's bounding box was scaled to fit a{' '}
          <M>{tex`20\times 20`}</M> box (keeping its aspect ratio, with anti-aliasing), then placed in the{' '}
          <M>{tex`28\times 28`}</M> field so that its centre of mass falls on the centre. A drawing gets the same treatment before
          the network sees it: with <M>{tex`s = 20 / \max(\text{width}, \text{height})`}</M> of the ink's box and{' '}
          <M>{tex`(c_x, c_y)`}</M> its centre of mass, a point of the drawing moves to
        </p>
        <MathBlock>{tex`(x, y) \mapsto \bigl(s\,(x - c_x) + 14,\; s\,(y - c_y) + 14\bigr),`}</MathBlock>
        <p>and each of the 784 pixels averages the ink over the square of the drawing that maps onto it.</p>
      </Section>

      <Cell
        id="lenet-pad"
        number="5.4"
        title="Draw a digit"
        runsOn="the page's backend"
        lead="Draw a digit as large as you like; the prediction follows the pen. Digits drawn far from MNIST's style (very thin, or slanted a lot) fool it more often than test images do."
      >
        <DrawCellBody />
      </Cell>

      <Section id="lenet-own-data" title="Your own images">
        <p>
          The layers take any image size the kernels and pools leave room for, with any number of channels: the first
          convolution's weights are <M>{tex`5\times 5\times C\times 6`}</M> and the first dense layer's input is whatever the
          second pool leaves. Bring an idx pair (images and labels, as MNIST ships them) or CIFAR-10's binary batches
          (<M>{tex`32\times 32\times 3`}</M>, ten classes) and the same network trains on them, with one output per class.
        </p>
      </Section>

      <Cell
        id="lenet-own"
        number="5.5"
        title="Train LeNet on your own images"
        runsOn="WebGPU kernels in a Web Worker"
        lead="Drop the two idx files together (or CIFAR-10 .bin batches): check the preview — images, classes and their counts, the first images — then train. Cell 5.1's run is not touched."
      >
        <OwnImagesCellBody />
      </Cell>

      <YourTurn chapter="lenet" number={5}>
        <UseMyImplementation dataset="mnist-subset" />
      </YourTurn>
    </ChapterPage>
  );
}
