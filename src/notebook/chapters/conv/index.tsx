// Chapter 4 — Convolution and pooling: cross-correlation on NHWC tensors, im2col,
// and where pooling routes the gradient. Cells: a convolution to poke (a picture, an
// editable 3 × 3 kernel, the output with the window under the cursor), im2col laid out with linked highlighting
// (geometry controls shared by the chapter), one training step of a small CNN traced op
// by op, the gradient check of a Conv2D layer with the course's broken variant, pooling
// with its gradient routing, and the WGSL that ran.

import { CONV_SHADERS, useConvLab, type ConvShader } from './settings';
import { Cell } from '../../../ui/Cell';
import { KernelSource } from '../../cells/KernelSource';
import { M, MathBlock, tex } from '../../../ui/Math';
import { Select } from '../../../ui/controls';
import { ChapterPage, Section } from '../../ChapterPage';
import { YourTurn } from '../../cells/exercises/YourTurn';
import type { ChapterInfo } from '../../../store/toc';
import { PageBackendCell } from '../../cells/PageBackendCell';
import { ConvGradCell } from './ConvGradCell';
import { ConvStepCell } from './ConvStepCell';
import { Im2colCell } from './Im2colCell';
import { PokeCell } from './PokeCell';
import { PoolCell } from './PoolCell';
import '../../cells/lab.css';
import './conv.css';

const SHADER_NOTES: Record<ConvShader, string> = {
  im2col: 'one thread per entry of cols: which window, which pixel, zero in the padding',
  col2im: 'one thread per pixel of dX: gathers every entry of dcols that copied it and adds them',
  conv2d: 'the implicit GEMM forward (im2col folded into the tile loader, or into register blocks on a software adapter) and the one-dispatch backward: dW, db and the direct dX',
  conv_weight_grad: 'dW = colsᵀ·dZ without storing cols, and db = Σ dZ',
  pool: 'max and average pooling forward (with the arg-max) and backward',
};

function ConvKernels() {
  const shader = useConvLab((s) => s.shader);
  const set = useConvLab((s) => s.set);
  return (
    <>
      <div className="controls-row">
        <Select<ConvShader> label="Kernel file" value={shader} options={CONV_SHADERS.map((k) => ({ value: k, label: `shaders/${k}.wgsl` }))} onChange={(v) => set('shader', v)} />
        <p className="small muted">{SHADER_NOTES[shader]}</p>
      </div>
      <KernelSource name={shader} />
    </>
  );
}

