// Preface — what the notebook is, how to read it, and the device cell.

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
          conventions: data is row-major with the batch first, so a batch of <var>m</var> inputs with <var>d</var> features is an{' '}
          <span className="nowrap">
            <var>m</var>&thinsp;×&thinsp;<var>d</var>
          </span>{' '}
          matrix, images are{' '}
          <span className="nowrap">
            <var>m</var>&thinsp;×&thinsp;<var>H</var>&thinsp;×&thinsp;<var>W</var>&thinsp;×&thinsp;<var>C</var>
          </span>{' '}
          (NHWC), and a dense layer computes{' '}
          <span className="nowrap">
            <var>Z</var> = <var>XW</var> + <b>1</b>&thinsp;<var>b</var>.
          </span>
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
