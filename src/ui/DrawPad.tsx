// A square drawing pad: mouse, touch and pen (pointer events, with the coalesced points of
// fast strokes), "Clear", and a picture painted in from outside (e.g. a test image, the
// keyboard's way to fill the pad). The ink goes out as the canvas's alpha channel,
// (size, size) values in [0, 1], once per animation frame while drawing and at the end of
// each stroke.

import { useCallback, useEffect, useId, useRef, type PointerEvent as ReactPointerEvent, type ReactNode } from 'react';
import './DrawPad.css';

export interface DrawPadImage {
  /** (side, side) row-major intensities, 0 … max */
  pixels: ArrayLike<number>;
  side: number;
  max: number;
  /** a new key paints the picture in (the same picture can be loaded twice) */
  key: number;
}

export interface DrawPadProps {
  /** the canvas's accessible name */
  label: string;
  /** canvas resolution and CSS size, in pixels (default 280) */
  size?: number;
  /** stroke width in canvas pixels (default size / 12) */
  lineWidth?: number;
  /** the ink after each change: (size, size) alpha in [0, 1]; null once cleared */
  onInk: (ink: Float32Array | null, size: number) => void;
  image?: DrawPadImage | null;
  /** extra controls placed after "Clear" */
  children?: ReactNode;
}

const INK = '#14181f';

export function DrawPad({ label, size = 280, lineWidth = size / 12, onInk, image, children }: DrawPadProps) {
  const ref = useRef<HTMLCanvasElement>(null);
  const drawing = useRef<{ id: number; x: number; y: number } | null>(null);
  const frame = useRef(0);
  const hasInk = useRef(false);
  const onInkRef = useRef(onInk);
  onInkRef.current = onInk;
  const hintId = useId();

  const ctx = useCallback(() => ref.current?.getContext('2d', { willReadFrequently: true }) ?? null, []);

  const emit = useCallback(() => {
    frame.current = 0;
    const c = ctx();
    if (!c) return;
    if (!hasInk.current) return onInkRef.current(null, size);
    const rgba = c.getImageData(0, 0, size, size).data;
    const ink = new Float32Array(size * size);
    for (let k = 0; k < ink.length; k++) ink[k] = rgba[4 * k + 3]! / 255;
    onInkRef.current(ink, size);
  }, [ctx, size]);

  const schedule = useCallback(() => {
    if (!frame.current) frame.current = requestAnimationFrame(emit);
  }, [emit]);

  useEffect(() => () => cancelAnimationFrame(frame.current), []);

  const clear = useCallback(() => {
    ctx()?.clearRect(0, 0, size, size);
    hasInk.current = false;
    cancelAnimationFrame(frame.current);
    emit();
  }, [ctx, emit, size]);

  // paint a picture in, scaled up with smoothing (ink = its intensity)
  useEffect(() => {
    const c = ctx();
    if (!c || !image) return;
    const { pixels, side, max } = image;
    const small = document.createElement('canvas');
    small.width = side;
    small.height = side;
    const sc = small.getContext('2d');
    if (!sc) return;
    const img = sc.createImageData(side, side);
    for (let k = 0; k < side * side; k++) {
      img.data[4 * k] = 0x14;
      img.data[4 * k + 1] = 0x18;
      img.data[4 * k + 2] = 0x1f;
      img.data[4 * k + 3] = Math.round((255 * Math.min(max, Math.max(0, pixels[k]!))) / max);
    }
    sc.putImageData(img, 0, 0);
    c.clearRect(0, 0, size, size);
    c.imageSmoothingEnabled = true;
    c.imageSmoothingQuality = 'high';
    c.drawImage(small, 0, 0, size, size);
    hasInk.current = true;
    cancelAnimationFrame(frame.current);
    emit();
  }, [image, ctx, emit, size]);

  const point = (e: ReactPointerEvent | PointerEvent) => {
    const r = ref.current!.getBoundingClientRect();
    return { x: ((e.clientX - r.left) / r.width) * size, y: ((e.clientY - r.top) / r.height) * size };
  };

  const stroke = (from: { x: number; y: number }, to: { x: number; y: number }, pressure: number) => {
    const c = ctx();
    if (!c) return;
    c.strokeStyle = INK;
    c.fillStyle = INK;
    c.lineCap = 'round';
    c.lineJoin = 'round';
    c.lineWidth = lineWidth * pressure;
    c.beginPath();
    c.moveTo(from.x, from.y);
    c.lineTo(to.x, to.y);
    c.stroke();
    hasInk.current = true;
  };

  // a pen's pressure widens the stroke a little; mouse and touch draw at the set width
  const pressureOf = (e: ReactPointerEvent | PointerEvent) => (e.pointerType === 'pen' && e.pressure > 0 ? 0.6 + 0.8 * e.pressure : 1);

  const onPointerDown = (e: ReactPointerEvent<HTMLCanvasElement>) => {
    if (e.button !== 0 && e.pointerType === 'mouse') return;
    e.preventDefault();
    // keep receiving the stroke when it leaves the pad (a pointer the browser no longer tracks cannot be captured)
    try {
      e.currentTarget.setPointerCapture(e.pointerId);
    } catch {
      /* the stroke still draws while it stays on the pad */
    }
    const p = point(e);
    drawing.current = { id: e.pointerId, ...p };
    stroke(p, p, pressureOf(e));
    schedule();
  };
  const onPointerMove = (e: ReactPointerEvent<HTMLCanvasElement>) => {
    const d = drawing.current;
    if (!d || d.id !== e.pointerId) return;
    const events = e.nativeEvent.getCoalescedEvents?.() ?? [];
    let last = { x: d.x, y: d.y };
    for (const ev of events.length ? events : [e.nativeEvent]) {
      const p = point(ev);
      stroke(last, p, pressureOf(ev));
      last = p;
    }
    drawing.current = { id: d.id, ...last };
    schedule();
  };
  const end = (e: ReactPointerEvent<HTMLCanvasElement>) => {
    if (drawing.current?.id !== e.pointerId) return;
    drawing.current = null;
    cancelAnimationFrame(frame.current);
    emit();
  };

  return (
    <div className="draw-pad" style={{ maxWidth: size }}>
      <canvas
        ref={ref}
        width={size}
        height={size}
        style={{ width: size, height: size }}
        className="draw-pad-canvas"
        role="img"
        aria-label={label}
        aria-describedby={hintId}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={end}
        onPointerCancel={end}
      />
      <p id={hintId} className="draw-pad-hint">
        Draw with the mouse, a finger or a pen.
      </p>
      <div className="button-row">
        <button type="button" onClick={clear}>
          Clear
        </button>
        {children}
      </div>
    </div>
  );
}
