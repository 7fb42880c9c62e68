// Chapter 6 — An MLP on Fashion-MNIST: optimizers, schedules, initializers, sweeps.
// Cells: 6.1 the clothes (ClothesCell.tsx), 6.2 the MLP trained in the worker
// (settings.ts, TrainCell.tsx), 6.3 the initializers' spread layer by layer (InitCell.tsx),
// 6.4 a learning-rate × hidden-size sweep (sweep.ts, SweepCell.tsx), 6.5 the confusion
// matrix of 6.2's model (confusion.ts, ConfusionCell.tsx).

import { Cell } from '../../../ui/Cell';
import { M, MathBlock, tex } from '../../../ui/Math';
import { ChapterPage, Section } from '../../ChapterPage';
import type { ChapterInfo } from '../../../store/toc';
import { useFashionTraining } from './settings';
import { FashionTrainCellBody } from './TrainCell';
import { ClothesCell } from './ClothesCell';
import { WorkerCell } from '../../cells/WorkerCell';
import { PageBackendCell } from '../../cells/PageBackendCell';
import { InitCell } from './InitCell';
import { FashionSweepCellBody } from './SweepCell';
import { FashionConfusionCellBody } from './ConfusionCell';
import '../../cells/lab.css';
import './fashion.css';

function TrainCell() {
  return (
    <WorkerCell
      training={useFashionTraining}
      id="fashion-train"
      number="6.2"
      title="Train the MLP on Fashion-MNIST"
      lead={
        <>
          A 784–h–10 network with one hidden ReLU layer, trained in a Web Worker. The first Train downloads the data set. Pick an
          optimizer and a schedule, train, then change them and train again: the earlier runs stay on the accuracy chart. The
          learning rate, hidden size and batch size can also change while it trains.
        </>
      }
    >
      <FashionTrainCellBody />
    </WorkerCell>
  );
}

