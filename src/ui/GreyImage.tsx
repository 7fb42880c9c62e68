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

export const GreyImage = memo(function GreyImage({ pixels, side = 28, max = 1, zoom = 2, label, inverted = false, className }: GreyImageProps) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = ref.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx) return;
    canvas.width = side;
    canvas.height = side;
    const img = ctx.createImageData(side, side);
    for (let k = 0; k < side * side; k++) {
      const v = Math.round((255 * Math.min(max, Math.max(0, pixels[k]!))) / max);
      const g = inverted ? 255 - v : v;
      img.data[4 * k] = img.data[4 * k + 1] = img.data[4 * k + 2] = g;
      img.data[4 * k + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
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
