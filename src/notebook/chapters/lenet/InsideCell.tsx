// Cell 5.2: inside the trained network. The six 5×5 filters of the first convolution, and
// for a chosen test image the feature maps of both convolutions (after ReLU) and the ten
// class probabilities, computed by the model on the page's backend.

import { memo, useEffect, useMemo, useRef, useState } from 'react';
import { lenetPageModel, useLenet, useLenetSettings } from './settings';
import { Slider } from '../../../ui/controls';
import type { ImageInference } from './page-model';
import { useReportVisible } from './use-report-visible';
import { DigitImage, MapGrid, ProbabilityBars, type SmallMap } from './widgets';

/** the first convolution's filters W (kh, kw, 1, F) as F maps (kh, kw) */
export function Filters() {
  const model = useLenet((s) => s.model);
  const maps = useMemo<SmallMap[] | null>(() => {
    const w = model?.snapshot.layers[0]?.parameters.W;
    if (!w || w.shape.length !== 4) return null;
    const [kh, kw, c, f] = w.shape as [number, number, number, number];
    return Array.from({ length: f }, (_, j) => ({
      label: `filter ${j + 1}`,
      h: kh,
      w: kw,
      // W[i, k, 0, j] at ((i·kw + k)·c + 0)·f + j
      at: (i: number, k: number) => w.data[((i * kw + k) * c) * f + j]!,
    }));
  }, [model]);
  if (!maps) return <p className="muted">The filters appear once the model is built (press Train in cell 5.1).</p>;
  return (
    <MapGrid
      title={`First convolution: ${maps.length} filters of ${maps[0]!.h} × ${maps[0]!.w}, after step ${model!.step}`}
      maps={maps}
      scale="diverging"
      zoom={12}
    />
  );
}

/** the test image `index` as floats in [0, 1] */
export function testPixels(images: Uint8Array, index: number, side: number): Float32Array {
  const n = side * side;
  const out = new Float32Array(n);
  for (let k = 0; k < n; k++) out[k] = images[index * n + k]! / 255;
  return out;
}

/**
 * Runs the page's model on an image whenever the model or the image changes. At most one
 * pass is in flight; images that arrive meanwhile are skipped but the latest.
 */
export function useInference(pixels: Float32Array | null): { result: ImageInference | null; error: string | null } {
  const version = useLenet((s) => s.model?.version ?? 0);
  const [out, setOut] = useState<{ result: ImageInference | null; error: string | null }>({ result: null, error: null });
  const job = useRef({ busy: false, next: null as Float32Array | null, gen: 0, alive: true });
  useEffect(() => {
    const j = job.current;
    j.alive = true;
    return () => {
      j.alive = false;
    };
  }, []);
  useEffect(() => {
    const j = job.current;
    j.gen++;
    const pm = lenetPageModel();
    if (!pixels || !pm || version === 0) {
      j.next = null;
      setOut({ result: null, error: null });
      return;
    }
    j.next = pixels;
    if (j.busy) return;
    j.busy = true;
    void (async () => {
      while (j.next) {
        const px = j.next;
        const mine = j.gen;
        j.next = null;
        try {
          const result = await pm.infer(px);
          if (j.alive && mine === j.gen) setOut({ result, error: null });
        } catch (e) {
          if (j.alive && mine === j.gen) setOut({ result: null, error: e instanceof Error ? e.message : String(e) });
        }
      }
      j.busy = false;
    })();
  }, [pixels, version]);
  return out;
}

function mapsOf(out: { shape: number[]; data: Float64Array }, prefix: string): SmallMap[] {
  const [, h, w, f] = out.shape as [number, number, number, number];
  return Array.from({ length: f }, (_, j) => ({
    label: `${prefix} ${j + 1}`,
    h,
    w,
    at: (r: number, c: number) => out.data[(r * w + c) * f + j]!,
  }));
}