export function FashionChapter({ info }: { info: ChapterInfo }) {
  return (
    <ChapterPage
      info={info}
      intro={
        <p>
          Fashion-MNIST has the shape of MNIST — 28 × 28 grey images, ten classes, 60 000 + 10 000 — but shows clothes and shoes
          instead of digits, and is much harder: a shirt and a T-shirt can look nearly alike. A plain multilayer perceptron is a
          fair baseline, and a good place to see how the choice of optimizer, learning-rate schedule and initialization changes
          training.
        </p>
      }
    >
      <Section id="fashion-model" title="The model">
        <p>
          Each image is flattened to 784 inputs and passed through two hidden ReLU layers to ten softmax outputs, e.g.
        </p>
        <MathBlock>{tex`784 \xrightarrow{\ \text{dense},\ \text{ReLU}\ } 256 \xrightarrow{\ \text{dense},\ \text{ReLU}\ } 128 \xrightarrow{\ \text{dense},\ \text{softmax}\ } 10,`}</MathBlock>
        <p>
          with <M>{tex`784\cdot256 + 256 + 256\cdot 128 + 128 + 128\cdot 10 + 10 = 235\,146`}</M> parameters. Around 88% test
          accuracy is typical for such a network; LeNet-style convolutions add a few points more.
        </p>
      </Section>

      <Cell
        id="fashion-clothes"
        number="6.1"
        title="The clothes"
        runsOn="Fashion-MNIST test set"
        lead="The first test images of each of the ten classes, as the network sees them: 28 × 28 grey levels. Shirts, T-shirts, pullovers and coats are the pairs to watch."
      >
        <ClothesCell />
      </Cell>

      <Section id="fashion-optimizers" title="Optimizers">
        <p>
          Plain gradient descent steps by <M p=",">{tex`-\eta g`}</M> with <M>g</M> the mini-batch gradient of one parameter tensor.{' '}
          <strong>Momentum</strong> keeps a velocity <M>v</M> that accumulates past steps, which smooths the noise of mini-batches
          and speeds up travel along shallow valleys:
        </p>
        <MathBlock>{tex`v \leftarrow \mu\,v - \eta\,g, \qquad \theta \leftarrow \theta + v \qquad (\mu = 0.9 \text{ typically}).`}</MathBlock>
        <p>
          <strong>Adam</strong> keeps running averages of the gradient and of its square, corrects their bias towards zero in the
          first steps, and divides one by the square root of the other, so every parameter gets a step size adapted to its own
          gradient scale:
        </p>
        <MathBlock>{tex`\begin{aligned}
m &\leftarrow \beta_1 m + (1 - \beta_1)\,g, & v &\leftarrow \beta_2 v + (1 - \beta_2)\,g^2,\\
\hat m &= \frac{m}{1 - \beta_1^{\,t}}, & \hat v &= \frac{v}{1 - \beta_2^{\,t}}, \qquad \theta \leftarrow \theta - \eta\,\frac{\hat m}{\sqrt{\hat v} + \varepsilon},
\end{aligned}`}</MathBlock>
        <p>
          with <M p=",">{tex`\beta_1 = 0.9`}</M> <M p=",">{tex`\beta_2 = 0.999`}</M> <M>{tex`\varepsilon = 10^{-8}`}</M> and the step count{' '}
          <M>{tex`t = 1, 2, \dots`}</M> Each update is one elementwise kernel over the parameter tensor.
        </p>
      </Section>

      <Section id="fashion-schedules" title="Learning-rate schedules">
        <p>
          A large learning rate makes fast early progress; a small one settles into a minimum. Schedules lower <M>{tex`\eta`}</M> as
          training goes on, by step count <M p=":">{'t'}</M>
        </p>
        <MathBlock>{tex`\text{constant: } \eta_t = \eta_0, \qquad \text{exponential: } \eta_t = \eta_0\,\gamma^{\,t}, \qquad \text{step: } \eta_t = \eta_0\,\gamma^{\lfloor t / T\rfloor}.`}</MathBlock>
        <p>
          In the cell below, <M>t</M> counts epochs: the exponential schedule multiplies the rate by <M>{tex`\gamma = 0.7`}</M> over
          each epoch (smoothly, step by step), the step schedule halves it every <M>{tex`T = 2`}</M> epochs.
        </p>
      </Section>

      <TrainCell />

      <Section id="fashion-init" title="Initialization">
        <p>
          Weights start random, with a spread chosen so that the variance of the activations neither grows nor shrinks from layer
          to layer. For a layer with <M>{tex`n_\text{in}`}</M> inputs and <M>{tex`n_\text{out}`}</M> outputs:
        </p>
        <MathBlock>{tex`\begin{aligned}
\text{Xavier (Glorot):}&\quad W \sim \mathcal U\!\left(-\sqrt{\tfrac{6}{n_\text{in} + n_\text{out}}},\ \sqrt{\tfrac{6}{n_\text{in} + n_\text{out}}}\right) \ \text{ or } \ \mathcal N\!\left(0,\ \tfrac{2}{n_\text{in} + n_\text{out}}\right),\\
\text{He (Kaiming):}&\quad W \sim \mathcal U\!\left(-\sqrt{\tfrac{6}{n_\text{in}}},\ \sqrt{\tfrac{6}{n_\text{in}}}\right) \ \text{ or } \ \mathcal N\!\left(0,\ \tfrac{2}{n_\text{in}}\right).
\end{aligned}`}</MathBlock>
        <p>
          Xavier balances the forward and backward passes for symmetric activations (tanh, sigmoid near 0); He accounts for ReLU
          zeroing half of its inputs, hence the extra factor 2. Biases start at zero. The course's default is Xavier uniform.
        </p>
      </Section>

      <PageBackendCell
        id="fashion-init-spread"
        number="6.3"
        title="Initializers, layer by layer"
        lead="256 test images through six dense layers of 256 units, biases 0, weights drawn three ways: the spread of the activations after each layer."
      >
        <InitCell />
      </PageBackendCell>

      <Section id="fashion-sweeps" title="Sweeps">
        <p>
          Which learning rate, which hidden size? There is no formula; one trains several models and compares them on held-out
          data. A sweep runs the grid of settings one after the other with the same seed, so the runs differ only in the setting
          under study, and keeps the curves side by side. Comparing on the test set many times quietly tunes to it, so the course
          sets aside a validation split for choosing and reports the test accuracy once, at the end.
        </p>
      </Section>

      <Cell
        id="fashion-sweep"
        number="6.4"
        title="Sweep Adam's learning rate and the hidden size"
        runsOn="Web Worker · device and seed of cell 6.2"
        lead="Nine small models on a subset, one after another from the same seed; the validation split picks, the test subset reports. The grid of validation accuracies, the pick beside it and the table below fill in as runs finish; Stop keeps the runs already done."
      >
        <FashionSweepCellBody />
      </Cell>

      <Section id="fashion-confusion-section" title="Which classes get mixed up">
        <p>
          Accuracy is one number; the confusion matrix shows where the mistakes go. Row <M>t</M>, column <M>p</M> counts the test images
          of class <M>t</M> that the network labels <M p=".">p</M> The diagonal holds the correct answers; the large numbers off it
          are the pairs the network cannot tell apart — shirts, T-shirts, pullovers and coats, all tops with sleeves of some length.
        </p>
      </Section>

      <Cell
        id="fashion-confusion"
        number="6.5"
        title="The confusion matrix"
        runsOn="the training worker of cell 6.2"
        lead="The model of cell 6.2 on its test images, predicted in the worker each time a run pauses, finishes or stops."
      >
        <FashionConfusionCellBody />
      </Cell>
    </ChapterPage>
  );
}
