// Chapter 1 — A network by hand: the 1-4-1 ReLU network, its 13 parameters on sliders,
// the forward and backward pass at one x on the computational graph, and gradient
// descent on the squared error. All numbers here are float64 JavaScript.

import { useState } from 'react';
import { useHandNetwork, useHandSettings } from './settings';
import { Cell } from '../../../ui/Cell';
import { M, MathBlock, tex } from '../../../ui/Math';
import { Select } from '../../../ui/controls';
import { ChapterPage, Section } from '../../ChapterPage';
import { YourTurn } from '../../cells/exercises/YourTurn';
import type { ChapterInfo } from '../../../store/toc';
import { FunctionPlot } from './FunctionPlot';
import { GraphCellBody } from './GraphCell';
import { ParamSliders } from './ParamSliders';
import { DescentCellBody } from './DescentCell';
import { DATASETS, datasetLoss, type DatasetId } from './hand-net';

function WeightsCellBody() {
  const params = useHandNetwork((s) => s.params);
  const dataset = useHandSettings((s) => s.dataset);
  const x = useHandSettings((s) => s.x);
  const seed = useHandSettings((s) => s.seed);
  const setDataset = useHandNetwork((s) => s.setDataset);
  const reseed = useHandNetwork((s) => s.reseed);
  const [showUnits, setShowUnits] = useState(false);
  const data = DATASETS[dataset].points;
  const loss = datasetLoss(params, data);
  return (
    <>
      <div className="controls-row">
        <Select<DatasetId>
          label="Data set"
          value={dataset}
          options={(Object.keys(DATASETS) as DatasetId[]).map((id) => ({ value: id, label: DATASETS[id].name }))}
          onChange={setDataset}
        />
        <div className="button-row" role="group" aria-label="Starting weights">
          <button type="button" onClick={() => reseed()}>
            New random start
          </button>
          <button type="button" onClick={() => reseed(0)} disabled={seed === 0}>
            Hand-picked start
          </button>
          <span className="muted small">seed {seed}</span>
        </div>
        <label className="checkbox">
          <input type="checkbox" checked={showUnits} onChange={(e) => setShowUnits(e.currentTarget.checked)} />
          Show each unit's contribution
        </label>
      </div>
      <div className="weights-layout">
        <FunctionPlot params={params} data={data} x={x} showUnits={showUnits} title="The network's function over the data" />
        <p className="plot-readout">
          mean loss <M>{tex`\tfrac{1}{2m}\sum_i (\hat y_i - y_i)^2`}</M> ={' '}
          <output className="mono" aria-label="Mean loss of the drawn function" aria-live="off">
            {loss.toPrecision(4)}
          </output>
        </p>
        <ParamSliders />
      </div>
    </>
  );
}

