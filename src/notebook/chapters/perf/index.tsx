// The Performance page: how fast a training step runs on this device, what it is made
// of (dispatches, submissions, readbacks), and where its GPU time goes, kernel by kernel
// (timestamp queries). Runs on the notebook's backend (store/device.ts).

import { Cell } from '../../../ui/Cell';
import { M, MathBlock, tex } from '../../../ui/Math';
import { ChapterPage, Section } from '../../ChapterPage';
import type { ChapterInfo } from '../../../store/toc';
import { useDevice } from '../../../store/device';
import { KernelsCellBody, MeasureCellBody } from './perf-cells';
import './perf.css';

/** what the page measures, in the words of the notebook's device (the CPU reference has no GPU to count or time) */
function Intro() {
  const cpu = useDevice((s) => s.kind === 'cpu');
  return cpu ? (
    <p>
      Every chapter trains on the device named in the header, here the float64 CPU reference. This page asks how fast: it
      trains LeNet (or the Iris net) for a few steps on the CPU reference and times each step. Nothing goes to a GPU, so there
      are no dispatches, submissions or readbacks to count and no kernels to time; the sections below describe what they are
      on a WebGPU device.
    </p>
  ) : (
    <p>
      Every chapter trains on the device named in the header. This page asks how fast: it trains LeNet (or the Iris net) for
      a few steps on that device, counts what each step sends to the GPU, and times every kernel of one step on the GPU's own
      clock.
    </p>
  );
}

function MeasureLead() {
  const cpu = useDevice((s) => s.kind === 'cpu');
  return cpu
    ? 'A warm-up step builds the model; then the timed steps run on the CPU reference, one after another.'
    : 'A warm-up step compiles the kernels; then the timed steps run, each waited for; then one more step is profiled kernel by kernel.';
}

/** every planned cell of this page is in place */
export const PLANNED: readonly string[] = [];

export function PerfChapter({ info }: { info: ChapterInfo }) {
  return (
    <ChapterPage
      info={info}
      intro={
        <>
          <Intro />
          <p className="note">
            The measurement runs on this page's thread, step by step, waiting for the GPU after each one; the page stays
            responsive because the waiting is asynchronous. Nothing here changes the other chapters' models.
          </p>
        </>
      }
    >
      <Section id="perf-step" title="What a training step sends to the GPU">
        <p>
          One step is forward, loss, backward and update. The engine records each of them as <em>dispatches</em> — one compute
          kernel over a grid of workgroups — into one command buffer, and <em>submits</em> it once. Nothing comes back to
          JavaScript unless it is asked for: a <em>readback</em> (copying the loss to the host) makes the page wait for the GPU,
          so a training loop reads the loss only every few steps. LeNet's step is 20 dispatches: 8 for the forward pass and the
          loss (whose kernel also produces the output gradient), 11 for the backward pass (activation derivatives fused into the
          products and pooling that feed them), and 1 for the update of every parameter at once.
        </p>
        <p>
          Throughput is counted in examples: with a batch of <M>m</M> examples per step and a median step time{' '}
          <M p=",">{tex`t_\text{step}`}</M>
        </p>
        <MathBlock>{tex`\text{examples per second} = \frac{m}{t_\text{step}} .`}</MathBlock>
        <p>
          An epoch is one pass over the training set; with <M>N</M> training examples (MNIST: 60 000) it takes about{' '}
          <M p=".">{tex`N / (\text{examples per second})`}</M> The cell below states both figures for the device it ran on.
        </p>
        <p>
          A bigger batch usually raises it — the GPU does more work per dispatch for the same fixed costs of recording,
          submitting and waiting — until the device is busy.
        </p>
      </Section>

      <Cell
        id="perf-measure"
        number={`${info.number}.1`}
        title="Examples per second, and the counters of a step"
        runsOn="the notebook's device"
        lead={<MeasureLead />}
      >
        <MeasureCellBody />
      </Cell>

      <Section id="perf-timestamps" title="Timing kernels on the GPU's clock">
        <p>
          The CPU cannot time a kernel: it only learns that a whole submission has finished. WebGPU's <code>timestamp-query</code>{' '}
          feature lets the GPU write its own clock into a query set at the start and the end of a compute pass. For the profiled
          step the engine gives each dispatch a pass of its own with those two timestamps, resolves the query set into a buffer
          in the same submission, and reads it afterwards: one GPU time per dispatch. Profiling is off for every other step, so
          it costs them nothing. Where the device has no <code>timestamp-query</code>, each dispatch is submitted on its own and
          timed from the CPU instead — a coarser estimate, and the page says so. With <M>{tex`t_k`}</M> the time of dispatch{' '}
          <M p=",">k</M> the table gives each its share of the step's kernel time,
        </p>
        <MathBlock>{tex`\text{share}_k = \frac{t_k}{\sum_j t_j} .`}</MathBlock>
      </Section>

      <Cell
        id="perf-kernels"
        number={`${info.number}.2`}
        title="Where the GPU time goes"
        runsOn="timestamp queries"
        lead="The dispatches of the profiled step, slowest first, with their share of the step's kernel time."
      >
        <KernelsCellBody />
        <p className="small muted">
          The matrix products come in two versions. On a GPU, a workgroup copies tiles of both matrices into fast workgroup
          memory and reuses each value many times between barriers (<code>matmul</code>). On a software adapter such as
          SwiftShader, a workgroup runs on one CPU thread and every barrier makes it switch between all of its invocations, so
          each invocation instead keeps a block of the result (8 rows by 8 columns, 4 where the matrix has no more) in registers and reads its operands
          straight from memory (<code>matmul_registers</code>). Both are in <code>shaders/matmul.wgsl</code>, tested against the float64 reference;
          the convolution's forward pass follows the same choice (<code>conv2d_implicit</code> or <code>conv2d_implicit_registers</code> in{' '}
          <code>shaders/conv2d.wgsl</code>).
        </p>
        <p className="small muted">
          The convolution's backward pass in the training step does not build the im2col matrix or scatter through col2im (the
          step-through in the convolution chapter shows that route). <code>conv2d_backward_blocked</code> in{' '}
          <code>shaders/conv_backward.wgsl</code> computes <M>{tex`[dW; db] = [\text{cols}^\top; 1^\top]\,dZ`}</M> in register
          blocks of 8 weights by 8 filters, each invocation adding its share of the rows and the workgroup adding the blocks; in the
          same dispatch it computes <M>dX</M> as a transposed convolution, each invocation gathering a block of input pixels × channels
          from <M>dZ</M> and <M>W</M>, so no two invocations write the same element. The table above names the kernel that ran.
        </p>
      </Cell>
    </ChapterPage>
  );
}
