// A grey picture — an MNIST-style image, a filter — drawn into a canvas of one device
// pixel per image pixel and scaled up by CSS (pixelated).

import { memo, useEffect, useRef } from 'react';

export interface GreyImageProps {
  /** (side, side) values, row-major, 0 … max */
  pixels: ArrayLike<number>;
  side?: number;
  max?: number;
  /** CSS pixels per image pixel */
  zoom?: number;
  /** the accessible name; empty marks the picture decorative (e.g. inside a labelled button) */
  label: string;
  /** dark ink on white (photographs of things) instead of white ink on black (what the network sees) */
  inverted?: boolean;
  className?: string;
}

/** draws an (h, w) grid of colours into a canvas of h × w device pixels (CSS scales it up) */
export function paintCanvas(canvas: HTMLCanvasElement | null, h: number, w: number, colour: (k: number) => readonly [number, number, number]): void {
  const ctx = canvas?.getContext('2d');
  if (!canvas || !ctx) return;
  canvas.width = w;
  canvas.height = h;
  const img = ctx.createImageData(w, h);
  for (let k = 0; k < h * w; k++) {
    const [r, g, b] = colour(k);
    img.data[4 * k] = r;
    img.data[4 * k + 1] = g;
    img.data[4 * k + 2] = b;
    img.data[4 * k + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

export const GreyImage = memo(function GreyImage({ pixels, side = 28, max = 1, zoom = 2, label, inverted = false, className }: GreyImageProps) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    paintCanvas(ref.current, side, side, (k) => {
      const v = Math.round((255 * Math.min(max, Math.max(0, pixels[k]!))) / max);
      const g = inverted ? 255 - v : v;
      return [g, g, g];
    });
  }, [pixels, side, max, inverted]);
  return (
    <canvas
      ref={ref}
      role={label ? 'img' : undefined}
      aria-label={label || undefined}
      aria-hidden={label ? undefined : true}
      className={`grey-image${className ? ` ${className}` : ''}`}
      style={{ width: side * zoom, height: side * zoom, imageRendering: 'pixelated' }}
    />
  );
});
