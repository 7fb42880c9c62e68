// Chapter 4 — Convolution and pooling: cross-correlation on NHWC tensors, im2col,
// and where pooling routes the gradient. Interactive cells arrive with the training
// engine: add them as components in this folder, place them among the sections below,
// remove their lines from PLANNED.

import { M, MathBlock, tex } from '../../../ui/Math';
import { ChapterPage, Section } from '../../ChapterPage';
import type { ChapterInfo } from '../../toc';

export const PLANNED = [
  'A convolution you can poke: an input image, a 3×3 kernel you edit, and the output map, with the window under the cursor highlighted',
  'im2col laid out: the patch matrix of a small input, and the matrix product that turns it into the convolution',
  'Padding and stride: how "same", "valid" and integer padding change the output size',
  'Pooling backward: max pooling sends each gradient to its arg-max, average pooling spreads it over the window',
  'What goes wrong: an activation applied inside the convolution loop, with the padded input cached as Z',
] as const;

export function ConvChapter({ info }: { info: ChapterInfo }) {
  return (
    <ChapterPage
      info={info}
      planned={PLANNED}
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
    </ChapterPage>
  );
}