export function HandChapter({ info }: { info: ChapterInfo }) {
  return (
    <ChapterPage
      info={info}
      intro={
        <>
          <p>
            Before tensors, batches and GPUs, one network small enough to hold in your head: one input <M p=",">{'x'}</M> four hidden units
            with a ReLU, one linear output. It has thirteen numbers — four weights and four biases into the hidden layer, four
            weights and one bias out of it — and every one of them has a slider below. Move them, and watch the function bend.
          </p>
          <p className="note">
            This chapter's arithmetic is tiny, so it runs in plain JavaScript in double precision (float64) on the main thread,
            not on the GPU. From chapter 2 on, the same algebra runs as WGSL compute shaders.
          </p>
        </>
      }
    >
      <Section id="hand-network" title="The network">
        <p>
          For an input <M p=",">{'x'}</M> hidden unit <M>j</M> (<M>{tex`j = 1,\dots,4`}</M>) computes a weighted input and passes it through
          the rectifier; the output adds the hidden values up with weights of their own:
        </p>
        <MathBlock>{tex`z_j = w^{(1)}_j\,x + b^{(1)}_j, \qquad h_j = \operatorname{ReLU}(z_j) = \max(0, z_j), \qquad \hat y = \sum_{j=1}^{4} w^{(2)}_j\,h_j + b^{(2)}.`}</MathBlock>
        <p>
          On the sliders <M>{tex`w^{(1)}_j`}</M> is written <code>w1[j]</code>, <M>{tex`b^{(1)}_j`}</M> is <code>b1[j]</code>,{' '}
          <M>{tex`w^{(2)}_j`}</M> is <code>w2[j]</code> and <M>{tex`b^{(2)}`}</M> is <code>b2</code>. Each unit is zero until{' '}
          <M>{tex`z_j`}</M> crosses zero, at <M p=",">{tex`x = -b^{(1)}_j / w^{(1)}_j`}</M> and a straight line after it. A sum of such
          hinges is a piecewise-linear function with (at most) four kinks: <M>{tex`b^{(1)}_j`}</M> slides unit <M>j</M>'s kink
          sideways, <M>{tex`w^{(1)}_j`}</M> decides which side is on, and <M>{tex`w^{(2)}_j`}</M> sets how sharply the output bends
          there.
        </p>
        <p>
          The course gives two data sets of points <M p=".">{tex`(x_i, y_i)`}</M> The first zig-zags down and up, the second rises, dips
          and rises again. How well the network fits them is measured by the squared error, halved and averaged over the{' '}
          <M>m</M> points:
        </p>
        <MathBlock>{tex`L = \frac{1}{2m}\sum_{i=1}^{m} \bigl(\hat y(x_i) - y_i\bigr)^2 .`}</MathBlock>
      </Section>

      <Cell
        id="hand-weights"
        number="1.1"
        title="Thirteen sliders and the function they draw"
        runsOn="float64 JavaScript"
        lead="The starting weights put all four kinks inside the data range. Try to bring the loss down by hand — it is harder than it looks."
      >
        <WeightsCellBody />
      </Cell>

      <Section id="hand-chain-rule" title="The chain rule, node by node">
        <p>
          To improve the weights we need to know how the loss changes when each of them moves: the partial derivatives{' '}
          <M p=".">{tex`\partial L/\partial w`}</M> Take one point <M>{tex`(x, y)`}</M> and its loss{' '}
          <M>{tex`L = \tfrac12(\hat y - y)^2`}</M> (the factor ½ cancels the 2 of the square). Backpropagation walks the graph from
          the loss back to the input and multiplies local derivatives along the way. At the output:
        </p>
        <MathBlock>{tex`\frac{\partial L}{\partial \hat y} = \hat y - y, \qquad \frac{\partial L}{\partial b^{(2)}} = \frac{\partial L}{\partial \hat y}, \qquad \frac{\partial L}{\partial w^{(2)}_j} = \frac{\partial L}{\partial \hat y}\, h_j .`}</MathBlock>
        <p>
          One step back, through the output weights into each hidden unit, and through the ReLU, whose derivative is 1 where the
          unit is on and 0 where it is off:
        </p>
        <MathBlock>{tex`\frac{\partial L}{\partial h_j} = \frac{\partial L}{\partial \hat y}\, w^{(2)}_j, \qquad \frac{\partial L}{\partial z_j} = \frac{\partial L}{\partial h_j}\,\operatorname{ReLU}'(z_j) = \frac{\partial L}{\partial h_j}\,\mathbb{1}[z_j > 0] .`}</MathBlock>
        <p>
          (At the kink itself, <M p=",">{tex`z_j = 0`}</M> the ReLU has no derivative; like every framework we take 0 there.) Finally into
          the first layer's parameters, since <M>{tex`\partial z_j/\partial w^{(1)}_j = x`}</M> and{' '}
          <M p=":">{tex`\partial z_j/\partial b^{(1)}_j = 1`}</M>
        </p>
        <MathBlock>{tex`\frac{\partial L}{\partial w^{(1)}_j} = (\hat y - y)\; w^{(2)}_j\; \mathbb{1}[z_j > 0]\; x, \qquad \frac{\partial L}{\partial b^{(1)}_j} = (\hat y - y)\; w^{(2)}_j\; \mathbb{1}[z_j > 0] .`}</MathBlock>
        <p>
          Two things to notice. Every gradient carries the factor <M p=":">{tex`\hat y - y`}</M> a point that is already fitted teaches
          nothing. And a unit that is off at <M>x</M> gets no gradient at all from that point — if it is off at every point, it is
          “dead” and gradient descent can never revive it.
        </p>
      </Section>

      <Cell
        id="hand-graph"
        number="1.2"
        title="Forward and backward at one x"
        runsOn="float64 JavaScript"
        lead="The course works this out by hand at x = 2. Pick another point, or move a slider in cell 1.1, and every number below follows."
      >
        <GraphCellBody />
      </Cell>

      <Section id="hand-descent" title="Gradient descent">
        <p>
          Averaging the per-point gradients over the data set gives the gradient of the mean loss. Gradient descent moves every
          parameter a small step against it, with a learning rate <M p=":">{tex`\eta`}</M>
        </p>
        <MathBlock>{tex`\theta \leftarrow \theta - \eta\,\frac{\partial L}{\partial \theta}, \qquad \frac{\partial L}{\partial \theta} = \frac{1}{m}\sum_{i=1}^{m} \frac{\partial L_i}{\partial \theta}, \qquad \theta \in \{w^{(1)}_j, b^{(1)}_j, w^{(2)}_j, b^{(2)}\}.`}</MathBlock>
        <p>
          With <M>x</M> up to 12, the gradients of <M>{tex`w^{(1)}`}</M> are large, so the learning rate must be small: around{' '}
          <M>{tex`\eta = 0.003`}</M> the loss falls steadily. Try 0.02: the first steps are so large that some hidden units end up
          switched off at every data point. Such a unit is dead — its gradient is zero everywhere, so nothing can revive it — and
          the “dead units” readout below lists it. Much larger, and all four die, leaving a constant function. Even at a good
          learning rate, training rarely reaches zero loss, although four units are enough to draw either data set exactly: watch
          for a kink that wanders out of the data range.
        </p>
      </Section>

      <Cell
        id="hand-train"
        number="1.3"
        title="Gradient descent, animated"
        runsOn="float64 JavaScript"
        lead="Train runs full-batch gradient descent on the mean squared error; the sliders, the graph and the tables above follow the weights as they move."
      >
        <DescentCellBody />
      </Cell>

      <YourTurn chapter="hand" number={1} />
    </ChapterPage>
  );
}
