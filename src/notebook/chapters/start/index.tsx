// Preface — what the notebook is, how to read it, and the device cell.

import { M, tex } from '../../../ui/Math';
import { DeviceCell } from '../../cells/DeviceCell';
import { ChapterPage, Section } from '../../ChapterPage';
import { CHAPTERS, type ChapterInfo } from '../../../store/toc';

export function StartChapter({ info }: { info: ChapterInfo }) {
  return (
    <ChapterPage
      info={info}
      intro={
        <>
          <p>
            This notebook builds neural networks from first principles: from a single hand-tuned network with thirteen weights to
            convolutional networks trained on tens of thousands of images. Every step is written out as math and then run with real
            numbers you can inspect — the forward pass, every gradient of the backward pass, and the update that follows.
          </p>
          <p>
            The layers run as <strong>WGSL compute shaders on WebGPU</strong>, the browser's interface to the graphics card. Each
            kernel has a float64 reference implementation in plain JavaScript that the GPU results are checked against, and that
            takes over when a browser offers no WebGPU.
          </p>
        </>
      }
    >
      <DeviceCell />

      <Section id="start-reading" title="How to read this notebook">
        <p>
          Chapters alternate prose with <em>cells</em>: framed panels with controls, plots and tables that compute as you change
          them. Each cell says where its numbers come from — float64 JavaScript or a WebGPU kernel. Equations use the course's
          conventions: data is row-major with the batch first, so a batch of <M>m</M> inputs with <M>d</M> features is an{' '}
          <M>{tex`m \times d`}</M> matrix, images are <M>{tex`m\times H\times W\times C`}</M> (NHWC), and a dense layer computes{' '}
          <M p=".">{tex`Z = XW + \mathbf 1 b`}</M>
        </p>
        <p>
          The page's state — the open chapter, hyperparameters, seeds, even the weights of chapter 1 — lives in the address bar.
          Reload, or send the link to someone, and they see what you see. Every control works from the keyboard: Tab moves between
          them, arrow keys move sliders, and heatmaps read out the value under focus.
        </p>
        <ol className="toc-list">
          {CHAPTERS.filter((c) => c.number > 0).map((c) => (
            <li key={c.id}>
              <strong>{c.title}.</strong> {c.blurb}.
            </li>
          ))}
        </ol>
      </Section>
    </ChapterPage>
  );
}
