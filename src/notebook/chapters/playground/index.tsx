// Chapter 7 — A playground in two dimensions: the package's 2-D toy sets, the course's
// two 1-D curves and two columns of the student's CSV, any stack of 1 to 6 dense hidden
// layers, the decision regions (or the fitted curve) redrawn as the network trains, and
// every weight and gradient on the diagram. All of it is in the URL (settings.ts), save
// the CSV's rows. The networks are small, so they train on the page on the float64 CPU
// reference, a few steps per animation frame (run.ts).

import { Cell } from '../../../ui/Cell';
import { M, MathBlock, tex } from '../../../ui/Math';
import { ChapterPage, Section } from '../../ChapterPage';
import type { ChapterInfo } from '../../../store/toc';
import { PlaygroundCellBody } from './PlaygroundCell';
import './playground.css';

export function PlaygroundChapter({ info }: { info: ChapterInfo }) {
  return (
    <ChapterPage
      info={info}
      intro={
        <>
          <p>
            Everything so far had one fixed architecture per chapter. Here you choose it: up to six hidden layers, each with its
            own width and activation, on data you can see. With two inputs, the network's whole function fits in one picture —
            every point of the plane gets a predicted class — so you can watch what a layer adds, what a bad learning rate
            does, and why a spiral needs more than a straight line.
          </p>
          <p className="note">
            The address bar holds every choice below: copy it to share the exact experiment. The networks here are a few
            hundred weights, so they train on this page in double precision (the float64 CPU reference), a few steps per
            frame.
          </p>
        </>
      }
    >
      <Section id="playground-boundary" title="Decision regions">
        <p>
          A classifier with <M>k</M> classes ends in a softmax, so at every point <M>{tex`x \in \mathbb{R}^2`}</M> of the plane it
          gives probabilities <M p=".">{tex`\hat y(x) = \operatorname{softmax}(z(x))`}</M> Colouring each point by its most likely
          class, <M p=",">{tex`\arg\max_c \hat y_c(x)`}</M> draws the decision regions; their edges are the decision boundary. One
          layer of weights draws straight boundaries only: <M>{tex`z_c(x) = x\,W_{:,c} + b_c`}</M> is linear in <M p=",">x</M> so
          the points where two classes tie form a line. Every hidden layer bends the plane before the next one cuts it:
        </p>
        <MathBlock>{tex`h^{(1)} = \sigma_1\bigl(x W_1 + b_1\bigr), \quad h^{(\ell)} = \sigma_\ell\bigl(h^{(\ell-1)} W_\ell + b_\ell\bigr), \quad \hat y = \operatorname{softmax}\bigl(h^{(L)} W_{L+1} + b_{L+1}\bigr).`}</MathBlock>
        <p>
          Below, the background is the network's prediction on a 48 × 48 grid over the plot: the colour of the predicted class,
          paler where the network is unsure (all classes near <M>{tex`1/k`}</M>). The inputs are standardized (mean 0, standard
          deviation 1 over the data) before the first layer; the plot keeps the data's own units.
        </p>
        <p>
          The two curves are the course's written exercise: 13 and 11 points <M>{tex`(x_i, y_i)`}</M> to fit with a network of one
          input and one linear output, trained on the squared error <M p=".">{tex`L = \tfrac{1}{2m}\sum_i (\hat y(x_i) - y_i)^2`}</M> Chapter 1 fitted the first with four ReLU units by hand; here you can stack as many as you like.
        </p>
      </Section>

      <Cell
        id="playground-net"
        number="7.1"
        title="Build a network, train it, watch the boundary move"
        runsOn="float64 CPU reference · page"
        lead={
          <>
            Pick the data and the layers, then Train. Step once runs one mini-batch forward and backward and one update, then shows
            that step's gradients on the diagram: a band sweeps back from the output, the order in which backward computes them.
            Try the spiral with one hidden layer, then three; a sigmoid stack with plain SGD; a learning rate of 5. Or drop a CSV of
            your own under Your CSV: two of its columns become the plane.
          </>
        }
      >
        <PlaygroundCellBody />
      </Cell>

      <Section id="playground-reading" title="What to look for">
        <ul>
          <li>
            <strong>Width and depth.</strong> Three spiral arms are easy for any of the defaults. Set Classes to 5: after 4000
            steps (Adam, seed 1) one hidden layer of 8 tanh units classifies about 81 % of the points, one layer of 12 or two
            layers of 8 about 87–88 %. Other seeds give other numbers; the ranking is what to look at.
          </li>
          <li>
            <strong>Vanishing gradients.</strong> Six sigmoid layers of 8 with plain SGD (rate 0.3) stay at chance on the spiral:
            press Step once and read the table — ‖∂L/∂W‖ shrinks three- to fourfold per layer on the way back (from about 0.2 at the
            output to below 10⁻⁴ at the first layer after 2000 steps), since every sigmoid multiplies the gradient by{' '}
            <M p=".">{tex`\sigma'(z) \le \tfrac14`}</M> The layers near the input hardly move.
          </li>
          <li>
            <strong>Dead units.</strong> ReLU layers with plain SGD at a rate of 5: within a few steps the units end up off for
            every point, every gradient in the table is exactly 0, and the network predicts one class everywhere.
          </li>
          <li>
            <strong>Optimizers.</strong> Adam divides each weight's step by the size of its recent gradients, so one rate (0.03 here)
            suits every layer; plain SGD moves each weight in proportion to its gradient and needs a rate about ten times larger
            (0.3) on the same network.
          </li>
        </ul>
      </Section>
    </ChapterPage>
  );
}
