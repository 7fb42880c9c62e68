// Chapter 3 — A two-layer network on Iris: mini-batches, softmax–cross-entropy,
// accuracy. Cells: 3.1 the data (DataCell.tsx), 3.2 live training in the worker (settings.ts, TrainCell.tsx), 3.3 one
// mini-batch stepped through op by op (StepThroughCell.tsx; it computes on the page's
// backend when it comes near the viewport, so it sits below the training cell and does
// not compete with it on load), 3.4 a learning-rate × hidden-size sweep (SweepCell.tsx).
// They share the hyperparameters and seed of cell 3.2 (in the URL); 3.5 trains the same
// network on the student's own CSV.

import { useMemo } from 'react';
import { useDevice } from '../../../store/device';
import { Cell } from '../../../ui/Cell';
import { M, MathBlock, tex } from '../../../ui/Math';
import { ChapterPage, Section } from '../../ChapterPage';
import { UseMyImplementation } from '../../cells/exercises/UseMyImplementation';
import { YourTurn } from '../../cells/exercises/YourTurn';
import type { ChapterInfo } from '../../../store/toc';
import { WorkerCell } from '../../cells/WorkerCell';
import { IrisDataCellBody } from './DataCell';
import './iris.css';
import { StepThroughCell } from './StepThroughCell';
import { IrisSweepCellBody } from './SweepCell';
import { OwnDataCellBody } from './OwnDataCell';
import { IrisTrainCellBody } from './TrainCell';
import { irisConfig, useIrisSettings, useIrisTraining } from './settings';

function StepCell() {
  const hidden = useIrisSettings((s) => s.hidden);
  const batchSize = useIrisSettings((s) => s.batchSize);
  const seed = useIrisSettings((s) => s.seed);
  const lr = useIrisSettings((s) => s.lr);
  const kind = useDevice((s) => s.kind);
  // the same data split as the training cell (standardized, validation held out)
  const config = useMemo(() => irisConfig({ ...useIrisSettings.getState(), hidden, batchSize, seed, lr }), [hidden, batchSize, seed, lr]);
  return (
    <Cell
      id="iris-step-through"
      number="3.3"
      title="Step through one mini-batch"
      runsOn={kind === 'cpu' ? 'CPU reference · page' : 'WebGPU kernels · page'}
      lead={
        <>
          One training step of the network, operation by operation: each layer forward, the loss, each layer backward and the
          update, with the tensors and the kernel that computed them. It uses the hidden size, batch size, learning rate and seed
          of cell 3.2, from the seed's first mini-batch.
        </>
      }
    >
      <StepThroughCell hiddenSize={hidden} batchSize={batchSize} seed={seed} learningRate={lr} config={config} />
    </Cell>
  );
}

function TrainCell() {
  return (
    <WorkerCell
      training={useIrisTraining}
      id="iris-train"
      number="3.2"
      title="Train the network on Iris"
      lead={
        <>
          Mini-batch gradient descent on the cross-entropy, in a Web Worker so the page stays responsive. Change the learning rate,
          hidden size or batch size while it trains: the change applies from the next step and is marked on the charts (a new
          hidden size starts a new model from the same seed). Try a learning rate of 50 to see a run diverge.
        </>
      }
    >
      <IrisTrainCellBody />
    </WorkerCell>
  );
}

function SweepCell() {
  return (
    <Cell
      id="iris-sweep"
      number="3.4"
      title="Sweep the learning rate and the hidden size"
      runsOn="Web Worker · device and seed of cell 3.2"
      lead={
        <>
          One model per pair of values, trained one after another from the same seed on 96 of the 120 training flowers; the
          other 24 (a seeded, stratified validation split) pick the best run, and the 30 test flowers report how the picked run
          does on flowers no choice was made with. The grid shows the validation accuracies by learning rate and hidden size,
          the pick beside it; the table below ranks the runs.
        </>
      }
    >
      <IrisSweepCellBody />
    </Cell>
  );
}

function OwnDataCell() {
  return (
    <Cell
      id="iris-own"
      number="3.5"
      title="Train the network on your own CSV"
      runsOn="Web Worker · device and seed of cell 3.2"
      lead={
        <>
          Drop a CSV file (or choose one): check the preview — rows, classes and their counts, the first rows — pick the label
          column, then train. Cell 3.2's run and settings are not touched.
        </>
      }
    >
      <OwnDataCellBody />
    </Cell>
  );
}