export function ConvChapter({ info }: { info: ChapterInfo }) {
  return (
    <ChapterPage
      info={info}
      intro={
        <p>
          A fully connected layer treats an image as a long list of numbers and forgets which pixels are neighbours. A
          convolutional layer slides a small window of weights over the image and uses the same weights everywhere: far fewer
          parameters, and a feature detected in one corner is detected in every other. Pooling then shrinks the maps, keeping the
          strongest (or average) response in each window.
        </p>
      }
    >
      <Section id="conv-forward" title="Convolution is cross-correlation">
        <p>
          Images are NHWC: a batch <M p=".">{tex`X \in \mathbb{R}^{m\times H\times W\times C}`}</M> A layer with <M>F</M> filters of size{' '}
          <M>{tex`k_h \times k_w`}</M> holds <M>{tex`W \in \mathbb{R}^{k_h\times k_w\times C\times F}`}</M> and{' '}
          <M p=".">{tex`b \in \mathbb{R}^{1\times F}`}</M> With stride <M>s</M> and the zero-padded input <M p=":">{tex`X^{\text{pad}}`}</M>
        </p>
        <MathBlock>{tex`Z_{n,d_1,d_2,f} = \sum_{i=0}^{k_h-1}\sum_{j=0}^{k_w-1}\sum_{c=0}^{C-1} W_{i,j,c,f}\; X^{\text{pad}}_{n,\,d_1 s + i,\,d_2 s + j,\,c} \;+\; b_f .`}</MathBlock>
        <p>
          (Mathematically this is a cross-correlation — a true convolution would flip the kernel — but since the kernel is learned,
          the difference does not matter and every framework calls it convolution.) With <M>p</M> rows of padding on each side the
          output height is
        </p>
        <MathBlock>{tex`H_\text{out} = \Bigl\lfloor \frac{H + 2p - k_h}{s} \Bigr\rfloor + 1 ,`}</MathBlock>
        <p>
          and likewise the width. <code>'valid'</code> means <M p=";">{tex`p = 0`}</M> <code>'same'</code> pads just enough that{' '}
          <M>{tex`H_\text{out} = \lceil H/s \rceil`}</M> (for stride 1 and odd <M p=",">{tex`k_h`}</M> <M>{tex`p = (k_h - 1)/2`}</M>).
        </p>
      </Section>

      <PageBackendCell
        id="conv-poke"
        number="4.1"
        title="A convolution you can poke"
        lead="A picture, a 3 × 3 kernel you edit, and the output map from the conv2d kernel. Point at an output entry: its window lights up in the input and the sum is written out."
      >
        <PokeCell />
      </PageBackendCell>

      <Section id="conv-im2col" title="im2col: convolution as one matrix product">
        <p>
          Copy every window of the padded input into a row of a matrix — the <em>columns</em> matrix — with the window's{' '}
          <M>{tex`k_h k_w C`}</M> values in the order <M p=":">{tex`(i\,k_w + j)\,C + c`}</M>
        </p>
        <MathBlock>{tex`\operatorname{cols} \in \mathbb{R}^{(m\,H_\text{out} W_\text{out}) \times (k_h k_w C)}, \qquad \operatorname{cols}_{(n,d_1,d_2),\,(i k_w + j) C + c} = X^{\text{pad}}_{n,\,d_1 s + i,\,d_2 s + j,\,c}.`}</MathBlock>
        <p>
          Reshape the weights to <M>{tex`W_\text{flat} \in \mathbb{R}^{(k_h k_w C)\times F}`}</M> with the same ordering, and the whole
          convolution is the dense layer of chapter 2:
        </p>
        <MathBlock>{tex`Z_\text{flat} = \operatorname{cols}\, W_\text{flat} + \mathbf 1 b \;\in\; \mathbb{R}^{(m H_\text{out} W_\text{out})\times F}, \qquad Z = \operatorname{reshape}(Z_\text{flat},\ m\times H_\text{out}\times W_\text{out}\times F).`}</MathBlock>
        <p>The backward pass is the dense backward, plus the adjoint of the copy:</p>
        <MathBlock>{tex`\mathrm{d}W_\text{flat} = \operatorname{cols}^\top \mathrm{d}Z_\text{flat}, \qquad \mathrm{d}b = \mathbf 1^\top \mathrm{d}Z_\text{flat}, \qquad \mathrm{d}X = \operatorname{col2im}\bigl(\mathrm{d}Z_\text{flat}\, W_\text{flat}^\top\bigr).`}</MathBlock>
        <p>
          <M>{tex`\operatorname{col2im}`}</M> scatters each row back to its window and <em>adds</em> where windows overlap — a pixel
          that took part in several windows collects a gradient from each — and drops the padding. im2col costs memory (every
          pixel is copied up to <M>{tex`k_h k_w`}</M> times) but turns convolution into the one operation GPUs do best.
        </p>
      </Section>

      <PageBackendCell
        id="conv-im2col-cell"
        number="4.2"
        title="im2col laid out"
        lead="Point at an output, a row of cols or a pixel: the same numbers light up everywhere. Change the padding and stride and watch the output size follow the formula."
      >
        <Im2colCell />
      </PageBackendCell>

      <PageBackendCell
        id="conv-step-through"
        number="4.3"
        title="Step through a convolutional network"
        lead="Convolution, pooling, flatten and a dense layer: one training step, forward and backward, with every tensor and the kernels that ran."
      >
        <ConvStepCell />
      </PageBackendCell>

      <Section id="conv-wrong" title="What goes wrong: the activation inside the loop">
        <p>
          A first convolution is often written as the definition, four nested loops, with the activation applied to each sum as
          it is computed and the padded input stored in the cache for the backward pass — under the key <code>Z</code>. The
          forward pass is then correct. The backward pass is not: it needs <M>{tex`\sigma'(Z)`}</M> of the convolution's own
          pre-activation,
        </p>
        <MathBlock>{tex`\mathrm{d}Z = \mathrm{d}Y \odot \sigma'(Z), \qquad Z = \operatorname{conv}(X, W) + b \in \mathbb{R}^{m\times H_\text{out}\times W_\text{out}\times F},`}</MathBlock>
        <p>
          and what it finds under <code>Z</code> is <M p=",">{tex`X^{\text{pad}} \in \mathbb{R}^{m\times (H+2p)\times (W+2p)\times C}`}</M> a
          different tensor. Every gradient downstream of that mask is wrong. Nothing crashes; training just goes badly. The
          gradient check catches it at once.
        </p>
      </Section>

      <PageBackendCell
        id="conv-gradcheck"
        number="4.4"
        title="Gradient check of a convolution"
        lead="dW, db and dX of a Conv2D layer with ReLU against central differences. Then switch on the broken layer."
      >
        <ConvGradCell />
      </PageBackendCell>

      <Section id="conv-pooling" title="Pooling and where its gradient goes">
        <p>
          Pooling has no parameters. It slides a <M>{tex`k_h\times k_w`}</M> window with stride <M>s</M> over each channel
          separately (the course pads with zeros first, and the padding takes part in the window) and keeps one number per window:
        </p>
        <MathBlock>{tex`\text{max:}\ \ Y_{n,d_1,d_2,c} = \max_{i,j} X^{\text{pad}}_{n,\,d_1 s+i,\,d_2 s+j,\,c}, \qquad \text{average:}\ \ Y_{n,d_1,d_2,c} = \frac{1}{k_h k_w}\sum_{i,j} X^{\text{pad}}_{n,\,d_1 s+i,\,d_2 s+j,\,c}.`}</MathBlock>
        <p>
          The maximum depends on only one input of the window — the arg-max — so max pooling routes the whole incoming gradient to
          that position and zero to the others. The average depends on all of them equally:
        </p>
        <MathBlock>{tex`\text{max:}\ \ \mathrm{d}X_{\,\operatorname{argmax}(n,d_1,d_2,c)} \mathrel{+}= \mathrm{d}Y_{n,d_1,d_2,c}, \qquad \text{average:}\ \ \mathrm{d}X_{n,\,d_1 s+i,\,d_2 s+j,\,c} \mathrel{+}= \frac{\mathrm{d}Y_{n,d_1,d_2,c}}{k_h k_w}\ \ \forall i,j.`}</MathBlock>
        <p>
          The forward pass records the arg-max of every window so the backward pass need not search again. When windows overlap
          (stride smaller than the window), an input can receive gradient from several outputs: the contributions add.
        </p>
      </Section>
      <PageBackendCell
        id="conv-pool"
        number="4.5"
        title="Pooling, and where the gradient goes"
        lead="Point at an output of the pooling: its window and its maximum light up, and the arrows show where its gradient goes on the way back."
      >
        <PoolCell />
      </PageBackendCell>

      <Cell id="conv-kernels" number="4.6" title="The kernels that ran" runsOn="WGSL source" lead="The convolution and pooling shaders, exactly as the engine compiles them.">
        <ConvKernels />
      </Cell>

      <YourTurn chapter="conv" number={4} />
    </ChapterPage>
  );
}
