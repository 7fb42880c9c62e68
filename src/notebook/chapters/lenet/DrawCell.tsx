// Cell 5.4: draw a digit. The drawing is made to look like an MNIST digit (mnistify.ts:
// the ink's box scaled to 20 pixels, anti-aliased, centred by mass in 28 × 28) and the
// trained model on the page predicts it. A test image can be loaded into the pad instead
// (the keyboard's way in).

import { useCallback, useRef, useState } from 'react';
import { useLenet, useLenetSettings } from './settings';
import { DrawPad, type DrawPadImage } from '../../../ui/DrawPad';
import { useInference, testPixels } from './InsideCell';
import { mnistify, MNIST_SIDE } from './mnistify';
import { useReportVisible } from './use-report-visible';
import { DigitImage, ProbabilityBars } from './widgets';

const PAD = 280;

export function DrawCellBody() {
  const testSet = useLenet((s) => s.testSet);
  const selected = useLenetSettings((s) => s.selected);
  const hasModel = useLenet((s) => s.model !== null);
  const [pixels, setPixels] = useState<Float32Array | null>(null);
  const [image, setImage] = useState<DrawPadImage | null>(null);
  const [loaded, setLoaded] = useState<number | null>(null);
  const { result, error } = useInference(pixels);

  const onInk = useCallback((ink: Float32Array | null, size: number) => {
    setPixels(ink ? mnistify(ink, size, size) : null);
  }, []);

  const index = testSet ? Math.min(selected, testSet.count - 1) : 0;
  const classNames = testSet?.classNames ?? ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

  const root = useRef<HTMLDivElement>(null);
  useReportVisible(root, 'draw');

  return (
    <div className="lenet-draw" ref={root}>
      <DrawPad label="Drawing pad for a digit" size={PAD} onInk={onInk} image={image}>
        <button
          type="button"
          disabled={!testSet}
          onClick={() => {
            if (!testSet) return;
            setImage({ pixels: testPixels(testSet.images, index, testSet.height), side: testSet.height, max: 1, key: Date.now() });
            setLoaded(index);
          }}
        >
          Load test image #{index} into the pad
        </button>
      </DrawPad>
      <div className="lenet-draw-result">
        <figure className="lenet-input">
          {pixels ? (
            <DigitImage pixels={pixels} side={MNIST_SIDE} max={1} zoom={4} label="The drawing as the network sees it: 28 by 28 pixels" />
          ) : (
            <div className="digit-empty" style={{ width: MNIST_SIDE * 4, height: MNIST_SIDE * 4 }} aria-hidden="true" />
          )}
          <figcaption>
            what the network sees (28 × 28)
            {loaded !== null && pixels ? <span className="muted small"> · from test image #{loaded}</span> : null}
          </figcaption>
        </figure>
        <p className="draw-prediction">
          Prediction:{' '}
          <output className="mono" aria-label="Prediction for the drawing">
            {result ? `${classNames[result.predicted]} (${(100 * result.probs[result.predicted]!).toFixed(1)}%)` : '—'}
          </output>
        </p>
        {result ? (
          <ProbabilityBars probs={result.probs} classNames={classNames} label="Class probabilities for the drawing" />
        ) : (
          <p className="muted small">
            {!hasModel ? 'The prediction needs a model: press Train in cell 5.1 (an untrained one guesses).' : 'Draw a digit in the pad, or load a test image.'}
          </p>
        )}
        {error ? (
          <p className="notice error" role="alert">
            Could not run the model on the drawing: {error}
          </p>
        ) : null}
      </div>
    </div>
  );
}
