// Chapter 2 — Layers: the course's building blocks as tensor operations, with the
// gradients each layer's backward returns, and cells that run them on the page's
// backend: the softmax backward two ways, fused against unfused softmax–cross-entropy,
// one training step traced op by op, and a gradient check; a dense layer's forward as
// heatmaps and the activations' curves, both computed by the kernels.

import { Cell } from '../../../ui/Cell';
import { KernelSource } from '../../cells/KernelSource';
import { M, MathBlock, tex } from '../../../ui/Math';
import { ChapterPage, Section } from '../../ChapterPage';
import { YourTurn } from '../../cells/exercises/YourTurn';
import { PageBackendCell } from '../../cells/PageBackendCell';
import type { ChapterInfo } from '../../../store/toc';
import { ActivationCurvesCell } from './ActivationCurvesCell';
import { DenseCell } from './DenseCell';
import { GradCheckCell } from './GradCheckCell';
import { LossPathsCell } from './LossPathsCell';
import { SoftmaxJvpCell } from './SoftmaxJvpCell';
import { SmallStepThroughCell } from './SmallStepThroughCell';
import '../../cells/lab.css';
import './layers.css';

export function LayersChapter({ info }: { info: ChapterInfo }) {
  return (
    <ChapterPage
      info={info}
      intro={
        <p>
          Chapter 1 pushed one number through the network at a time. Real networks push a whole batch of examples through at once,
          as matrices, and every layer becomes a few tensor operations: a matrix product, an elementwise function, a reduction.
          This chapter writes down each layer of the course's package — forward and backward — in that form. These are exactly the
          operations the GPU kernels implement.
        </p>
      }
    >
      <Section id="layers-batches" title="Batches as matrices">
        <p>
          Data is row-major and batch first: a batch of <M>m</M> inputs with <M>d</M> features is a matrix{' '}
          <M p=",">{tex`X \in \mathbb{R}^{m \times d}`}</M> one example per row. A layer maps it to another matrix with one row per
          example. Gradients keep the shape of what they differentiate: <M>{tex`\partial L/\partial X`}</M> is{' '}
          <M>{tex`m \times d`}</M> like <M p=",">{'X'}</M> and <M>{tex`\partial L/\partial W`}</M> has the shape of <M p=".">{'W'}</M> Below,{' '}
          <M>{tex`\mathrm{d}A`}</M> is short for <M p=".">{tex`\partial L/\partial A`}</M>
        </p>
      </Section>

      <Section id="layers-fc" title="The fully connected layer">
        <p>
          A fully connected layer with <M>{tex`n_\text{in}`}</M> inputs and <M>{tex`n_\text{out}`}</M> outputs holds{' '}
          <M>{tex`W \in \mathbb{R}^{n_\text{in}\times n_\text{out}}`}</M> and <M p=".">{tex`b \in \mathbb{R}^{1\times n_\text{out}}`}</M>
          Its forward pass adds the bias to every row (<M>{tex`\mathbf 1`}</M> is a column of <M>m</M> ones) and applies an
          activation elementwise:
        </p>
        <MathBlock>{tex`Z = X W + \mathbf{1} b, \qquad Y = \sigma(Z).`}</MathBlock>
        <p>
          Given <M>{tex`\mathrm{d}Y`}</M> from the layer above, the chain rule through the activation is elementwise, and through
          the product it gives three matrix products — every entry of <M>W</M> sees every example, so its gradient sums over the
          batch:
        </p>
        <MathBlock>{tex`\mathrm{d}Z = \mathrm{d}Y \odot \sigma'(Z), \qquad \mathrm{d}W = X^{\top}\,\mathrm{d}Z, \qquad \mathrm{d}b = \mathbf{1}^{\top}\mathrm{d}Z, \qquad \mathrm{d}X = \mathrm{d}Z\, W^{\top}.`}</MathBlock>
        <p>
          Check the shapes: <M>{tex`X^\top\mathrm{d}Z`}</M> is <M p=",">{tex`(n_\text{in}\times m)(m\times n_\text{out})`}</M> the shape of{' '}
          <M p=";">{'W'}</M> <M>{tex`\mathbf 1^\top \mathrm dZ`}</M> sums the rows into <M p=".">{tex`1\times n_\text{out}`}</M> Entry by entry,{' '}
          <M>{tex`\mathrm{d}W_{kl} = \sum_i X_{ik}\,\mathrm{d}Z_{il}`}</M> — the hand computation of chapter 1,{' '}
          <M p=",">{tex`\partial L/\partial w = (\partial L/\partial z)\,x`}</M> summed over the batch. On the GPU the three products are
          the same matmul kernel with a transposed operand, and <M>{tex`Z = XW + \mathbf 1 b`}</M> followed by <M>{tex`\sigma`}</M> is
          one kernel with a fused epilogue.
        </p>
      </Section>

      <Cell
        id="layers-matmul-source"
        number="2.1"
        title="The kernel behind Z = X·W + 1b"
        runsOn="WGSL source"
        lead="The matrix product every dense layer runs, forward and backward (transposed operands, optional bias and activation fused at the end). This is the file the engine compiles."
      >
        <KernelSource name="matmul" />
      </Cell>

      <PageBackendCell
        id="layers-dense"
        number="2.2"
        title="A dense layer on the GPU"
        lead="X, W, b and Z = X·W + 1b as heatmaps, computed by the kernel above on the page's backend, with the float64 reference's Z beside it. Change the sizes and hover an entry to read it."
      >
        <DenseCell />
      </PageBackendCell>

      <Section id="layers-activations" title="Activations and their derivatives">
        <p>
          Each activation's derivative can be written with its own output <M p=",">{tex`y = \sigma(z)`}</M> so the backward pass needs
          only <M p=",">{'Y'}</M> which the forward pass already stored:
        </p>
        <MathBlock>{tex`\begin{aligned}
\operatorname{ReLU}(z) &= \max(0, z), & \operatorname{ReLU}'(z) &= \mathbb{1}[z > 0] = \mathbb{1}[y > 0],\\
\operatorname{sigmoid}(z) &= \frac{1}{1 + e^{-z}}, & \operatorname{sigmoid}'(z) &= y\,(1 - y),\\
\tanh(z) &= \frac{e^{z} - e^{-z}}{e^{z} + e^{-z}}, & \tanh'(z) &= 1 - y^2.
\end{aligned}`}</MathBlock>
        <p>
          The sigmoid's derivative is at most ¼ and tanh's at most 1, and both vanish for large <M>|z|</M>: stacked, they shrink
          gradients layer after layer. ReLU passes gradients through unchanged where a unit is on — and not at all where it is off.
        </p>
      </Section>

      <PageBackendCell
        id="layers-activation-curves"
        number="2.3"
        title="Activations side by side"
        lead="Each activation (solid) and its derivative (dashed) for z from −4 to 4, evaluated by the activation kernels: the forward, then the backward with dY = 1."
      >
        <ActivationCurvesCell />
      </PageBackendCell>

      <Section id="layers-softmax" title="Softmax">
        <p>
          For classification the last layer turns each row of scores (logits) <M>{tex`z \in \mathbb{R}^k`}</M> into probabilities.
          Subtracting the row's maximum first changes nothing mathematically and keeps <M>{tex`e^{z}`}</M> from overflowing:
        </p>
        <MathBlock>{tex`\sigma_k(z) = \frac{e^{z_k - \max_l z_l}}{\sum_{l} e^{z_l - \max_l z_l}} = \frac{e^{z_k}}{\sum_l e^{z_l}} .`}</MathBlock>
        <p>Its Jacobian couples every output with every input:</p>
        <MathBlock>{tex`\frac{\partial \sigma_k}{\partial z_l} = \sigma_k\,(\delta_{kl} - \sigma_l).`}</MathBlock>
        <p>
          The backward pass never builds this <M>{tex`k \times k`}</M> matrix. It only needs the Jacobian-vector product with the
          incoming gradient <M>{tex`\mathrm{d}y`}</M> of one row:
        </p>
        <MathBlock>{tex`\mathrm{d}z_l = \sum_k \mathrm{d}y_k\,\sigma_k(\delta_{kl} - \sigma_l) = \sigma_l\Bigl(\mathrm{d}y_l - \sum_k \mathrm{d}y_k\,\sigma_k\Bigr), \qquad \mathrm{d}Z = \sigma \odot \bigl(\mathrm{d}Y - (\mathrm{d}Y \odot \sigma)\,\mathbf{1}\mathbf{1}^{\top}\bigr).`}</MathBlock>
        <p>
          That is one dot product per row and one elementwise pass, for the whole batch at once — no loop over examples. A
          per-example loop that builds each Jacobian gives the same numbers, <M>k</M> times slower; it is a common first attempt.
        </p>
      </Section>

      <Cell id="layers-softmax-source" number="2.4" title="The softmax kernels" runsOn="WGSL source" lead="Max-shifted softmax per row, and its Jacobian-vector product.">
        <KernelSource name="softmax" />
      </Cell>

      <PageBackendCell
        id="layers-softmax-jvp"
        number="2.5"
        title="Softmax backward two ways"
        lead="The Jacobian-vector product in one kernel, and a per-sample loop that builds each k × k Jacobian: the same numbers, at very different cost."
      >
        <SoftmaxJvpCell />
      </PageBackendCell>

      <Section id="layers-losses" title="Cross-entropy, and why softmax and cross-entropy are fused">
        <p>
          With one-hot labels <M>{tex`Y`}</M> and predicted probabilities <M p=",">{tex`\hat Y`}</M> both <M p=",">{tex`m\times k`}</M> the
          cross-entropy loss and its gradient with respect to the probabilities are
        </p>
        <MathBlock>{tex`L = -\frac{1}{m}\sum_{i=1}^{m}\sum_{k} Y_{ik}\ln \hat Y_{ik}, \qquad \frac{\partial L}{\partial \hat Y} = -\frac{1}{m}\,\frac{Y}{\hat Y}\ \text{(elementwise)}.`}</MathBlock>
        <p>
          Pushing <M>{tex`-Y/(m\hat Y)`}</M> through the softmax backward above, with <M p=",">{tex`\sum_k Y_{ik} = 1`}</M> almost
          everything cancels:
        </p>
        <MathBlock>{tex`\mathrm{d}Z_{il} = \hat Y_{il}\Bigl(-\frac{Y_{il}}{m\hat Y_{il}} + \sum_k \frac{Y_{ik}}{m\hat Y_{ik}}\hat Y_{ik}\Bigr) = \frac{\hat Y_{il} - Y_{il}}{m}, \qquad \mathrm{d}Z = \frac{\hat Y - Y}{m}.`}</MathBlock>
        <p>
          The fused form is cheaper and, more importantly, safe: when a probability underflows to 0 the unfused path divides by it,
          while <M>{tex`(\hat Y - Y)/m`}</M> stays bounded. The loss itself is computed as{' '}
          <M>{tex`\ln\sum_l e^{z_l} - z_{y}`}</M> (log-sum-exp), which never takes the log of 0. The course teaches both paths and so
          does this notebook: they must agree wherever the unfused one is finite.
        </p>
        <p>
          For regression (chapter 1) the loss is the halved mean squared error,{' '}
          <M p=",">{tex`L = \frac{1}{2m}\sum_{i,j}(\hat Y_{ij} - Y_{ij})^2`}</M> with <M p=".">{tex`\partial L/\partial\hat Y = (\hat Y - Y)/m`}</M>
        </p>
      </Section>


      <PageBackendCell
        id="layers-loss-paths"
        number="2.6"
        title="Fused and unfused softmax–cross-entropy"
        lead="Both paths agree — until the probability of the true class underflows. Move the gap past about 87 (float32) or 745 (float64) and watch −Y/Ŷ break while (Ŷ − Y)/m does not."
      >
        <LossPathsCell />
      </PageBackendCell>

      <Section id="layers-step" title="One training step, op by op">
        <p>
          Put the pieces together: a network with <M>4</M> inputs, <M>5</M> hidden units and <M>3</M> classes, trained on a batch of{' '}
          <M>6</M> examples. One training step is a fixed sequence of operations — each layer's forward, the loss, the loss
          gradient, each layer's backward from the top down, and the update of every parameter with{' '}
          <M p=".">{tex`\theta \leftarrow \theta - \eta\,\mathrm{d}\theta`}</M> The step-through below records exactly the operations the
          backend ran, with the tensors as they were at that moment and the kernel each one dispatched. Every shape in it follows
          from the equations above: check them as you go.
        </p>
      </Section>

      <PageBackendCell
        id="layers-step-through"
        number="2.7"
        title="Step through one training step"
        lead="The 4 → 5 → 3 network on 6 examples. Step with the buttons or the arrow keys; hover a heatmap (or focus it and use the arrow keys) to read single values."
      >
        <SmallStepThroughCell />
      </PageBackendCell>

      <Section id="layers-gradcheck" title="Checking gradients numerically">
        <p>
          Backpropagation is easy to get subtly wrong, and a wrong gradient still trains — badly. The check is to compare every
          analytic derivative with a numerical one, nudging one parameter at a time:
        </p>
        <MathBlock>{tex`\frac{\partial L}{\partial \theta_i} \approx \frac{L(\theta + h\,e_i) - L(\theta - h\,e_i)}{2h}, \qquad \text{error } O(h^2).`}</MathBlock>
        <p>
          The numerical side runs in float64 on the CPU reference, where it is accurate to about <M p=";">{tex`10^{-10}`}</M> the analytic
          side is the backend's own backward pass, in float32 on the GPU. They should agree to float32 precision.
        </p>
      </Section>

      <PageBackendCell
        id="layers-gradcheck-cell"
        number="2.8"
        title="Gradient check of the 4 → 5 → 3 network"
        lead="Every parameter tensor, analytic against numerical. Then try the course's fragile mistake: the unfused −Y/Ŷ on a batch with a confidently wrong prediction."
      >
        <GradCheckCell />
      </PageBackendCell>

      <YourTurn chapter="layers" number={2} />
    </ChapterPage>
  );
}
