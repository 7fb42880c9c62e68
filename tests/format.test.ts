// The shared number formats (src/ui/format.ts) write what the page wrote before they were
// shared: each readout's former formula is kept here and compared on a spread of values.

import { describe, expect, it } from 'vitest';
import { fmtFixed, fmtSig } from '../src/ui/format';

const VALUES = [
  0, -0, 1, -1, 3, 12, -12, 100, 1234, 99999, 123456, 2e6, 0.5, -0.5, 0.1234567, -0.0004, 0.0004, 1e-5, -2.5e-5, 1e-7, 9.99999e-4,
  0.001, 10, 9.996, 99.96, 1e4, 1e5, 1e6, NaN, Infinity, -Infinity,
];

// the formulas the readouts used, verbatim
const FORMER: Record<string, [(v: number) => string, (v: number) => string]> = {
  'labels (4 significant)': [
    (v) => {
      if (!Number.isFinite(v)) return String(v);
      const a = Math.abs(v);
      if (a !== 0 && (a < 1e-4 || a >= 1e6)) return v.toExponential(2);
      return String(Number(v.toPrecision(4)));
    },
    (v) => fmtSig(v, 4, { expBelow: 1e-4, expFrom: 1e6 }),
  ],
  'URL (6 significant)': [(v) => String(Number(v.toPrecision(6))), (v) => fmtSig(v, 6)],
  'tensor heatmap': [
    (v) => {
      if (!Number.isFinite(v)) return String(v);
      const a = Math.abs(v);
      return a !== 0 && (a < 1e-3 || a >= 1e4) ? v.toExponential(2) : v.toFixed(a >= 100 ? 1 : 3);
    },
    (v) => fmtFixed(v, (a) => (a >= 100 ? 1 : 3), { expBelow: 1e-3, expFrom: 1e4 }),
  ],
  'hand graph f2': [(v) => (Object.is(v, -0) ? 0 : v).toFixed(2), (v) => fmtFixed(v, 2)],
  'hand graph f3': [
    (v) => {
      if (!Number.isFinite(v)) return String(v);
      const a = Math.abs(v);
      if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2);
      return (Object.is(v, -0) ? 0 : v).toFixed(3);
    },
    (v) => fmtFixed(v, 3, { expBelow: 1e-3, expFrom: 1e5 }),
  ],
  'lenet maps': [
    (v) => {
      const a = Math.abs(v);
      return a !== 0 && a < 1e-3 ? v.toExponential(1) : v.toFixed(a >= 10 ? 1 : 2);
    },
    (v) => fmtFixed(v, (a) => (a >= 10 ? 1 : 2), { expBelow: 1e-3, expDigits: 1 }),
  ],
  'function plot axis': [(v) => String(Number(v.toFixed(3))), (v) => fmtFixed(v, 3, { trim: true })],
  'parameter sliders': [(v) => (Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(2)), (v) => fmtFixed(v, (a) => (a >= 100 ? 1 : 2))],
  'conv grid': [
    (v) => (Number.isInteger(v) ? String(v) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2)),
    (v) => fmtFixed(v, (a) => (a >= 10 ? 1 : 2), { integers: true }),
  ],
  'pool and im2col grids': [(v) => (Number.isInteger(v) ? String(v) : v.toFixed(2)), (v) => fmtFixed(v, 2, { integers: true })],
};

describe('shared number formats keep each readout’s text', () => {
  it.each(Object.keys(FORMER))('%s', (name) => {
    const [former, shared] = FORMER[name]!;
    for (const v of VALUES) expect(shared(v), `${name} at ${v}`).toBe(former(v));
  });
});