const Strip = memo(function Strip({ start, count }: { start: number; count: number }) {
  const testSet = useLenet((s) => s.testSet);
  const selected = useLenetSettings((s) => s.selected);
  const select = useLenet((s) => s.select);
  if (!testSet) return null;
  const side = testSet.height;
  const items = [];
  for (let i = start; i < Math.min(testSet.count, start + count); i++) {
    const px = testSet.images.subarray(i * side * side, (i + 1) * side * side);
    const label = testSet.classNames[testSet.labels[i]!] ?? String(testSet.labels[i]);
    items.push(
      <li key={i}>
        <button type="button" className={`thumb${i === selected ? ' chosen' : ''}`} aria-pressed={i === selected} onClick={() => select(i)} aria-label={`Test image ${i}, a ${label}`}>
          <DigitImage pixels={px} side={side} zoom={1.5} label="" />
          <span className="thumb-label" aria-hidden="true">
            {label}
          </span>
        </button>
      </li>,
    );
  }
  return (
    <ul className="thumb-strip" aria-label="Test images near the chosen one">
      {items}
    </ul>
  );
});

export function InsideCellBody() {
  const testSet = useLenet((s) => s.testSet);
  const selected = useLenetSettings((s) => s.selected);
  const select = useLenet((s) => s.select);
  const predictions = useLenet((s) => s.predictions);
  const modelStep = useLenet((s) => s.model?.step ?? null);
  const modelError = useLenet((s) => s.modelError);
  const count = testSet?.count ?? 0;
  const index = Math.min(selected, Math.max(0, count - 1));
  const pixels = useMemo(() => (testSet && count ? testPixels(testSet.images, index, testSet.height) : null), [testSet, index, count]);
  const { result, error } = useInference(pixels);
  const truth = testSet ? testSet.labels[index]! : null;
  const conv = useMemo(() => (result?.maps ?? []).map((m) => ({ ...m, maps: mapsOf(m.out, 'map') })), [result]);
  const stripStart = Math.max(0, Math.min(Math.max(0, count - 12), index - 5));

  const root = useRef<HTMLDivElement>(null);
  useReportVisible(root, 'inside');

  return (
    <div ref={root} className="lenet-inside-body">
      <Filters />
      {modelError ? (
        <p className="notice warn" role="alert">
          {modelError}
        </p>
      ) : null}
      {testSet && count ? (
        <>
          <div className="controls-row">
            <Slider
              label="Test image"
              value={index}
              min={0}
              max={count - 1}
              step={1}
              format={(v) => `#${v}`}
              onChange={(v) => select(Math.round(v))}
              className="lenet-image-slider"
            />
            <div className="button-row" role="group" aria-label="Choose a test image">
              <button type="button" onClick={() => select(Math.max(0, index - 1))} disabled={index === 0}>
                Previous image
              </button>
              <button type="button" onClick={() => select(Math.min(count - 1, index + 1))} disabled={index >= count - 1}>
                Next image
              </button>
              {predictions ? (
                <button
                  type="button"
                  onClick={() => {
                    for (let d = 1; d <= count; d++) {
                      const j = (index + d) % count;
                      if (predictions.predicted[j] !== predictions.labels[j]) return select(j);
                    }
                  }}
                >
                  Next mistake
                </button>
              ) : null}
            </div>
          </div>
          <Strip start={stripStart} count={12} />
          <div className="lenet-inspect">
            <figure className="lenet-input">
              <DigitImage pixels={pixels!} side={testSet.height} max={1} zoom={5} label={`Test image ${index}, labelled ${truth}`} />
              <figcaption>
                test image <span className="mono">#{index}</span>, label <strong>{testSet.classNames[truth!]}</strong>
                {result ? (
                  <>
                    , predicted{' '}
                    <strong className={result.predicted === truth ? 'ok-text' : 'err-text'}>
                      <output aria-label="Predicted class of the test image">{testSet.classNames[result.predicted]}</output>
                    </strong>
                  </>
                ) : null}
              </figcaption>
            </figure>
            {result ? (
              <ProbabilityBars
                probs={result.probs}
                classNames={testSet.classNames}
                truth={truth}
                label={`Probabilities for test image #${index}${modelStep !== null ? `, model after step ${modelStep}` : ''}`}
              />
            ) : null}
          </div>
          {error ? (
            <p className="notice error" role="alert">
              Could not run the model on this image: {error}
            </p>
          ) : null}
          {conv.map((m, i) => (
            <MapGrid
              key={m.layer}
              title={`Convolution ${i + 1} (${m.layer}) after ReLU: ${m.out.shape[3]} maps of ${m.out.shape[1]} × ${m.out.shape[2]}`}
              maps={m.maps}
              scale="sequential"
              zoom={i === 0 ? 3 : 4}
            />
          ))}
        </>
      ) : (
        <p className="muted">The test images arrive with the data set: press Train in cell 5.1.</p>
      )}
    </div>
  );
}
