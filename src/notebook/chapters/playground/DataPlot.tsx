// The data and what the network makes of it, on a canvas: classification — the boundary
// image (grid.ts) behind the points, coloured by class; regression — the points and the
// fitted curve. The canvas carries `data-hash`, a fingerprint of what it shows (the
// boundary's pixels or the curve's values), and `data-frame`, the pictures drawn so far.

import { useEffect, useMemo, useRef } from 'react';
import { SERIES_COLORS } from '../../../ui/colors';
import { useElementWidth } from '../../../ui/use-element-width';
import type { PlaygroundData } from './data';
import { boundaryPixels, hashBytes, linePoints, ticks } from './grid';
import { CURVE_RES, GRID_RES } from './run';

export const CLASS_COLORS = SERIES_COLORS;
const POINT_COLOR = '#c2571a';
const CURVE_COLOR = '#2f5fa7';
const MAX_SIZE = 460;
const AXIS = 28;
/** room above and right of the plot for the last tick labels */
const EDGE = 8;

export interface DataPlotProps {
  data: PlaygroundData;
  /** classification: (GRID_RES², k) probabilities; regression: (CURVE_RES) ŷ */
  prediction: Float64Array | null;
  /** points to ring (the last single step's mini-batch) */
  batch: Uint32Array | null;
  frame: number;
  label: string;
}

export function DataPlot({ data, prediction, batch, frame, label }: DataPlotProps) {
  const [wrapRef, width] = useElementWidth<HTMLDivElement>();
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const size = Math.max(200, Math.min(MAX_SIZE, width ?? MAX_SIZE));
  const classification = data.task === 'classification';

  const pixels = useMemo(
    () => (classification && prediction && prediction.length === GRID_RES * GRID_RES * data.k ? boundaryPixels(prediction, data.k, GRID_RES, CLASS_COLORS) : null),
    [classification, prediction, data.k],
  );
  const hash = useMemo(() => {
    if (pixels) return hashBytes(pixels);
    if (!classification && prediction) return hashBytes(new Uint8Array(Float32Array.from(prediction).buffer));
    return 'none';
  }, [pixels, classification, prediction]);

  useEffect(() => {
    const canvas = canvasRef.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(size * dpr);
    canvas.height = Math.round(size * dpr);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, size, size);
    const plot = size - AXIS - EDGE;
    const [x0, x1] = data.extent.x;
    const [y0, y1] = data.extent.y;
    const px = (x: number) => AXIS + ((x - x0) / (x1 - x0)) * plot;
    const py = (y: number) => EDGE + ((y1 - y) / (y1 - y0)) * plot;

    ctx.fillStyle = '#ffffff';
    ctx.fillRect(AXIS, EDGE, plot, plot);
    if (pixels) {
      const img = document.createElement('canvas');
      img.width = GRID_RES;
      img.height = GRID_RES;
      img.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(pixels), GRID_RES, GRID_RES), 0, 0);
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(img, AXIS, EDGE, plot, plot);
    }

    // ticks and grid lines
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillStyle = '#4b5563';
    ctx.strokeStyle = classification ? 'rgba(27, 31, 39, 0.08)' : '#e6e8ec';
    ctx.lineWidth = 1;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const t of ticks(x0, x1)) {
      const x = Math.round(px(t)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(x, EDGE);
      ctx.lineTo(x, EDGE + plot);
      ctx.stroke();
      ctx.fillText(String(t), x, EDGE + plot + 5);
    }
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const t of ticks(y0, y1)) {
      const y = Math.round(py(t)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(AXIS, y);
      ctx.lineTo(AXIS + plot, y);
      ctx.stroke();
      ctx.fillText(String(t), AXIS - 4, y);
    }
    ctx.strokeStyle = '#c9ced6';
    ctx.strokeRect(AXIS + 0.5, EDGE + 0.5, plot - 1, plot - 1);

    const r = size < 320 ? 2.6 : 3.4;
    const inBatch = new Set(batch ?? []);
    if (classification) {
      for (let i = 0; i < data.n; i++) {
        ctx.beginPath();
        ctx.arc(px(data.raw[2 * i]!), py(data.raw[2 * i + 1]!), r, 0, 2 * Math.PI);
        ctx.fillStyle = CLASS_COLORS[data.labels[i]! % CLASS_COLORS.length]!;
        ctx.fill();
        ctx.lineWidth = 1;
        ctx.strokeStyle = '#ffffff';
        ctx.stroke();
      }
    } else {
      if (prediction) {
        const xs = linePoints(data.extent.x, CURVE_RES);
        ctx.save();
        ctx.beginPath();
        ctx.rect(AXIS, EDGE, plot, plot);
        ctx.clip();
        ctx.beginPath();
        xs.forEach((x, i) => (i ? ctx.lineTo(px(x), py(prediction[i]!)) : ctx.moveTo(px(x), py(prediction[i]!))));
        ctx.lineWidth = 2.5;
        ctx.strokeStyle = CURVE_COLOR;
        ctx.stroke();
        ctx.restore();
      }
      for (let i = 0; i < data.n; i++) {
        ctx.beginPath();
        ctx.arc(px(data.raw[i]!), py(data.y[i]!), r + 1.2, 0, 2 * Math.PI);
        ctx.fillStyle = POINT_COLOR;
        ctx.fill();
      }
    }
    // the last single step's mini-batch
    ctx.lineWidth = 1.6;
    ctx.strokeStyle = '#1b1f27';
    for (const i of inBatch) {
      const [x, y] = classification ? [data.raw[2 * i]!, data.raw[2 * i + 1]!] : [data.raw[i]!, data.y[i]!];
      ctx.beginPath();
      ctx.arc(px(x), py(y), r + 3, 0, 2 * Math.PI);
      ctx.stroke();
    }
  }, [size, data, pixels, prediction, batch, classification]);

  return (
    <div ref={wrapRef} className="pg-plot">
      <canvas
        ref={canvasRef}
        role="img"
        aria-label={label}
        data-testid="playground-plot"
        data-hash={hash}
        data-frame={frame}
        style={{ width: size, height: size }}
      />
    </div>
  );
}