export function IrisChapter({ info }: { info: ChapterInfo }) {
  return (
    <ChapterPage
      info={info}
      intro={
        <p>
          Fisher's Iris data set has 150 flowers of three species, 50 each, and four measurements per flower: sepal length and
          width, petal length and width, in centimetres. It is small enough to train on in a blink and just hard enough to be
          interesting — one species separates cleanly, the other two overlap. A network with one hidden layer learns to tell
          them apart.
        </p>
      }
    >
      <Section id="iris-data" title="Preparing the data">
        <p>
          Each flower is a row <M p=".">{tex`x_i \in \mathbb{R}^4`}</M> The measurements have different ranges, so each feature is
          standardized with the mean and standard deviation of the training split (never of the test split, which must stay
          unseen):
        </p>
        <MathBlock>{tex`\tilde x_{id} = \frac{x_{id} - \mu_d}{s_d}, \qquad \mu_d = \frac{1}{m}\sum_i x_{id}, \qquad s_d^2 = \frac{1}{m}\sum_i (x_{id} - \mu_d)^2 .`}</MathBlock>
        <p>
          The species becomes a one-hot row <M p=",">{tex`y_i \in \{0,1\}^3`}</M> e.g. versicolor is <M p=".">{tex`(0, 1, 0)`}</M> The data
          are shuffled with a seed and split into a training and a test set.
        </p>
      </Section>

      <Cell
        id="iris-data-cell"
        number="3.1"
        title="The 150 flowers"
        runsOn="data/iris.csv"
        lead="Two measurements at a time, coloured by species, and every flower in a table: the raw centimetres, before standardizing, with the split each flower is in."
      >
        <IrisDataCellBody />
      </Cell>

      <Section id="iris-model" title="The network">
        <p>
          Two fully connected layers: <M>4</M> inputs to <M>h</M> hidden ReLU units, then <M>h</M> to <M>3</M> scores, turned into
          probabilities by the softmax:
        </p>
        <MathBlock>{tex`H = \operatorname{ReLU}(X W_1 + \mathbf 1 b_1), \qquad \hat Y = \operatorname{softmax}(H W_2 + \mathbf 1 b_2), \qquad W_1 \in \mathbb{R}^{4\times h},\ W_2 \in \mathbb{R}^{h\times 3}.`}</MathBlock>
        <p>
          With <M>{tex`h = 8`}</M> that is <M>{tex`4\cdot 8 + 8 + 8\cdot 3 + 3 = 67`}</M> parameters. Backward, layer by layer, with
          the fused softmax–cross-entropy gradient of chapter 2:
        </p>
        <MathBlock>{tex`\begin{aligned}
\mathrm{d}Z_2 &= (\hat Y - Y)/m, & \mathrm{d}W_2 &= H^\top \mathrm{d}Z_2, & \mathrm{d}b_2 &= \mathbf 1^\top \mathrm{d}Z_2,\\
\mathrm{d}H &= \mathrm{d}Z_2 W_2^\top, & \mathrm{d}Z_1 &= \mathrm{d}H \odot \mathbb 1[H > 0], & \mathrm{d}W_1 &= X^\top \mathrm{d}Z_1, \quad \mathrm{d}b_1 = \mathbf 1^\top \mathrm{d}Z_1 .
\end{aligned}`}</MathBlock>
      </Section>

      <Section id="iris-minibatch" title="Mini-batches">
        <p>
          Instead of averaging the gradient over all the training data before every step (chapter 1's full batch), stochastic
          gradient descent takes a step after every mini-batch <M>{tex`B`}</M> of, say, 16 examples. Each epoch reshuffles the data
          and visits every example once:
        </p>
        <MathBlock>{tex`\theta \leftarrow \theta - \eta\,\nabla_\theta L_B(\theta), \qquad L_B = -\frac{1}{|B|}\sum_{i\in B}\sum_k Y_{ik}\ln\hat Y_{ik}.`}</MathBlock>
        <p>
          The mini-batch gradient is a noisy but unbiased estimate of the full one, and many cheap noisy steps usually beat a few
          exact ones. The step count per epoch is <M p=".">{tex`\lceil m / |B| \rceil`}</M>
        </p>
      </Section>

      <TrainCell />

      <StepCell />

      <Section id="iris-accuracy" title="Accuracy">
        <p>
          The loss is what gradient descent minimizes; accuracy is what we report. The predicted class is the most probable one,
          and accuracy is the fraction of rows where it matches the label:
        </p>
        <MathBlock>{tex`\operatorname{acc} = \frac{1}{m}\sum_{i=1}^{m} \mathbb 1\bigl[\arg\max_k \hat Y_{ik} = \arg\max_k Y_{ik}\bigr].`}</MathBlock>
        <p>
          Guessing gives 1/3 on Iris. A model stuck there, with a loss that will not move, usually has a bug rather than a bad
          learning rate — the classic one is a forward pass that feeds every layer the original input instead of the previous
          layer's output.
        </p>
      </Section>

      <Section id="iris-hyperparameters" title="Choosing the learning rate and the hidden size">
        <p>
          Too small a learning rate crawls; too large a one overshoots, and past some point the loss explodes to infinity. Too few
          hidden units cannot bend the decision boundaries enough; many more than needed cost time and, on 120 flowers, invite
          overfitting. The honest way to choose is to train a grid of settings and compare them on data the training never saw —
          a validation split — and to keep the test set for one report at the end: choosing by test accuracy would tune to the
          test set and make the best figure optimistic.
        </p>
      </Section>

      <SweepCell />

      <Section id="iris-own-data" title="Your own data">
        <p>
          Nothing in the network is special to flowers: <M>d</M> numeric features in, one of <M>k</M> classes out. Bring a CSV
          file with one row per example, numeric feature columns and one label column (names or class numbers), and the same
          two-layer network trains on it — with <M>{tex`W_1 \in \mathbb{R}^{d\times h}`}</M> and{' '}
          <M p=".">{tex`W_2 \in \mathbb{R}^{h\times k}`}</M> The file stays on your computer: it is read in the training worker
          and never sent anywhere.
        </p>
      </Section>

      <OwnDataCell />

      <YourTurn chapter="iris" number={3}>
        <UseMyImplementation dataset="iris" />
      </YourTurn>
    </ChapterPage>
  );
}
